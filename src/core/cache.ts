/**
 * The cache contract. An engine given a cache stores each node's outputs under
 * a signature (a hex string) and reuses them when the signature comes again.
 *
 * @module
 */

/** A cache hit. The wrapper tells a cached `undefined` apart from a miss. */
export interface CacheHit {
  /** The stored value (may be `undefined` or `null`). */
  readonly value: unknown;
}

/**
 * A key-value store for node outputs. Keys are signatures (lowercase hex).
 *
 * The contract, checked for every implementation by one shared test suite
 * (`tests/core/_cache_suite.ts`): a miss is `undefined` and a stored
 * `undefined` is `{ value: undefined }`; values come back with their types
 * (Date, Map, Set, typed arrays, BigInt, `NaN`, `-0`, nested); `set` of a
 * key already there replaces the value, also when many `set`s of one key
 * run at once (one whole value remains); a value or key the cache cannot
 * store is rejected with a `TypeError` and changes nothing; a corrupt entry
 * is a miss, never an error.
 *
 * @example A minimal Map-backed cache
 * ```ts
 * import type { Cache, CacheHit } from "@hn/core";
 *
 * class MapCache implements Cache {
 *   readonly name = "map";
 *   #m = new Map<string, unknown>();
 *   get(key: string): Promise<CacheHit | undefined> {
 *     return Promise.resolve(this.#m.has(key) ? { value: this.#m.get(key) } : undefined);
 *   }
 *   set(key: string, value: unknown): Promise<void> {
 *     this.#m.set(key, value);
 *     return Promise.resolve();
 *   }
 *   delete(key: string): Promise<boolean> {
 *     return Promise.resolve(this.#m.delete(key));
 *   }
 *   clear(): Promise<void> {
 *     this.#m.clear();
 *     return Promise.resolve();
 *   }
 * }
 * const c = new MapCache();
 * await c.set("ab", undefined);
 * console.assert((await c.get("ab")) !== undefined);
 * ```
 */
export interface Cache {
  /** A name for messages and logs. */
  readonly name: string;
  /** The entry for `key`, or `undefined` on a miss. */
  get(key: string): Promise<CacheHit | undefined>;
  /** Stores `value` under `key`. */
  set(key: string, value: unknown): Promise<void>;
  /** Removes `key`; resolves whether it was there. */
  delete(key: string): Promise<boolean>;
  /** Removes every entry. */
  clear(): Promise<void>;
}
