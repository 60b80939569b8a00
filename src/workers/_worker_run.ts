/**
 * The part of the Worker executors' worker script that runs pipelines, loaded by
 * `_worker_entry.ts` right after the worker reported ready. It rebuilds pipelines from their
 * descriptions (importing the modules that define their nodes) and runs a chunk of map items
 * as one map, or a single node, on a worker-local {@linkcode HyperNodesEngine}, with the run
 * id, depth, path and item path of the main-thread run, so that forwarded events are the ones
 * the sequential engine emits.
 *
 * @module
 */

import { transfer } from "comlink/dist/esm/comlink.mjs";
import type { Cache } from "../core/cache.ts";
import type { ParentRun } from "../core/engine.ts";
import { ExecutorError } from "../core/errors.ts";
import type { ExecutorName } from "../core/executor.ts";
import { HyperNodesEngine } from "../core/hypernodes_engine.ts";
import type { GraphNode, Node } from "../core/node.ts";
import { Pipeline } from "../core/pipeline.ts";
import { ChannelCache, receiveCacheReply } from "./_channel_cache.ts";
import { pack } from "./_columns.ts";
import { describeType, serializeError } from "./_errors.ts";
import { EventSink } from "./_event_sink.ts";
import type {
  CacheReply,
  CallContext,
  ChunkInput,
  ChunkResult,
  WorkerMessage,
} from "./_protocol.ts";
import { type PipelineDescription, rebuildPipeline, recordNodes } from "./_registry.ts";
import { flushCompileCache, type WorkerChannel } from "./_serve.ts";

// Before any pipeline module is imported, so that every node() call is seen.
recordNodes();

let post: (message: WorkerMessage) => void = () => {};

/**
 * Wires this module to the worker's channel (events and cache requests out); the worker
 * script hands it the cache replies ({@linkcode receive}).
 *
 * @param channel The channel `serveWorker` returned.
 */
export function connect(channel: WorkerChannel): void {
  post = (message) => channel.post(message);
}

/**
 * Takes a message the main thread sent to this worker's calls (a cache reply).
 *
 * @param data The message.
 */
export function receive(data: unknown): void {
  receiveCacheReply(data as CacheReply);
}

const loaded = new Set<number>();

/** The pipeline of `desc`; the first time, its modules are imported (and cached by Node). */
async function pipelineOf(desc: PipelineDescription): Promise<Pipeline> {
  const pipeline = await rebuildPipeline(desc);
  if (!loaded.has(desc.id)) {
    loaded.add(desc.id);
    flushCompileCache();
  }
  return pipeline;
}

const engines = new Map<string, HyperNodesEngine>();

/**
 * The worker-local engine. Worker executors inside a worker would start pools in workers, so
 * nodes run async here. Items overlap when nodes are async, and when a cache is used so that
 * the lookups of many items travel to the main thread together.
 */
function engineFor(nodeExecutor: ExecutorName, overlap: boolean): HyperNodesEngine {
  const node = nodeExecutor === "sequential" ? "sequential" : "async";
  const map = node === "async" || overlap ? "async" : "sequential";
  const key = `${node}/${map}`;
  let engine = engines.get(key);
  if (!engine) {
    engines.set(key, engine = new HyperNodesEngine({ nodeExecutor: node, mapExecutor: map }));
  }
  return engine;
}

/**
 * The main-thread run a call belongs to, for the worker-side engine: events of the call's work
 * then carry the run id, depth, path and item path the main thread would give them.
 */
function parentRun(
  ctx: CallContext,
  item: number | undefined,
  sink?: EventSink,
  cache?: Cache,
): ParentRun {
  return {
    runId: ctx.runId,
    depth: ctx.depth,
    path: ctx.path,
    item,
    itemPath: ctx.itemPath,
    callbacks: sink ? [sink.callback] : [],
    context: { runId: ctx.runId, data: new Map() },
    cache,
  };
}

function uncloneable(value: unknown): boolean {
  const t = typeof value;
  return t === "function" || t === "symbol" || (t === "object" && value instanceof Promise);
}

function outputError(pipeline: Pipeline, key: string, value: unknown, item?: number) {
  const producer = pipeline.graph.producer.get(key)?.name ?? key;
  return new ExecutorError(
    `Cannot return output "${key}" of node "${producer}" of pipeline "${pipeline.name}"${
      item === undefined ? "" : ` for item ${item}`
    } from a worker as it is a ${describeType(value)}, which cannot be cloned: ` +
      "return plain data (no functions, symbols or promises)",
    { pipeline: pipeline.name, node: producer, item },
  );
}

/**
 * Turns one output object per item into one array per output (numbers packed, their buffers
 * transferred), and errors by position.
 */
