/**
 * The main-thread half of the Worker executors: turns tasks into calls of the worker entry
 * (`runItems`, `runNode`) on a {@linkcode WorkerPool}, routes forwarded callback events to
 * the tasks' `emit`, and names items and nodes in the errors of failed calls.
 *
 * @module
 */

import type { CallbackHook } from "../core/callback.ts";
import { ExecutorError } from "../core/errors.ts";
import type { ItemTaskSpec, NodeTaskSpec, Settled, Task } from "../core/executor.ts";
import { describeType, deserializeError } from "./_errors.ts";
import { describePipeline } from "./_registry.ts";
import type { CallContext, ItemInput, WorkerEntryApi } from "./_worker_entry.ts";
import { WorkerPool } from "./worker_pool.ts";

type Route = (hook: CallbackHook, event: Record<string, unknown>) => void;

/** Options of {@linkcode Dispatcher}. */
export interface DispatcherOptions {
  /** The executor's name (pool and worker names). */
  name: string;
  /** How many workers. */
  size: number;
  /** How many calls per worker at once. */
  maxInFlightPerWorker: number;
}

function uncloneableInput(inputs: Readonly<Record<string, unknown>>): string | undefined {
  for (const key in inputs) {
    const v = inputs[key];
    const t = typeof v;
    if (t === "function" || t === "symbol" || v instanceof Promise) {
      return `input "${key}" is a ${describeType(v)}`;
    }
  }
  return undefined;
}

function indexes(list: readonly number[]): string {
  return list.length <= 10 ? list.join(", ") : `${list.slice(0, 10).join(", ")}, …`;
}

/** Sends tasks to a pool of workers running `_worker_entry.ts`. */
export class Dispatcher {
  /** The pool (exposed for tests and stats). */
  readonly pool: WorkerPool<WorkerEntryApi>;
  #routes = new Map<number, Route>();
  #nextCall = 0;

  /** @param options Name and pool limits. */
  constructor(options: DispatcherOptions) {
    this.pool = new WorkerPool<WorkerEntryApi>({
      script: new URL("./_worker_entry.ts", import.meta.url),
      name: options.name,
      size: options.size,
      maxInFlightPerWorker: options.maxInFlightPerWorker,
      onEvent: (data) => {
        const { call, hook, event } = data as {
          call: number;
          hook: CallbackHook;
          event: Record<string, unknown>;
        };
        const route = this.#routes.get(call);
        if (!route) return;
        if ("error" in event) event.error = deserializeError(event.error);
        route(hook, event);
      },
    });
  }

  #context(route: Route | undefined, spec: { pipeline: { name: string } }): CallContext {
    const call = ++this.#nextCall;
    if (route) this.#routes.set(call, route);
    return { call, events: route !== undefined, runId: "", depth: 0, path: [spec.pipeline.name] };
  }

  /**
   * Runs one node task in a worker.
   *
   * @param task The task (its spec must be a node spec).
   * @param signal Aborts the call.
   * @returns What the node returned.
   */
  /** Runs one node or item task in a worker (the `execute` of both Worker executors). */
  async execute<R>(task: Task<R>, signal?: AbortSignal): Promise<R> {
    if (task.spec.kind === "node") return await this.runNode(task, signal);
    let result: Settled<R> | undefined;
    await this.runItems([task], (_, r) => (result = r), signal);
    if (!result!.ok) throw result!.error;
    return result!.value;
  }

  async runNode<R>(task: Task<R>, signal?: AbortSignal): Promise<R> {
    const spec = task.spec as NodeTaskSpec;
    const where = `node "${spec.node}" of pipeline "${spec.pipeline.name}"${
      spec.item === undefined ? "" : ` for item ${spec.item}`
    }`;
    const bad = uncloneableInput(spec.inputs);
    if (bad) {
      throw new ExecutorError(
        `Cannot send ${where} to a worker as its ${bad}, which cannot be cloned: ` +
          "pass plain data (no functions, symbols or promises), or use a non-Worker executor",
        { pipeline: spec.pipeline.name, node: spec.node, item: spec.item },
      );
    }
    const desc = describePipeline(spec.pipeline);
    const emit = task.emit;
    const ctx = this.#context(emit && ((hook, event) => emit(hook, event)), spec);
    try {
      return await this.pool.call("runNode", [desc, spec.node, spec.inputs, spec.item, ctx], {
        signal,
        context: { pipeline: spec.pipeline.name, node: spec.node, item: spec.item },
      }) as R;
    } finally {
      this.#routes.delete(ctx.call);
    }
  }

  /**
   * Runs item tasks in one worker call and reports each item.
   *
   * @param tasks Item tasks of one map (same pipeline, outputs and node executor).
   * @param onSettled Receives each item's outcome by its position in `tasks`.
   * @param signal Aborts the call.
   */
  async runItems<R>(
    tasks: readonly Task<R>[],
    onSettled: (position: number, result: Settled<R>) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const first = tasks[0].spec as ItemTaskSpec;
    const pipeline = first.pipeline.name;
    const items: ItemInput[] = [];
    const positions: number[] = [];
    const byIndex = new Map<number, number>();
    for (let p = 0; p < tasks.length; p++) {
      const spec = tasks[p].spec as ItemTaskSpec;
      const bad = uncloneableInput(spec.inputs);
      if (bad) {
        onSettled(p, {
          ok: false,
          error: new ExecutorError(
            `Cannot send item ${spec.index} of pipeline "${pipeline}" to a worker as its ${bad}, ` +
              "which cannot be cloned: pass plain data (no functions, symbols or promises)",
            { pipeline, item: spec.index },
          ),
        });
        continue;
      }
      items.push({ index: spec.index, inputs: spec.inputs });
      positions.push(p);
      byIndex.set(spec.index, p);
    }
    if (items.length === 0) return;
    const emitting = tasks.some((t) => t.emit);
    const route: Route | undefined = emitting
      ? (hook, event) => {
        const p = typeof event.item === "number" ? byIndex.get(event.item) : undefined;
        tasks[p ?? positions[0]].emit?.(hook, event);
      }
      : undefined;
    let desc;
    try {
      desc = describePipeline(first.pipeline);
    } catch (error) {
      for (const p of positions) onSettled(p, { ok: false, error });
      return;
    }
    const ctx = this.#context(route, first);
    try {
      const results = await this.pool.call(
        "runItems",
        [desc, items, first.outputs, first.nodeExecutor, ctx],
        { signal, context: { pipeline, item: items[0].index } },
      );
      for (let k = 0; k < results.length; k++) {
        const r = results[k];
        onSettled(
          positions[k],
          r.ok
            ? { ok: true, value: r.value as R }
            : { ok: false, error: deserializeError(r.error) },
        );
      }
    } catch (error) {
      if (signal?.aborted && error === signal.reason) {
        for (const p of positions) onSettled(p, { ok: false, error });
        return;
      }
      const list = indexes(items.map((i) => i.index));
      for (const item of items) {
        onSettled(byIndex.get(item.index)!, {
          ok: false,
          error: new ExecutorError(
            `Cannot complete item${items.length > 1 ? "s" : ""} ${list} of pipeline ` +
              `"${pipeline}" as ${(error as Error)?.message ?? error}`,
            { pipeline, item: item.index, cause: error },
          ),
        });
      }
    } finally {
      this.#routes.delete(ctx.call);
    }
  }

  /** Closes the pool. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
