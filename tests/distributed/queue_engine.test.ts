// QueueEngine against real processes: a private redis-server and `hn worker` processes on Deno
// and on Node or Bun. Skipped, with the reason, where redis-server is not installed.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { node } from "../../src/core/node.ts";
import { Pipeline } from "../../src/core/pipeline.ts";
import { MemoryCache } from "../../src/core/memory_cache.ts";
import { NodeExecutionError } from "../../src/core/errors.ts";
import { DistributedError, QueueEngine, RedisCache } from "../../src/distributed/mod.ts";
import { engineContract, expectedItemTrace, itemTrace, recorder } from "../core/_engine_suite.ts";
import {
  type RedisProcess,
  RUNTIME,
  runtimeBinary,
  SKIP_REDIS,
  startRedis,
  startWorker,
  stopAll,
  type WorkerProcess,
} from "./_harness.ts";
import { big, math, slow, values, where } from "./_pipelines.ts";

const CONTRACT = new URL("../core/_fixtures/contract_pipelines.ts", import.meta.url).pathname;
const OTHER = RUNTIME === "deno" ? (runtimeBinary("node") ? "node" : "bun") : RUNTIME;
const SKIP_TWO = SKIP_REDIS ||
  (runtimeBinary("deno") ? false : "deno is not on PATH, so no Deno worker can be started") ||
  (runtimeBinary(OTHER) ? false : `${OTHER} is not on PATH`);

after(stopAll);

