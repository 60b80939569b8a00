/**
 * `WorkerExecutor`: what the Worker executors share — a lazy pool behind a dispatcher, node
 * tasks one per message, map items in chunks.
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
import { type Chunking, Dispatcher } from "./_dispatch.ts";

/** What a {@linkcode WorkerExecutor} subclass decides: its pool and how its maps travel. */
export interface WorkerExecutorSetup {
  /** The executor's name (pool and worker names). */
  readonly name: string;
  /** How many workers. */
  readonly size: number;
  /** How many calls per worker at once. */
  readonly maxInFlightPerWorker: number;
  /** How many times a call whose worker died is retried. */
  readonly retries: number;
  /** How many tasks the engine keeps in flight. */
  readonly concurrency: number;
  /** Map messages in flight at once. */
  readonly inFlight: number;
  /** The most map items per message. */
  readonly maxChunk: number;
}

/**
 * The base of {@linkcode ThreadedExecutor} and {@linkcode ParallelExecutor}: tasks run in a
 * lazy pool of workers (started on first use, idle workers never keep the process alive,
 * closed by `await using` or `[Symbol.asyncDispose]()`). Subclasses choose the pool size,
 * calls per worker and chunking.
 *
 * @example Every Worker executor is one
 * ```ts
 * import { ParallelExecutor } from "./parallel_executor.ts";
 * import { WorkerExecutor } from "./worker_executor.ts";
 * await using executor = new ParallelExecutor({ workers: 1 });
 * console.assert(executor instanceof WorkerExecutor && executor.started === 0);
 * ```
 */
export abstract class WorkerExecutor implements Executor, AsyncDisposable {
  /** The alias of the executor (`"threaded"`, `"parallel"`). */
  abstract readonly name: string;
  /** How many tasks the engine keeps in flight. */
  readonly concurrency: number;
  readonly #dispatcher: Dispatcher;
  readonly #chunking: Chunking;

  /**
   * @param setup The pool, concurrency and chunking.
   * @throws {RangeError} When a size is not a positive integer, or `retries` is not an
   * integer ≥ 0.
   * @throws {ExecutorError} Inside a worker (nested pools are refused).
   */
  protected constructor(setup: WorkerExecutorSetup) {
    this.concurrency = setup.concurrency;
    this.#chunking = { inFlight: setup.inFlight, maxChunk: setup.maxChunk };
    this.#dispatcher = new Dispatcher({
      name: setup.name,
      size: setup.size,
      maxInFlightPerWorker: setup.maxInFlightPerWorker,
      retries: setup.retries,
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
    return this.#dispatcher.runItems(batch, options.onSettled, this.#chunking, options.signal);
  }

  /** Terminates the workers. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#dispatcher.close();
  }
}
