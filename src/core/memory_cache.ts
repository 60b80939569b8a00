/**
 * An in-process LRU {@linkcode Cache}.
 *
 * @module
 */

import type { Cache, CacheHit } from "./cache.ts";

/** Options of {@linkcode MemoryCache}. */
export interface MemoryCacheOptions {
  /**
   * How many entries to keep; the least recently used entry is evicted when a
   * new one would exceed it. `Infinity` never evicts.
   *
   * @default {10000}
   */
  maxEntries?: number;
}

/**
 * A least-recently-used cache held in memory, for one process.
 *
 * Values are stored as they are, not copied: a `get` returns the very object
 * that was `set`, so mutating a returned value changes the cached entry (and
 * the value a later hit returns). Copying with `structuredClone` on every
 * `set` and `get` would cost time proportional to the value (about 4 ms per
 * hit for a 1M-element Float64Array); nodes should treat inputs and outputs
 * as immutable anyway. Use a `DiskCache` to share entries between
 * processes or Workers.
 *
 * @example A cached `undefined` is a hit
 * ```ts
 * import { MemoryCache } from "./memory_cache.ts";
 * import assert from "node:assert/strict";
 *
 * const cache = new MemoryCache({ maxEntries: 2 });
 * await cache.set("aa", undefined);
 * assert.deepEqual(await cache.get("aa"), { value: undefined });
 * assert.equal(await cache.get("bb"), undefined);
 * ```
 */
export class MemoryCache implements Cache {
  /** A name for messages and logs. */
  readonly name: string = "memory";
  /** The maximum number of entries. */
  readonly maxEntries: number;
  // Map iteration order is insertion order: re-inserting on access keeps the
  // least recently used entry first.
  #entries = new Map<string, unknown>();

  /**
   * Creates an empty cache.
   *
   * @param options Size limit.
   * @throws {RangeError} If `maxEntries` is not a positive integer or `Infinity`.
   */
  constructor(options: MemoryCacheOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    if (!(max === Infinity || (Number.isInteger(max) && max > 0))) {
      throw new RangeError(
        `Cannot create MemoryCache as maxEntries is ${max}: pass a positive integer or Infinity`,
      );
    }
    this.maxEntries = max;
  }

  /** The number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Looks `key` up and marks it most recently used.
   *
   * @param key A signature.
   * @returns `{ value }` on a hit, `undefined` on a miss.
   */
  get(key: string): Promise<CacheHit | undefined> {
    const entries = this.#entries;
    if (!entries.has(key)) return Promise.resolve(undefined);
    const value = entries.get(key);
    entries.delete(key);
    entries.set(key, value);
    return Promise.resolve({ value });
  }

  /**
   * Stores `value` (not a copy) under `key`, evicting the least recently used
   * entry when full.
   *
   * @param key A signature.
   * @param value Any value.
   */
  set(key: string, value: unknown): Promise<void> {
    const entries = this.#entries;
    entries.delete(key);
    entries.set(key, value);
    if (entries.size > this.maxEntries) {
      entries.delete(entries.keys().next().value as string);
    }
    return Promise.resolve();
  }

  /**
   * Removes `key`.
   *
   * @param key A signature.
   * @returns Whether it was there.
   */
  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.#entries.delete(key));
  }

  /** Removes every entry. */
  clear(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }
}
