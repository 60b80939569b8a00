/**
 * `ParallelExecutor`: map items run in chunks on one worker per core.
 *
 * @module
 */

import type { ExecuteAllOptions, ExecuteOptions, Executor, Task } from "../core/executor.ts";
import { Dispatcher } from "./_dispatch.ts";

/** Options of {@linkcode ParallelExecutor}. */
export interface ParallelExecutorOptions {
  /**
   * How many workers.
   * @default navigator.hardwareConcurrency
   */
  workers?: number;
  /**
   * The most items one message carries.
   * @default 1024
   */
  maxChunk?: number;
}

/**
 * Runs CPU-bound work on a pool of one worker per core. A map's items travel in chunks sized
 * from the item count (about four chunks per worker, so each worker has the next chunk queued
 * while it works and each message carries several items); single node tasks travel alone.
 *
 * @example A CPU-bound map
 * ```ts ignore
 * import { HyperNodesEngine } from "@hn/core";
 * import { ParallelExecutor } from "./parallel_executor.ts";
 * import { pipeline } from "./my_pipeline.ts"; // nodes defined at top level
 *
 * await using engine = new HyperNodesEngine({ mapExecutor: new ParallelExecutor() });
 * console.log(await pipeline.map({ n: [1e6, 2e6] }, { mapOver: "n", engine }));
 * ```
 */
export class ParallelExecutor implements Executor, AsyncDisposable {
  /** Always `"parallel"`. */
  readonly name: "parallel" = "parallel";
  /** How many tasks the engine keeps in flight (one per worker). */
  readonly concurrency: number;
  readonly #workers: number;
  readonly #maxChunk: number;
  readonly #dispatcher: Dispatcher;

  /**
   * @param options Pool size and chunk limit.
   * @throws {RangeError} When `workers` is not a positive integer.
   * @throws {ExecutorError} Inside a worker (nested pools are refused).
   */
  constructor(options: ParallelExecutorOptions = {}) {
    this.#workers = options.workers ?? navigator.hardwareConcurrency;
    this.#maxChunk = options.maxChunk ?? 1024;
    this.concurrency = this.#workers;
    this.#dispatcher = new Dispatcher({
      name: this.name,
      size: this.#workers,
      maxInFlightPerWorker: 2,
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

  /**
   * Runs the items of a map in chunks, reporting each item as its chunk returns.
   *
   * @param tasks Item tasks.
   * @param options Signal and `onSettled`.
   */
  async executeAll<R>(tasks: readonly Task<R>[], options: ExecuteAllOptions<R>): Promise<void> {
    const { signal, onSettled } = options;
    if (signal?.aborted) throw signal.reason;
    const size = Math.min(
      this.#maxChunk,
      Math.max(1, Math.ceil(tasks.length / (this.#workers * 4))),
    );
    const calls: Promise<void>[] = [];
    for (let from = 0; from < tasks.length; from += size) {
      const chunk = tasks.slice(from, from + size);
      if (chunk[0].spec.kind !== "item") {
        // Not map items: run them one by one.
        chunk.forEach((t, k) =>
          calls.push(
            this.execute(t, { signal }).then(
              (value) => onSettled(from + k, { ok: true, value }),
              (error) => onSettled(from + k, { ok: false, error }),
            ),
          )
        );
        continue;
      }
      calls.push(this.#dispatcher.runItems(chunk, (k, r) => onSettled(from + k, r), signal));
    }
    await Promise.all(calls);
  }

  /** Terminates the workers. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#dispatcher.close();
  }
}
