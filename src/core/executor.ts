/**
 * The executor contract. An engine hands executors *tasks*: a plain-data
 * description of the work (`spec`: which pipeline, which node or map item, with
 * which inputs) plus `run()`, which does that work on the calling thread.
 * Local executors call `run()`; Worker executors ship `spec` to a worker, which
 * finds the same pipeline by reference and runs it there.
 *
 * @module
 */

import type { Cache } from "./cache.ts";
import type { CallbackHook } from "./callback.ts";
import type { AnyPipeline } from "./types.ts";

/** The executor aliases an engine accepts. */
export type ExecutorName = "sequential" | "async" | "threaded" | "parallel";

/**
 * Where a task's run sits in its top-level call: what the callback events of work done
 * elsewhere (in a worker) must carry to be the events the calling thread would emit.
 */
export interface RunInfo {
  /** Id of the top-level `run`/`map` call (`""` when no callback listens). */
  readonly runId: string;
  /** Nesting depth of the run the task belongs to. */
  readonly depth: number;
  /** Names from the top-level pipeline down to this run. */
  readonly path: readonly string[];
  /**
   * Map item indexes from the outermost map down to this run (see `BaseEvent.itemPath`): for a
   * node, those of the run it belongs to; for map items, those of the map, to which each item
   * adds its own index.
   */
  readonly itemPath: readonly number[];
}

/** One node of one pipeline run, as plain data. */
export interface NodeTaskSpec {
  /** Discriminant. */
  readonly kind: "node";
  /** The pipeline the node belongs to (found in workers by reference). */
  readonly pipeline: AnyPipeline;
  /** The node's name in that pipeline. */
  readonly node: string;
  /** The node's inputs, by input name. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The map item index when the run is part of a map. */
  readonly item?: number;
  /** The run the node belongs to (set by `HyperNodesEngine`). */
  readonly run?: RunInfo;
}

/** One map item (a whole pipeline run), as plain data. */
export interface ItemTaskSpec {
  /** Discriminant. */
  readonly kind: "item";
  /** The pipeline to run for the item. */
  readonly pipeline: AnyPipeline;
  /** The item's inputs (bound values and broadcast inputs merged in). */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The outputs requested, or `undefined` for all. */
  readonly outputs?: readonly string[];
  /** The item index. */
  readonly index: number;
  /** How the item's nodes execute where the item runs. */
  readonly nodeExecutor: ExecutorName;
  /** The run the map belongs to (set by `HyperNodesEngine`). */
  readonly run?: RunInfo;
  /** The engine's cache: an item run elsewhere must read and write its nodes' outputs here. */
  readonly cache?: Cache;
}

/**
 * The items of one map as plain data, for executors that run many items at once elsewhere
 * ({@linkcode Executor.executeItems}): inputs shared by every item travel once, the `mapOver`
 * values as one array per name, and no object is made per item unless asked for.
 *
 * @example An executor that takes whole maps and runs them in slices
 * ```ts
 * import { type Executor, HyperNodesEngine, node, Pipeline } from "@hn/core";
 * import type { ExecuteAllOptions, ItemBatch, Task } from "./executor.ts";
 * import assert from "node:assert/strict";
 *
 * const slices: string[] = [];
 * const sliced: Executor = {
 *   name: "sliced",
 *   concurrency: 1,
 *   execute: async <R>(task: Task<R>) => await task.run(),
 *   async executeItems<R>(batch: ItemBatch<R>, { onSettled }: ExecuteAllOptions<R>) {
 *     for (let from = 0; from < batch.count; from += 2) {
 *       const to = Math.min(batch.count, from + 2);
 *       slices.push(`${batch.names[0]}=${batch.columns(from, to)[0].join(",")}`);
 *       for (let p = from; p < to; p++) {
 *         // A Worker executor would send the slice; here each item runs on this thread.
 *         onSettled(p, { ok: true, value: await batch.task(p).run() });
 *       }
 *     }
 *   },
 * };
 * const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x * 2)] });
 * const engine = new HyperNodesEngine({ mapExecutor: sliced });
 * assert.deepEqual(await p.map({ x: [1, 2, 3] }, { mapOver: "x", engine }), [
 *   { y: 2 },
 *   { y: 4 },
 *   { y: 6 },
 * ]);
 * assert.deepEqual(slices, ["x=1,2", "x=3"]);
 * ```
 */
export interface ItemBatch<R = unknown> {
  /** The pipeline to run for each item. */
  readonly pipeline: AnyPipeline;
  /** The outputs requested, or `undefined` for all. */
  readonly outputs?: readonly string[];
  /** How each item's nodes execute where the item runs. */
  readonly nodeExecutor: ExecutorName;
  /** How many items. */
  readonly count: number;
  /** The item index of position 0 (positions run from 0 to `count - 1`). */
  readonly firstItem: number;
  /** Inputs every item shares, bound values included. */
  readonly broadcast: Readonly<Record<string, unknown>>;
  /** The `mapOver` names. */
  readonly names: readonly string[];
  /**
   * The `mapOver` values of positions `from` to `to - 1`, zipped: one array per name, so that
   * position `from + k` reads `names[j]` from `columns[j][k]` (product maps are expanded).
   */
  columns(from: number, to: number): unknown[][];
  /**
   * `"throw"`: the map fails with the first failing item, so an executor may stop and leave the
   * rest unreported once one item failed; `"collect"`: every item must be reported.
   */
  readonly errors: "throw" | "collect";
  /** The run the map belongs to. */
  readonly run: RunInfo;
  /** The engine's cache: items run elsewhere must read and write their nodes' outputs here. */
  readonly cache?: Cache;
  /** The item at `position` as a task, made on demand (to run it here or one by one). */
  task(position: number): Task<R>;
  /** Delivers callback events of items run elsewhere; absent when no callback listens. */
  readonly emit?: (hook: CallbackHook, event: object) => void;
}

