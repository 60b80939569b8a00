/**
 * `ParallelExecutor`: map items run in chunks on one worker per core.
 *
 * @module
 */

import { WorkerExecutor } from "./worker_executor.ts";

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
export class ParallelExecutor extends WorkerExecutor {
  /** Always `"parallel"`. */
  override readonly name: "parallel" = "parallel";

  /**
   * @param options Pool size, chunk limit and retries.
   * @throws {RangeError} When `workers` or `maxChunk` is not a positive integer, or `retries`
   * is not an integer ≥ 0.
   * @throws {ExecutorError} Inside a worker (nested pools are refused).
   */
  constructor(options: ParallelExecutorOptions = {}) {
    const workers = options.workers ?? navigator.hardwareConcurrency;
    const maxChunk = options.maxChunk ?? 16_384;
    if (!Number.isInteger(maxChunk) || maxChunk < 1) {
      throw new RangeError(
        `Cannot create parallel executor as maxChunk is ${maxChunk}: use an integer ≥ 1`,
      );
    }
    super({
      name: "parallel",
      size: workers,
      maxInFlightPerWorker: 2,
      retries: options.retries ?? 0,
      // One task per worker for the engine; two map messages in flight per worker.
      concurrency: workers,
      inFlight: workers * 2,
      maxChunk,
    });
  }
}
