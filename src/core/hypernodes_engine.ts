/**
 * `HyperNodesEngine`: the default engine.
 *
 * @module
 */

import { forEachLimited, isPromiseLike } from "./_abort.ts";
import { Events, hasHooks, mergeCallbacks, now } from "./_events.ts";
import { checkMissing, type Plan } from "./_graph.ts";
import { type MapItems, prepareMap } from "./_items.ts";
import {
  eventBase,
  itemPathOf,
  loadSlots,
  NO_ITEMS,
  type RunContext,
  runPlan,
  type Slots,
} from "./_run.ts";
import { AsyncExecutor } from "./async_executor.ts";
import type { Cache } from "./cache.ts";
import type { Callback } from "./callback.ts";
import type { Engine, EngineMapOptions, EngineRunOptions, ParentRun } from "./engine.ts";
import { ExecutorError } from "./errors.ts";
import {
  type Executor,
  executorLoader,
  type ExecutorName,
  type ItemBatch,
  type Settled,
  type Task,
} from "./executor.ts";
import { SequentialExecutor } from "./sequential_executor.ts";
import type { AnyPipeline } from "./types.ts";

/** Options of {@linkcode HyperNodesEngine}. */
export interface HyperNodesEngineOptions {
  /**
   * How independent nodes of one run execute.
   * @default "sequential"
   */
  nodeExecutor?: ExecutorName | Executor;
  /**
   * How map items execute.
   * @default "sequential"
   */
  mapExecutor?: ExecutorName | Executor;
  /**
   * Tasks in flight for executors created from an alias (`"async"`,
   * `"threaded"`); `"parallel"` uses one worker per core.
   * @default 100 for "async"
   */
  concurrency?: number;
  /**
   * Told about every pipeline, node and map item.
   * @default []
   */
  callbacks?: readonly Callback[];
  /**
   * Where node outputs are stored and reused (per node, per map item). Inputs
   * are hashed only when a cache is set.
   * @default undefined (no caching)
   */
  cache?: Cache;
}

const SEQUENTIAL = new SequentialExecutor();
const ALIASES: readonly string[] = ["sequential", "async", "threaded", "parallel"];

/** One executor setting, resolved on first use. */
class ExecutorSlot {
  readonly #spec: ExecutorName | Executor;
  readonly #concurrency: number | undefined;
  #executor: Executor | undefined;
  #loading: Promise<Executor> | undefined;

  constructor(spec: ExecutorName | Executor, concurrency: number | undefined, role: string) {
    if (typeof spec === "string") {
      if (!ALIASES.includes(spec)) {
        throw new TypeError(
          `Cannot create engine as ${role} is "${spec}": use "sequential", "async", "threaded", "parallel" or an Executor`,
        );
      }
    } else if (
      typeof spec !== "object" || spec === null || typeof spec.execute !== "function" ||
      !(spec.concurrency >= 1)
    ) {
      throw new TypeError(
        `Cannot create engine as ${role} is not an executor: pass an alias or an object with name, concurrency ≥ 1 and execute()`,
      );
    }
    this.#spec = spec;
    this.#concurrency = concurrency;
    if (typeof spec === "object") this.#executor = spec;
    else if (spec === "sequential") this.#executor = SEQUENTIAL;
    else if (spec === "async") this.#executor = new AsyncExecutor({ concurrency });
  }

  /** The executor, or a promise while a Worker executor module loads. */
  get(): Executor | Promise<Executor> {
    if (this.#executor) return this.#executor;
    const name = this.#spec as string;
    // After close(): built-in executors are recreated, so the engine stays usable.
    if (name === "async") {
      return (this.#executor = new AsyncExecutor({ concurrency: this.#concurrency }));
    }
    this.#loading ??= (async () => {
      const load = executorLoader(name);
      if (!load) {
        throw new ExecutorError(
          `Cannot use executor "${name}" as no Worker executor is registered: import "@hn/core" (its root module registers them)`,
        );
      }
      return (this.#executor = await load({ concurrency: this.#concurrency }));
    })();
    return this.#loading;
  }

  /** Releases an executor this slot created (user-given executors stay open). */
  async close(): Promise<void> {
    const owned = typeof this.#spec === "string" && this.#spec !== "sequential";
    const executor = this.#executor ?? await this.#loading?.catch(() => undefined);
    this.#executor = undefined;
    this.#loading = undefined;
    if (owned) await executor?.[Symbol.asyncDispose]?.();
  }
}

/**
 * The default engine: runs nodes and map items through executors, tells
 * callbacks, and lets nested pipelines inherit it (unless they have their own).
 *
 * @example Async nodes overlap, map items overlap
 * ```ts
 * import { HyperNodesEngine, node, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * await using engine = new HyperNodesEngine({ nodeExecutor: "async", mapExecutor: "async" });
 * const fetchA = node({ output: "a" }, async ({ id }: { id: number }) => id + 1);
 * const fetchB = node({ output: "b" }, async ({ id }: { id: number }) => id * 2);
 * const join = node({ output: "ab" }, ({ a, b }: { a: number; b: number }) => a + b);
 * const p = new Pipeline({ nodes: [fetchA, fetchB, join], engine });
 * assert.deepEqual(await p.run({ id: 3 }), { a: 4, b: 6, ab: 10 });
 * assert.deepEqual((await p.map({ id: [1, 2] }, { mapOver: "id" })).map((r) => r.ab), [4, 7]);
 * ```
 */
export class HyperNodesEngine implements Engine, AsyncDisposable {
  /** `"hypernodes"`. */
  readonly name: string = "hypernodes";
  /** The callbacks this engine tells. */
  readonly callbacks: readonly Callback[];
  /** The cache, if any. */
  readonly cache: Cache | undefined;
  readonly #node: ExecutorSlot;
  readonly #map: ExecutorSlot;
  readonly #listening: readonly Callback[];