function toColumns(
  pipeline: Pipeline,
  chunk: ChunkInput,
  rows: readonly unknown[],
  elapsed: number,
): ChunkResult {
  const outputs = pipeline.plan(chunk.outputs).outputs;
  const columns = outputs.map(() => new Array(rows.length));
  const errors: [number, unknown][] = [];
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k] as Record<string, unknown>;
    if (row instanceof Error) {
      errors.push([k, serializeError(row)]);
      continue;
    }
    for (let o = 0; o < outputs.length; o++) {
      const value = row[outputs[o]];
      if (uncloneable(value)) {
        errors.push([k, serializeError(outputError(pipeline, outputs[o], value, chunk.first + k))]);
        for (const column of columns) column[k] = undefined;
        break;
      }
      columns[o][k] = value;
    }
  }
  const packed = errors.length === 0 ? columns.map(pack) : columns;
  const buffers = packed.flatMap((c) => ArrayBuffer.isView(c) ? [c.buffer as ArrayBuffer] : []);
  return transfer({ elapsed, outputs, columns: packed, errors }, buffers);
}

/**
 * Runs a chunk of map items as one map.
 *
 * @param desc The pipeline's description.
 * @param chunk The items.
 * @param broadcast The inputs the items share (`chunk.broadcast`, or kept from an earlier chunk).
 * @param ctx The call's context.
 * @param signal Aborted when the main thread cancels the call.
 * @returns The items' outputs as columns and their errors, or the first failure.
 */
export async function runChunk(
  desc: PipelineDescription,
  chunk: ChunkInput,
  broadcast: Readonly<Record<string, unknown>>,
  ctx: CallContext,
  signal: AbortSignal,
): Promise<ChunkResult> {
  const sink = ctx.events
    ? new EventSink(post, ctx.call, ctx.depth, ["onMapStart", "onMapEnd"])
    : undefined;
  const cache = ctx.cache ? new ChannelCache(post, ctx.call) : undefined;
  let start = performance.now();
  try {
    const pipeline = await pipelineOf(desc);
    const inputs: Record<string, unknown> = { ...broadcast };
    for (let j = 0; j < chunk.names.length; j++) inputs[chunk.names[j]] = chunk.columns[j];
    start = performance.now();
    const rows = await engineFor(chunk.nodeExecutor, cache !== undefined).map(pipeline, inputs, {
      mapOver: chunk.names,
      outputs: chunk.outputs,
      errors: chunk.errors,
      firstItem: chunk.first,
      signal,
      // The map's own item path (its items add their indexes) ends with the item it runs in.
      parent: parentRun(ctx, ctx.itemPath.at(-1), sink, cache),
    });
    return toColumns(pipeline, chunk, rows, performance.now() - start);
  } catch (error) {
    const elapsed = performance.now() - start;
    return { elapsed, outputs: [], columns: [], errors: [], failed: serializeError(error) };
  } finally {
    cache?.flush();
    sink?.flush();
  }
}

const singles = new Map<string, Pipeline>();

async function single(desc: PipelineDescription, nodeName: string): Promise<Pipeline> {
  const key = `${desc.id}\0${nodeName}`;
  let found = singles.get(key);
  if (found) return found;
  const pipeline = await pipelineOf(desc);
  const node = pipeline.nodes.find((n) => n.name === nodeName);
  if (!node) {
    throw new ExecutorError(
      `Cannot run node "${nodeName}" in a worker as pipeline "${desc.name}" has no such node`,
      { pipeline: desc.name, node: nodeName },
    );
  }
  found = new Pipeline({ nodes: [node as GraphNode], name: desc.name } as never);
  singles.set(key, found);
  return found;
}

/**
 * Runs one node of a pipeline with the given inputs.
 *
 * @param desc The pipeline's description.
 * @param nodeName The node's name.
 * @param inputs The node's inputs.
 * @param item The map item index, if any.
 * @param ctx The call's context.
 * @param signal Aborted when the main thread cancels the call.
 * @returns What a local run of the node returns (outputs by name for several outputs).
 */
export async function runNode(
  desc: PipelineDescription,
  nodeName: string,
  inputs: Readonly<Record<string, unknown>>,
  item: number | undefined,
  ctx: CallContext,
  signal: AbortSignal,
): Promise<unknown> {
  const pipeline = await single(desc, nodeName);
  const node = pipeline.nodes[0];
  const sink = ctx.events
    ? new EventSink(post, ctx.call, ctx.depth, ["onPipelineStart", "onPipelineEnd"])
    : undefined;
  try {
    const out = await engineFor("async", false).run(pipeline, inputs, {
      signal,
      parent: parentRun(ctx, item, sink),
    });
    for (const key in out) {
      if (uncloneable(out[key])) throw outputError(pipeline, key, out[key], item);
    }
    if (node.kind === "node" && !(node as Node).multiOutput) return out[node.outputs[0]];
    return out;
  } finally {
    sink?.flush();
  }
}
