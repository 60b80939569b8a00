// RedisCache against a private redis-server. Skipped, with the reason, where redis-server is
// not installed.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { RedisCache } from "../../src/distributed/mod.ts";
import { cacheContract } from "../core/_cache_suite.ts";
import { type RedisProcess, SKIP_REDIS, startRedis, stopAll } from "./_harness.ts";
import { math } from "./_pipelines.ts";

after(stopAll);

if (SKIP_REDIS) {
  it("RedisCache passes the Cache contract", { skip: SKIP_REDIS }, () => {});
} else {
  describe("RedisCache on a redis-server", () => {
    let redis: RedisProcess;
    let n = 0;
    before(async () => {
      redis = await startRedis();
    });
    cacheContract("RedisCache", {
      create: () => new RedisCache({ connection: redis.url, prefix: `contract${n++}` }),
      destroy: async (cache) => {
        await cache.clear();
        await (cache as RedisCache).close();
      },
    });
  });
}

describe("RedisCache", () => {
  let redis: RedisProcess;
  let cache: RedisCache;
  before(async () => {
    if (SKIP_REDIS) return;
    redis = await startRedis();
    cache = new RedisCache({ connection: redis.url, prefix: "t" });
  });
  after(() => cache?.close());

  it("a corrupt entry reads as a miss", { skip: SKIP_REDIS }, async () => {
    const raw = new Redis(redis.url);
    try {
      await raw.set("t:bad", "not an entry");
      assert.equal(await cache.get("bad"), undefined);
    } finally {
      raw.disconnect();
    }
  });

  it("delete() and clear() remove only this cache's keys", { skip: SKIP_REDIS }, async () => {
    const raw = new Redis(redis.url);
    try {
      await raw.set("other", "kept");
      await cache.set("k1", 1);
      await cache.set("k2", 2);
      assert.equal(await cache.delete("k1"), true);
      assert.equal(await cache.delete("k1"), false);
      await cache.clear();
      assert.equal(await cache.get("k2"), undefined);
      assert.equal(await raw.get("other"), "kept");
    } finally {
      raw.disconnect();
    }
  });

  it("ttlMs makes entries expire", { skip: SKIP_REDIS }, async () => {
    await using short = new RedisCache({ connection: redis.url, prefix: "ttl", ttlMs: 50 });
    await short.set("x1", 1);
    const raw = new Redis(redis.url);
    try {
      const ttl = await raw.pttl("ttl:x1");
      assert.ok(ttl > 0 && ttl <= 50, `pttl ${ttl}`);
    } finally {
      raw.disconnect();
    }
  });

  it(
    "a HyperNodesEngine with it reuses node results across engines",
    { skip: SKIP_REDIS },
    async () => {
      await cache.clear();
      const calls: string[] = [];
      const callbacks = [{
        onNodeEnd: (e: { node: string }) => void calls.push(e.node),
        onNodeCached: (e: { node: string }) => void calls.push(`cached ${e.node}`),
      }];
      const first = await math.run({ x: 2 }, {
        engine: new HyperNodesEngine({ cache, callbacks }),
      });
      const again = await math.run({ x: 2 }, {
        engine: new HyperNodesEngine({ cache, callbacks }),
      });
      assert.deepEqual(again, first);
      assert.deepEqual(calls.slice(3), ["cached scale", "cached shift", "cached square"]);
    },
  );

  it("get() rejects after timeoutMs when Redis does not answer", { skip: SKIP_REDIS }, async () => {
    const gone = await startRedis();
    await gone.kill();
    await using down = new RedisCache({ connection: gone.url, timeoutMs: 200 });
    await assert.rejects(down.get("ab"), /did not answer within 200 ms/);
  });
});
