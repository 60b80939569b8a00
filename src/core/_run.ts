/**
 * The run loop: executes a plan's steps over a values object, inline when the
 * node executor is sequential (no promise unless a node returns one), else by
 * ready-set scheduling through the executor.
 */

import { isPromiseLike, raceAbort } from "./_abort.ts";
import type { Events } from "./_events.ts";
import { now } from "./_events.ts";
import type { Plan, Step } from "./_graph.ts";
import type { Engine, ParentRun } from "./engine.ts";
import { ExecutorError, NodeExecutionError } from "./errors.ts";
import type { Executor, Task } from "./executor.ts";
import type { GraphNode, Node } from "./node.ts";
import type { PipelineNode } from "./pipeline_node.ts";
import type { AnyPipeline } from "./types.ts";
import type { Cache } from "./cache.ts";
import { cachedEvent, signatureOf, storeResult } from "./_cached.ts";

/** Everything a run needs besides its plan and values. */
export interface RunContext {
  readonly engine: Engine;
  readonly pipeline: AnyPipeline;
  readonly executor: Executor;
  /** Whether nodes run inline (the executor is sequential). */
  readonly inline: boolean;
  readonly signal: AbortSignal | undefined;
  readonly events: Events | undefined;
  readonly runId: string;
  readonly depth: number;
  readonly path: readonly string[];
  readonly item: number | undefined;
  /**
   * Map item indexes from the outermost map down to `item` (`BaseEvent.itemPath`). Undefined
   * only in a map item's context when no callback listens, so that no array is made per item:
   * {@linkcode itemPathOf} builds it from `mapItemPath` when it is needed anyway.
   */
  readonly itemPath: readonly number[] | undefined;
  /** In a map item's context, the `itemPath` of its map; elsewhere `NO_ITEMS`. */
  readonly mapItemPath: readonly number[];
  /** The engine's cache (or the outer run's), if any. */
  readonly cache: Cache | undefined;
  /** Cache hits of the current map item (set per item when there is a cache). */
  readonly stats: { hits: number } | undefined;
}

type Values = Record<string, unknown>;
/** A run's values by slot (see `Plan.slotCount`); `MISSING` marks an absent optional input. */
export type Slots = unknown[];

/** Marks a slot with no value (an optional input that was not given). */
export const MISSING: unique symbol = Symbol("missing");

/** The item path outside any map. */
export const NO_ITEMS: readonly number[] = Object.freeze([]);

/** The item path of `ctx` (see `RunContext.itemPath`). */
export function itemPathOf(ctx: RunContext): readonly number[] {
  return ctx.itemPath ?? [...ctx.mapItemPath, ctx.item!];
}

/** The value array of a run of `plan` with `inputs` (own keys only). */
export function loadSlots(plan: Plan, inputs: Readonly<Record<string, unknown>>): Slots {
  const slots: Slots = new Array(plan.slotCount).fill(MISSING);
  const names = plan.inputs;
  for (let i = 0; i < names.length; i++) {
    if (Object.hasOwn(inputs, names[i])) slots[plan.inputSlots[i]] = inputs[names[i]];
  }
  return slots;
}

/** Runs `plan` over `values`; returns the outputs, or a promise of them. */
export function runPlan(ctx: RunContext, plan: Plan, values: Slots): Values | Promise<Values> {
  return ctx.inline ? runInline(ctx, plan, values, 0) : runScheduled(ctx, plan, values);
}

function runInline(
  ctx: RunContext,
  plan: Plan,
  values: Slots,
  from: number,
): Values | Promise<Values> {
  const steps = plan.steps;
  const signal = ctx.signal;
  for (let i = from; i < steps.length; i++) {
    if (signal !== undefined && signal.aborted) throw signal.reason;
    const step = steps[i];
    const result = invoke(ctx, step, argsOf(step, values), values);
    if (isPromiseLike(result)) {
      return raceAbort(result as Promise<unknown>, signal).then((r) => {
        store(ctx, step, r, values);
        return runInline(ctx, plan, values, i + 1);
      });
    }
    store(ctx, step, result, values);
  }
  return collect(plan, values);
}

