// The engine's cache with Worker map executors: nodes run in workers read and write the
// main thread's cache, with the signatures the sequential engine uses. Node runs are counted
// through a file (workers cannot touch this thread's variables).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Cache } from "../../src/core/cache.ts";
import type { Callback } from "../../src/core/callback.ts";
import type { Executor } from "../../src/core/executor.ts";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { MemoryCache } from "../../src/core/memory_cache.ts";
import { DiskCache } from "../../src/disk_cache/mod.ts";
import { ParallelExecutor, ThreadedExecutor } from "../../src/workers/mod.ts";
import { counted } from "./_pipelines.ts";

const dir = mkdtempSync(join(tmpdir(), "hn-worker-cache-"));
const threaded = new ThreadedExecutor({ concurrency: 4, workers: 2 });
const parallel = new ParallelExecutor({ workers: 2 });
after(async () => {
  await Promise.all([threaded[Symbol.asyncDispose](), parallel[Symbol.asyncDispose]()]);
  rmSync(dir, { recursive: true, force: true });
});

let logs = 0;
/** A fresh log file: `runs()` lists the x of every run of the `logged` node so far. */
function logFile(): { log: string; runs(): number[] } {
  const log = join(dir, `runs-${++logs}.log`);
  writeFileSync(log, "");
  return {
    log,
    runs: () => readFileSync(log, "utf8").split("\n").filter((l) => l !== "").map(Number).sort(),
  };
}

/** Records cache-related events by item. */
function cacheEvents(): Callback & { cached: number[]; computed: number[]; nodeHits: number } {
  const cb = {
    cached: [] as number[],
    computed: [] as number[],
    nodeHits: 0,
    onMapItemCached: (e: { item: number }) => void cb.cached.push(e.item),
    onMapItemEnd: (e: { item: number }) => void cb.computed.push(e.item),
    onNodeCached: () => void cb.nodeHits++,
  };
  return cb;
}

const want = (xs: number[]) => xs.map((x) => ({ sq: x * x, next: x * x + 1 }));

for (const [label, executor] of [["threaded", threaded], ["parallel", parallel]] as const) {
  describe(`${label} map executor with a cache`, () => {
    const workers = (cache: Cache, callbacks: Callback[] = []) =>
      new HyperNodesEngine({ mapExecutor: executor as Executor, cache, callbacks });

    it("map() hits every node the sequential engine cached and runs none", async () => {
      const cache = new MemoryCache();
      const { log, runs } = logFile();
      const xs = [1, 2, 3, 4];
      const sequential = new HyperNodesEngine({ cache });
      assert.deepEqual(
        await counted.map({ x: xs, log }, { mapOver: "x", engine: sequential }),
        want(xs),
      );
      assert.deepEqual(runs(), xs);
      const events = cacheEvents();
      const out = await counted.map({ x: xs, log }, {
        mapOver: "x",
        engine: workers(cache, [events]),
      });
      assert.deepEqual(out, want(xs));
      assert.deepEqual(runs(), xs, "no node ran again");
      assert.deepEqual(events.cached.sort(), [0, 1, 2, 3]);
      assert.deepEqual(events.computed, []);
      assert.equal(events.nodeHits, 8);
    });

    it("the sequential engine hits every node map() cached in workers", async () => {
      const cache = new MemoryCache();
      const { log, runs } = logFile();
      const xs = [5, 6, 7];
      assert.deepEqual(
        await counted.map({ x: xs, log }, { mapOver: "x", engine: workers(cache) }),
        want(xs),
      );
      assert.deepEqual(runs(), xs);
      const events = cacheEvents();
      const sequential = new HyperNodesEngine({ cache, callbacks: [events] });
      assert.deepEqual(
        await counted.map({ x: xs, log }, { mapOver: "x", engine: sequential }),
        want(xs),
      );
      assert.deepEqual(await counted.run({ x: 6, log }, { engine: sequential }), want([6])[0]);
      assert.deepEqual(runs(), xs, "no node ran again");
      assert.deepEqual(events.cached, [0, 1, 2]);
    });

    it("map() with more items computes only the new ones", async () => {
      const cache = new MemoryCache();
      const { log, runs } = logFile();
      const engine = workers(cache);
      await counted.map({ x: [1, 2], log }, { mapOver: "x", engine });
      const events = cacheEvents();
      const more = workers(cache, [events]);
      assert.deepEqual(
        await counted.map({ x: [1, 2, 8, 9], log }, { mapOver: "x", engine: more }),
        want([1, 2, 8, 9]),
      );
      assert.deepEqual(runs(), [1, 2, 8, 9]);
      assert.deepEqual(events.cached.sort(), [0, 1]);
      assert.deepEqual(events.computed.sort(), [2, 3]);
    });

    it("map() with a DiskCache writes entries a new DiskCache on the same directory hits", async () => {
      const cacheDir = join(dir, `disk-${label}`);
      const { log, runs } = logFile();
      const xs = [3, 4, 5];
      await counted.map({ x: xs, log }, { mapOver: "x", engine: workers(new DiskCache(cacheDir)) });
      assert.deepEqual(runs(), xs);
      // A new cache object reads only what reached the disk.
      const reopened = new DiskCache(cacheDir);
      const sequential = new HyperNodesEngine({ cache: reopened });
      assert.deepEqual(
        await counted.map({ x: xs, log }, { mapOver: "x", engine: sequential }),
        want(xs),
      );
      assert.deepEqual(
        await counted.map({ x: [...xs, 6], log }, { mapOver: "x", engine: workers(reopened) }),
        want([...xs, 6]),
      );
      assert.deepEqual(runs(), [...xs, 6]);
    });
  });
}
