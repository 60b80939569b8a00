/**
 * `QueueWorker`: processes the chunks a `QueueEngine` enqueues.
 *
 * @module
 */

import { UnrecoverableError, Worker } from "bullmq";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { hostname } from "node:os";
import process from "node:process";
import type { Cache } from "../core/cache.ts";
import { HyperNodesEngine } from "../core/hypernodes_engine.ts";
import type { AnyPipeline } from "../core/types.ts";
import { DistributedError, type DistributedErrorCode } from "./distributed_error.ts";
import {
  closeRedis,
  createRedis,
  describeConnection,
  type RedisConnection,
  withTimeout,
} from "./_connection.ts";
import { integerOption, queueName } from "./_options.ts";
import { PipelineRegistry, Refusal } from "./_registry.ts";
import {
  cancelKey,
  type ChunkJobData,
  type ChunkReturn,
  decode,
  getPayload,
  PROTOCOL,
  putPayload,
  refusal,
} from "./_protocol.ts";
import { encodeOutcomes, failAll, runChunk } from "./_run_chunk.ts";

/** Options of {@linkcode QueueWorker}. */
export interface QueueWorkerOptions {
  /** Redis: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** The queue name (the `queue` of the producers' `QueueEngine`). */
  queue: string;
  /**
   * The pipelines this worker runs, registered by their `name`: an array, or any object whose
   * values include pipelines (a module namespace: other exports are ignored).
   */
  pipelines: readonly AnyPipeline[] | Readonly<Record<string, unknown>>;
  /**
   * Chunks processed at once by this worker.
   * @default 1
   */
  concurrency?: number;
  /**
   * BullMQ's key prefix (must match the producers').
   * @default "bull"
   */
  prefix?: string;
  /**
   * How long a chunk's lock lasts without renewal (it is renewed every `lockMs / 2` while the
   * worker is alive). A killed worker's chunk goes back to the queue after `lockMs` plus at
   * most two `stalledIntervalMs`.
   * @default 5000
   */
  lockMs?: number;
  /**
   * How often this worker looks for chunks whose worker died.
   * @default lockMs / 2
   */
  stalledIntervalMs?: number;
  /**
   * How often a chunk may lose its worker and run again; one more loss fails it (a chunk
   * that crashes every worker must not kill them all). 0 fails it at the first loss.
   * @default 1
   */
  maxStalledCount?: number;
  /**
   * How each item's independent nodes run.
   * @default "sequential"
   */
  nodeExecutor?: "sequential" | "async";
  /**
   * A node-level cache for the items' runs (the producer caches whole items itself).
   * @default undefined
   */
  cache?: Cache;
  /**
   * The worker's name in messages, logs and Redis `CLIENT LIST`.
   * @default "<hostname>:<pid>"
   */
  name?: string;
  /**
   * The largest encoded results of one chunk; larger results fail the chunk's items.
   * @default 268435456 (256 MiB)
   */
  maxPayloadBytes?: number;
  /**
   * How long stored results live in Redis if the producer never reads them.
   * @default 86400000 (one day)
   */
  payloadTtlMs?: number;
  /**
   * Receives one line per notable event (ready, refused chunk, closing).
   * @default no logging
   */
  log?: (line: string) => void;
}

/** The host name, or "worker" where reading it is not permitted (Deno without --allow-sys). */
function host(): string {
  try {
    return hostname();
  } catch {
    return "worker";
  }
}

/**
 * Processes the chunks of distributed maps: BullMQ jobs that name a pipeline, carry its
 * code fingerprint and the items' inputs. The pipelines are registered by `name`; a chunk of
 * a pipeline this worker does not have, or whose code differs (another fingerprint), fails at
 * once without retries and the producer's map rejects with a `DistributedError` saying so.
 * Items run one after another on a local `HyperNodesEngine`; each item settles on its own,
 * so a failing item is reported with its index while the others' results come back.
 *
 * A worker that dies mid-chunk (killed, crashed) stops renewing the chunk's lock: another
 * worker puts the chunk back in the queue after `lockMs` plus at most two
 * `stalledIntervalMs`, and it runs again; the producer keeps one result per chunk. Items are
 * thus run at least once and reported exactly once. `hn worker` (`cli.ts`) runs one of these
 * for a module's exported pipelines and closes it gracefully on SIGTERM/SIGINT.
 *
 * @example A worker in your own process
 * ```ts
 * import { node, Pipeline } from "@hn/core";
 * import { QueueWorker } from "@hn/core/distributed";
 *
 * const double = node({ output: "y" }, ({ x }: { x: number }) => 2 * x);
 * export const doubler = new Pipeline({ nodes: [double], name: "doubler" });
 *
 * // Any object whose values include pipelines works, e.g. `await import("./pipelines.ts")`.
 * await using worker = new QueueWorker({
 *   connection: "redis://127.0.0.1:6379",
 *   queue: "hn",
 *   pipelines: { doubler },
 * });
 * console.assert(worker.pipelines[0] === "doubler");
 * // await worker.start(); // connects; takes chunks until worker.close()
 * ```
 */
