/**
 * The Worker executors: `ThreadedExecutor` (a pool sized for concurrency, for blocking or
 * mixed work) and `ParallelExecutor` (one worker per core, map items in chunks, for CPU work).
 * The root module registers them as the `"threaded"` and `"parallel"` aliases, loading this
 * module only when an engine first uses one.
 *
 * ```ts ignore
 * import { HyperNodesEngine } from "@hn/core";
 * await using engine = new HyperNodesEngine({ nodeExecutor: "async", mapExecutor: "parallel" });
 * ```
 *
 * @module
 */

export { WorkerExecutor } from "./worker_executor.ts";
export type { WorkerExecutorSetup } from "./worker_executor.ts";
export { ThreadedExecutor } from "./threaded_executor.ts";
export type { ThreadedExecutorOptions } from "./threaded_executor.ts";
export { ParallelExecutor } from "./parallel_executor.ts";
export type { ParallelExecutorOptions } from "./parallel_executor.ts";
