/**
 * Redis connections and bounded waits, shared by the engine, the worker and the cache.
 *
 * @module
 */

import { Redis, type RedisOptions } from "ioredis";

/** Where Redis is: a `redis://` / `rediss://` URL or ioredis options. */
export type RedisConnection = string | RedisOptions;

/**
 * A new ioredis client for `connection`, set up for queues: commands wait for a reconnect
 * instead of failing (BullMQ requires `maxRetriesPerRequest: null`; callers bound every wait
 * with {@linkcode withTimeout}), reconnects back off to at most 1 s, and nothing connects
 * before the first command.
 */
export function createRedis(connection: RedisConnection, name: string): Redis {
  if (typeof connection !== "string" && (typeof connection !== "object" || connection === null)) {
    throw new TypeError(
      `Cannot connect to Redis as connection is ${
        connection === null ? "null" : typeof connection
      }: pass a URL such as "redis://127.0.0.1:6379" or ioredis options`,
    );
  }
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    lazyConnect: true,
    connectionName: name,
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
  };
  const client = typeof connection === "string"
    ? new Redis(connection, options)
    : new Redis({ ...options, ...connection, maxRetriesPerRequest: null });
  // Connection errors are retried by ioredis; the waits that depend on Redis report them.
  client.on("error", () => {});
  return client;
}

/** `host:port` of a connection, for messages (never the password). */
export function describeConnection(connection: RedisConnection): string {
  if (typeof connection === "string") {
    try {
      const url = new URL(connection);
      return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
    } catch {
      return "the Redis URL given";
    }
  }
  return `redis://${connection.host ?? "127.0.0.1"}:${connection.port ?? 6379}`;
}

/**
 * `promise`, rejecting with `onTimeout()` after `ms` milliseconds. The timer never keeps
 * the process alive.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    unref(timer);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Lets a timer not keep the process alive (Node and Bun timers are objects; Deno's ids). */
export function unref(timer: unknown): void {
  const t = timer as { unref?: () => void };
  if (typeof t?.unref === "function") t.unref();
  else if (typeof timer === "number") {
    (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno?.unrefTimer(timer);
  }
}

/** Closes a client without waiting for Redis when it is unreachable. */
export async function closeRedis(client: Redis, ms = 2_000): Promise<void> {
  if (client.status === "end") return;
  if (client.status !== "ready") {
    client.disconnect();
    return;
  }
  await withTimeout(client.quit().then(() => {}), ms, () => new Error("quit timed out"))
    .catch(() => client.disconnect());
}