export class QueueWorker implements AsyncDisposable {
  /** The worker's name. */
  readonly name: string;
  /** The queue name. */
  readonly queue: string;
  /** The names of the registered pipelines. */
  readonly pipelines: readonly string[];
  readonly #registry: PipelineRegistry;
  readonly #redis: Redis;
  readonly #settings: {
    concurrency: number;
    lockDuration: number;
    stalledInterval: number;
    maxStalledCount: number;
  };
  #worker: Worker | undefined;
  #started: Promise<void> | undefined;
  readonly #engine: HyperNodesEngine;
  readonly #prefix: string;
  readonly #maxBytes: number;
  readonly #ttl: number;
  readonly #log: (line: string) => void;
  readonly #where: string;
  #closing: Promise<boolean> | undefined;

  /**
   * Registers the pipelines; {@linkcode QueueWorker.start} connects.
   *
   * @param options Connection, queue, pipelines and limits.
   * @throws {TypeError} When no pipeline is given or the queue name is invalid.
   * @throws {RangeError} When a count or duration is not a positive integer.
   */
  constructor(options: QueueWorkerOptions) {
    const owner = "QueueWorker";
    const queue = queueName(owner, options.queue);
    this.#registry = new PipelineRegistry(options.pipelines);
    if (this.#registry.names.length === 0) {
      throw new TypeError(
        `Cannot create QueueWorker for queue "${queue}" as options.pipelines holds no Pipeline: pass an array of pipelines or a module that exports some`,
      );
    }
    const lockMs = integerOption(owner, "lockMs", options.lockMs, 5_000);
    this.name = options.name ?? `${host()}:${process.pid}`;
    this.queue = queue;
    this.pipelines = this.#registry.names;
    this.#prefix = options.prefix ?? "bull";
    this.#maxBytes = integerOption(owner, "maxPayloadBytes", options.maxPayloadBytes, 2 ** 28);
    this.#ttl = integerOption(owner, "payloadTtlMs", options.payloadTtlMs, 86_400_000);
    this.#log = options.log ?? (() => {});
    this.#where = `worker "${this.name}" on queue "${queue}" at ${
      describeConnection(options.connection)
    }`;
    this.#engine = new HyperNodesEngine({
      nodeExecutor: options.nodeExecutor ?? "sequential",
      cache: options.cache,
    });
    this.#redis = createRedis(options.connection, `hn-worker:${this.name}`);
    this.#settings = {
      concurrency: integerOption(owner, "concurrency", options.concurrency, 1),
      lockDuration: lockMs,
      stalledInterval: integerOption(
        owner,
        "stalledIntervalMs",
        options.stalledIntervalMs,
        Math.max(1, Math.floor(lockMs / 2)),
      ),
      maxStalledCount: integerOption(owner, "maxStalledCount", options.maxStalledCount, 1, 0),
    };
  }

  /**
   * Connects and starts taking chunks; resolves once Redis answered. Redis may come up after
   * the worker: it is asked again until `timeoutMs`.
   *
   * @param timeoutMs How long to wait for Redis.
   * @throws {DistributedError} (`unreachable`) When Redis does not answer in time.
   *
   * @example
   * ```ts ignore
   * await worker.start(10_000);
   * ```
   */
  start(timeoutMs = 30_000): Promise<void> {
    this.#started ??= (async () => {
      // ioredis retries the connection and queues the ping until then; BullMQ's own
      // readiness check gives up at the first refused connection, so it comes second.
      await withTimeout(this.#redis.ping(), timeoutMs, () =>
        new DistributedError(
          `Cannot start ${this.#where} as Redis did not answer within ${timeoutMs} ms: start Redis or fix --connection`,
          { code: "unreachable", queue: this.queue },
        ));
      if (this.#closing) return;
      this.#worker = new Worker(this.queue, (job, _token, signal) => this.#process(job, signal), {
        connection: this.#redis,
        prefix: this.#prefix,
        name: this.name,
        autorun: true,
        ...this.#settings,
      });
      // BullMQ reports connection trouble here; it reconnects by itself.
      this.#worker.on("error", () => {});
      this.#worker.on(
        "stalled",
        (jobId) =>
          this.#log(`chunk ${jobId} lost its worker (killed or stuck): it goes back to the queue`),
      );
      await withTimeout(this.#worker.waitUntilReady(), timeoutMs, () =>
        new DistributedError(
          `Cannot start ${this.#where} as BullMQ did not get ready within ${timeoutMs} ms: check Redis`,
          { code: "unreachable", queue: this.queue },
        ));
      this.#log(`${this.#where} is ready for pipelines ${this.pipelines.join(", ")}`);
    })();
    return this.#started;
  }

  async #process(job: Job, signal?: AbortSignal): Promise<ChunkReturn> {
    const data = job.data as ChunkJobData;
    if (
      typeof data !== "object" || data === null || data.v !== PROTOCOL ||
      typeof data.pipeline !== "string" || !Array.isArray(data.names)
    ) {
      throw this.#refuse(
        "bad_job",
        `Cannot run job ${job.id} on ${this.#where} as it is not a chunk of a QueueEngine map of protocol ${PROTOCOL}: enqueue only through QueueEngine, with the same @hn/core version on both sides`,
      );
    }
    const cancel = cancelKey(this.#prefix, this.queue, data.map);
    if (await this.#bounded(this.#redis.exists(cancel))) return { v: PROTOCOL, cancelled: true };
    const pipeline = await this.#registry.find(data, this.#where).catch((error) => {
      throw error instanceof Refusal ? this.#refuse(error.code, error.message) : error;
    });
    const sharedBytes = await this.#bounded(getPayload(this.#redis, data.shared));
    const itemBytes = await this.#bounded(getPayload(this.#redis, data.items));
    if (!sharedBytes || !itemBytes) {
      throw this.#refuse(
        "lost",
        `Cannot run the ${data.count} items from item ${data.first} of pipeline "${data.pipeline}" on ${this.#where} as their inputs are gone from Redis (expired, or Redis restarted without persistence): map again`,
      );
    }
    const shared = decode(sharedBytes) as Record<string, unknown>;
    const items = decode(itemBytes) as [number, unknown[]][];
    let lastCheck = performance.now();
    const outcomes = await runChunk(pipeline, data, shared, items, {
      engine: this.#engine,
      worker: this.name,
      queue: this.queue,
      stop: async () => {
        if (signal?.aborted) return true;
        if (performance.now() - lastCheck < 1_000) return false;
        lastCheck = performance.now();
        return (await this.#bounded(this.#redis.exists(cancel))) === 1;
      },
    });
    if (!outcomes) {
      if (signal?.aborted) throw signal.reason;
      return { v: PROTOCOL, cancelled: true };
    }
    let bytes = encodeOutcomes(outcomes, data, items, {
      engine: this.#engine,
      worker: this.name,
      queue: this.queue,
      stop: () => Promise.resolve(false),
    });
    if (bytes.length > this.#maxBytes) {
      const size = bytes.length;
      bytes = failAll(items, (item) =>
        new DistributedError(
          `Cannot return the results of pipeline "${data.pipeline}" for the ${data.count} items from item ${data.first} (item ${item} among them) from ${this.#where} as they take ${size} bytes encoded, over maxPayloadBytes ${this.#maxBytes}: lower the engine's chunkSize, or return references (paths, URLs) to large values`,
          { code: "too_large", pipeline: data.pipeline, item, queue: this.queue, jobId: job.id },
        ));
    }
    const key = `${this.#prefix}:${this.queue}:hn:${job.id}:out`;
    const results = await this.#bounded(putPayload(this.#redis, key, bytes, this.#ttl));
    return { v: PROTOCOL, results };
  }

  /** A Redis call that gives up after a minute (the job then fails and is retried). */
  #bounded<T>(promise: Promise<T>): Promise<T> {
    return withTimeout(promise, 60_000, () =>
      new DistributedError(
        `Cannot process a chunk on ${this.#where} as Redis did not answer within 60 s: check that Redis runs`,
        { code: "unreachable", queue: this.queue },
      ));
  }

  #refuse(code: DistributedErrorCode, message: string): UnrecoverableError {
    this.#log(message);
    return new UnrecoverableError(refusal(code, message));
  }

  /**
   * Stops taking chunks and waits up to `timeoutMs` for the running ones to finish; then
   * closes forcibly (unfinished chunks go back to the queue when their lock expires).
   *
   * @param timeoutMs How long to wait for running chunks.
   * @returns Whether every running chunk finished.
   *
   * @example
   * ```ts ignore
   * const graceful = await worker.close(10_000);
   * ```
   */
  close(timeoutMs = 30_000): Promise<boolean> {
    this.#closing ??= (async () => {
      this.#log(`${this.#where} is closing (waiting up to ${timeoutMs} ms for running chunks)`);
      let graceful = true;
      if (!this.#worker) this.#redis.disconnect(); // a start still waiting for Redis gives up
      await this.#started?.catch(() => {});
      const worker = this.#worker;
      if (worker) {
        await withTimeout(worker.close(), timeoutMs, () => new Error("timeout")).catch(
          async () => {
            graceful = false;
            await withTimeout(worker.close(true), 5_000, () => new Error("timeout"))
              .catch(() => {});
          },
        );
      }
      await this.#engine.close();
      await closeRedis(this.#redis);
      this.#log(
        `${this.#where} closed${graceful ? "" : " (forced: running chunks will be retried)"}`,
      );
      return graceful;
    })();
    return this.#closing;
  }

  /** Same as {@linkcode QueueWorker.close} with its default timeout, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
