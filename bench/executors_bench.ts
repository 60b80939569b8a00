// Benchmarks of the executors (issue 3), each against the sequential engine.
// Run: deno bench -A --no-check bench/executors_bench.ts
// (--no-check: with type checking on, Deno type-checks each worker's module graph as the worker
// starts, which adds seconds to every worker start.) The machine's other load moves these
// figures a lot: compare the ratios within one run.
import { HyperNodesEngine } from "../src/core/hypernodes_engine.ts";
import { startWorker } from "../src/workers/_spawn.ts";
import { ParallelExecutor, ThreadedExecutor } from "../src/workers/mod.ts";
import {
  blocking,
  cpu,
  fanout,
  io,
  lookups,
  mixed,
  tiny,
} from "../tests/workers/_bench_pipelines.ts";

const entry = new URL("../src/workers/_worker_entry.ts", import.meta.url);

// Question: how long does a worker take from spawn to ready (target ≤ 50 ms), and a fresh
// executor to its first result (the worker also loads the engine and the pipeline's module)?
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
  name: "startWorker(executor worker) to ready",
  group: "worker start-up",
  n: 10,
  warmup: 1,
  async fn(b) {
    b.start();
    const worker = await startWorker(entry);
    b.end();
    await worker.terminate();
  },
});
Deno.bench({
  name: "new ParallelExecutor: 1-item map, first result",
  group: "worker start-up",
  n: 10,
  warmup: 1,
  async fn(b) {
    const executor = new ParallelExecutor({ workers: 1 });
    const engine = new HyperNodesEngine({ mapExecutor: executor });
    b.start();
    await tiny.map({ x: [1] }, { mapOver: "x", engine });
    b.end();
    await executor[Symbol.asyncDispose]();
  },
});

const sequential = new HyperNodesEngine();
const asyncEngine = new HyperNodesEngine({ nodeExecutor: "async", mapExecutor: "async" });
// Pools start on first use, in each bench's warm-up, and the groups that start many workers
// come last, so that idle workers of one group do not weigh on the next.
const pools: AsyncDisposable[] = [];
function pool<T extends AsyncDisposable>(make: () => T): () => T {
  let made: T | undefined;
  return () => made ??= (pools.push(made = make()), made);
}
const parallel = pool(() => new ParallelExecutor());
const threaded32 = pool(() => new ThreadedExecutor({ concurrency: 32 }));
const threadedDefault = pool(() => new ThreadedExecutor());
const parallelEngine = pool(() => new HyperNodesEngine({ mapExecutor: parallel() }));
const mixedEngine = pool(() =>
  new HyperNodesEngine({ nodeExecutor: "async", mapExecutor: parallel() })
);
const threaded32Engine = pool(() => new HyperNodesEngine({ mapExecutor: threaded32() }));
const threadedDefaultEngine = pool(() => new HyperNodesEngine({ mapExecutor: threadedDefault() }));

const waits = { ms: Array.from({ length: 32 }, () => 50) };
const crunch = { n: Array.from({ length: 48 }, () => 1_200_000) };
const trivial = { x: Array.from({ length: 100_000 }, (_, i) => i) };
const fetches = { ms: Array.from({ length: 100 }, () => 10) };
const loads = { ms: Array.from({ length: 48 }, () => 10), n: 600_000 };
const table = new Float64Array(1_000_000).map((_, k) => k % 97); // 8 MB
const shared = { table, i: Array.from({ length: 2_000 }, (_, k) => k) };

// Question: does an async map overlap I/O-bound items (100 × 10 ms timer)?
Deno.bench({
  name: "sequential",
  group: "async map, 100 × 10 ms await",
  baseline: true,
  n: 3,
  warmup: 0,
  async fn() {
    await io.map(fetches, { mapOver: "ms", engine: sequential });
  },
});
Deno.bench({
  name: "async (concurrency 100)",
  group: "async map, 100 × 10 ms await",
  n: 10,
  warmup: 1,
  async fn() {
    await io.map(fetches, { mapOver: "ms", engine: asyncEngine });
  },
});

// Question: do independent async nodes of one run overlap (4 × 20 ms timer, then a join)?
Deno.bench({
  name: "sequential",
  group: "async nodes, 4 × 20 ms await",
  baseline: true,
  n: 5,
  warmup: 1,
  async fn() {
    await fanout.run({ ms: 20 }, { engine: sequential });
  },
});
Deno.bench({
  name: "async",
  group: "async nodes, 4 × 20 ms await",
  n: 10,
  warmup: 1,
  async fn() {
    await fanout.run({ ms: 20 }, { engine: asyncEngine });
  },
});

// Question: does a parallel map use every core for CPU items (target ≥ 1.7× on 2 cores)?
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
  name: `parallel (${navigator.hardwareConcurrency} workers)`,
  group: "parallel map, 48 × ~20 ms arithmetic",
  n: 5,
  warmup: 1,
  async fn() {
    await cpu.map(crunch, { mapOver: "n", engine: parallelEngine() });
  },
});

// Question: is the per-item overhead of chunked items small (target ≤ 1 µs per item)?
Deno.bench({
  name: "sequential",
  group: "parallel map, 100,000 trivial items",
  baseline: true,
  n: 10,
  warmup: 2,
  async fn() {
    await tiny.map(trivial, { mapOver: "x", engine: sequential });
  },
});
Deno.bench({
  name: "parallel",
  group: "parallel map, 100,000 trivial items",
  n: 10,
  warmup: 2,
  async fn() {
    await tiny.map(trivial, { mapOver: "x", engine: parallelEngine() });
  },
});

// Question: does a map whose items share a large input (8 MB) still gain from workers? Each
// worker receives it once per map, not once per message.
Deno.bench({
  name: "sequential",
  group: "parallel map, 2,000 × ~0.25 ms items sharing an 8 MB input",
  baseline: true,
  n: 10,
  warmup: 2,
  async fn() {
    await lookups.map(shared, { mapOver: "i", engine: sequential });
  },
});
Deno.bench({
  name: "parallel",
  group: "parallel map, 2,000 × ~0.25 ms items sharing an 8 MB input",
  n: 10,
  warmup: 2,
  async fn() {
    await lookups.map(shared, { mapOver: "i", engine: parallelEngine() });
  },
});

// Question: do async nodes still overlap inside parallel items (48 items × (2 × 10 ms await,
// then ~10 ms arithmetic))?
Deno.bench({
  name: "sequential",
  group: "mixed: async nodes inside parallel items",
  baseline: true,
  n: 3,
  warmup: 0,
  async fn() {
    await mixed.map(loads, { mapOver: "ms", engine: sequential });
  },
});
Deno.bench({
  name: "async nodes, parallel items",
  group: "mixed: async nodes inside parallel items",
  n: 5,
  warmup: 1,
  async fn() {
    await mixed.map(loads, { mapOver: "ms", engine: mixedEngine() });
  },
});

// Question: does a threaded map overlap blocking items (target ≥ 8× with 32 in flight)? At the
// default concurrency, min(32, cores + 4), 32 items take ceil(32 / concurrency) rounds.
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
    await blocking.map(waits, { mapOver: "ms", engine: threaded32Engine() });
  },
});
Deno.bench({
  name: `threaded (default concurrency ${Math.min(32, navigator.hardwareConcurrency + 4)})`,
  group: "threaded map, 32 × 50 ms Atomics.wait",
  n: 5,
  warmup: 1,
  async fn() {
    await blocking.map(waits, { mapOver: "ms", engine: threadedDefaultEngine() });
  },
});

globalThis.addEventListener("unload", () => {
  for (const p of pools) void p[Symbol.asyncDispose]();
});