function isDistributed(code: string, pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof DistributedError, `expected a DistributedError, got ${e}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  };
}

if (SKIP_REDIS) {
  it("QueueEngine passes the Engine contract", { skip: SKIP_REDIS }, () => {});
} else {
  describe("QueueEngine with a worker process", () => {
    let redis: RedisProcess;
    before(async () => {
      redis = await startRedis();
      await startWorker(RUNTIME, redis, "contract", ["--concurrency", "4"], CONTRACT);
    });
    engineContract("QueueEngine", (o) =>
      new QueueEngine({
        connection: redis.url,
        queue: "contract",
        callbacks: o.callbacks,
        cache: o.cache ? new MemoryCache() : undefined,
        pollIntervalMs: 200,
      }));
  });
}

describe(`QueueEngine over a Deno and a ${OTHER} worker`, () => {
  let redis: RedisProcess;
  let engine: QueueEngine;
  const workers: WorkerProcess[] = [];
  before(async () => {
    if (SKIP_TWO) return;
    redis = await startRedis();
    workers.push(
      ...await Promise.all([
        startWorker("deno", redis, "two"),
        startWorker(OTHER, redis, "two"),
      ]),
    );
    engine = new QueueEngine({ connection: redis.url, queue: "two", pollIntervalMs: 200 });
  });
  after(() => engine?.close());

  it("map() over both workers equals the local map, and both runtimes take chunks", {
    skip: SKIP_TWO,
  }, async () => {
    const xs = Array.from({ length: 120 }, (_, i) => i).filter((x) => x !== 13);
    assert.deepEqual(
      await math.map({ x: xs, k: 3 }, { mapOver: "x", engine }),
      await math.map({ x: xs, k: 3 }, { mapOver: "x" }),
    );
    await using pairs = new QueueEngine({ connection: redis.url, queue: "two", chunkSize: 2 });
    const rows = await where.map({ x: [...Array(32).keys()], ms: 20 }, {
      mapOver: "x",
      engine: pairs,
    }) as { where: string }[];
    assert.deepEqual(rows.map((r) => Number(r.where.split(":")[1])), [...Array(32).keys()]);
    const runtimes = new Set(rows.map((r) => r.where.split(":")[0]));
    assert.deepEqual([...runtimes].sort(), ["deno", OTHER].sort(), workers[0].output());
  });

  it(
    "map() keeps Date, Map, BigInt and undefined, outputs and product mode",
    { skip: SKIP_TWO },
    async () => {
      const got = await values.map({ x: [1, 2] }, { mapOver: "x", engine });
      assert.deepEqual(got, await values.map({ x: [1, 2] }, { mapOver: "x" }));
      assert.ok((got[0] as { when: unknown }).when instanceof Date);
      const inputs = { x: [1, 2, 3], k: [0, 5] };
      const options = { mapOver: ["x", "k"] as ("x" | "k")[], mode: "product" as const };
      assert.deepEqual(
        await math.map(inputs, { ...options, engine, outputs: ["z"] }),
        await math.map(inputs, { ...options, outputs: ["z"] }),
      );
    },
  );

  it("a failing item rejects map() with its index and node; collect keeps the others", {
    skip: SKIP_TWO,
  }, async () => {
    const check = (e: unknown): boolean => {
      assert.ok(e instanceof NodeExecutionError, `expected a NodeExecutionError, got ${e}`);
      assert.equal(e.node, "scale");
      assert.equal(e.pipeline, "math");
      assert.equal(e.item, 2);
      assert.ok(e.cause instanceof RangeError && e.cause.cause instanceof TypeError);
      return true;
    };
    await assert.rejects(math.map({ x: [1, 2, 13, 4] }, { mapOver: "x", engine }), check);
    const out = await math.map({ x: [1, 2, 13, 4] }, { mapOver: "x", engine, errors: "collect" });
    assert.deepEqual(out[3], { y: 18, w: 3, z: 327 });
    assert.ok(check(out[2]));
  });

  it("large inputs and results travel in pieces", { skip: SKIP_TWO }, async () => {
    const blob = "b".repeat(100_000);
    const n = 700_000; // 5.6 MB per item: more than one 4 MiB piece
    const got = await big.map({ x: [1, 2], n, blob }, { mapOver: "x", engine }) as {
      data: Float64Array;
      seen: number;
    }[];
    assert.deepEqual(got.map((r) => [r.data.length, r.data[0], r.data[n - 1], r.seen]), [
      [n, 1, 1, 100_000],
      [n, 2, 2, 100_000],
    ]);
  });

  it(
    "an unknown pipeline fails at once, without retries, naming it",
    { skip: SKIP_TWO },
    async () => {
      const nowhere = new Pipeline({
        nodes: [node({ output: "y" }, ({ x }: { x: number }) => x)],
        name: "nowhere",
      });
      const patient = new QueueEngine({ connection: redis.url, queue: "two", attempts: 5 });
      try {
        await assert.rejects(nowhere.map({ x: [1] }, { mapOver: "x", engine: patient }), (e) => {
          assert.ok(
            isDistributed("unknown_pipeline", /pipeline "nowhere".*no pipeline of that name/)(e),
          );
          assert.equal((e as DistributedError).attempts, 1);
          assert.equal((e as DistributedError).item, 0);
          return true;
        });
      } finally {
        await patient.close();
      }
    },
  );

  it("a pipeline whose code differs from the workers' fails with stale_fingerprint", {
    skip: SKIP_TWO,
  }, async () => {
    const other = new Pipeline({
      nodes: [node({ output: "y", name: "scale" }, ({ x }: { x: number }) => 3 * x)],
      name: "math",
    });
    await assert.rejects(
      other.map({ x: [1, 2] }, { mapOver: "x", engine }),
      isDistributed("stale_fingerprint", /pipeline "math".*code differs.*deploy the same code/),
    );
  });

  it(
    "an input that cannot be sent fails before anything is enqueued",
    { skip: SKIP_TWO },
    async () => {
      class Config {
        get double(): number {
          return 2;
        }
      }
      await assert.rejects(
        math.map({ x: [1], k: new Config() as unknown as number }, { mapOver: "x", engine }),
        isDistributed("unstorable", /input "k".*plain data/),
      );
    },
  );

  it(
    "abort rejects map() with the signal's reason; waiting chunks are removed",
    { skip: SKIP_TWO },
    async () => {
      const reason = new Error("enough");
      const controller = new AbortController();
      const aborting = new QueueEngine({
        connection: redis.url,
        queue: "two",
        chunkSize: 1,
        callbacks: [{ onMapItemEnd: () => controller.abort(reason) }],
      });
      await assert.rejects(
        slow.map({ x: [...Array(40).keys()], ms: 50 }, {
          mapOver: "x",
          engine: aborting,
          signal: controller.signal,
        }),
        (e) => e === reason,
      );
      await aborting.close(); // waits for the cleanup
      const client = new Redis(redis.url, { maxRetriesPerRequest: null });
      const queue = new Queue("two", { connection: client });
      try {
        assert.equal(await queue.getWaitingCount(), 0);
      } finally {
        await queue.close();
        client.disconnect();
      }
      // The engine of other maps is unaffected.
      assert.deepEqual(await slow.map({ x: [1], ms: 1 }, { mapOver: "x", engine }), [{ ten: 10 }]);
    },
  );

  it("with a RedisCache, a second map sends only the new items", { skip: SKIP_TWO }, async () => {
    await using cache = new RedisCache({ connection: redis.url, prefix: "test:cache" });
    await cache.clear();
    const rec = recorder();
    await using cached = new QueueEngine({
      connection: redis.url,
      queue: "two",
      cache,
      callbacks: [rec],
    });
    const first = await math.map({ x: [1, 2, 3] }, { mapOver: "x", engine: cached });
    rec.events.length = 0;
    const again = await math.map({ x: [1, 2, 3, 4] }, { mapOver: "x", engine: cached });
    assert.deepEqual(again.slice(0, 3), first);
    assert.deepEqual(again[3], await math.run({ x: 4 }));
    const hits = rec.events.filter((e) => e.hook === "onMapItemCached").map((e) => e.event.item);
    const ran = rec.events.filter((e) => e.hook === "onMapItemEnd").map((e) => e.event.item);
    assert.deepEqual([hits.sort(), ran], [[0, 1, 2], [3]]);
  });

  it(
    "callbacks get each item's node events from the workers, in order",
    { skip: SKIP_TWO },
    async () => {
      const rec = recorder();
      await using observed = new QueueEngine({
        connection: redis.url,
        queue: "two",
        callbacks: [rec],
      });
      await math.map({ x: [5, 6] }, { mapOver: "x", engine: observed });
      assert.deepEqual(itemTrace(rec, 0), expectedItemTrace(["scale", "shift", "square"]));
      assert.equal(rec.events[0].hook, "onMapStart");
      assert.equal(rec.events.at(-1)!.hook, "onMapEnd");
      assert.deepEqual(rec.events[1].event.path, ["math"]);
    },
  );
});

describe("QueueEngine without workers", () => {
  it(
    "map() rejects with a timeout error that says no worker is connected",
    { skip: SKIP_REDIS },
    async () => {
      const redis = await startRedis();
      await using engine = new QueueEngine({
        connection: redis.url,
        queue: "empty",
        timeoutMs: 1_000,
        pollIntervalMs: 100,
      });
      await assert.rejects(
        math.map({ x: [1, 2] }, { mapOver: "x", engine }),
        isDistributed(
          "timeout",
          /no chunk finished within 1000 ms: 2 of 2 chunks pending, 0 workers.*hn worker/,
        ),
      );
    },
  );

  it(
    "map() rejects with a timeout error when Redis does not answer",
    { skip: SKIP_REDIS },
    async () => {
      const redis = await startRedis();
      await redis.kill();
      await using engine = new QueueEngine({
        connection: redis.url,
        queue: "down",
        timeoutMs: 500,
      });
      await assert.rejects(
        math.map({ x: [1] }, { mapOver: "x", engine }),
        isDistributed(
          "unreachable",
          /Redis at redis:\/\/127\.0\.0\.1:\d+ (refused|did not answer)/,
        ),
      );
    },
  );
});
