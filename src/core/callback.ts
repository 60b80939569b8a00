/**
 * The callback contract: hooks an engine calls while it runs a pipeline, each
 * with a plain event object, plus a context shared by a whole top-level call
 * (nested pipelines and map items included).
 *
 * Ordering: `onPipelineStart` → (`onNodeStart` → `onNodeEnd` | `onNodeCached`)* →
 * `onPipelineEnd`; for `map`: `onMapStart` → (`onMapItemStart` → the item's
 * node events (with `item` set) → `onMapItemEnd`, or `onMapItemCached` when
 * every node of the item was a cache hit)* → `onMapEnd`. A nested pipeline
 * node fires `onNestedPipelineStart` → the inner pipeline's events (depth + 1,
 * path extended by the node name) → `onNestedPipelineEnd` instead of node events.
 * End events fire on error too, with `error` set (`onNodeError` fires before
 * `onNodeEnd`). Events are plain data so they can cross a Worker boundary.
 *
 * Where an event happens is `runId` + `depth` + `path` (which nested pipeline) + `itemPath`
 * (which map item at every map level), plus `node` for node events: together they are unique
 * among the work in flight, so callbacks can key and parent what they track on them even when
 * map items overlap.
 *
 * @module
 */

/**
 * Fields every event carries.
 *
 * @example Item paths of a map nested in map items
 * ```ts
 * import { type Callback, HyperNodesEngine, node, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const spy: Callback = {
 *   onNodeEnd: (e) => void seen.push(`${e.node} item ${e.item} at [${e.itemPath}]`),
 * };
 * const square = new Pipeline({
 *   nodes: [node({ output: "sq" }, ({ y }: { y: number }) => y * y)],
 *   name: "square",
 * });
 * const row = new Pipeline({
 *   nodes: [square.asNode({ name: "each", inputMapping: { ys: "y" }, mapOver: "ys" })],
 *   name: "row",
 * });
 * const engine = new HyperNodesEngine({ callbacks: [spy] });
 * await row.map({ ys: [[1, 2], [3]] }, { mapOver: "ys", engine });
 * assert.deepEqual(seen, ["sq item 0 at [0,0]", "sq item 1 at [0,1]", "sq item 0 at [1,0]"]);
 * ```
 */
export interface BaseEvent {
  /** Id of the top-level `run`/`map` call this event belongs to. */
  readonly runId: string;
  /** Name of the pipeline the event is about. */
  readonly pipeline: string;
  /** Nesting depth: 0 for the top-level pipeline. */
  readonly depth: number;
  /** Names from the top-level pipeline down to this one (nested node names in between). */
  readonly path: readonly string[];
  /**
   * Map item index when the event happens inside a map item: the innermost one, so inner items
   * of different outer items share it. Equal to the last element of `itemPath`.
   */
  readonly item?: number;
  /**
   * The map item index at every enclosing map level, from the outermost map down (`[]` outside
   * maps): `[2]` inside item 2 of a map, `[2, 0]` inside item 0 of a map nested in item 2.
   * Unlike `item` it tells apart the inner items of concurrent outer items, and it is the same
   * whether items run inline, async or in workers. A map's own start and end events carry the
   * path of the item the map runs in; its item events add their index.
   */
  readonly itemPath: readonly number[];
  /** When it happened, in milliseconds (`performance.timeOrigin + performance.now()`). */
  readonly time: number;
}

/** A pipeline run started. */
export interface PipelineStartEvent extends BaseEvent {
  /** The names of the given inputs. */
  readonly inputs: readonly string[];
}

/** A pipeline run ended (also on error). */
export interface PipelineEndEvent extends BaseEvent {
  /** Milliseconds since the matching start event. */
  readonly duration: number;
  /** The error the run failed with, if it did. */
  readonly error?: unknown;
}

/** A node started. */
export interface NodeStartEvent extends BaseEvent {
  /** The node's name. */
  readonly node: string;
}

/** A node ended (also on error); `cached` is true when its outputs came from the cache. */
export interface NodeEndEvent extends NodeStartEvent {
  /** Milliseconds since the matching start event. */
  readonly duration: number;
  /** Whether the outputs came from the cache. */
  readonly cached: boolean;
  /** The error the node failed with, if it did. */
  readonly error?: unknown;
}

/** A node's outputs came from the cache. */
export interface NodeCachedEvent extends NodeStartEvent {
  /** The cache signature that was hit. */
  readonly signature: string;
}

/** A node failed. */
export interface NodeErrorEvent extends NodeStartEvent {
  /** What it threw. */
  readonly error: unknown;
}

/** A nested pipeline (a pipeline used as a node) started. */
export interface NestedPipelineStartEvent extends NodeStartEvent {
  /** The inner pipeline's name. */
  readonly inner: string;
}

