// What a distributed map survives: a worker killed with SIGKILL mid-chunk, a Redis restart
// (AOF with appendfsync always), and a worker stopped with SIGTERM while it runs a chunk.
// Workers use short locks (--lock-ms 2000) so that a dead worker's chunk is retried within
// seconds. Skipped, with the reason, where redis-server is not installed.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Callback } from "../../src/core/callback.ts";
import { DistributedError, QueueEngine } from "../../src/distributed/mod.ts";
import {
  kill,
  RUNTIME,
  SKIP_REDIS,
  startRedis,
  startWorker,
  stopAll,
  type WorkerProcess,
} from "./_harness.ts";
import { crash, slow } from "./_pipelines.ts";

after(stopAll);

const FAST_LOCKS = ["--lock-ms", "2000", "--stalled-ms", "1000"];
const xs = [...Array(24).keys()];
const expected = xs.map((x) => ({ ten: x * 10 }));

/** Counts each item's end events, and calls `once` at the first one. */
function itemEnds(once: () => void): Callback & { counts: Map<number, number> } {
  const counts = new Map<number, number>();
  let fired = false;
  return {
    counts,
    onMapItemEnd(e) {
      counts.set(e.item!, (counts.get(e.item!) ?? 0) + 1);
      if (!fired) (fired = true, once());
    },
  };
}

describe("a distributed map survives failures", () => {
  it("a worker killed with SIGKILL mid-map: every item comes back exactly once", {
    skip: SKIP_REDIS,
  }, async () => {
    const redis = await startRedis();
    const workers: WorkerProcess[] = await Promise.all([
      startWorker(RUNTIME, redis, "kill", FAST_LOCKS),
      startWorker(RUNTIME, redis, "kill", FAST_LOCKS),
    ]);
    let killed: Promise<void> | undefined;
    // Both workers hold a chunk when the first one comes back (chunks take 4 × 100 ms).
    const ends = itemEnds(() => killed = kill(workers[0].child, "SIGKILL"));
    await using engine = new QueueEngine({
      connection: redis.url,
      queue: "kill",
      chunkSize: 4,
      pollIntervalMs: 200,
      callbacks: [ends],
    });
    const out = await slow.map({ x: xs, ms: 100 }, { mapOver: "x", engine });
    await killed;
    assert.deepEqual(out, expected);
    assert.deepEqual([...ends.counts.keys()].sort((a, b) => a - b), xs);
    assert.ok([...ends.counts.values()].every((n) => n === 1), "each item reported once");
    assert.equal(workers[0].child.signalCode, "SIGKILL");
    // The survivor found the dead worker's chunk and put it back in the queue.
    assert.match(workers[1].output(), /lost its worker/);
  });

  it(
    "a Redis restart mid-map (AOF, appendfsync always) loses nothing",
    { skip: SKIP_REDIS },
    async () => {
      const redis = await startRedis();
      await startWorker(RUNTIME, redis, "restart", FAST_LOCKS);
      let restarted: Promise<void> | undefined;
      const ends = itemEnds(() => restarted = redis.kill().then(() => redis.restart()));
      await using engine = new QueueEngine({
        connection: redis.url,
        queue: "restart",
        chunkSize: 4,
        pollIntervalMs: 200,
        callbacks: [ends],
      });
      const out = await slow.map({ x: xs, ms: 50 }, { mapOver: "x", engine });
      await restarted;
      assert.deepEqual(out, expected);
      assert.ok([...ends.counts.values()].every((n) => n === 1), "each item reported once");
    },
  );

  it(
    "SIGTERM lets the running chunk finish, then the worker exits with 0",
    { skip: SKIP_REDIS },
    async () => {
      const redis = await startRedis();
      const worker = await startWorker(RUNTIME, redis, "term", FAST_LOCKS);
      let stopped: Promise<void> | undefined;
      await using engine = new QueueEngine({
        connection: redis.url,
        queue: "term",
        chunkSize: 4,
        pollIntervalMs: 200,
        timeoutMs: 20_000,
        // BullMQ hands a worker its next chunk as it completes one: when the first chunk comes
        // back, the worker is running the second, and it must finish it before exiting.
        callbacks: [{ onMapItemEnd: () => void (stopped ??= kill(worker.child, "SIGTERM")) }],
      });
      const out = await slow.map({ x: xs.slice(0, 8), ms: 100 }, { mapOver: "x", engine });
      assert.deepEqual(out, expected.slice(0, 8));
      await stopped;
      assert.equal(await worker.exited, 0, worker.output());
      assert.match(worker.output(), /SIGTERM: stopping[\s\S]*closed\n/);
    },
  );

  it("a chunk that kills its worker fails its items (job_failed); collect keeps the rest", {
    skip: SKIP_REDIS,
  }, async () => {
    const redis = await startRedis();
    // --max-stalled 0: the first death fails the chunk (the default, 1, allows one retry).
    const strict = [...FAST_LOCKS, "--max-stalled", "0"];
    await Promise.all([
      startWorker(RUNTIME, redis, "crash", strict),
      startWorker(RUNTIME, redis, "crash", strict),
    ]);
    await using engine = new QueueEngine({
      connection: redis.url,
      queue: "crash",
      chunkSize: 1,
      pollIntervalMs: 200,
    });
    const out = await crash.map({ x: [1, -1, 2] }, { mapOver: "x", engine, errors: "collect" });
    assert.deepEqual([out[0], out[2]], [{ y: 1 }, { y: 2 }]);
    const e = out[1];
    assert.ok(e instanceof DistributedError, `expected a DistributedError, got ${e}`);
    assert.equal(e.code, "job_failed");
    assert.equal(e.item, 1);
    assert.match(e.message, /item 1 of pipeline "crash".*stalled more than allowable limit/);
  });
});
