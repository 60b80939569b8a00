/**
 * `ParallelExecutor`: map items run in chunks on one worker per core.
 *
 * @module
 */

import type {
  ExecuteAllOptions,
  ExecuteOptions,
  Executor,
  ItemBatch,
  Task,
} from "../core/executor.ts";
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
   * @default 16384
   */
  maxChunk?: number;
  /**
   * How many times work whose worker died (a crash, `process.exit`, an out-of-memory kill) is
   * sent again to a fresh worker. Errors thrown by nodes are never retried. Keep 0 when nodes
   * have side effects that must not happen twice. The callback events the first attempt
   * sent before its worker died are not taken back: a retried item's events come again.
   * @default 0
   */
  retries?: number;
}

/**
 * Runs CPU-bound work on a pool of one worker per core. A map's items travel in chunks: the
 * inputs they share once per message, their `mapOver` values as one array per name, and each
 * chunk runs as one map in its worker. Chunks are sized from the measured time of the items
 * (about 8 ms of work per message, two messages in flight per worker, smaller ones at the end
 * so the workers finish together); single node tasks travel alone.
 *
 * A chunk whose worker dies fails its items with an `ExecutorError` naming them (or, with
 * `retries`, runs again on a fresh worker). Aborting a map asks the workers to stop between
 * items, and terminates a worker that does not within a short grace period.
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
   * @param options Pool size, chunk limit and retries.
   * @throws {RangeError} When `workers` or `maxChunk` is not a positive integer, or `retries`
   * is not an integer ≥ 0.
   * @throws {ExecutorError} Inside a worker (nested pools are refused).
   */
  constructor(options: ParallelExecutorOptions = {}) {
    this.#workers = options.workers ?? navigator.hardwareConcurrency;
    this.#maxChunk = options.maxChunk ?? 16_384;
    if (!Number.isInteger(this.#maxChunk) || this.#maxChunk < 1) {
      throw new RangeError(
        `Cannot create parallel executor as maxChunk is ${this.#maxChunk}: use an integer ≥ 1`,
      );
    }
    this.concurrency = this.#workers;
    this.#dispatcher = new Dispatcher({
      name: this.name,
      size: this.#workers,
      maxInFlightPerWorker: 2,
      retries: options.retries ?? 0,
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
   * @param batch The map's items.
   * @param options Signal and `onSettled`.
   */
  executeItems<R>(batch: ItemBatch<R>, options: ExecuteAllOptions<R>): Promise<void> {
    return this.#dispatcher.runItems(batch, options.onSettled, {
      inFlight: this.#workers * 2,
      maxChunk: this.#maxChunk,
    }, options.signal);
  }

  /** Terminates the workers. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#dispatcher.close();
  }
}
