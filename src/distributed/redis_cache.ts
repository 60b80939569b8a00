/**
 * `RedisCache`: a cache every producer and machine shares.
 *
 * @module
 */

import type { Redis } from "ioredis";
import { Buffer } from "node:buffer";
import { decodeEntry, encodeEntry } from "../core/_codec.ts";
import type { Cache, CacheHit } from "../core/cache.ts";
import {
  closeRedis,
  createRedis,
  describeConnection,
  type RedisConnection,
  withTimeout,
} from "./_connection.ts";
import { integerOption } from "./_options.ts";

/** Options of {@linkcode RedisCache}. */
export interface RedisCacheOptions {
  /** Redis: a `redis://` URL or ioredis options. Nothing connects before the first call. */
  connection: RedisConnection;
  /**
   * Prepended to every key (`<prefix>:<signature>`); `clear()` removes only these keys.
   * @default "hn:cache"
   */
  prefix?: string;
  /**
   * Entries expire after this many milliseconds.
   * @default undefined (never; evict with Redis' maxmemory policy or clear())
   */
  ttlMs?: number;
  /**
   * How long one call waits for Redis before it rejects.
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * A name for messages and logs.
   * @default "redis"
   */
  name?: string;
}

/**
 * A {@linkcode Cache} in Redis: one string per entry, holding the value encoded with the
 * same codec as `DiskCache` (Date, Map, Set, typed arrays, BigInt, `undefined`… round-trip;
 * class instances and functions are refused with a `TypeError`). A corrupt entry reads as a
 * miss. Give it to a `QueueEngine` so that maps send only the items no producer computed
 * before, or to any `HyperNodesEngine` to share node results between machines.
 *
 * Values are read and written whole: keep entries well below Redis' 512 MB string limit.
 *
 * @example Construct; using it needs Redis
 * ```ts
 * import { RedisCache } from "@hn/core/distributed";
 *
 * await using cache = new RedisCache({ connection: "redis://127.0.0.1:6379", ttlMs: 86_400_000 });
 * console.assert(cache.name === "redis");
 * // new HyperNodesEngine({ cache }) or new QueueEngine({ …, cache })
 * ```
 */
export class RedisCache implements Cache, AsyncDisposable {
  /** A name for messages and logs. */
  readonly name: string;
  /** The key prefix. */
  readonly prefix: string;
  readonly #connection: RedisConnection;
  readonly #ttl: number | undefined;
  readonly #timeoutMs: number;
  #redis: Redis | undefined;

  /**
   * Validates the options; nothing connects before the first call.
   *
   * @param options Connection, prefix and TTL.
   * @throws {RangeError} When `ttlMs` is not a positive integer.
   */
  constructor(options: RedisCacheOptions) {
    this.#ttl = integerOption("RedisCache", "ttlMs", options.ttlMs, undefined);
    this.#connection = options.connection;
    this.prefix = options.prefix ?? "hn:cache";
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.name = options.name ?? "redis";
  }

  get #client(): Redis {
    return this.#redis ??= createRedis(this.#connection, `hn-cache:${this.prefix}`);
  }

  #bounded<T>(promise: Promise<T>, action: string): Promise<T> {
    return withTimeout(promise, this.#timeoutMs, () =>
      new Error(
        `Cannot ${action} ${this} as Redis did not answer within ${this.#timeoutMs} ms: check that Redis runs, or use another cache`,
      ));
  }

  #key(key: string): string {
    if (typeof key !== "string" || key === "") {
      throw new TypeError(
        `Cannot use cache key ${
          JSON.stringify(key)
        } in ${this.name} as it is not a non-empty string: pass a signature`,
      );
    }
    return `${this.prefix}:${key}`;
  }

  /**
   * Reads the entry for `key`; missing and corrupt entries are misses.
   *
   * @param key A signature.
   * @returns `{ value }` on a hit, `undefined` on a miss.
   */
  async get(key: string): Promise<CacheHit | undefined> {
    const bytes = await this.#bounded(this.#client.getBuffer(this.#key(key)), "read from");
    return bytes === null ? undefined : decodeEntry(bytes);
  }

  /**
   * Stores `value` under `key`.
   *
   * @param key A signature.
   * @param value A storable value.
   * @throws {TypeError} When the value cannot be stored (`UnstorableError`, naming the key).
   */
  async set(key: string, value: unknown): Promise<void> {
    const k = this.#key(key);
    const bytes = encodeEntry(key, value);
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    await this.#bounded(
      this.#ttl === undefined
        ? this.#client.set(k, buffer)
        : this.#client.set(k, buffer, "PX", this.#ttl),
      "write to",
    );
  }

  /**
   * Removes the entry for `key`.
   *
   * @param key A signature.
   * @returns Whether there was an entry.
   */
  async delete(key: string): Promise<boolean> {
    return (await this.#bounded(this.#client.unlink(this.#key(key)), "delete from")) > 0;
  }

  /** Removes every entry under this cache's prefix (other keys are kept). */
  async clear(): Promise<void> {
    const client = this.#client;
    let cursor = "0";
    do {
      const [next, keys] = await this.#bounded(
        client.scan(cursor, "MATCH", `${this.prefix}:*`, "COUNT", 1000),
        "clear",
      );
      if (keys.length > 0) await this.#bounded(client.unlink(...keys), "clear");
      cursor = next;
    } while (cursor !== "0");
  }

  /** Where the cache lives, for messages. */
  toString(): string {
    return `${this.name} cache at ${describeConnection(this.#connection)} (${this.prefix}:*)`;
  }

  /** Closes the connection (the cache reconnects if used again). */
  async close(): Promise<void> {
    const redis = this.#redis;
    this.#redis = undefined;
    if (redis) await closeRedis(redis);
  }

  /** Same as {@linkcode RedisCache.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
