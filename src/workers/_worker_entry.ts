/**
 * The worker script of the Worker executors. It rebuilds pipelines from their descriptions
 * (importing the modules that define their nodes) and runs map items or single nodes with a
 * worker-local {@linkcode HyperNodesEngine}. Callback events are forwarded to the main thread
 * through the worker channel as `{ call, hook, event }`.
 *
 * @module
 */

import { type Callback, type CallbackHook, callbackHooks } from "../core/callback.ts";
import type { ParentRun } from "../core/engine.ts";
import { ExecutorError } from "../core/errors.ts";
import type { ExecutorName } from "../core/executor.ts";
import { HyperNodesEngine } from "../core/hypernodes_engine.ts";
import type { GraphNode, Node } from "../core/node.ts";
import { Pipeline } from "../core/pipeline.ts";
import { describeType, serializeError } from "./_errors.ts";
import { type PipelineDescription, rebuildPipeline, recordNodes } from "./_registry.ts";
import { serveWorker } from "./_spawn.ts";

// Before any pipeline module is imported, so that every node() call is seen.
recordNodes();

/** Per-call context the main thread sends along. */
export interface CallContext {
  /** Identifies the call, so that its events reach the right tasks. */
  readonly call: number;
  /** Whether to forward callback events. */
  readonly events: boolean;
  /** The run id, depth and path events should carry. */
  readonly runId: string;
  /** Depth of the run the task belongs to. */
  readonly depth: number;
  /** Names from the top-level pipeline down. */
  readonly path: readonly string[];
}