/** A nested pipeline ended (also on error). */
export interface NestedPipelineEndEvent extends NestedPipelineStartEvent {
  /** Milliseconds since the matching start event. */
  readonly duration: number;
  /** The error it failed with, if it did. */
  readonly error?: unknown;
}

/** A map started. */
export interface MapStartEvent extends BaseEvent {
  /** How many items will run. */
  readonly items: number;
}

/** A map item started. */
export interface MapItemStartEvent extends BaseEvent {
  /** The item index. */
  readonly item: number;
}

/** A map item ended (also on error). */
export interface MapItemEndEvent extends MapItemStartEvent {
  /** Milliseconds since the matching start event. */
  readonly duration: number;
  /** Whether every output of the item came from the cache. */
  readonly cached: boolean;
  /** The error it failed with, if it did. */
  readonly error?: unknown;
}

/** A map item's outputs all came from the cache. */
export interface MapItemCachedEvent extends MapItemStartEvent {}

/** A map ended (also on error). */
export interface MapEndEvent extends MapStartEvent {
  /** Milliseconds since the matching start event. */
  readonly duration: number;
  /** The error it failed with, if it did. */
  readonly error?: unknown;
}

/** State shared by all hooks of one top-level call, nested pipelines included. */
export interface CallbackContext {
  /** Id of the top-level call. */
  readonly runId: string;
  /** Free storage for callbacks (keyed by the callback's own names). */
  readonly data: Map<string, unknown>;
}

/**
 * Hooks an engine calls while it runs. Implement any subset.
 *
 * @example Counting node runs
 * ```ts
 * import { type Callback, HyperNodesEngine, node, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const spy: Callback = { name: "spy", onNodeEnd: (e) => void seen.push(e.node) };
 * const p = new Pipeline({
 *   nodes: [node({ output: "y" }, ({ x }: { x: number }) => x + 1)],
 *   engine: new HyperNodesEngine({ callbacks: [spy] }),
 * });
 * await p.run({ x: 1 });
 * assert.deepEqual(seen, ["y"]);
 * ```
 */
export interface Callback {
  /** A name for messages and logs. */
  readonly name?: string;
  /** A pipeline run started. */
  onPipelineStart?(event: PipelineStartEvent, context: CallbackContext): void;
  /** A pipeline run ended. */
  onPipelineEnd?(event: PipelineEndEvent, context: CallbackContext): void;
  /** A node started. */
  onNodeStart?(event: NodeStartEvent, context: CallbackContext): void;
  /** A node ended. */
  onNodeEnd?(event: NodeEndEvent, context: CallbackContext): void;
  /** A node's outputs came from the cache. */
  onNodeCached?(event: NodeCachedEvent, context: CallbackContext): void;
  /** A node failed. */
  onNodeError?(event: NodeErrorEvent, context: CallbackContext): void;
  /** A nested pipeline started. */
  onNestedPipelineStart?(event: NestedPipelineStartEvent, context: CallbackContext): void;
  /** A nested pipeline ended. */
  onNestedPipelineEnd?(event: NestedPipelineEndEvent, context: CallbackContext): void;
  /** A map started. */
  onMapStart?(event: MapStartEvent, context: CallbackContext): void;
  /** A map item started. */
  onMapItemStart?(event: MapItemStartEvent, context: CallbackContext): void;
  /** A map item ended. */
  onMapItemEnd?(event: MapItemEndEvent, context: CallbackContext): void;
  /** A map item came wholly from the cache. */
  onMapItemCached?(event: MapItemCachedEvent, context: CallbackContext): void;
  /** A map ended. */
  onMapEnd?(event: MapEndEvent, context: CallbackContext): void;
}

/** The name of every hook of {@linkcode Callback}. */
export type CallbackHook = Exclude<keyof Callback, "name">;

/**
 * Every hook name of {@linkcode Callback}, in the order of a run's life; for
 * code that forwards or records all events (Worker bridges, SSE, tests).
 *
 * @example Forward every hook to one function
 * ```ts
 * import { type Callback, callbackHooks } from "@hn/core";
 * const forward: Callback = Object.fromEntries(
 *   callbackHooks.map((hook) => [hook, (event: object) => console.debug(hook, event)]),
 * );
 * console.assert(Object.keys(forward).length === callbackHooks.length);
 * ```
 */
export const callbackHooks: readonly CallbackHook[] = Object.freeze([
  "onPipelineStart",
  "onPipelineEnd",
  "onNodeStart",
  "onNodeEnd",
  "onNodeCached",
  "onNodeError",
  "onNestedPipelineStart",
  "onNestedPipelineEnd",
  "onMapStart",
  "onMapItemStart",
  "onMapItemEnd",
  "onMapItemCached",
  "onMapEnd",
]);
