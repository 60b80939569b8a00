// The Cache contract (src/core/cache.ts), as one suite every Cache implementation runs:
// MemoryCache in tests/core/memory_cache.test.ts, DiskCache in tests/disk_cache/. A new cache
// (Redis, S3…) calls cacheContract() from its own test file with a factory.
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { UnstorableError } from "../../src/core/_codec.ts";
import type { Cache } from "../../src/core/cache.ts";

/** How the suite gets caches. */
export interface CacheSuiteOptions {
  /** A fresh, empty cache for one test. */
  create(): Cache | Promise<Cache>;
  /** Releases what `create()` made (a temp folder, a connection…); runs after each test. */
  destroy?(cache: Cache): void | Promise<void>;
}

/** Signature-shaped keys (32 lowercase hex characters), as the engine uses. */
function key(i: number): string {
  return (i.toString(16).padStart(8, "0") + "5ca1ab1e").repeat(2).slice(0, 32);
}

/** A value of every type the contract promises to round-trip. */
function richValue(): Record<string, unknown> {
  return {
    date: new Date(1_700_000_000_123),
    map: new Map<unknown, unknown>([["a", 1], [2, { deep: [new Set(["x"])] }]]),
    set: new Set([1, "1", 1n]),
    f64: new Float64Array([1.5, -0, NaN, Infinity]),
    u8: new Uint8Array([0, 255]),
    i32: new Int32Array([-1, 2 ** 31 - 1]),
    big: -(2n ** 70n),
    nothing: undefined,
    nan: NaN,
    negZero: -0,
    nested: { list: [null, undefined, "", [[]], { a: { b: { c: "deep" } } }] },
    text: "héllo \u{1f600}",
  };
}

/**
 * Registers the Cache contract tests for one implementation.
 *
 * @param label Names the implementation in test names, e.g. `MemoryCache`.
 * @param options The factory (and its cleanup).
 */