/** One map item sent to a worker. */
export interface ItemInput {
  /** The item's index in its map. */
  readonly index: number;
  /** The item's inputs. */
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** The outcome of one item: its outputs, or its error as plain data. */
export type ItemResult = { readonly ok: true; readonly value: Record<string, unknown> } | {
  readonly ok: false;
  readonly error: unknown;
};

const HOOKS = callbackHooks;

const channel = serveWorker({ runItems, runNode });

const engines = new Map<string, HyperNodesEngine>();
function engineFor(nodeExecutor: ExecutorName): HyperNodesEngine {
  // Worker executors inside a worker would start pools in workers: their nodes run async here.
  const local = nodeExecutor === "sequential" ? "sequential" : "async";
  let engine = engines.get(local);
  if (!engine) {
    engine = new HyperNodesEngine({ nodeExecutor: local, mapExecutor: local });
    engines.set(local, engine);
  }
  return engine;
}

/**
 * A callback that posts every event to the main thread, except the run-level events of the
 * worker-side run itself (at `depth`), which only exist because the work was shipped.
 */
function forwarder(ctx: CallContext, hooks: readonly CallbackHook[]): Callback {
  const cb: Record<string, unknown> = { name: "worker-forwarder" };
  for (const hook of HOOKS) {
    cb[hook] = (event: Record<string, unknown>) => {
      if (hooks.includes(hook) && event.depth === ctx.depth) return;
      const data = "error" in event ? { ...event, error: serializeError(event.error) } : event;
      try {
        channel.post({ call: ctx.call, hook, event: data });
      } catch {
        // An event with a value that cannot be cloned is dropped rather than failing the run.
      }
    };
  }
  return cb as Callback;
}

function parentRun(
  ctx: CallContext,
  item: number | undefined,
  cb: Callback | undefined,
): ParentRun {
  return {
    runId: ctx.runId,
    depth: ctx.depth,
    path: ctx.path,
    item,
    callbacks: cb ? [cb] : [],
    context: { runId: ctx.runId, data: new Map() },
  };
}

function uncloneable(value: unknown): boolean {
  const t = typeof value;
  return t === "function" || t === "symbol" || value instanceof Promise;
}

function checkOutputs(pipeline: Pipeline, out: Record<string, unknown>, item?: number): void {
  for (const key in out) {
    if (!uncloneable(out[key])) continue;
    const producer = pipeline.graph.producer.get(key)?.name ?? key;
    throw new ExecutorError(
      `Cannot return output "${key}" of node "${producer}" of pipeline "${pipeline.name}"${
        item === undefined ? "" : ` for item ${item}`
      } from a worker as it is a ${describeType(out[key])}, which cannot be cloned: ` +
        "return plain data (no functions, symbols or promises)",
      { pipeline: pipeline.name, node: producer, item },
    );
  }
}

/**
 * Runs map items of a pipeline; each item settles on its own.
 *
 * @param desc The pipeline's description.
 * @param items The items' indexes and inputs.
 * @param outputs The requested outputs, or `undefined` for all.
 * @param nodeExecutor How each item's nodes run.
 * @param ctx The call's context.
 * @returns One result per item, in order.
 */
async function runItems(
  desc: PipelineDescription,
  items: readonly ItemInput[],
  outputs: readonly string[] | undefined,
  nodeExecutor: ExecutorName,
  ctx: CallContext,
): Promise<ItemResult[]> {
  const pipeline = await rebuildPipeline(desc);
  const engine = engineFor(nodeExecutor);
  const cb = ctx.events ? forwarder(ctx, ["onPipelineStart", "onPipelineEnd"]) : undefined;
  const one = async (item: ItemInput): Promise<ItemResult> => {
    const start = performance.timeOrigin + performance.now();
    const base = { runId: ctx.runId, pipeline: desc.name, depth: ctx.depth, path: ctx.path };
    cb?.onMapItemStart?.({ ...base, item: item.index, time: start } as never, {} as never);
    try {
      const value = await engine.run(pipeline, item.inputs, {
        outputs,
        parent: parentRun(ctx, item.index, cb),
      });
      checkOutputs(pipeline, value, item.index);
      const end = performance.timeOrigin + performance.now();
      cb?.onMapItemEnd?.(
        { ...base, item: item.index, time: end, duration: end - start, cached: false } as never,
        {} as never,
      );
      return { ok: true, value };
    } catch (error) {
      const end = performance.timeOrigin + performance.now();
      const event = { ...base, item: item.index, time: end, duration: end - start, error };
      cb?.onMapItemEnd?.({ ...event, cached: false } as never, {} as never);
      return { ok: false, error: serializeError(error) };
    }
  };
  if (nodeExecutor !== "sequential") return await Promise.all(items.map(one));
  const results: ItemResult[] = [];
  for (const item of items) results.push(await one(item));
  return results;
}

const singles = new Map<string, Pipeline>();

/**
 * Runs one node of a pipeline with the given inputs.
 *
 * @param desc The pipeline's description.
 * @param nodeName The node's name.
 * @param inputs The node's inputs.
 * @param item The map item index, if any.
 * @param ctx The call's context.
 * @returns What a local run of the node returns (outputs by name for several outputs).
 */
async function runNode(
  desc: PipelineDescription,
  nodeName: string,
  inputs: Readonly<Record<string, unknown>>,
  item: number | undefined,
  ctx: CallContext,
): Promise<unknown> {
  const key = `${desc.id}\0${nodeName}`;
  let single = singles.get(key);
  if (!single) {
    const pipeline = await rebuildPipeline(desc);
    const node = pipeline.nodes.find((n) => n.name === nodeName);
    if (!node) {
      throw new ExecutorError(
        `Cannot run node "${nodeName}" in a worker as pipeline "${desc.name}" has no such node`,
        { pipeline: desc.name, node: nodeName },
      );
    }
    single = new Pipeline({ nodes: [node as GraphNode], name: desc.name } as never);
    singles.set(key, single);
  }
  const node = single.nodes[0];
  const cb = ctx.events ? forwarder(ctx, ["onPipelineStart", "onPipelineEnd"]) : undefined;
  const out = await engineFor("async").run(single, inputs, { parent: parentRun(ctx, item, cb) });
  checkOutputs(single, out, item);
  if (node.kind === "node" && !(node as Node).multiOutput) return out[node.outputs[0]];
  return out;
}

/** The API this worker serves (for the main side's typed pool). */
export type WorkerEntryApi = { runItems: typeof runItems; runNode: typeof runNode };
