// Benchmarks of the executors (issue 3). Run: deno bench -A bench/executors_bench.ts
import { startWorker } from "../src/workers/_spawn.ts";

const fixture = new URL("../tests/workers/_fixture_worker.ts", import.meta.url);

// Question: how long does a worker take from spawn to READY (target ≤ 50 ms)?
Deno.bench({
  name: "MessageChannel round trip (no worker)",
  group: "worker start-up",
  baseline: true,
  async fn() {
    const { port1, port2 } = new MessageChannel();
    const got = new Promise((resolve) => (port2.onmessage = resolve));
    port1.postMessage("ready");
    await got;
    port1.close();
    port2.close();
  },
});

Deno.bench({
  name: "startWorker() to READY",
  group: "worker start-up",
  async fn(b) {
    b.start();
    const worker = await startWorker(fixture);
    b.end();
    await worker.terminate();
  },
});

// ---- Worker executors (ThreadedExecutor, ParallelExecutor) against the sequential engine ----
import { HyperNodesEngine } from "../src/core/hypernodes_engine.ts";
import { ParallelExecutor, ThreadedExecutor } from "../src/workers/mod.ts";
import { blocking, cpu, tiny } from "../tests/workers/_bench_pipelines.ts";

const sequential = new HyperNodesEngine();
// Pools are started once, outside the measured part (a warm-up map below).
const threaded = new ThreadedExecutor({ concurrency: 32 });
const threadedDefault = new ThreadedExecutor();
const parallel = new ParallelExecutor();
const threadedEngine = new HyperNodesEngine({ mapExecutor: threaded });
const threadedDefaultEngine = new HyperNodesEngine({ mapExecutor: threadedDefault });
const parallelEngine = new HyperNodesEngine({ mapExecutor: parallel });
const waits = { ms: Array.from({ length: 32 }, () => 50) };
const crunch = { n: Array.from({ length: 48 }, () => 4_000_000) };
const trivial = { x: Array.from({ length: 100_000 }, (_, i) => i) };
await blocking.map({ ms: Array(32).fill(1) }, { mapOver: "ms", engine: threadedEngine });
await blocking.map({ ms: Array(8).fill(1) }, { mapOver: "ms", engine: threadedDefaultEngine });
await tiny.map({ x: [1, 2, 3, 4] }, { mapOver: "x", engine: parallelEngine });

// Question: does a threaded map overlap blocking items (target ≥ 8× with 32 in flight)?
Deno.bench({
  name: "sequential",
  group: "threaded map, 32 × 50 ms Atomics.wait",
  baseline: true,
  n: 3,
  warmup: 0,
  async fn() {
    await blocking.map(waits, { mapOver: "ms", engine: sequential });
  },
});
Deno.bench({
  name: "threaded (concurrency 32)",
  group: "threaded map, 32 × 50 ms Atomics.wait",
  n: 5,
  warmup: 1,
  async fn() {
    await blocking.map(waits, { mapOver: "ms", engine: threadedEngine });
  },
});
Deno.bench({
  name: "threaded (default concurrency)",
  group: "threaded map, 32 × 50 ms Atomics.wait",
  n: 5,
  warmup: 1,
  async fn() {
    await blocking.map(waits, { mapOver: "ms", engine: threadedDefaultEngine });
  },
});

// Question: does a parallel map use both cores for CPU items (target ≥ 1.7× on 2 cores)?
Deno.bench({
  name: "sequential",
  group: "parallel map, 48 × ~20 ms arithmetic",
  baseline: true,
  n: 3,
  warmup: 1,
  async fn() {
    await cpu.map(crunch, { mapOver: "n", engine: sequential });
  },
});
Deno.bench({
  name: "parallel",
  group: "parallel map, 48 × ~20 ms arithmetic",
  n: 5,
  warmup: 1,
  async fn() {
    await cpu.map(crunch, { mapOver: "n", engine: parallelEngine });
  },
});

// Question: is per-item overhead of chunked items small (target ≤ 1 µs per item)?
Deno.bench({
  name: "sequential",
  group: "parallel map, 100,000 trivial items",
  baseline: true,
  n: 5,
  warmup: 1,
  async fn() {
    await tiny.map(trivial, { mapOver: "x", engine: sequential });
  },
});
Deno.bench({
  name: "parallel",
  group: "parallel map, 100,000 trivial items",
  n: 5,
  warmup: 1,
  async fn() {
    await tiny.map(trivial, { mapOver: "x", engine: parallelEngine });
  },
});

globalThis.addEventListener("unload", () => {
  void threaded[Symbol.asyncDispose]();
  void threadedDefault[Symbol.asyncDispose]();
  void parallel[Symbol.asyncDispose]();
});
