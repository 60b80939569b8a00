/**
 * What comes back from a chunk, on the producer: its items' outcomes are handed to the
 * results, the item cache and the callbacks; a chunk that cannot come back becomes a
 * `DistributedError` naming its items.
 *
 * @module
 */

import type { CallbackHook } from "../core/callback.ts";
import { DistributedError } from "./distributed_error.ts";
import { dataToError } from "./_errors.ts";
import type { ItemCache } from "./_item_cache.ts";
import type { MapCall } from "./_chunks.ts";
import type { Producer } from "./_producer.ts";
import {
  decode,
  getPayload,
  isChunkReturn,
  type ItemOutcome,
  parseRefusal,
  type Payload,
} from "./_protocol.ts";

/**
 * Reads a finished chunk's outcomes: from the completion event's return value when there is
 * one, else from the job. `"pending"` while it has not finished, or while Redis does not
 * answer (it is polled again until the map's idle timeout).
 *
 * @throws {DistributedError} When the chunk failed, was refused or is lost.
 */
export async function readChunk(
  producer: Producer,
  call: MapCall,
  chunk: readonly number[],
  id: string,
  returned: unknown,
): Promise<{ outcomes: ItemOutcome[]; results: Payload } | "pending"> {
  const queue = producer.queue.name;
  try {
    const job = isChunkReturn(returned) ? undefined : await producer.job(id);
    if (!job && !isChunkReturn(returned)) {
      throw lostError(call, queue, chunk, id, "its job is gone from Redis");
    }
    const rv = job ? job.returnvalue as unknown : returned;
    if (isChunkReturn(rv) && rv.results) {
      const bytes = await producer.bounded(getPayload(producer.redis, rv.results), "read results");
      if (!bytes) throw lostError(call, queue, chunk, id, "its results are gone from Redis");
      return { outcomes: decode(bytes) as ItemOutcome[], results: rv.results };
    }
    if (isChunkReturn(rv) && rv.cancelled) {
      throw lostError(call, queue, chunk, id, "a worker found the map cancelled");
    }
    if (job?.finishedOn) {
      throw failedError(call, queue, chunk, id, job.failedReason ?? "", job.attemptsMade);
    }
    return "pending";
  } catch (error) {
    if (error instanceof DistributedError && error.code !== "unreachable") throw error;
    return "pending";
  }
}

/**
 * Hands a chunk's outcomes to `results`, the cache and the callbacks (replaying the events
 * the worker recorded), in the chunk's item order.
 *
 * @throws The first failing item's error, unless the call collects errors.
 */
export async function deliver(
  call: MapCall,
  chunk: readonly number[],
  outcomes: readonly ItemOutcome[],
  results: unknown[],
  cache?: { readonly items: ItemCache; readonly keys: readonly (string | undefined)[] },
): Promise<void> {
  let failure: unknown;
  const stores: Promise<void>[] = [];
  for (let k = 0; k < chunk.length; k++) {
    const i = chunk[k];
    const o = outcomes[k];
    if (call.events && o.events) {
      for (const [hook, event] of o.events) {
        call.events.emit(
          hook as CallbackHook,
          "error" in event ? { ...event, error: dataToError(event.error) } : event,
        );
      }
    }
    if (o.ok) {
      results[i] = o.value;
      const key = cache?.keys[i];
      if (key !== undefined) stores.push(cache!.items.store(key, o.value));
    } else {
      const error = dataToError(o.error);
      if (call.collect) results[i] = error;
      else failure ??= error;
    }
  }
  await Promise.all(stores);
  if (failure !== undefined) throw failure;
}

function where(call: MapCall, queue: string, chunk: readonly number[]): string {
  const range = chunk.length === 1
    ? `item ${chunk[0]}`
    : `items ${chunk[0]}–${chunk[chunk.length - 1]}`;
  return `${range} of pipeline "${call.pipeline.name}" on queue "${queue}"`;
}

/** A chunk whose job or payload vanished. */
export function lostError(
  call: MapCall,
  queue: string,
  chunk: readonly number[],
  jobId: string,
  why: string,
): DistributedError {
  return new DistributedError(
    `Cannot map ${
      where(call, queue, chunk)
    } as ${why} (job ${jobId}): run Redis with appendonly yes and maxmemory-policy noeviction, and map again`,
    { code: "lost", pipeline: call.pipeline.name, item: chunk[0], queue, jobId },
  );
}

/** A chunk whose job failed: refused by a worker (with its reason's code) or failed in BullMQ. */
export function failedError(
  call: MapCall,
  queue: string,
  chunk: readonly number[],
  jobId: string,
  reason: string,
  attempts: number,
): DistributedError {
  const { code, message } = parseRefusal(reason);
  const text = code
    ? `Cannot map ${where(call, queue, chunk)} as a worker refused the chunk: ${message}`
    : `Cannot map ${where(call, queue, chunk)} as its job failed after ${attempts} attempt${
      attempts === 1 ? "" : "s"
    }: ${reason || "no reason given"}; see the workers' logs, then map again`;
  return new DistributedError(text, {
    code: code ?? "job_failed",
    pipeline: call.pipeline.name,
    item: chunk[0],
    queue,
    jobId,
    attempts,
  });
}

/** No chunk finished within the idle timeout. */
export function idleError(
  call: MapCall,
  queue: string,
  timeoutMs: number,
  left: number,
  total: number,
  workers: number | undefined,
): DistributedError {
  const seen = workers === undefined
    ? ""
    : `, ${workers} worker${workers === 1 ? "" : "s"} connected`;
  return new DistributedError(
    `Cannot map pipeline "${call.pipeline.name}" on queue "${queue}" as no chunk finished within ${timeoutMs} ms: ${left} of ${total} chunks pending${seen}; start workers with \`hn worker <module> --queue ${queue} --connection <url>\`, or raise timeoutMs for slow chunks`,
    { code: "timeout", pipeline: call.pipeline.name, queue },
  );
}
