import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryCache } from "../../src/core/memory_cache.ts";

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
