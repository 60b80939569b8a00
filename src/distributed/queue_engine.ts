/**
 * `QueueEngine`: runs pipelines locally and maps them over BullMQ workers.
 *
 * @module
 */

import { raceAbort } from "../core/_abort.ts";
import { Events, hasHooks, mergeCallbacks, now } from "../core/_events.ts";
import { prepareMap } from "../core/_items.ts";
import type { Cache } from "../core/cache.ts";
import type { Callback } from "../core/callback.ts";
import type { Engine, EngineMapOptions, EngineRunOptions } from "../core/engine.ts";
import type { ExecutorName } from "../core/executor.ts";
import { HyperNodesEngine } from "../core/hypernodes_engine.ts";
import type { AnyPipeline } from "../core/types.ts";
import { DistributedError } from "./distributed_error.ts";
import type { RedisConnection } from "./_connection.ts";
import { deliver, idleError, readChunk } from "./_collect.ts";
import { codeFingerprint } from "./_fingerprint.ts";
import { ItemCache } from "./_item_cache.ts";
import { type MapCall, ownValues, prepareChunks } from "./_chunks.ts";
import { Producer } from "./_producer.ts";
import type { Payload } from "./_protocol.ts";
import { integerOption, queueName } from "./_options.ts";
import { trackChunks } from "./_tracker.ts";

/** Options of {@linkcode QueueEngine}. */
export interface QueueEngineOptions {
  /** Redis: a `redis://` URL or ioredis options. Nothing connects before the first `map`. */
  connection: RedisConnection;
  /** The queue name, without `:` (workers must use the same). */
  queue: string;
  /**
   * BullMQ's key prefix (workers must use the same).
   * @default "bull"
   */
  prefix?: string;
  /**
   * Items per job. Each job costs a few Redis round trips, so small items need big chunks.
   * @default min(100, ceil(items / 16)): at most 100, and at least 16 chunks when possible
   */
  chunkSize?: number;
  /**
   * How long a map waits without any chunk finishing before it rejects (no worker running,
   * workers stuck); also bounds every single Redis call (at most 30 s).
   * @default 600000 (10 minutes)
   */
  timeoutMs?: number;
  /**
   * Attempts of a chunk whose processing throws outside the items (a failing item is a
   * result, not a job failure; a killed worker's chunk is retried through BullMQ's
   * stalled-job check, not attempts).
   * @default 3
   */
  attempts?: number;
  /**
   * How often pending chunks are checked besides BullMQ's completion events.
   * @default 1000
   */
  pollIntervalMs?: number;
  /**
   * Whole-item cache for `map` (only missed items are enqueued) and node cache for `run`.
   * Use a `RedisCache` or a `DiskCache` on storage every producer shares.
   * @default undefined (no caching)
   */
  cache?: Cache;
  /**
   * Told about the map (`onMapStart/End`) and each item; node events recorded on the workers
   * arrive with their chunk.
   * @default []
   */
  callbacks?: readonly Callback[];
  /**
   * How independent nodes run in `run` (which executes locally).
   * @default "sequential"
   */
  nodeExecutor?: ExecutorName;
  /**
   * The largest encoded inputs of one chunk (and of the inputs shared by every item).
   * @default 268435456 (256 MiB)
   */
  maxPayloadBytes?: number;
  /**
   * How long stored inputs and results live in Redis if nobody deletes them.
   * @default 86400000 (one day)
   */
  payloadTtlMs?: number;
}

