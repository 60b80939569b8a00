/**
 * Distributed maps on BullMQ and Redis. The only module of @hn/core that loads `bullmq` and
 * `ioredis`, so `import "@hn/core"` never does.
 *
 * - {@linkcode QueueEngine}: `run` executes locally; `map` sends the items, in chunks, as
 *   BullMQ jobs and returns the results in item order. Only items that miss the cache are sent.
 * - `hn worker <module> --queue <name> --connection <url>` (`cli.ts`), or
 *   {@linkcode QueueWorker} in your own process: imports the module once and runs the chunks
 *   of its exported pipelines, on Deno, Bun or Node, on any number of machines.
 * - {@linkcode RedisCache}: a cache every machine shares.
 * - {@linkcode DistributedError}: what fails outside your code (unknown pipeline, stale code,
 *   failed job, timeout, value too large), with a `code`.
 *
 * A job carries the pipeline's name, its code fingerprint and the items' inputs, never code;
 * a worker runs only the pipelines its module exports, and only if their code matches.
 * Items run at least once (a killed worker's chunk is retried by another) and each is
 * reported exactly once. Run Redis with `appendonly yes`, `appendfsync always` and
 * `maxmemory-policy noeviction`, so that a restart (even after `kill -9`) loses no job and no
 * result: `appendfsync everysec` is about twice as fast for small chunks and survives a Redis
 * process crash, but a machine crash may lose the last second of writes (a lost chunk then
 * fails the map with a `lost` error rather than going missing).
 *
 * ```ts ignore
 * // pipelines.ts, loaded by the workers: `deno run -A jsr:@hn/core/distributed/cli worker pipelines.ts --queue hn --connection redis://127.0.0.1:6379`
 * export const scale = new Pipeline({ nodes: [double], name: "scale" });
 *
 * // the producer
 * import { QueueEngine, RedisCache } from "@hn/core/distributed";
 * import { scale } from "./pipelines.ts";
 * await using engine = new QueueEngine({
 *   connection: "redis://127.0.0.1:6379",
 *   queue: "hn",
 *   cache: new RedisCache({ connection: "redis://127.0.0.1:6379" }),
 * });
 * const rows = await scale.map({ x: [1, 2, 3] }, { mapOver: "x", engine });
 * ```
 *
 * @module
 */

export { QueueEngine } from "./queue_engine.ts";
export type { QueueEngineOptions } from "./queue_engine.ts";
export { QueueWorker } from "./queue_worker.ts";
export type { QueueWorkerOptions } from "./queue_worker.ts";
export { RedisCache } from "./redis_cache.ts";
export type { RedisCacheOptions } from "./redis_cache.ts";
export { DistributedError } from "./distributed_error.ts";
export type { DistributedErrorCode, DistributedErrorOptions } from "./distributed_error.ts";
export type { RedisConnection } from "./_connection.ts";
export type { RedisOptions } from "ioredis";
export type { ChunkJobData, ChunkReturn, ItemOutcome, Payload } from "./_protocol.ts";
export type { CodeFingerprint, FingerprintKind } from "./_fingerprint.ts";
export { codeFingerprint } from "./_fingerprint.ts";
