import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryCache } from "../../src/core/memory_cache.ts";
import { cacheContract } from "./_cache_suite.ts";

cacheContract("MemoryCache", { create: () => new MemoryCache() });
cacheContract("MemoryCache({ maxEntries: Infinity })", {
  create: () => new MemoryCache({ maxEntries: Infinity }),
});

describe("MemoryCache", () => {
  it("MemoryCache.get() tells a cached undefined and null apart from a miss", async () => {
    const c = new MemoryCache();
    assert.equal(await c.get("aa"), undefined);
    await c.set("aa", undefined);
    await c.set("bb", null);
    assert.deepEqual(await c.get("aa"), { value: undefined });
    assert.deepEqual(await c.get("bb"), { value: null });
    assert.equal(c.size, 2);
    assert.equal(c.name, "memory");
  });

  it("MemoryCache.set() evicts the least recently used entry", async () => {
    const c = new MemoryCache({ maxEntries: 2 });
    await c.set("a1", 1);
    await c.set("b2", 2);
    await c.get("a1"); // a1 is now the most recently used
    await c.set("c3", 3);
    assert.equal(c.size, 2);
    assert.equal(await c.get("b2"), undefined);
    assert.deepEqual(await c.get("a1"), { value: 1 });
    assert.deepEqual(await c.get("c3"), { value: 3 });
  });

  it("MemoryCache.set() of an existing key refreshes it without growing", async () => {
    const c = new MemoryCache({ maxEntries: 2 });
    await c.set("a1", 1);
    await c.set("b2", 2);
    await c.set("a1", 10);
    await c.set("c3", 3);
    assert.deepEqual(await c.get("a1"), { value: 10 });
    assert.equal(await c.get("b2"), undefined);
  });

  it("MemoryCache keeps at most maxEntries, evicting in least-recently-used order", async () => {
    const c = new MemoryCache({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) await c.set(`k${i}`, i);
    assert.equal(c.size, 3);
    for (let i = 0; i < 7; i++) assert.equal(await c.get(`k${i}`), undefined);
    await c.get("k7"); // order now k8, k9, k7
    await c.set("k10", 10); // evicts k8
    await c.set("k11", 11); // evicts k9
    assert.deepEqual(
      await Promise.all(["k7", "k8", "k9", "k10", "k11"].map((k) => c.get(k))),
      [{ value: 7 }, undefined, undefined, { value: 10 }, { value: 11 }],
    );
  });

  it("MemoryCache.get() of a miss and delete() change no other entry's rank", async () => {
    const c = new MemoryCache({ maxEntries: 2 });
    await c.set("a1", 1);
    await c.set("b2", 2);
    await c.get("zz"); // a miss
    assert.equal(await c.delete("b2"), true); // frees a slot: the next set evicts nothing
    await c.set("c3", 3);
    assert.deepEqual(await c.get("a1"), { value: 1 });
    await c.set("d4", 4); // c3 is now the least recently used
    assert.equal(await c.get("c3"), undefined);
    assert.deepEqual(await c.get("a1"), { value: 1 });
  });

  it("MemoryCache({ maxEntries: 1 }) keeps only the last entry", async () => {
    const c = new MemoryCache({ maxEntries: 1 });
    await c.set("a1", 1);
    await c.set("b2", undefined);
    assert.equal(await c.get("a1"), undefined);
    assert.deepEqual(await c.get("b2"), { value: undefined });
  });

  it("MemoryCache stores values by reference", async () => {
    const c = new MemoryCache();
    const v = { n: [1] };
    await c.set("aa", v);
    assert.equal((await c.get("aa"))?.value, v);
  });

  it("MemoryCache.delete() and clear() remove entries", async () => {
    const c = new MemoryCache();
    await c.set("a1", 1);
    await c.set("b2", 2);
    assert.equal(await c.delete("a1"), true);
    assert.equal(await c.delete("a1"), false);
    await c.clear();
    assert.equal(c.size, 0);
    assert.equal(await c.get("b2"), undefined);
  });

  it("MemoryCache() rejects a bad maxEntries", () => {
    assert.throws(() => new MemoryCache({ maxEntries: 0 }), RangeError);
    assert.throws(() => new MemoryCache({ maxEntries: 1.5 }), RangeError);
    assert.doesNotThrow(() => new MemoryCache({ maxEntries: Infinity }));
  });
});