/**
 * An engine whose `map` runs the items on workers through a BullMQ queue in Redis, and whose
 * `run` executes locally as `HyperNodesEngine` does. Start workers with
 * `hn worker <module> --queue <name> --connection <url>` (any number, on any machine, on
 * Deno, Bun or Node); the module must export the pipelines that are mapped.
 *
 * `map` resolves the items, looks each up in the cache (if any), sends the missed ones in
 * chunks of `chunkSize` as jobs with ids `<mapId>-<chunk>` carrying the pipeline's name,
 * its code fingerprint and the items' inputs (never code), waits for them (BullMQ events plus
 * polling, every wait bounded), and returns the results in item order. A failing item
 * rejects the map with its `NodeExecutionError` (node, item index, cause with its class), or,
 * with `errors: "collect"`, takes its place. Chunks that cannot run (unknown pipeline, other
 * code, a job that failed) reject with a {@linkcode DistributedError}. Aborting removes the
 * waiting chunks and tells workers to skip the rest.
 *
 * Call `close()` (or `await using`) when done: the engine holds Redis connections.
 *
 * @example Construct; mapping needs Redis and workers
 * ```ts
 * import { QueueEngine } from "@hn/core/distributed";
 *
 * await using engine = new QueueEngine({ connection: "redis://127.0.0.1:6379", queue: "hn" });
 * console.assert(engine.name === "queue");
 * // await pipeline.map({ x: [1, 2, 3] }, { mapOver: "x", engine });
 * ```
 */
export class QueueEngine implements Engine, AsyncDisposable {
  /** `"queue"`. */
  readonly name: string = "queue";
  /** The queue name. */
  readonly queue: string;
  /** The cache, if any. */
  readonly cache: Cache | undefined;
  /** The callbacks this engine tells. */
  readonly callbacks: readonly Callback[];
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #chunkSize: number | undefined;
  readonly #timeoutMs: number;
  readonly #redisTimeoutMs: number;
  readonly #attempts: number;
  readonly #pollMs: number;
  readonly #maxBytes: number;
  readonly #ttl: number;
  readonly #local: HyperNodesEngine;
  readonly #listening: readonly Callback[];
  readonly #cleanups = new Set<Promise<void>>();
  #connected: Promise<Producer> | undefined;
  /** Aborted by close(): maps still waiting reject instead of waiting for the idle timeout. */
  #closed = new AbortController();

