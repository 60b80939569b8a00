/**
 * `AsyncExecutor`: many tasks in flight on the calling thread, for I/O.
 *
 * @module
 */

import { call, raceAbort } from "./_abort.ts";
import type { ExecuteOptions, Executor, Task } from "./executor.ts";

/** Options of {@linkcode AsyncExecutor}. */
export interface AsyncExecutorOptions {
  /**
   * How many tasks the engine keeps in flight per run or map.
   * @default 100
   */
  concurrency?: number;
}

/**
 * Runs tasks on the calling thread with up to `concurrency` in flight per run
 * or map: independent nodes overlap, map items overlap. For I/O-bound work;
 * CPU-bound work needs `"parallel"`.
 *
 * @example Overlapping timers
 * ```ts
 * import { AsyncExecutor, HyperNodesEngine, node, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const wait = node({ output: "y" }, async ({ x }: { x: number }) => {
 *   await new Promise((r) => setTimeout(r, 10));
 *   return x;
 * });
 * const engine = new HyperNodesEngine({ mapExecutor: new AsyncExecutor({ concurrency: 8 }) });
 * const out = await new Pipeline({ nodes: [wait] }).map({ x: [1, 2, 3] }, { mapOver: "x", engine });
 * assert.deepEqual(out, [{ y: 1 }, { y: 2 }, { y: 3 }]);
 * ```
 */
export class AsyncExecutor implements Executor {
  /** `"async"`. */
  readonly name: string = "async";
  /** Tasks in flight per run or map. */
  readonly concurrency: number;

  /**
   * @param options `concurrency`.
   * @throws {RangeError} When `concurrency` is not a positive integer.
   */
  constructor(options: AsyncExecutorOptions = {}) {
    const c = options.concurrency ?? 100;
    if (!Number.isInteger(c) || c < 1) {
      throw new RangeError(
        `Cannot create async executor as concurrency is ${c}: use a whole number ≥ 1`,
      );
    }
    this.concurrency = c;
  }

  /**
   * Runs `task` here and lets others run while it awaits.
   *
   * @param task The task.
   * @param options `signal` rejects the returned promise when aborted.
   * @returns The task's result.
   */
  execute<R>(task: Task<R>, options: ExecuteOptions = {}): Promise<R> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return raceAbort(call(() => task.run()), options.signal);
  }
}
