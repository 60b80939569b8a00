/**
 * The engine contract: an engine runs pipeline definitions. It owns how work
 * executes (executors), what is reused (cache) and who is told (callbacks).
 *
 * @module
 */

import type { Cache } from "./cache.ts";
import type { Callback, CallbackContext } from "./callback.ts";
import type { MapMode } from "./pipeline_node.ts";
import type { AnyPipeline } from "./types.ts";

/** Options of `pipeline.run`. */
export interface RunOptions<K extends string = string> {
  /**
   * Compute only these outputs (and what they need) and return only them.
   * @default every output
   */
  outputs?: readonly K[];
  /**
   * The engine for this call.
   * @default the pipeline's engine, else the shared sequential HyperNodesEngine
   */
  engine?: Engine;
  /** Aborts the run: it rejects with `signal.reason` and starts no further node. */
  signal?: AbortSignal;
}

/** Options of `pipeline.map`. */
export interface MapOptions<M extends string = string, K extends string = string>
  extends RunOptions<K> {
  /** The input name(s) that hold one value per item. */
  mapOver: M | readonly M[];
  /**
   * `"zip"` pairs the i-th values of every `mapOver` input (equal lengths
   * required); `"product"` runs every combination, the first name outermost.
   * @default "zip"
   */
  mode?: MapMode;
  /**
   * `"throw"` rejects the map with the first failing item's error;
   * `"collect"` returns the error in that item's place and runs every item.
   * @default "throw"
   */
  errors?: "throw" | "collect";
}

/**
 * The run an engine call is nested in: set by an engine when it runs a nested
 * pipeline, so that callbacks, cache and cancellation flow into it.
 */
export interface ParentRun {
  /** Id of the top-level call. */
  readonly runId: string;
  /** Depth of the nested pipeline (the outer pipeline's depth + 1). */
  readonly depth: number;
  /** Names from the top-level pipeline down to the nested node. */
  readonly path: readonly string[];
  /** The outer map item index, if any. */
  readonly item?: number;
  /**
   * The item path of the outer run (see `BaseEvent.itemPath`), ending with `item`.
   * @default `[item]`, or `[]` when `item` is undefined
   */
  readonly itemPath?: readonly number[];
  /** The outer run's callbacks. */
  readonly callbacks: readonly Callback[];
  /** The outer run's callback context. */
  readonly context: CallbackContext;
  /** The outer run's cache, used when the nested pipeline's engine has none. */
  readonly cache?: Cache;
}

/** Options an engine's `run` receives. */
export interface EngineRunOptions extends RunOptions {
  /** Set when the run is a nested pipeline of another run. */
  parent?: ParentRun;
}

/** Options an engine's `map` receives. */
export interface EngineMapOptions extends MapOptions {
  /** Set when the map is a nested pipeline of another run. */
  parent?: ParentRun;
  /**
   * The index of the first item: events and errors number items from it. Set by executors
   * that run a slice of a larger map elsewhere (a Worker chunk), so that the slice's items
   * keep their indexes in the whole map.
   * @default 0
   */
  firstItem?: number;
}

/**
 * Runs pipelines. `HyperNodesEngine` is the default; a distributed engine
 * implements the same two methods.
 *
 * @example An engine that counts calls and delegates
 * ```ts
 * import { type Engine, HyperNodesEngine, node, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const inner = new HyperNodesEngine();
 * let calls = 0;
 * const counting: Engine = {
 *   name: "counting",
 *   run: (p, inputs, o) => (calls++, inner.run(p, inputs, o)),
 *   map: (p, inputs, o) => (calls++, inner.map(p, inputs, o)),
 * };
 * const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x)], engine: counting });
 * await p.run({ x: 1 });
 * assert.equal(calls, 1);
 * ```
 */
export interface Engine {
  /** A name for messages and logs. */
  readonly name: string;
  /** Runs `pipeline` once; resolves its outputs. */
  run(
    pipeline: AnyPipeline,
    inputs: Readonly<Record<string, unknown>>,
    options?: EngineRunOptions,
  ): Promise<Record<string, unknown>>;
  /** Runs `pipeline` once per item; resolves one output object (or error) per item. */
  map(
    pipeline: AnyPipeline,
    inputs: Readonly<Record<string, unknown>>,
    options: EngineMapOptions,
  ): Promise<unknown[]>;
}
