/**
 * What travels through Redis, as plain data. A map becomes one BullMQ job per chunk of items:
 *
 * - job id `<mapId>-<chunk>` (no `:`), job name = the pipeline's name;
 * - job data: {@linkcode ChunkJobData} (JSON): the pipeline's name and code fingerprint, the
 *   requested outputs, the event context, and two {@linkcode Payload}s: the inputs shared by
 *   every item, and the chunk's items `[index, values of the mapOver names][]`;
 * - return value: {@linkcode ChunkReturn}: a {@linkcode Payload} of one
 *   {@linkcode ItemOutcome} per item, in the chunk's order;
 * - a job the worker refuses fails at once (BullMQ `UnrecoverableError`) with a reason that
 *   starts with a {@linkcode DistributedErrorCode} and `: `.
 *
 * Values are encoded with the core's value codec (Date, Map, Set, typed arrays, BigInt,
 * `undefined`… round-trip; class instances and functions are refused). An encoded payload up
 * to {@linkcode INLINE_BYTES} rides in the job as base64; a larger one is stored under
 * `<prefix>:<queue>:hn:<jobId>:<in|shared|out>:<piece>` in pieces of {@linkcode PIECE_BYTES},
 * with a TTL, so that jobs, the events stream and Lua scripts only ever see small values.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Redis } from "ioredis";
import { decodeValue, encodeValue } from "../core/_codec.ts";
import type { DistributedErrorCode } from "./distributed_error.ts";
import type { FingerprintKind } from "./_fingerprint.ts";

/** Version of this protocol; workers refuse other versions. */
export const PROTOCOL = 1;
/** Payloads up to this many encoded bytes ride inside the job. */
export const INLINE_BYTES: number = 16 * 1024;
/** Larger payloads are stored in Redis strings of at most this many bytes each. */
export const PIECE_BYTES: number = 4 * 1024 * 1024;

/** Encoded bytes, inline or stored in pieces. */
export type Payload = { readonly b64: string } | {
  readonly key: string;
  readonly pieces: number;
  readonly bytes: number;
};

/** The data of one chunk's job. */
export interface ChunkJobData {
  /** {@linkcode PROTOCOL}. */
  readonly v: number;
  /** The pipeline's `name`; workers look their exported pipelines up by it. */
  readonly pipeline: string;
  /** The pipeline's code fingerprint. */
  readonly fingerprint: string;
  /** How the fingerprint was computed. */
  readonly fingerprintKind: FingerprintKind;
  /** The map's id (job ids are `<map>-<chunk>`); its cancel key is checked by workers. */
  readonly map: string;
  /** The chunk's index in the map. */
  readonly chunk: number;
  /** The first item's index and the item count, for messages and dashboards. */
  readonly first: number;
  /** How many items. */
  readonly count: number;
  /** The requested outputs, or `null` for all. */
  readonly outputs: readonly string[] | null;
  /** Whether to record callback events, and the run they belong to. */
  readonly events:
    | {
      readonly runId: string;
      readonly depth: number;
      readonly path: string[];
      /** The item path of the run the map belongs to; absent from older producers. */
      readonly itemPath?: number[];
    }
    | null;
  /** The `mapOver` names, in the order of each item's values. */
  readonly names: readonly string[];
  /** Encoded inputs shared by every item (`Record<string, unknown>`). */
  readonly shared: Payload;
  /** Encoded items: `[index, values][]`. */
  readonly items: Payload;
}

/** A job's return value. */
export interface ChunkReturn {
  /** {@linkcode PROTOCOL}. */
  readonly v: number;
  /** Set when the map was cancelled before the chunk ran. */
  readonly cancelled?: true;
  /** Encoded `ItemOutcome[]`, one per item of the chunk. */
  readonly results?: Payload;
}

/** One item's outcome: outputs or error data, plus the callback events recorded for it. */
export type ItemOutcome = {
  readonly ok: true;
  readonly value: Record<string, unknown>;
  readonly events?: readonly [string, Record<string, unknown>][];
} | {
  readonly ok: false;
  readonly error: unknown;
  readonly events?: readonly [string, Record<string, unknown>][];
};

/** The Redis key of a map's cancel flag. */
export function cancelKey(prefix: string, queue: string, map: string): string {
  return `${prefix}:${queue}:hn:cancel:${map}`;
}

/** Whether `value` looks like a {@linkcode ChunkReturn}. */
export function isChunkReturn(value: unknown): value is ChunkReturn {
  return typeof value === "object" && value !== null && (value as ChunkReturn).v === PROTOCOL;
}

/** Encodes `value` (throws the codec's `UnstorableError`). */
export function encode(value: unknown): Uint8Array {
  return encodeValue(value);
}

/** Stores `bytes` inline or in pieces under `key`, expiring after `ttlMs`. */
export async function putPayload(
  redis: Redis,
  key: string,
  bytes: Uint8Array,
  ttlMs: number,
): Promise<Payload> {
  if (bytes.length <= INLINE_BYTES) return { b64: Buffer.from(bytes).toString("base64") };
  const pieces = Math.ceil(bytes.length / PIECE_BYTES);
  const tx = redis.multi();
  for (let k = 0; k < pieces; k++) {
    const piece = bytes.subarray(k * PIECE_BYTES, (k + 1) * PIECE_BYTES);
    tx.set(`${key}:${k}`, Buffer.from(piece.buffer, piece.byteOffset, piece.length), "PX", ttlMs);
  }
  await tx.exec();
  return { key, pieces, bytes: bytes.length };
}

/** Reads a payload's bytes; `undefined` when a stored piece is gone. */
export async function getPayload(redis: Redis, payload: Payload): Promise<Uint8Array | undefined> {
  if ("b64" in payload) return Buffer.from(payload.b64, "base64");
  const keys = Array.from({ length: payload.pieces }, (_, k) => `${payload.key}:${k}`);
  const parts = await redis.mgetBuffer(...keys);
  if (parts.some((p) => p === null)) return undefined;
  const bytes = new Uint8Array(payload.bytes);
  let at = 0;
  for (const p of parts as Buffer[]) {
    bytes.set(p, at);
    at += p.length;
  }
  return at === payload.bytes ? bytes : undefined;
}

/** The Redis keys a payload occupies (none when inline). */
export function payloadKeys(payload: Payload | undefined): string[] {
  if (!payload || "b64" in payload) return [];
  return Array.from({ length: payload.pieces }, (_, k) => `${payload.key}:${k}`);
}

/** Decodes bytes made by {@linkcode encode}. */
export function decode(bytes: Uint8Array): unknown {
  return decodeValue(bytes);
}

/** The reason a refused job fails with: `<code>: <message>`. */
export function refusal(code: DistributedErrorCode, message: string): string {
  return `${code}: ${message}`;
}

const CODES: readonly DistributedErrorCode[] = [
  "unknown_pipeline",
  "stale_fingerprint",
  "job_failed",
  "timeout",
  "unreachable",
  "closed",
  "too_large",
  "unstorable",
  "lost",
  "bad_job",
];

/** Splits a failed job's reason into its code (if it is a refusal) and message. */
export function parseRefusal(reason: string): { code?: DistributedErrorCode; message: string } {
  const m = /^([a-z_]+): ([\s\S]*)$/.exec(reason);
  if (m && (CODES as readonly string[]).includes(m[1])) {
    return { code: m[1] as DistributedErrorCode, message: m[2] };
  }
  return { message: reason };
}