  /**
   * Validates the options; nothing connects before the first `map`.
   *
   * @param options Connection, queue and limits.
   * @throws {TypeError} When the queue name is empty or holds `:`.
   * @throws {RangeError} When a count or duration is not a positive integer.
   */
  constructor(options: QueueEngineOptions) {
    const owner = "QueueEngine";
    this.queue = queueName(owner, options?.queue);
    this.#connection = options.connection;
    this.#prefix = options.prefix ?? "bull";
    this.#chunkSize = integerOption(owner, "chunkSize", options.chunkSize, undefined);
    this.#timeoutMs = integerOption(owner, "timeoutMs", options.timeoutMs, 600_000);
    this.#redisTimeoutMs = Math.min(this.#timeoutMs, 30_000);
    this.#attempts = integerOption(owner, "attempts", options.attempts, 3);
    this.#pollMs = integerOption(owner, "pollIntervalMs", options.pollIntervalMs, 1_000);
    this.#maxBytes = integerOption(owner, "maxPayloadBytes", options.maxPayloadBytes, 2 ** 28);
    this.#ttl = integerOption(owner, "payloadTtlMs", options.payloadTtlMs, 86_400_000);
    this.cache = options.cache;
    this.callbacks = Object.freeze([...(options.callbacks ?? [])]);
    this.#listening = this.callbacks.filter(hasHooks);
    this.#local = new HyperNodesEngine({
      nodeExecutor: options.nodeExecutor,
      cache: options.cache,
      callbacks: this.callbacks,
    });
  }

  /**
   * Runs `pipeline` once, locally (like `HyperNodesEngine`, with this engine's cache and
   * callbacks).
   *
   * @param pipeline The pipeline.
   * @param inputs Its inputs.
   * @param options `outputs`, `signal`, and `parent` when nested.
   * @returns The outputs.
   */
  run(
    pipeline: AnyPipeline,
    inputs: Readonly<Record<string, unknown>>,
    options: EngineRunOptions = {},
  ): Promise<Record<string, unknown>> {
    return this.#local.run(pipeline, inputs, options);
  }

  /**
   * Runs `pipeline` once per item on the queue's workers. Prefer `pipeline.map(inputs, options)`.
   *
   * @param pipeline The pipeline (exported by the workers' module under its `name`).
   * @param inputs Its inputs, with iterables for the `mapOver` names.
   * @param options `mapOver`, `mode`, `outputs`, `errors`, `signal`, and `parent` when nested.
   * @returns One output object (or, with `errors: "collect"`, error) per item, in item order.
   * @throws {NodeExecutionError} When an item fails (in `"throw"` mode), with its index.
   * @throws {DistributedError} When chunks cannot run, time out or cannot be sent.
   */
  async map(
    pipeline: AnyPipeline,
    inputs: Readonly<Record<string, unknown>>,
    options: EngineMapOptions,
  ): Promise<unknown[]> {
    const { errors, items } = prepareMap(pipeline, inputs, options);
    const parent = options.parent;
    const callbacks = mergeCallbacks(parent?.callbacks ?? [], this.#listening);
    const runId = parent?.runId ?? (callbacks.length > 0 ? crypto.randomUUID() : "");
    const events = callbacks.length === 0 ? undefined : new Events(
      callbacks,
      parent && parent.callbacks.length > 0 ? parent.context : { runId, data: new Map() },
    );
    const call: MapCall = {
      pipeline,
      items,
      outputs: options.outputs,
      collect: errors === "collect",
      signal: options.signal,
      events,
      runId,
      depth: parent?.depth ?? 0,
      path: parent?.path ?? [pipeline.name],
      itemPath: parent?.itemPath ?? (parent?.item === undefined ? [] : [parent.item]),
      cache: this.cache ?? parent?.cache,
    };
    const where = { runId, pipeline: pipeline.name, depth: call.depth, path: call.path };
    const base = parent?.item === undefined
      ? { ...where, itemPath: call.itemPath }
      : { ...where, item: parent.item, itemPath: call.itemPath };
    if (options.signal?.aborted) throw options.signal.reason;
    const start = now();
    events?.emit("onMapStart", { ...base, time: start, items: items.count });
    try {
      const results = await this.#distribute(call);
      const end = now();
      events?.emit("onMapEnd", { ...base, time: end, duration: end - start, items: items.count });
      return results;
    } catch (error) {
      const end = now();
      const e = { ...base, time: end, duration: end - start, items: items.count, error };
      events?.emit("onMapEnd", e);
      throw error;
    }
  }

  async #distribute(call: MapCall): Promise<unknown[]> {
    const { items, events, pipeline } = call;
    const results: unknown[] = new Array(items.count);
    const fp = await codeFingerprint(pipeline);
    let todo = Array.from({ length: items.count }, (_, i) => i);
    let cache: { items: ItemCache; keys: (string | undefined)[] } | undefined;
    if (call.cache) {
      const itemCache = new ItemCache(call.cache, fp, call.outputs, items.broadcast);
      cache = { items: itemCache, keys: todo.map((i) => itemCache.key(ownValues(items, i))) };
      const hits = await raceAbort(itemCache.lookup(cache.keys), call.signal);
      const base = {
        runId: call.runId,
        pipeline: pipeline.name,
        depth: call.depth,
        path: call.path,
      };
      for (const [i, value] of hits) {
        results[i] = value;
        const itemPath = [...call.itemPath, i];
        events?.emit("onMapItemCached", { ...base, item: i, itemPath, time: now() });
      }
      todo = todo.filter((i) => !hits.has(i));
    }
    if (todo.length === 0) return results;
    const producer = await raceAbort(this.#connect(pipeline.name), call.signal);
    const size = this.#chunkSize ?? Math.min(100, Math.max(1, Math.ceil(todo.length / 16)));
    const mapId = crypto.randomUUID();
    const chunks = await raceAbort(
      producer.bounded(
        prepareChunks(call, {
          redis: producer.redis,
          prefix: this.#prefix,
          queue: this.queue,
          mapId,
          fingerprint: fp,
          todo,
          size,
          maxBytes: this.#maxBytes,
          ttlMs: this.#ttl,
          attempts: this.#attempts,
        }),
        "store the chunks' inputs",
      ),
      call.signal,
    );
    const ids = chunks.jobs.map((j) => j.opts.jobId);
    const byId = new Map(ids.map((id, k) => [id, chunks.chunks[k]]));
    const stored = new Map<string, Payload | undefined>();
    const pending = new Set<string>();
    const check = async (id: string, returned?: unknown): Promise<"done" | "pending"> => {
      const chunk = byId.get(id)!;
      let read: Awaited<ReturnType<typeof readChunk>>;
      try {
        read = await readChunk(producer, call, chunk, id, returned);
      } catch (error) {
        // A chunk whose job failed (its workers died, or threw outside the items) fails its
        // items; with errors: "collect" the map goes on. Refusals and losses end the map.
        const failed = error instanceof DistributedError && error.code === "job_failed";
        if (!call.collect || !failed) throw error;
        for (const i of chunk) {
          results[i] = new DistributedError(error.message, { ...error, item: i });
        }
        return "done";
      }
      if (read === "pending") return read;
      stored.set(id, read.results);
      await deliver(call, chunk, read.outcomes, results, cache);
      return "done";
    };
    // Stops the wait when enqueueing fails.
    const stop = new AbortController();
    try {
      const tracking = trackChunks({
        ids,
        check,
        subscribe: (id, wake) => {
          producer.routes.set(id, wake);
          return () => producer.routes.delete(id);
        },
        pollIntervalMs: this.#pollMs,
        pollBatch: 100,
        idleTimeoutMs: this.#timeoutMs,
        idleError: async (left) =>
          idleError(call, this.queue, this.#timeoutMs, left, ids.length, await producer.workers()),
        signal: AbortSignal.any(
          [call.signal, this.#closed.signal, stop.signal].filter((s) => s !== undefined),
        ),
      }, pending);
      tracking.catch(() => {}); // awaited below; a rejection while enqueueing is not unhandled
      try {
        for (let k = 0; k < chunks.jobs.length; k += 1_000) {
          const batch = chunks.jobs.slice(k, k + 1_000);
          await producer.bounded(producer.queue.addBulk(batch), "enqueue chunks");
        }
      } catch (error) {
        stop.abort(error);
      }
      await tracking;
      return results;
    } finally {
      for (const id of ids) producer.routes.delete(id);
      this.#track(producer.cleanup(mapId, ids, stored.values(), pending, chunks.blobs));
    }
  }

  #connect(pipeline: string): Promise<Producer> {
    this.#connected ??= Producer.connect({
      connection: this.#connection,
      queue: this.queue,
      prefix: this.#prefix,
      timeoutMs: this.#redisTimeoutMs,
      ttlMs: this.#ttl,
    }, pipeline).catch((error) => {
      this.#connected = undefined;
      throw error;
    });
    return this.#connected;
  }

  #track(cleanup: Promise<void>): void {
    this.#cleanups.add(cleanup);
    cleanup.finally(() => this.#cleanups.delete(cleanup));
  }

  /**
   * Finishes cleaning up after maps and closes the Redis connections. The engine can map
   * again afterwards (it reconnects).
   *
   * @example
   * ```ts
   * import { QueueEngine } from "@hn/core/distributed";
   * await new QueueEngine({ connection: "redis://127.0.0.1:6379", queue: "hn" }).close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed.abort(
      new DistributedError(
        `Cannot finish a map on queue "${this.queue}" as its QueueEngine was closed: close the engine after its maps settle`,
        { code: "closed", queue: this.queue },
      ),
    );
    this.#closed = new AbortController();
    await Promise.allSettled([...this.#cleanups]);
    const connected = this.#connected;
    this.#connected = undefined;
    await this.#local.close();
    await (await connected?.catch(() => undefined))?.close();
  }

  /** Same as {@linkcode QueueEngine.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
