// Benchmarks of the distributed engine (issue 7): QueueEngine over two `hn worker` processes
// (Deno) on a private redis-server with AOF, against the local `parallel` executor. Redis runs
// with `appendfsync always` (no acknowledged write lost even if the machine crashes: one fsync
// per write batch) and, for comparison, `everysec`. Run: deno bench -A bench/distributed_bench.ts
// Skipped, saying so, where redis-server is not installed.
import { HyperNodesEngine } from "../mod.ts";
import { QueueEngine } from "../src/distributed/mod.ts";
import { cpu, trivial } from "../tests/distributed/_pipelines.ts";
import {
  killAllNow,
  REDIS_SERVER,
  startRedis,
  startWorker,
} from "../tests/distributed/_harness.ts";

const TRIVIAL = { x: Array.from({ length: 10_000 }, (_, i) => i) };
const CPU = { x: Array.from({ length: 200 }, (_, i) => i), n: 1_200_000 }; // ~20 ms per item

if (!REDIS_SERVER) {
  console.log(
    "distributed_bench: skipped, redis-server is not installed (apt-get install -y redis-server)",
  );
} else {
  // Setup outside the measured part: Redis, two worker processes, warm engines.
  const [redis, lazy] = await Promise.all([startRedis("always"), startRedis("everysec")]);
  await Promise.all([
    startWorker("deno", redis, "bench"),
    startWorker("deno", redis, "bench"),
    startWorker("deno", lazy, "bench"),
    startWorker("deno", lazy, "bench"),
  ]);
  // Worker processes and Redis would outlive this process: kill them when it ends.
  globalThis.addEventListener("unload", killAllNow);
  const queue = new QueueEngine({ connection: redis.url, queue: "bench" });
  const everysec = new QueueEngine({ connection: lazy.url, queue: "bench" });
  const parallel = new HyperNodesEngine({ mapExecutor: "parallel" });
  const sequential = new HyperNodesEngine();
  await trivial.map({ x: [1, 2, 3, 4] }, { mapOver: "x", engine: queue });
  await trivial.map({ x: [1, 2, 3, 4] }, { mapOver: "x", engine: everysec });
  await trivial.map({ x: [1, 2, 3, 4] }, { mapOver: "x", engine: parallel });

  // Question: what does the queue cost per item when items do nothing (items/s, µs/item)?
  Deno.bench({
    name: "sequential (this process)",
    group: "10,000 trivial items",
    n: 10,
    warmup: 2,
    async fn() {
      await trivial.map(TRIVIAL, { mapOver: "x", engine: sequential });
    },
  });
  Deno.bench({
    name: "parallel executor (Workers, this machine)",
    group: "10,000 trivial items",
    baseline: true,
    n: 10,
    warmup: 2,
    async fn() {
      await trivial.map(TRIVIAL, { mapOver: "x", engine: parallel });
    },
  });
  Deno.bench({
    name: "QueueEngine, 2 worker processes, chunks of 100, appendfsync always",
    group: "10,000 trivial items",
    n: 10,
    warmup: 2,
    async fn() {
      await trivial.map(TRIVIAL, { mapOver: "x", engine: queue });
    },
  });
  Deno.bench({
    name: "QueueEngine, 2 worker processes, chunks of 100, appendfsync everysec",
    group: "10,000 trivial items",
    n: 10,
    warmup: 2,
    async fn() {
      await trivial.map(TRIVIAL, { mapOver: "x", engine: everysec });
    },
  });

  // Question: with ~20 ms of CPU per item, does the queue keep up with local Workers?
  Deno.bench({
    name: "parallel executor (Workers, this machine)",
    group: "200 CPU items × 20 ms",
    baseline: true,
    n: 3,
    warmup: 1,
    async fn() {
      await cpu.map(CPU, { mapOver: "x", engine: parallel });
    },
  });
  Deno.bench({
    name: "QueueEngine, 2 worker processes, appendfsync always",
    group: "200 CPU items × 20 ms",
    n: 3,
    warmup: 1,
    async fn() {
      await cpu.map(CPU, { mapOver: "x", engine: queue });
    },
  });
}
