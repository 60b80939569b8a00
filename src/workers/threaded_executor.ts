/**
 * `ThreadedExecutor`: tasks run in a pool of workers sized for concurrency.
 *
 * @module
 */

import { WorkerExecutor } from "./worker_executor.ts";

/** Options of {@linkcode ThreadedExecutor}. */
export interface ThreadedExecutorOptions {
  /**
   * How many tasks are in flight at once, over all workers. For work that blocks its thread
   * (`Atomics.wait`, synchronous I/O), this is how many items wait at once: raise it for
   * many blocking items.
   * @default Math.min(32, navigator.hardwareConcurrency + 4)
   */
  concurrency?: number;
  /**
   * How many workers the pool may start; each gets `ceil(concurrency / workers)` tasks at once.
   * @default concurrency
   */
  workers?: number;
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
 * Runs each task (a node, or map items) in a worker of a lazy pool, with up to `concurrency`
 * messages in flight: for blocking or mixed work that must leave the main thread. Map items
 * travel like the {@linkcode ParallelExecutor}'s (chunks sized from their measured time, so
 * slow items go one per message and trivial ones in bulk). Nodes reach workers by reference,
 * so define them at module top level (or give them a unique `name`) and guard top-level run
 * code with `if (import.meta.main)`.
 *
 * The default concurrency is Python's `ThreadPoolExecutor` default, `min(32, cores + 4)`: the
 * pool cannot tell a worker blocked on I/O from one computing, and more workers than that would
 * oversubscribe the cores for CPU work. Items that block (50 ms each, say) finish
 * `concurrency` at a time, so pass a higher `concurrency` for many blocking items.
 *
 * @example Blocking items off the main thread
 * ```ts ignore
 * import { HyperNodesEngine } from "@hn/core";
 * import { ThreadedExecutor } from "./threaded_executor.ts";
 * import { pipeline } from "./my_pipeline.ts"; // nodes defined at top level
 *
 * await using engine = new HyperNodesEngine({ mapExecutor: new ThreadedExecutor({ concurrency: 32 }) });
 * console.log(await pipeline.map({ x: [1, 2, 3] }, { mapOver: "x", engine }));
 * ```
 */
export class ThreadedExecutor extends WorkerExecutor {
  /** Always `"threaded"`. */
  override readonly name: "threaded" = "threaded";

  /**
   * @param options Concurrency, pool size and retries.
   * @throws {RangeError} When a size is not a positive integer, or `retries` is not an
   * integer ≥ 0.
   * @throws {ExecutorError} Inside a worker (nested pools are refused).
   */
  constructor(options: ThreadedExecutorOptions = {}) {
    const concurrency = options.concurrency ?? Math.min(32, navigator.hardwareConcurrency + 4);
    const workers = options.workers ?? concurrency;
    super({
      name: "threaded",
      size: workers,
      maxInFlightPerWorker: Math.max(1, Math.ceil(concurrency / workers)),
      retries: options.retries ?? 0,
      concurrency,
      // `concurrency` messages at a time, each item reported as its message returns.
      inFlight: concurrency,
      maxChunk: 16_384,
    });
  }
}
