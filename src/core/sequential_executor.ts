/**
 * `SequentialExecutor`: one task at a time on the calling thread.
 *
 * @module
 */

import { call, raceAbort } from "./_abort.ts";
import type { ExecuteOptions, Executor, Task } from "./executor.ts";

/**
 * Runs one task at a time on the calling thread. The engine recognises it and
 * runs synchronous nodes without any promise in between (the fastest path).
 *
 * @example
 * ```ts
 * import { HyperNodesEngine, SequentialExecutor } from "@hn/core";
 * const engine = new HyperNodesEngine({ nodeExecutor: new SequentialExecutor() });
 * console.assert(engine.name === "hypernodes");
 * ```
 */
export class SequentialExecutor implements Executor {
  /** `"sequential"`. */
  readonly name: string = "sequential";
  /** Always 1. */
  readonly concurrency: number = 1;

  /**
   * Runs `task` here.
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
