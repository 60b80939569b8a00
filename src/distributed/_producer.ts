/**
 * The producer side's Redis connections: a BullMQ `Queue` to enqueue chunks, `QueueEvents` to
 * hear that they finished (routed to waiting maps by job id), every call bounded, and the
 * cleanup after a map.
 *
 * @module
 */

import { Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { DistributedError } from "./distributed_error.ts";
import {
  closeRedis,
  createRedis,
  describeConnection,
  type RedisConnection,
  withTimeout,
} from "./_connection.ts";
import { cancelKey, type Payload, payloadKeys } from "./_protocol.ts";

/** What {@linkcode Producer.connect} needs. */
export interface ProducerOptions {
  readonly connection: RedisConnection;
  readonly queue: string;
  readonly prefix: string;
  /** The bound of every single Redis call. */
  readonly timeoutMs: number;
  /** The TTL of the cancel flag. */
  readonly ttlMs: number;
}

/** One engine's connections. */
export class Producer {
  /** Commands (shared with the `Queue`). */
  readonly redis: Redis;
  /** Enqueues and reads jobs. */
  readonly queue: Queue;
  /** Job id → what to call when BullMQ says the job finished (with its return value). */
  readonly routes: Map<string, (returned?: unknown) => void> = new Map();
  readonly #events: QueueEvents;
  readonly #options: ProducerOptions;

  private constructor(options: ProducerOptions, redis: Redis, queue: Queue, events: QueueEvents) {
    this.#options = options;
    this.redis = redis;
    this.queue = queue;
    this.#events = events;
  }

  /**
   * Connects: Redis answers a ping first (ioredis retries the connection meanwhile; BullMQ's
   * readiness check gives up at the first refused connection, so it comes second).
   *
   * @throws {DistributedError} (`unreachable`) naming `pipeline`.
   */
  static async connect(options: ProducerOptions, pipeline: string): Promise<Producer> {
    const { connection, queue: name, prefix, timeoutMs } = options;
    const unreachable = (why: string, cause?: unknown) =>
      new DistributedError(
        `Cannot map pipeline "${pipeline}" on queue "${name}" as Redis at ${
          describeConnection(connection)
        } ${why}: start Redis or fix the engine's connection`,
        { code: "unreachable", pipeline, queue: name, cause },
      );
    const redis = createRedis(connection, `hn-producer:${name}`);
    await withTimeout(
      redis.ping(),
      timeoutMs,
      () => unreachable(`did not answer within ${timeoutMs} ms`),
    )
      .catch((error) => {
        redis.disconnect();
        throw error;
      });
    const queue = new Queue(name, { connection: redis, prefix });
    const events = new QueueEvents(name, { connection: redis, prefix });
    const producer = new Producer(options, redis, queue, events);
    queue.on("error", () => {});
    events.on("error", () => {});
    events.on("completed", ({ jobId, returnvalue }) => producer.routes.get(jobId)?.(returnvalue));
    events.on("failed", ({ jobId }) => producer.routes.get(jobId)?.());
    try {
      await withTimeout(
        Promise.all([queue.waitUntilReady(), events.waitUntilReady()]),
        timeoutMs,
        () => unreachable(`did not answer within ${timeoutMs} ms`),
      ).catch((error) => {
        throw error instanceof DistributedError
          ? error
          : unreachable(`refused the connection (${(error as Error)?.message ?? error})`, error);
      });
    } catch (error) {
      await producer.close();
      throw error;
    }
    return producer;
  }

  /** `promise`, rejecting with a `DistributedError` (`unreachable`) after the call bound. */
  bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    const { queue, connection, timeoutMs } = this.#options;
    return withTimeout(promise, timeoutMs, () =>
      new DistributedError(
        `Cannot ${what} on queue "${queue}" as Redis at ${
          describeConnection(connection)
        } did not answer within ${timeoutMs} ms: check that Redis runs`,
        { code: "unreachable", queue },
      ));
  }

  /** The job, or `undefined` when it is gone. */
  job(id: string): Promise<Job | undefined> {
    return this.bounded(Job.fromId(this.queue, id), "read a chunk's job");
  }

  /** How many workers are connected, or `undefined` when Redis does not say in 2 s. */
  workers(): Promise<number | undefined> {
    return withTimeout(this.queue.getWorkersCount(), 2_000, () => new Error("no answer"))
      .catch(() => undefined);
  }

  /**
   * Removes a map's jobs and payloads. Chunks still pending are flagged cancelled (workers
   * skip them) and removed if they wait; running ones finish and expire with their payloads.
   */
  async cleanup(
    mapId: string,
    ids: readonly string[],
    results: Iterable<Payload | undefined>,
    pending: ReadonlySet<string>,
    blobs: readonly string[],
  ): Promise<void> {
    const { prefix, queue, ttlMs, timeoutMs } = this.#options;
    const keys = [...blobs];
    for (const r of results) keys.push(...payloadKeys(r));
    const work: Promise<unknown>[] = [];
    if (pending.size > 0) {
      work.push(this.redis.set(cancelKey(prefix, queue, mapId), "1", "PX", ttlMs));
    }
    for (const id of ids) work.push(this.queue.remove(id).catch(() => 0));
    if (keys.length > 0 && pending.size === 0) work.push(this.redis.unlink(...keys));
    await withTimeout(Promise.all(work), timeoutMs, () => new Error("cleanup")).catch(() => {});
  }

  /** Closes the events listener, the queue and the connection (each bounded). */
  async close(): Promise<void> {
    await Promise.allSettled([
      withTimeout(this.#events.close(), 5_000, () => new Error("events close")),
      withTimeout(this.queue.close(), 5_000, () => new Error("queue close")),
    ]);
    await closeRedis(this.redis);
  }
}
