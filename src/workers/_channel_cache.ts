/**
 * The worker side of the main thread's cache: a {@linkcode Cache} whose lookups and writes
 * travel to the engine's cache on the main thread, so that nodes run in workers read and
 * write the very cache (`MemoryCache`, `DiskCache`, any other) the sequential engine uses.
 * Requests made in the same turn of the event loop go as one message.
 *
 * @module
 */

import type { Cache, CacheHit } from "../core/cache.ts";
import { ExecutorError } from "../core/errors.ts";
import { deserializeError } from "./_errors.ts";
import type { CacheReply, WorkerMessage } from "./_protocol.ts";

type Waiter = {
  readonly resolve: (hit: CacheHit | undefined) => void;
  readonly reject: (error: unknown) => void;
};
type Write = { readonly key: string; readonly value: unknown; readonly done: Settle };
type Settle = { resolve(): void; reject(error: unknown): void };

const waiting = new Map<number, Waiter[]>();
let nextGet = 0;

/**
 * Settles the lookups a {@linkcode CacheReply} answers. Call it with every reply the main
 * thread sends.
 *
 * @param reply The reply.
 *
 * @example
 * ```ts ignore
 * channel.onMessage((data) => receiveCacheReply(data as CacheReply));
 * ```
 */
export function receiveCacheReply(reply: CacheReply): void {
  const waiters = waiting.get(reply.get);
  if (!waiters) return;
  waiting.delete(reply.get);
  if ("error" in reply) {
    const error = deserializeError(reply.error);
    for (const w of waiters) w.reject(error);
  } else waiters.forEach((w, i) => w.resolve(reply.hits[i]));
}

/**
 * A cache that forwards to the main thread's cache for one call. `set` resolves once the
 * entry is posted; the main thread stores it before it uses the call's result.
 *
 * @example
 * ```ts ignore
 * const cache = new ChannelCache((message) => channel.post(message), ctx.call);
 * ```
 */
export class ChannelCache implements Cache {
  /** `"main-thread cache"`. */
  readonly name: string = "main-thread cache";
  readonly #post: (message: WorkerMessage) => void;
  readonly #call: number;
  #keys: string[] = [];
  #waiters: Waiter[] = [];
  #writes: Write[] = [];
  #scheduled = false;

  /**
   * @param post Posts a message to the main thread.
   * @param call The call the lookups belong to.
   */
  constructor(post: (message: WorkerMessage) => void, call: number) {
    this.#post = post;
    this.#call = call;
  }

  /** Looks `key` up in the main thread's cache. */
  get(key: string): Promise<CacheHit | undefined> {
    return new Promise((resolve, reject) => {
      this.#keys.push(key);
      this.#waiters.push({ resolve, reject });
      this.#schedule();
    });
  }

  /** Stores `value` under `key` in the main thread's cache. */
  set(key: string, value: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#writes.push({ key, value, done: { resolve, reject } });
      this.#schedule();
    });
  }

  /** Not available from a worker. */
  delete(): Promise<boolean> {
    return Promise.reject(this.#unsupported("delete"));
  }

  /** Not available from a worker. */
  clear(): Promise<void> {
    return Promise.reject(this.#unsupported("clear"));
  }

  /** Sends what is pending now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#keys.length > 0) {
      const get = ++nextGet;
      waiting.set(get, this.#waiters);
      const keys = this.#keys;
      this.#keys = [];
      this.#waiters = [];
      this.#post({ call: this.#call, get, keys });
    }
    if (this.#writes.length > 0) this.#write(this.#writes.splice(0));
  }

  #write(writes: Write[]): void {
    try {
      this.#post({ call: this.#call, sets: writes.map((w) => [w.key, w.value]) });
      for (const w of writes) w.done.resolve();
    } catch (error) {
      if (writes.length === 1) return writes[0].done.reject(error);
      // One value cannot be cloned: send the others alone, and fail only that one.
      for (const w of writes) this.#write([w]);
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.flush());
  }

  #unsupported(method: string): ExecutorError {
    return new ExecutorError(
      `Cannot ${method} the main thread's cache as this code runs in a worker: ` +
        "call it on the cache object on the main thread",
    );
  }
}