  /**
   * @param options Executors and callbacks.
   * @throws {TypeError} When an executor option is not an alias or an executor.
   */
  constructor(options: HyperNodesEngineOptions = {}) {
    // Only `undefined` means the default: an explicit `null` is a wrong argument, not "sequential".
    this.#node = new ExecutorSlot(
      options.nodeExecutor === undefined ? "sequential" : options.nodeExecutor,
      options.concurrency,
      "nodeExecutor",
    );
    this.#map = new ExecutorSlot(
      options.mapExecutor === undefined ? "sequential" : options.mapExecutor,
      options.concurrency,
      "mapExecutor",
    );
    this.callbacks = Object.freeze([...(options.callbacks ?? [])]);
    // Callbacks without any hook cost nothing: no events are built for them.
    this.#listening = this.callbacks.filter(hasHooks);
    this.cache = options.cache;
  }

  /**
   * Runs `pipeline` once. Prefer `pipeline.run(inputs, { engine })`.
   *
   * @param pipeline The pipeline.
   * @param inputs Its inputs.
   * @param options `outputs`, `signal`, and `parent` when nested.
   * @returns The outputs.
   */
  async run(
    pipeline: AnyPipeline,
    inputs: Readonly<Record<string, unknown>>,
    options: EngineRunOptions = {},
  ): Promise<Record<string, unknown>> {
    const merged = pipeline.resolveInputs(inputs);
    const plan = pipeline.plan(options.outputs);
    checkMissing(pipeline.name, plan, (k) => Object.hasOwn(merged, k));
    const values = loadSlots(plan, merged);
    const ctx = await this.#context(pipeline, options.signal, options.parent);
    const events = ctx.events;
    if (events === undefined) return await runPlan(ctx, plan, values);
    const base = eventBase(ctx);
    const start = now();
    events.emit("onPipelineStart", { ...base, time: start, inputs: Object.keys(merged) });
    try {
      const out = await runPlan(ctx, plan, values);
      const end = now();
      events.emit("onPipelineEnd", { ...base, time: end, duration: end - start });
      return out;
    } catch (error) {
      const end = now();
      events.emit("onPipelineEnd", { ...base, time: end, duration: end - start, error });
      throw error;
    }
  }

  /**
   * Runs `pipeline` once per item. Prefer `pipeline.map(inputs, options)`.
   *
   * @param pipeline The pipeline.
   * @param inputs Its inputs, with iterables for the `mapOver` names.
   * @param options `mapOver`, `mode`, `outputs`, `errors`, `signal`, and `parent` when nested.
   * @returns One output object (or, with `errors: "collect"`, error) per item.
   */
  async map(
    pipeline: AnyPipeline,
    inputs: Readonly<Record<string, unknown>>,
    options: EngineMapOptions,
  ): Promise<unknown[]> {
    const { errors, items, plan } = prepareMap(pipeline, inputs, options);
    const first = options.firstItem ?? 0;
    if (!Number.isInteger(first) || first < 0) {
      throw new RangeError(
        `Cannot map pipeline "${pipeline.name}" as firstItem is ${first}: use an integer ≥ 0`,
      );
    }
    const ctx = await this.#context(pipeline, options.signal, options.parent);
    const mapExecutor = await this.#map.get();
    const events = ctx.events;
    const base = events && eventBase(ctx);
    const start = now();
    events?.emit("onMapStart", { ...base, time: start, items: items.count });
    try {
      const results = mapExecutor === SEQUENTIAL || mapExecutor instanceof SequentialExecutor
        ? await mapInline(ctx, plan, items, errors === "collect", first)
        : await mapScheduled(ctx, plan, items, {
          collect: errors === "collect",
          executor: mapExecutor,
          outputs: options.outputs,
          first,
        });
      const end = now();
      events?.emit("onMapEnd", { ...base, time: end, duration: end - start, items: items.count });
      return results;
    } catch (error) {
      const end = now();
      events?.emit("onMapEnd", {
        ...base,
        time: end,
        duration: end - start,
        items: items.count,
        error,
      });
      throw error;
    }
  }

  async #context(
    pipeline: AnyPipeline,
    signal: AbortSignal | undefined,
    parent: ParentRun | undefined,
  ): Promise<RunContext> {
    let executor = this.#node.get();
    if (isPromiseLike(executor)) executor = await executor;
    const callbacks = mergeCallbacks(parent?.callbacks ?? [], this.#listening);
    const runId = parent?.runId ?? (callbacks.length > 0 ? crypto.randomUUID() : "");
    const events = callbacks.length === 0 ? undefined : new Events(
      callbacks,
      parent && parent.callbacks.length > 0 ? parent.context : { runId, data: new Map() },
    );
    return {
      engine: this,
      pipeline,
      executor,
      inline: executor instanceof SequentialExecutor,
      signal,
      events,
      runId,
      depth: parent?.depth ?? 0,
      path: parent?.path ?? [pipeline.name],
      item: parent?.item,
      itemPath: parent === undefined
        ? NO_ITEMS
        : parent.itemPath ?? (parent.item === undefined ? NO_ITEMS : [parent.item]),
      mapItemPath: NO_ITEMS,
      cache: this.cache ?? parent?.cache,
      stats: undefined,
    };
  }

  /**
   * Releases the executors this engine created from aliases (Worker pools).
   * Executors passed in as objects are left open. The engine stays usable:
   * pools start again on next use.
   *
   * @example
   * ```ts
   * import { HyperNodesEngine } from "@hn/core";
   * const engine = new HyperNodesEngine({ mapExecutor: "async" });
   * await engine.close();
   * ```
   */
  async close(): Promise<void> {
    await Promise.all([this.#node.close(), this.#map.close()]);
  }

  /** Same as {@linkcode HyperNodesEngine.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

type Values = Record<string, unknown>;

/** `ctx` for one map item. Spelled out (not spread) so every context shares one shape. */
function withItem(ctx: RunContext, item: number): RunContext {
  return {
    engine: ctx.engine,
    pipeline: ctx.pipeline,
    executor: ctx.executor,
    inline: ctx.inline,
    signal: ctx.signal,
    events: ctx.events,
    runId: ctx.runId,
    depth: ctx.depth,
    path: ctx.path,
    item,
    // Built only when an event will carry it: no array per item when nothing listens.
    itemPath: ctx.events === undefined ? undefined : [...itemPathOf(ctx), item],
    mapItemPath: itemPathOf(ctx),
    cache: ctx.cache,
    stats: ctx.cache === undefined ? undefined : { hits: 0 },
  };
}

/** The value slots of item `i`: the broadcast slots plus the item's mapOver values. */
function itemSlots(items: MapItems, slots: readonly number[], base: Slots, i: number): Slots {
  const values = base.slice();
  for (let j = 0; j < slots.length; j++) {
    if (slots[j] >= 0) values[slots[j]] = items.lists[j][items.at(i, j)];
  }
  return values;
}

/** The value slot of each `mapOver` name (-1 when the plan does not read it), found once per map. */
function mapOverSlots(plan: Plan, items: MapItems): number[] {
  return items.names.map((name) => {
    const k = plan.inputs.indexOf(name);
    return k < 0 ? -1 : plan.inputSlots[k];
  });
}

/** Runs one item: its node events carry the item index. */
function runItem(
  ctx: RunContext,
  plan: Plan,
  values: Slots,
  item: number,
): Values | Promise<Values> {
  const itemCtx = withItem(ctx, item);
  const events = ctx.events;
  if (events === undefined) return runPlan(itemCtx, plan, values);
  const base = { ...eventBase(itemCtx), item };
  const start = now();
  events.emit("onMapItemStart", { ...base, time: start });
  const end = (error?: unknown): void => {
    const t = now();
    // An item whose every node was a cache hit ends with onMapItemCached instead.
    if (error === undefined && itemCtx.stats && itemCtx.stats.hits === plan.steps.length) {
      events.emit("onMapItemCached", { ...base, time: t });
      return;
    }
    const e = { ...base, time: t, duration: t - start, cached: false };
    events.emit("onMapItemEnd", error === undefined ? e : { ...e, error });
  };
  try {
    const out = runPlan(itemCtx, plan, values);
    if (!isPromiseLike(out)) {
      end();
      return out;
    }
    return out.then((v) => (end(), v), (error) => {
      end(error);
      throw error;
    });
  } catch (error) {
    end(error);
    throw error;
  }
}

function isAbort(ctx: RunContext, error: unknown): boolean {
  return ctx.signal !== undefined && ctx.signal.aborted && error === ctx.signal.reason;
}

async function mapInline(
  ctx: RunContext,
  plan: Plan,
  items: MapItems,
  collect: boolean,
  first: number,
): Promise<unknown[]> {
  const results: unknown[] = new Array(items.count);
  const signal = ctx.signal;
  const base = loadSlots(plan, items.broadcast);
  const slots = mapOverSlots(plan, items);
  for (let i = 0; i < items.count; i++) {
    if (signal !== undefined && signal.aborted) throw signal.reason;
    try {
      const r = runItem(ctx, plan, itemSlots(items, slots, base, i), first + i);
      results[i] = isPromiseLike(r) ? await r : r;
    } catch (error) {
      if (!collect || isAbort(ctx, error)) throw error;
      results[i] = error;
    }
  }
  return results;
}

interface Scheduling {
  readonly collect: boolean;
  readonly executor: Executor;
  readonly outputs: readonly string[] | undefined;
  /** The item index of position 0. */
  readonly first: number;
}

async function mapScheduled(
  ctx: RunContext,
  plan: Plan,
  items: MapItems,
  { collect, executor, outputs, first }: Scheduling,
): Promise<unknown[]> {
  const results: unknown[] = new Array(items.count);
  const stop = new AbortController();
  const signal = ctx.signal;
  const onAbort = (): void => stop.abort(signal!.reason);
  if (signal?.aborted) throw signal.reason;
  signal?.addEventListener("abort", onAbort, { once: true });
  let failure: { error: unknown } | undefined;
  const onSettled = (i: number, r: Settled<unknown>): void => {
    if (r.ok) results[i] = r.value;
    else if (collect && !isAbort(ctx, r.error)) results[i] = r.error;
    else if (!failure) {
      failure = { error: r.error };
      stop.abort(r.error);
    }
  };
  const emit = ctx.events &&
    ((hook: Parameters<NonNullable<Task["emit"]>>[0], e: object) => ctx.events!.emit(hook, e));
  // Items see the internal signal, so a failure in "throw" mode stops the others' next nodes.
  const itemCtx: RunContext = { ...ctx, signal: stop.signal };
  const nodeExecutor = nodeExecutorName(ctx);
  const base = loadSlots(plan, items.broadcast);
  const slots = mapOverSlots(plan, items);
  const run = { runId: ctx.runId, depth: ctx.depth, path: ctx.path, itemPath: itemPathOf(ctx) };
  // Tasks are made on demand: an executor that takes a batch never needs one per item.
  const task = (i: number): Task => ({
    spec: {
      kind: "item",
      pipeline: ctx.pipeline,
      inputs: items.inputs(i),
      outputs,
      index: first + i,
      nodeExecutor,
      run,
      cache: ctx.cache,
    },
    run: () => runItem(itemCtx, plan, itemSlots(items, slots, base, i), first + i),
    emit,
  });
  const stopped = (error: unknown): void => {
    if (!stop.signal.aborted) throw error;
  };
  try {
    if (executor.executeItems) {
      const batch: ItemBatch = {
        pipeline: ctx.pipeline,
        outputs,
        nodeExecutor,
        count: items.count,
        firstItem: first,
        broadcast: items.broadcast,
        names: items.names,
        columns: (from, to) => items.columns(from, to),
        errors: collect ? "collect" : "throw",
        run,
        cache: ctx.cache,
        task,
        emit,
      };
      await executor.executeItems(batch, { signal: stop.signal, onSettled }).catch(stopped);
    } else if (executor.executeAll) {
      const tasks = Array.from({ length: items.count }, (_, i) => task(i));
      await executor.executeAll(tasks, { signal: stop.signal, onSettled }).catch(stopped);
    } else {
      await forEachLimited(
        items.count,
        executor.concurrency,
        (i) =>
          executor.execute(task(i), { signal: stop.signal }).then(
            (value) => onSettled(i, { ok: true, value }),
            (error) => onSettled(i, { ok: false, error }),
          ),
        () => stop.signal.aborted,
      );
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (signal?.aborted) throw signal.reason;
  if (failure) throw failure.error;
  return results;
}

function nodeExecutorName(ctx: RunContext): ExecutorName {
  const name = ctx.executor.name;
  return (ALIASES.includes(name) ? name : "sequential") as ExecutorName;
}
