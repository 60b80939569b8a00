/**
 * Whole map items in the engine's cache. A distributed map looks every item up before it
 * enqueues anything, and stores each item's outputs as its chunk comes back, so that adding
 * items to a map only sends the new ones, and items that succeeded before a failure stay
 * cached.
 *
 * The key is hash("hn-item-v1", the pipeline's code fingerprint (the same on Deno, Bun and
 * Node, see `_fingerprint.ts`), the requested outputs, the shared inputs, the item's own
 * values). It lives in its own hash domain, apart from the node signatures that local runs
 * store. Inputs that cannot be hashed (a function, a symbol) make the item uncacheable: it is
 * always sent, never an error.
 *
 * @module
 */

import type { Cache } from "../core/cache.ts";
import { Hasher } from "../core/hash.ts";
import type { CodeFingerprint } from "./_fingerprint.ts";

const LOOKUPS_IN_FLIGHT = 256;
const warned = new WeakSet<Cache>();

/** The item cache of one map call. */
export class ItemCache {
  readonly #cache: Cache;
  readonly #prefix: string | undefined;

  /**
   * @param cache The engine's cache.
   * @param fp The pipeline's code fingerprint.
   * @param outputs The requested outputs, if any.
   * @param shared The inputs every item shares.
   */
  constructor(
    cache: Cache,
    fp: CodeFingerprint,
    outputs: readonly string[] | undefined,
    shared: Readonly<Record<string, unknown>>,
  ) {
    this.#cache = cache;
    try {
      this.#prefix = new Hasher().update(["hn-item-v1", fp.kind, fp.value, outputs ?? null])
        .update(shared, "inputs").digest();
    } catch {
      this.#prefix = undefined; // a shared input cannot be hashed: no item is cacheable
    }
  }

  /** The key of an item, from its `mapOver` values; `undefined` when they cannot be hashed. */
  key(values: readonly unknown[]): string | undefined {
    if (!this.#prefix) return undefined;
    try {
      return new Hasher().update([this.#prefix, values]).digest();
    } catch {
      return undefined;
    }
  }

  /**
   * Looks the keys up, a bounded number at a time.
   *
   * @returns The hits by position in `keys`.
   */
  async lookup(keys: readonly (string | undefined)[]): Promise<Map<number, unknown>> {
    const hits = new Map<number, unknown>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        const k = next++;
        const key = keys[k];
        if (key === undefined) continue;
        const hit = await this.#cache.get(key).catch(() => undefined);
        if (hit !== undefined) hits.set(k, hit.value);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUPS_IN_FLIGHT, keys.length) }, worker));
    return hits;
  }

  /** Stores an item's outputs; a value the cache cannot store is warned about once. */
  async store(key: string, value: unknown): Promise<void> {
    try {
      await this.#cache.set(key, value);
    } catch (error) {
      if (warned.has(this.#cache)) return;
      warned.add(this.#cache);
      console.warn(
        `Cannot cache a map item in ${this.#cache.name} as it cannot be stored (${
          error instanceof Error ? error.message : String(error)
        }): the item will be sent to the workers again next time; return plain data`,
      );
    }
  }
}