function runScheduled(ctx: RunContext, plan: Plan, values: Slots): Promise<Values> {
  const { steps } = plan;
  const { executor, signal } = ctx;
  return new Promise<Values>((resolve, reject) => {
    const waiting = steps.map((s) => s.deps.length);
    const ready = steps.filter((s) => s.deps.length === 0).map((s) => s.index);
    let running = 0;
    let done = 0;
    let settled = false;
    const onAbort = (): void => finish(signal!.reason);
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      if (error !== undefined) reject(error);
      else resolve(collect(plan, values));
    };
    if (steps.length === 0) return finish();
    if (signal?.aborted) return finish(signal.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const launch = (): void => {
      while (!settled && ready.length > 0 && running < executor.concurrency) {
        const step = steps[ready.shift()!];
        const args = argsOf(step, values);
        const task: Task = {
          spec: {
            kind: "node",
            pipeline: ctx.pipeline,
            node: step.node.name,
            inputs: args,
            item: ctx.item,
            run: {
              runId: ctx.runId,
              depth: ctx.depth,
              path: ctx.path,
              itemPath: itemPathOf(ctx),
            },
          },
          run: () => invokeUncached(ctx, step, args),
          emit: ctx.events && ((hook, event) => ctx.events!.emit(hook, event)),
        };
        running++;
        // The cache is read and written here, not in the task: an executor that runs
        // `spec` elsewhere (a Worker) never calls `run`, and must not bypass the cache.
        const cache = ctx.cache;
        const pending = cache !== undefined && step.node.cache
          ? withCache(ctx, cache, step, args, values, () => executor.execute(task, { signal }))
          : executor.execute(task, { signal });
        pending.then((result) => {
          running--;
          if (settled) return;
          try {
            store(ctx, step, result, values);
          } catch (error) {
            return finish(error);
          }
          done++;
          for (const d of step.dependents) if (--waiting[d] === 0) ready.push(d);
          if (done === steps.length) finish();
          else launch();
        }, (error) => {
          running--;
          finish(nodeError(ctx, step.node, error));
        });
      }
    };
    launch();
  });
}

/** The input object of a step: absent optional inputs are left out, so defaults apply. */
function argsOf(step: Step, values: Slots): Values {
  const args: Values = {};
  const names = step.node.inputs;
  const slots = step.inSlots;
  for (let i = 0; i < names.length; i++) {
    const v = values[slots[i]];
    if (v !== MISSING) args[names[i]] = v;
  }
  return args;
}

function collect(plan: Plan, values: Slots): Values {
  const out: Values = {};
  const names = plan.outputs;
  const slots = plan.outputSlots;
  for (let i = 0; i < names.length; i++) out[names[i]] = values[slots[i]];
  return out;
}

/** Runs one step here; returns its raw result or a promise of it. */
export function invoke(ctx: RunContext, step: Step, args: Values, values: Slots): unknown {
  const node = step.node;
  if (ctx.cache !== undefined && node.cache) {
    return invokeCached(ctx, ctx.cache, step, args, values);
  }
  return invokeUncached(ctx, step, args);
}

function invokeUncached(ctx: RunContext, step: Step, args: Values): unknown {
  const node = step.node;
  if (node.kind === "pipeline") return runNested(ctx, step, args);
  if (ctx.events !== undefined) return invokeObserved(ctx, node as Node, args, ctx.events);
  let result: unknown;
  try {
    result = (node as Node).fn(args);
  } catch (error) {
    throw nodeError(ctx, node, error);
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(undefined, (error) => {
      throw nodeError(ctx, node, error);
    });
  }
  return result;
}

function invokeCached(
  ctx: RunContext,
  cache: Cache,
  step: Step,
  args: Values,
  values: Slots,
): Promise<unknown> {
  return withCache(ctx, cache, step, args, values, () => invokeUncached(ctx, step, args));
}

/** Returns the cached result of `step`, or computes it with `compute` and stores it. */
async function withCache(
  ctx: RunContext,
  cache: Cache,
  step: Step,
  args: Values,
  values: Slots,
  compute: () => unknown,
): Promise<unknown> {
  const signature = signatureOf(ctx.pipeline.name, ctx.item, step, args, values);
  const hit = await cache.get(signature);
  if (hit !== undefined) {
    if (ctx.stats) ctx.stats.hits++;
    ctx.events?.emit("onNodeCached", cachedEvent(eventBase(ctx), step.node, signature));
    return hit.value;
  }
  const result = await compute();
  await storeResult(cache, step.node, signature, result);
  return result;
}

/** Runs a node between start and end events; stays synchronous for synchronous nodes. */
function invokeObserved(ctx: RunContext, node: Node, args: Values, events: Events): unknown {
  const base = eventBase(ctx);
  const start = now();
  events.emit("onNodeStart", { ...base, time: start, node: node.name });
  const ended = (error?: unknown): void => {
    const end = now();
    const e = { ...base, time: end, node: node.name, duration: end - start, cached: false };
    if (error === undefined) return events.emit("onNodeEnd", e);
    events.emit("onNodeError", { ...base, time: end, node: node.name, error });
    events.emit("onNodeEnd", { ...e, error });
  };
  const fail = (cause: unknown): never => {
    const error = nodeError(ctx, node, cause);
    ended(error);
    throw error;
  };
  let result: unknown;
  try {
    result = node.fn(args);
  } catch (cause) {
    return fail(cause);
  }
  if (!isPromiseLike(result)) {
    ended();
    return result;
  }
  return Promise.resolve(result).then((value) => (ended(), value), fail);
}

