/**
 * `ThreadedExecutor`: tasks run in a pool of workers sized for concurrency.
 *
 * @module
 */

import type { ExecuteOptions, Executor, Task } from "../core/executor.ts";
import { Dispatcher } from "./_dispatch.ts";

/** Options of {@linkcode ThreadedExecutor}. */
export interface ThreadedExecutorOptions {
  /**
   * How many tasks are in flight at once, over all workers.
   * @default Math.min(32, navigator.hardwareConcurrency + 4)
   */
  concurrency?: number;
  /**
   * How many workers the pool may start; each gets `ceil(concurrency / workers)` tasks at once.
   * @default concurrency
   */
  workers?: number;
}

/**
 * Runs each task (a node, or a whole map item) in a worker of a lazy pool, with up to
 * `concurrency` tasks in flight: for blocking or mixed work that must leave the main thread.
 * Nodes reach workers by reference, so define them at module top level (or give them a
 * unique `name`) and guard top-level run code with `if (import.meta.main)`.
 *
 * @example Blocking items off the main thread
 * ```ts ignore
 * import { HyperNodesEngine } from "@hn/core";
 * import { ThreadedExecutor } from "./threaded_executor.ts";
 * import { pipeline } from "./my_pipeline.ts"; // nodes defined at top level
 *
 * await using engine = new HyperNodesEngine({ mapExecutor: new ThreadedExecutor({ concurrency: 8 }) });
 * console.log(await pipeline.map({ x: [1, 2, 3] }, { mapOver: "x", engine }));
 * ```
 */
export class ThreadedExecutor implements Executor, AsyncDisposable {
  /** Always `"threaded"`. */
  readonly name: "threaded" = "threaded";
  /** How many tasks the engine keeps in flight. */
  readonly concurrency: number;
  readonly #dispatcher: Dispatcher;

  /**
   * @param options Concurrency and pool size.
   * @throws {RangeError} When a size is not a positive integer.
   * @throws {ExecutorError} Inside a worker (nested pools are refused).
   */
  constructor(options: ThreadedExecutorOptions = {}) {
    this.concurrency = options.concurrency ?? Math.min(32, navigator.hardwareConcurrency + 4);
    const workers = options.workers ?? this.concurrency;
    this.#dispatcher = new Dispatcher({
      name: this.name,
      size: workers,
      maxInFlightPerWorker: Math.max(1, Math.ceil(this.concurrency / workers)),
    });
  }

  /** How many workers were started so far, replacements included. */
  get started(): number {
    return this.#dispatcher.pool.started;
  }

  /**
   * Runs `task` in a worker.
   *
   * @param task A node or item task.
   * @param options The signal.
   * @returns The task's result.
   * @throws {ExecutorError} When the worker dies or a value cannot be cloned.
   */
  execute<R>(task: Task<R>, options: ExecuteOptions = {}): Promise<R> {
    return this.#dispatcher.execute(task, options.signal);
  }

  /** Terminates the workers. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#dispatcher.close();
  }
}