export function cacheContract(label: string, options: CacheSuiteOptions): void {
  describe(`${label} (Cache contract)`, () => {
    const made: Cache[] = [];
    const fresh = async () => {
      const cache = await options.create();
      made.push(cache);
      return cache;
    };
    afterEach(async () => {
      for (const cache of made.splice(0)) await options.destroy?.(cache);
    });

    it(`${label} has a name`, async () => {
      const cache = await fresh();
      assert.equal(typeof cache.name, "string");
      assert.notEqual(cache.name, "");
    });

    it(`${label}.get() tells a miss from a cached undefined and null`, async () => {
      const cache = await fresh();
      assert.equal(await cache.get(key(1)), undefined);
      await cache.set(key(1), undefined);
      await cache.set(key(2), null);
      assert.deepEqual(await cache.get(key(1)), { value: undefined });
      assert.deepEqual(await cache.get(key(2)), { value: null });
      assert.equal(await cache.get(key(3)), undefined);
    });

    it(`${label}.get() returns what set() stored, with its types`, async () => {
      const cache = await fresh();
      await cache.set(key(1), richValue());
      const hit = await cache.get(key(1));
      assert.ok(hit !== undefined);
      assert.deepStrictEqual(hit.value, richValue());
      const v = hit.value as Record<string, unknown>;
      assert.ok(Object.is(v.negZero, -0) && Object.is((v.f64 as Float64Array)[1], -0));
      assert.ok(Object.hasOwn(v, "nothing"));
      assert.ok(v.f64 instanceof Float64Array && v.map instanceof Map && v.date instanceof Date);
    });

    it(`${label}.get() round-trips primitives`, async () => {
      const cache = await fresh();
      const values = [0, -0, NaN, -Infinity, 2 ** 53, 1.5, "", "x", true, false, 0n, 10n ** 30n];
      await Promise.all(values.map((v, i) => cache.set(key(i), v)));
      for (const [i, v] of values.entries()) {
        const hit = await cache.get(key(i));
        assert.ok(hit !== undefined && Object.is(hit.value, v), `${String(v)} came back as ${hit}`);
      }
    });

    it(`${label}.set() overwrites an entry`, async () => {
      const cache = await fresh();
      await cache.set(key(1), "first");
      await cache.set(key(1), { second: [2] });
      assert.deepEqual(await cache.get(key(1)), { value: { second: [2] } });
    });

    it(`${label}.delete() removes one entry and says whether it was there`, async () => {
      const cache = await fresh();
      await cache.set(key(1), 1);
      await cache.set(key(2), 2);
      assert.equal(await cache.delete(key(1)), true);
      assert.equal(await cache.delete(key(1)), false);
      assert.equal(await cache.get(key(1)), undefined);
      assert.deepEqual(await cache.get(key(2)), { value: 2 });
      assert.equal(await cache.delete(key(9)), false);
    });

    it(`${label}.clear() removes every entry and the cache stays usable`, async () => {
      const cache = await fresh();
      await Promise.all(Array.from({ length: 50 }, (_, i) => cache.set(key(i), i)));
      await cache.clear();
      for (let i = 0; i < 50; i++) assert.equal(await cache.get(key(i)), undefined);
      await cache.clear(); // clearing an empty cache is fine
      await cache.set(key(1), "again");
      assert.deepEqual(await cache.get(key(1)), { value: "again" });
    });

    it(`${label}.set() of one key from many concurrent calls keeps one whole value`, async () => {
      const cache = await fresh();
      // The engine may store one signature twice at once (two map items, two workers): same
      // value. Different values must still leave one of them, never a mix or a miss.
      await Promise.all(Array.from({ length: 20 }, () => cache.set(key(1), richValue())));
      assert.deepStrictEqual((await cache.get(key(1)))?.value, richValue());
      const values = Array.from({ length: 20 }, (_, i) => ({ writer: i, data: [i, String(i)] }));
      await Promise.all(values.map((v) => cache.set(key(2), v)));
      const hit = await cache.get(key(2));
      assert.ok(hit !== undefined);
      assert.ok(values.some((v) => isEqual(v, hit.value)), `a mix: ${JSON.stringify(hit.value)}`);
    });

    it(`${label} keeps many entries apart`, async () => {
      const cache = await fresh();
      await Promise.all(Array.from({ length: 200 }, (_, i) => cache.set(key(i), [i, key(i)])));
      for (let i = 0; i < 200; i += 7) {
        assert.deepEqual(await cache.get(key(i)), { value: [i, key(i)] });
      }
    });

    it(`${label} treats path-like keys as opaque or rejects them with a TypeError`, async () => {
      const cache = await fresh();
      const keys = ["../escape", "a/b", "a\\b", "/abs", "..", "ab/../cd", "cd", "AB", "ab", "a b"];
      const stored: string[] = [];
      for (const [i, k] of keys.entries()) {
        try {
          await cache.set(k, i);
          stored.push(k);
        } catch (e) {
          assert.ok(e instanceof TypeError, `set(${JSON.stringify(k)}) threw ${e}`);
          assert.ok((e as Error).message.includes(JSON.stringify(k)), (e as Error).message);
        }
      }
      // Accepted keys never alias one another ("ab/../cd" is not "cd", "AB" is not "ab").
      for (const k of stored) {
        assert.deepEqual(await cache.get(k), { value: keys.indexOf(k) }, k);
      }
    });

    it(`${label}.set() of a value it cannot store rejects with a TypeError and stores nothing`, async () => {
      const cache = await fresh();
      class Model {
        weights = [1, 2];
      }
      for (const value of [{ f: () => 1 }, new Model(), Symbol("s")]) {
        await cache.set(key(1), "before");
        try {
          await cache.set(key(1), value);
        } catch (e) {
          assert.ok(e instanceof TypeError, String(e));
          if (e instanceof UnstorableError) assert.equal(e.key, key(1), "the key is named");
          assert.deepEqual(await cache.get(key(1)), { value: "before" });
          continue;
        }
        assert.equal((await cache.get(key(1)))?.value, value); // stored as is
      }
    });
  });
}

function isEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