/** The fields every event of `ctx` carries, without `time`. */
export function eventBase(ctx: RunContext): {
  runId: string;
  pipeline: string;
  depth: number;
  path: readonly string[];
  itemPath: readonly number[];
  item?: number;
} {
  const base = {
    runId: ctx.runId,
    pipeline: ctx.pipeline.name,
    depth: ctx.depth,
    path: ctx.path,
    itemPath: itemPathOf(ctx),
  };
  return ctx.item === undefined ? base : { ...base, item: ctx.item };
}

async function runNested(ctx: RunContext, step: Step, args: Values): Promise<Values> {
  const node = step.node as PipelineNode;
  const inner = node.pipeline;
  const innerInputs: Values = {};
  for (const k in args) innerInputs[node.inputMapping[k]] = args[k];
  const outputs = [...new Set(step.needed.map((o) => node.outputSources[o]))];
  const engine = inner.engine ?? ctx.engine;
  const parent: ParentRun = {
    cache: ctx.cache,
    runId: ctx.runId,
    depth: ctx.depth + 1,
    path: [...ctx.path, node.name],
    item: ctx.item,
    itemPath: itemPathOf(ctx),
    callbacks: ctx.events?.callbacks ?? [],
    context: ctx.events?.context ?? { runId: ctx.runId, data: new Map() },
  };
  const events = ctx.events;
  const base = events && { ...eventBase(ctx), node: node.name, inner: inner.name };
  const start = now();
  if (events) events.emit("onNestedPipelineStart", { ...base, time: start });
  try {
    const result: Values = {};
    if (node.mapOver.length === 0) {
      const r = await engine.run(inner, innerInputs, { outputs, signal: ctx.signal, parent });
      for (const o of step.needed) result[o] = r[node.outputSources[o]];
    } else {
      const rows = await engine.map(inner, innerInputs, {
        mapOver: node.mapOver.map((m) => node.inputMapping[m]),
        mode: node.mode,
        outputs,
        signal: ctx.signal,
        parent,
      }) as Values[];
      for (const o of step.needed) result[o] = rows.map((r) => r[node.outputSources[o]]);
    }
    if (events) {
      const end = now();
      events.emit("onNestedPipelineEnd", { ...base, time: end, duration: end - start });
    }
    return result;
  } catch (error) {
    if (events) {
      const end = now();
      events.emit("onNestedPipelineEnd", { ...base, time: end, duration: end - start, error });
    }
    throw error;
  }
}

/** Writes a step's result into its output slots. */
function store(ctx: RunContext, step: Step, result: unknown, values: Slots): void {
  const node = step.node;
  const outputs = node.outputs;
  const slots = step.outSlots;
  if (node.kind === "pipeline") {
    for (let i = 0; i < outputs.length; i++) {
      if (Object.hasOwn(result as Values, outputs[i])) {
        values[slots[i]] = (result as Values)[outputs[i]];
      }
    }
    return;
  }
  if (!(node as Node).multiOutput) {
    values[slots[0]] = result;
    return;
  }
  // A tuple must match the declared outputs exactly: extra values mean a miscounted `output`.
  if (Array.isArray(result) && result.length === outputs.length) {
    for (let i = 0; i < outputs.length; i++) values[slots[i]] = result[i];
    return;
  }
  if (
    result !== null && typeof result === "object" && !Array.isArray(result) &&
    outputs.every((o) => o in (result as object))
  ) {
    for (let i = 0; i < outputs.length; i++) values[slots[i]] = (result as Values)[outputs[i]];
    return;
  }
  throw new NodeExecutionError(
    `Cannot run node "${node.name}" of pipeline "${ctx.pipeline.name}"${
      itemText(ctx.item)
    } as it returned ${describe(result)}, not ${outputs.length} values: return a tuple [${
      outputs.join(", ")
    }] or an object with ${outputs.map((o) => `"${o}"`).join(", ")}`,
    { pipeline: ctx.pipeline.name, node: node.name, item: ctx.item },
  );
}

/** Wraps what a node threw in a NodeExecutionError (aborts and library errors pass through). */
export function nodeError(ctx: RunContext, node: GraphNode, error: unknown): unknown {
  if (
    error instanceof NodeExecutionError || error instanceof ExecutorError ||
    (ctx.signal !== undefined && ctx.signal.aborted && error === ctx.signal.reason)
  ) return error;
  return new NodeExecutionError(
    `Cannot run node "${node.name}" of pipeline "${ctx.pipeline.name}"${
      itemText(ctx.item)
    } as it threw: ${error instanceof Error ? `${error.name}: ${error.message}` : describe(error)}`,
    { pipeline: ctx.pipeline.name, node: node.name, item: ctx.item, cause: error },
  );
}

function itemText(item: number | undefined): string {
  return item === undefined ? "" : ` for item ${item}`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return `an object without every output key`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}
