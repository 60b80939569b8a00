/**
 * `DistributedError`: a queue-level failure of a distributed map.
 *
 * @module
 */

import { ExecutorError, type HyperNodesErrorOptions } from "../core/errors.ts";

/**
 * Why a distributed map failed outside the user's code:
 *
 * - `unknown_pipeline`: the worker's module exports no pipeline of that name;
 * - `stale_fingerprint`: the worker's pipeline of that name has other code;
 * - `job_failed`: a chunk's job failed in BullMQ (its worker died too often, or the worker
 *   threw outside the items);
 * - `timeout`: no chunk finished within `timeoutMs` (no worker running? chunks too slow?);
 * - `unreachable`: Redis refused the connection or did not answer in time;
 * - `closed`: the engine was closed while the map waited;
 * - `too_large`: a chunk's inputs or results exceed `maxPayloadBytes`;
 * - `unstorable`: an input or output cannot be sent through Redis (a class instance, a function);
 * - `lost`: a job or payload vanished from Redis (restarted without persistence?);
 * - `bad_job`: a job that was not made by a `QueueEngine` of this version.
 */
export type DistributedErrorCode =
  | "unknown_pipeline"
  | "stale_fingerprint"
  | "job_failed"
  | "timeout"
  | "unreachable"
  | "closed"
  | "too_large"
  | "unstorable"
  | "lost"
  | "bad_job";

/** Options of {@linkcode DistributedError}. */
export interface DistributedErrorOptions extends HyperNodesErrorOptions {
  /** Why it failed. */
  code: DistributedErrorCode;
  /** The queue name. */
  queue?: string;
  /** The BullMQ job id of the chunk involved, if any. */
  jobId?: string;
  /** How many times the chunk's job was tried, when it failed. */
  attempts?: number;
}

/**
 * A distributed map failed for a reason outside the user's code: a worker does not know the
 * pipeline or runs other code, a chunk's job failed, nothing finished in time, a value is too
 * large or cannot be sent. It is an `ExecutorError`, so code that handles executor failures
 * handles it too; `code` says which case it is, and `pipeline`, `item` (the first item of the
 * chunk involved), `queue` and `jobId` say where.
 *
 * @example Telling the cases apart
 * ```ts
 * import { DistributedError } from "@hn/core/distributed";
 * import { ExecutorError } from "@hn/core";
 *
 * const e = new DistributedError(
 *   'Cannot map pipeline "math" on queue "q" as no worker knows it: start one',
 *   { code: "unknown_pipeline", pipeline: "math", queue: "q" },
 * );
 * console.assert(e instanceof ExecutorError && e.code === "unknown_pipeline");
 * ```
 */
export class DistributedError extends ExecutorError {
  /** Why it failed. */
  readonly code: DistributedErrorCode;
  /** The queue name, if known. */
  declare readonly queue?: string;
  /** The BullMQ job id of the chunk involved, if any. */
  declare readonly jobId?: string;
  /** How many times the chunk's job was tried, when it failed. */
  declare readonly attempts?: number;

  /**
   * Creates the error.
   *
   * @param message The full message (`Cannot … as …: …` plus the fix).
   * @param options The code and where it happened.
   */
  constructor(message: string, options: DistributedErrorOptions) {
    super(message, options);
    this.code = options.code;
    if (options.queue !== undefined) this.queue = options.queue;
    if (options.jobId !== undefined) this.jobId = options.jobId;
    if (options.attempts !== undefined) this.attempts = options.attempts;
  }
}
