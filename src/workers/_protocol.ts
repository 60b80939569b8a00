/**
 * The plain data the main thread and the workers of the Worker executors exchange, besides
 * the Comlink calls themselves (`runChunk`, `runNode` of `_worker_entry.ts`).
 *
 * Main → worker, through `WorkerHandle.post`: cache replies (below) and `{ forget }`, which drops
 * the shared inputs a map left in the worker (see {@linkcode ChunkInput.shared}).
 *
 * Worker → main, through `WorkerChannel.post`, always with the `call` they belong to:
 * - `{ call, events: [hook, event][] }`: callback events, batched, in emission order (an
 *   event's `error` is a serialised error);
 * - `{ call, get, keys }`: cache lookups of the call's nodes, answered by `{ get, hits }`
 *   (or `{ get, error }`) through `WorkerHandle.post`;
 * - `{ call, sets: [key, value][] }`: cache writes, stored before the call's result is used.
 *
 * @module
 */

import type { CallbackHook } from "../core/callback.ts";
import type { CacheHit } from "../core/cache.ts";
import type { ExecutorName, RunInfo } from "../core/executor.ts";
import type { Column } from "./_columns.ts";

/** Per-call context the main thread sends along with every call. */
export interface CallContext extends RunInfo {
  /** Identifies the call (its events, cache requests and cancellation). */
  readonly call: number;
  /** Whether to forward callback events. */
  readonly events: boolean;
  /** Whether nodes read and write the main thread's cache. */
  readonly cache: boolean;
}

/**
 * A slice of a map's items: the `mapOver` values as one array per name, and the inputs every
 * item shares, which a worker receives once per map (see `shared`).
 */
export interface ChunkInput {
  /** The item index of the first value of each column. */
  readonly first: number;
  /** The `mapOver` names. */
  readonly names: readonly string[];
  /** One array of values per name, zipped (numbers may come packed, see `_columns.ts`). */
  readonly columns: readonly Column[];
  /**
   * Inputs every item shares; left out when `shared` is set and the worker has them already.
   */
  readonly broadcast?: Readonly<Record<string, unknown>>;
  /**
   * Identifies the map's shared inputs: the worker keeps the `broadcast` of the first chunks
   * under this key for the map's later chunks, until the main thread sends `{ forget: key }`.
   * Unset when there are none.
   */
  readonly shared?: number;
  /** The requested outputs, or `undefined` for all. */
  readonly outputs?: readonly string[];
  /** How each item's nodes run. */
  readonly nodeExecutor: ExecutorName;
  /** `"throw"` stops at the first failing item; `"collect"` reports every item. */
  readonly errors: "throw" | "collect";
}

/** What a chunk returns: outputs as one array per output name, errors by position. */
export interface ChunkResult {
  /** Milliseconds the worker spent running the items (for chunk sizing). */
  readonly elapsed: number;
  /** The output names, in the order of `columns`. */
  readonly outputs: readonly string[];
  /**
   * One array per output: position `k` holds item `first + k`'s value (numbers may come as a
   * typed array, see `_columns.ts`).
   */
  readonly columns: readonly Column[];
  /** `[position, serialised error]` of the items that failed, in position order. */
  readonly errors: readonly (readonly [number, unknown])[];
  /** In `"throw"` mode, the first failure (serialised); the other items are not reported. */
  readonly failed?: unknown;
}

/** A message a worker posts to the main thread. */
export type WorkerMessage =
  | { readonly call: number; readonly events: readonly (readonly [CallbackHook, object])[] }
  | { readonly call: number; readonly get: number; readonly keys: readonly string[] }
  | { readonly call: number; readonly sets: readonly (readonly [string, unknown])[] };

/** The main thread's notice that a map is over: its shared inputs may go. */
export interface ForgetShared {
  /** The map's {@linkcode ChunkInput.shared} key. */
  readonly forget: number;
}

/** The main thread's answer to a cache lookup. */
export type CacheReply =
  | { readonly get: number; readonly hits: readonly (CacheHit | undefined)[] }
  | { readonly get: number; readonly error: unknown };
