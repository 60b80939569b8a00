/**
 * Turns a map's missed items into BullMQ jobs: one per chunk, inputs encoded once (shared
 * inputs) and per chunk (the items' own values), large payloads stored beside the jobs.
 *
 * @module
 */

import type { Redis } from "ioredis";
import type { Events } from "../core/_events.ts";
import type { MapItems } from "../core/_items.ts";
import type { Cache } from "../core/cache.ts";
import type { AnyPipeline } from "../core/types.ts";
import { DistributedError } from "./distributed_error.ts";
import type { CodeFingerprint } from "./_fingerprint.ts";
import { type ChunkJobData, encode, payloadKeys, PROTOCOL, putPayload } from "./_protocol.ts";

/** One `map` call, resolved. */
export interface MapCall {
  readonly pipeline: AnyPipeline;
  readonly items: MapItems;
  readonly outputs: readonly string[] | undefined;
  readonly collect: boolean;
  readonly signal: AbortSignal | undefined;
  readonly events: Events | undefined;
  readonly runId: string;
  readonly depth: number;
  readonly path: readonly string[];
  /** The item path of the run the map belongs to (see `BaseEvent.itemPath`). */
  readonly itemPath: readonly number[];
  readonly cache: Cache | undefined;
}

/** What {@linkcode prepareChunks} needs besides the call. */
export interface ChunkSetup {
  readonly redis: Redis;
  readonly prefix: string;
  readonly queue: string;
  readonly mapId: string;
  readonly fingerprint: CodeFingerprint;
  /** The item indexes to send, in order. */
  readonly todo: readonly number[];
  readonly size: number;
  readonly maxBytes: number;
  readonly ttlMs: number;
  readonly attempts: number;
}

/** A job as `Queue.addBulk` takes it. */
export interface ChunkJob {
  readonly name: string;
  readonly data: ChunkJobData;
  readonly opts: {
    jobId: string;
    attempts: number;
    backoff: { type: "fixed"; delay: number };
    removeOnComplete: { age: number };
    removeOnFail: { age: number };
  };
}

/** The values of item `i`'s `mapOver` names, in name order. */
export function ownValues(items: MapItems, i: number): unknown[] {
  return items.names.map((_, j) => items.lists[j][items.at(i, j)]);
}

function unstorable(call: MapCall, queue: string, what: string, error: unknown, item?: number) {
  const detail = (error as Error).message.replace(/^Cannot store value as /, "").replace(
    /:.*$/s,
    "",
  );
  return new DistributedError(
    `Cannot send ${what} of pipeline "${call.pipeline.name}" to queue "${queue}" as ${detail}: pass plain data (objects, arrays, Map, Set, Date, typed arrays…), or map with a local engine`,
    { code: "unstorable", pipeline: call.pipeline.name, item, queue, cause: error },
  );
}

function tooLarge(call: MapCall, setup: ChunkSetup, what: string, bytes: number, item?: number) {
  return new DistributedError(
    `Cannot send ${what} of pipeline "${call.pipeline.name}" to queue "${setup.queue}" as it takes ${bytes} bytes encoded, over maxPayloadBytes ${setup.maxBytes}: lower chunkSize, or pass references (paths, URLs) to large values`,
    { code: "too_large", pipeline: call.pipeline.name, item, queue: setup.queue },
  );
}

/**
 * Encodes and stores the inputs, and builds one job per chunk.
 *
 * @throws {DistributedError} (`unstorable`, `too_large`) naming the input or item.
 */
export async function prepareChunks(
  call: MapCall,
  setup: ChunkSetup,
): Promise<{ jobs: ChunkJob[]; chunks: number[][]; blobs: string[] }> {
  const { items, pipeline } = call;
  const key = `${setup.prefix}:${setup.queue}:hn:${setup.mapId}`;
  let sharedBytes: Uint8Array;
  try {
    sharedBytes = encode(items.broadcast);
  } catch (error) {
    const input = /^value\.([^.[]+)/.exec((error as { path?: string }).path ?? "")?.[1];
    throw unstorable(call, setup.queue, input ? `input "${input}"` : "the shared inputs", error);
  }
  if (sharedBytes.length > setup.maxBytes) {
    throw tooLarge(call, setup, "the inputs shared by every item", sharedBytes.length);
  }
  const blobs: string[] = [];
  const shared = await putPayload(setup.redis, `${key}:shared`, sharedBytes, setup.ttlMs);
  blobs.push(...payloadKeys(shared));
  const chunks: number[][] = [];
  for (let k = 0; k < setup.todo.length; k += setup.size) {
    chunks.push(setup.todo.slice(k, k + setup.size));
  }
  const events = call.events
    ? { runId: call.runId, depth: call.depth, path: [...call.path], itemPath: [...call.itemPath] }
    : null;
  const jobs: ChunkJob[] = [];
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c];
    const rows = chunk.map((i) => [i, ownValues(items, i)] as const);
    let bytes: Uint8Array;
    try {
      bytes = encode(rows);
    } catch (error) {
      const m = /^value\[(\d+)\]\[1\]\[(\d+)\]/.exec((error as { path?: string }).path ?? "");
      const item = m ? chunk[Number(m[1])] : chunk[0];
      const name = m ? items.names[Number(m[2])] : undefined;
      throw unstorable(
        call,
        setup.queue,
        name ? `input "${name}" of item ${item}` : `the inputs of items ${chunk[0]}…`,
        error,
        item,
      );
    }
    if (bytes.length > setup.maxBytes) {
      throw tooLarge(call, setup, `items ${chunk[0]}…${chunk.at(-1)}`, bytes.length, chunk[0]);
    }
    const jobId = `${setup.mapId}-${c}`;
    const payload = await putPayload(
      setup.redis,
      `${setup.prefix}:${setup.queue}:hn:${jobId}:in`,
      bytes,
      setup.ttlMs,
    );
    blobs.push(...payloadKeys(payload));
    jobs.push({
      name: pipeline.name,
      data: {
        v: PROTOCOL,
        pipeline: pipeline.name,
        fingerprint: setup.fingerprint.value,
        fingerprintKind: setup.fingerprint.kind,
        map: setup.mapId,
        chunk: c,
        first: chunk[0],
        count: chunk.length,
        outputs: call.outputs ? [...call.outputs] : null,
        events,
        names: [...items.names],
        shared,
        items: payload,
      },
      opts: {
        jobId,
        attempts: setup.attempts,
        backoff: { type: "fixed", delay: 1_000 },
        removeOnComplete: { age: 86_400 },
        removeOnFail: { age: 86_400 },
      },
    });
  }
  return { jobs, chunks, blobs };
}