/** What a task does, as plain data. */
export type TaskSpec = NodeTaskSpec | ItemTaskSpec;

/** A unit of work for an {@linkcode Executor}. */
export interface Task<R = unknown> {
  /** What to do, as plain data that can be sent to a worker. */
  readonly spec: TaskSpec;
  /** Does the work on the calling thread. */
  run(): R | Promise<R>;
  /**
   * Delivers callback events of work done elsewhere (in a worker) to the
   * engine's callbacks on this thread. Absent when no callback listens.
   */
  readonly emit?: (hook: CallbackHook, event: object) => void;
}

/** The outcome of one task in {@linkcode Executor.executeAll}. */
export type Settled<R> = { readonly ok: true; readonly value: R } | {
  readonly ok: false;
  readonly error: unknown;
};

/** Options of {@linkcode Executor.execute}. */
export interface ExecuteOptions {
  /** Rejects the task with `signal.reason` when aborted. */
  signal?: AbortSignal;
}

/** Options of {@linkcode Executor.executeAll}. */
export interface ExecuteAllOptions<R> extends ExecuteOptions {
  /** Called once per task as soon as it settles, with the task's index. */
  onSettled(index: number, result: Settled<R>): void;
}

/**
 * Decides where and how many tasks run at once.
 *
 * @example A custom executor that logs every task
 * ```ts
 * import { type Executor, HyperNodesEngine, node, Pipeline, type Task } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const ran: string[] = [];
 * const logging: Executor = {
 *   name: "logging",
 *   concurrency: 1,
 *   async execute<R>(task: Task<R>): Promise<R> {
 *     ran.push(task.spec.kind === "node" ? task.spec.node : `item ${task.spec.index}`);
 *     return await task.run();
 *   },
 * };
 * const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x * 2)] });
 * const engine = new HyperNodesEngine({ nodeExecutor: logging, mapExecutor: logging });
 * assert.deepEqual(await p.map({ x: [1, 2] }, { mapOver: "x", engine }), [{ y: 2 }, { y: 4 }]);
 * assert.deepEqual(ran, ["item 0", "y", "item 1", "y"]);
 * ```
 */
export interface Executor {
  /** A name for messages and logs. */
  readonly name: string;
  /** How many tasks the engine should keep in flight at most. */
  readonly concurrency: number;
  /** Runs one task. Rejects with `signal.reason` when aborted. */
  execute<R>(task: Task<R>, options?: ExecuteOptions): Promise<R>;
  /**
   * Runs many tasks (the items of a map) and reports each as it settles.
   * Optional: without it (and without `executeItems`) the engine calls
   * {@linkcode Executor.execute} with at most `concurrency` in flight.
   */
  executeAll?<R>(tasks: readonly Task<R>[], options: ExecuteAllOptions<R>): Promise<void>;
  /**
   * Runs the items of a map given as one {@linkcode ItemBatch} and reports each through
   * `onSettled` by position. Optional and preferred over `executeAll`: the engine then makes
   * no task per item. Resolve once every item sent somewhere has settled (or the signal
   * aborted); with `batch.errors === "throw"` the items after a failure may stay unreported.
   * Worker executors implement it to send items in chunks.
   */
  executeItems?<R>(batch: ItemBatch<R>, options: ExecuteAllOptions<R>): Promise<void>;
  /** Releases what the executor holds (worker pools). */
  [Symbol.asyncDispose]?(): Promise<void>;
}

/** Loads an executor for an alias the core does not implement itself. */
export type ExecutorLoader = (options: { concurrency?: number }) => Promise<Executor>;

const loaders = new Map<string, ExecutorLoader>();

/**
 * Registers how an executor alias is created, so that the core can resolve
 * `"threaded"` and `"parallel"` lazily without importing Worker code. The root
 * module registers the Worker executors; users rarely need this.
 *
 * @param name The alias.
 * @param loader Creates the executor (usually through a dynamic `import()`).
 *
 * @example
 * ```ts
 * import { registerExecutor, SequentialExecutor } from "@hn/core";
 * registerExecutor("mine", () => Promise.resolve(new SequentialExecutor()));
 * ```
 */
export function registerExecutor(name: string, loader: ExecutorLoader): void {
  loaders.set(name, loader);
}

/**
 * The loader registered for `name`, if any.
 *
 * @param name The alias.
 * @returns The loader or `undefined`.
 *
 * @example
 * ```ts
 * import { executorLoader } from "@hn/core";
 * console.assert(executorLoader("no-such-executor") === undefined);
 * ```
 */
export function executorLoader(name: string): ExecutorLoader | undefined {
  return loaders.get(name);
}
