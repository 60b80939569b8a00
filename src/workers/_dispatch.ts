/**
 * The main-thread half of the Worker executors: sends a map's items to the workers in chunks
 * (`runChunk`) and single nodes (`runNode`) on a {@linkcode WorkerPool}, delivers the
 * workers' callback events to the engine, serves their cache requests from the engine's
 * cache, and names items and nodes in the errors of failed calls.
 *
 * @module
 */

import { ExecutorError } from "../core/errors.ts";
import type { ItemBatch, ItemTaskSpec, NodeTaskSpec, Settled, Task } from "../core/executor.ts";
import { ChunkSizer } from "./_chunk_sizer.ts";
import { type Column, pack } from "./_columns.ts";
import { CallRoutes } from "./_call_routes.ts";
import { describeType, deserializeError } from "./_errors.ts";
import type { CallContext, ChunkInput, ChunkResult, WorkerMessage } from "./_protocol.ts";
import { describePipeline, type PipelineDescription } from "./_registry.ts";
import type { WorkerEntryApi } from "./_worker_entry.ts";
import { WorkerPool } from "./worker_pool.ts";

/** Options of {@linkcode Dispatcher}. */
export interface DispatcherOptions {
  /** The executor's name (pool and worker names). */
  name: string;
  /** How many workers. */
  size: number;
  /** How many calls per worker at once. */
  maxInFlightPerWorker: number;
  /** How many times a call whose worker died is retried. */
  retries: number;
}

/** How a map is cut into messages. */
export interface Chunking {
  /** Messages in flight at once. */
  inFlight: number;
  /** The most items per message. */
  maxChunk: number;
}

type Report<R> = (position: number, result: Settled<R>) => void;

/**
 * Where a map's shared inputs went: each worker gets them with its first chunks only (until
 * one of them comes back) and forgets them when the map is over.
 */
interface Shared {
  /** The map's key (`ChunkInput.shared`). */
  readonly key: number;
  /** Workers a chunk carried them to. */
  readonly sentTo: Set<number>;
  /** Workers known to hold them: a chunk sent after that need not carry them. */
  readonly held: Set<number>;
}

function uncloneable(value: unknown): boolean {
  const t = typeof value;
  return t === "function" || t === "symbol" || (t === "object" && value instanceof Promise);
}

function uncloneableInput(inputs: Readonly<Record<string, unknown>>): string | undefined {
  for (const key in inputs) {
    if (uncloneable(inputs[key])) return `input "${key}" is a ${describeType(inputs[key])}`;
  }
  return undefined;
}

/** `2`, `0, 1, 2` or `100–1099`: the items of a chunk, for messages. */
function itemList(first: number, count: number): string {
  if (count === 1) return `item ${first}`;
  if (count <= 10) return `items ${Array.from({ length: count }, (_, k) => first + k).join(", ")}`;
  return `items ${first}–${first + count - 1}`;
}

/** Sends tasks to a pool of workers running `_worker_entry.ts`. */
export class Dispatcher {
  /** The pool (exposed for tests and stats). */
  readonly pool: WorkerPool<WorkerEntryApi>;
  readonly #routes: CallRoutes;
  /** Keys of maps' shared inputs. */
  #maps = 0;

  /** @param options Name and pool limits. */
  constructor(options: DispatcherOptions) {
    this.pool = new WorkerPool<WorkerEntryApi>({
      script: new URL("./_worker_entry.ts", import.meta.url),
      name: options.name,
      size: options.size,
      maxInFlightPerWorker: options.maxInFlightPerWorker,
      retries: options.retries,
      onEvent: (data, worker) => this.#routes.receive(data as WorkerMessage, worker),
    });
    this.#routes = new CallRoutes((worker, reply) => this.pool.post(worker, reply));
  }

  /** Runs one node or item task in a worker (the `execute` of both Worker executors). */
  async execute<R>(task: Task<R>, signal?: AbortSignal): Promise<R> {
    if (task.spec.kind === "node") return await this.runNode(task, signal);
    const spec = task.spec as ItemTaskSpec;
    const names = Object.keys(spec.inputs);
    const batch: ItemBatch<R> = {
      pipeline: spec.pipeline,
      outputs: spec.outputs,
      nodeExecutor: spec.nodeExecutor,
      count: 1,
      firstItem: spec.index,
      broadcast: {},
      names,
      columns: () => names.map((n) => [spec.inputs[n]]),
      errors: "collect",
      run: spec.run ?? { runId: "", depth: 0, path: [spec.pipeline.name], itemPath: [] },
      cache: spec.cache,
      task: () => task,
      emit: task.emit,
    };
    let result: Settled<R> | undefined;
    await this.runItems(batch, (_, r) => (result = r), { inFlight: 1, maxChunk: 1 }, signal);
    if (!result) {
      if (signal?.aborted) throw signal.reason;
      throw new ExecutorError(
        `Cannot run item ${spec.index} of pipeline "${spec.pipeline.name}" as no outcome came back ` +
          "from its worker: report this as a bug",
        { pipeline: spec.pipeline.name, item: spec.index },
      );
    }
    if (!result.ok) throw result.error;
    return result.value;
  }

  /** Runs one node task in a worker. */
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
    const ctx = this.#routes.open({ emit: task.emit }, spec.run, spec.pipeline.name);
    try {
      return await this.pool.call("runNode", [desc, spec.node, spec.inputs, spec.item, ctx], {
        signal,
        context: { pipeline: spec.pipeline.name, node: spec.node, item: spec.item },
        cancelKey: ctx.call,
      }) as R;
    } finally {
      this.#routes.close(ctx.call);
    }
  }

  /**
   * Runs a map's items in chunks, `chunking.inFlight` messages at a time, and reports each
   * item by position. Resolves when every chunk sent has settled or `signal` aborted.
   */
  async runItems<R>(
    batch: ItemBatch<R>,
    report: Report<R>,
    chunking: Chunking,
    signal?: AbortSignal,
  ): Promise<void> {
    const count = batch.count;
    if (count === 0 || signal?.aborted) return;
    const pipeline = batch.pipeline.name;
    const failAll = (error: (position: number) => unknown): void => {
      for (let p = 0; p < (batch.errors === "throw" ? 1 : count); p++) {
        report(p, { ok: false, error: error(p) });
      }
    };
    let desc: PipelineDescription;
    try {
      desc = describePipeline(batch.pipeline);
    } catch (error) {
      return failAll(() => error);
    }
    const bad = uncloneableInput(batch.broadcast);
    if (bad) {
      return failAll((p) =>
        new ExecutorError(
          `Cannot send item ${batch.firstItem + p} of pipeline "${pipeline}" to a worker as its ` +
            `${bad}, which cannot be cloned: pass plain data (no functions, symbols or promises)`,
          { pipeline, item: batch.firstItem + p },
        )
      );
    }
    const sizer = new ChunkSizer(count, chunking);
    const shared: Shared | undefined = Object.keys(batch.broadcast).length === 0
      ? undefined
      : { key: ++this.#maps, sentTo: new Set(), held: new Set() };
    await new Promise<void>((resolve) => {
      let next = 0;
      let running = 0;
      const launch = (): void => {
        while (running < chunking.inFlight && next < count && !signal?.aborted) {
          const from = next;
          next = Math.min(count, from + sizer.next(count - from));
          running++;
          this.#chunk(desc, batch, from, next, report, sizer, shared, signal).then(() => {
            running--;
            launch();
          });
        }
        if (running === 0) resolve();
      };
      launch();
    });
    for (const worker of shared?.sentTo ?? []) this.pool.post(worker, { forget: shared!.key });
  }

  /** Sends positions `from` to `to - 1`; items whose inputs cannot be cloned are cut out. */
  async #chunk<R>(
    desc: PipelineDescription,
    batch: ItemBatch<R>,
    from: number,
    to: number,
    report: Report<R>,
    sizer: ChunkSizer,
    shared: Shared | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const columns = batch.columns(from, to);
    let cut = -1;
    for (const column of columns) {
      for (let k = 0; k < column.length && (cut < 0 || k < cut); k++) {
        if (uncloneable(column[k])) cut = k;
      }
    }
    if (cut >= 0) {
      const j = columns.findIndex((c) => uncloneable(c[cut]));
      const item = batch.firstItem + from + cut;
      report(from + cut, {
        ok: false,
        error: new ExecutorError(
          `Cannot send item ${item} of pipeline "${batch.pipeline.name}" to a worker as its input ` +
            `"${batch.names[j]}" is a ${describeType(columns[j][cut])}, which cannot be cloned: ` +
            "pass plain data (no functions, symbols or promises)",
          { pipeline: batch.pipeline.name, item },
        ),
      });
      const part = (a: number, b: number) =>
        a < b && this.#chunk(desc, batch, a, b, report, sizer, shared, signal);
      await Promise.all([part(from, from + cut), part(from + cut + 1, to)]);
      return;
    }
    const packed = columns.map(pack);
    await this.#send(desc, batch, from, to - from, packed, report, sizer, shared, signal);
  }

  async #send<R>(
    desc: PipelineDescription,
    batch: ItemBatch<R>,
    from: number,
    n: number,
    columns: Column[],
    report: Report<R>,
    sizer: ChunkSizer,
    shared: Shared | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const first = batch.firstItem + from;
    const pipeline = batch.pipeline.name;
    const chunk: ChunkInput = {
      first,
      names: batch.names,
      columns,
      outputs: batch.outputs,
      nodeExecutor: batch.nodeExecutor,
      errors: batch.errors,
      shared: shared?.key,
    };
    const withShared: ChunkInput = { ...chunk, broadcast: batch.broadcast };
    const ctx = this.#routes.open({ emit: batch.emit, cache: batch.cache }, batch.run, pipeline);
    let result: ChunkResult;
    let worker = 0;
    try {
      // Made for the worker it goes to (again if retried on another): the shared inputs go
      // along until that worker is known to hold them.
      result = await this.pool.call(
        "runChunk",
        (w): [PipelineDescription, ChunkInput, CallContext] => {
          worker = w;
          if (shared?.held.has(w)) return [desc, chunk, ctx];
          shared?.sentTo.add(w);
          return [desc, withShared, ctx];
        },
        {
          signal,
          context: { pipeline, item: first },
          cancelKey: ctx.call,
        },
      );
      shared?.held.add(worker);
      await this.#routes.stored(ctx.call);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) return;
      const why = (error as Error)?.message?.replace(/^Cannot complete call "\w+" as /, "") ??
        String(error);
      for (let k = 0; k < (batch.errors === "throw" ? 1 : n); k++) {
        report(from + k, {
          ok: false,
          error: new ExecutorError(
            `Cannot complete ${itemList(first, n)} of pipeline "${pipeline}" as ${why}`,
            { pipeline, item: first + k, cause: error },
          ),
        });
      }
      return;
    } finally {
      this.#routes.close(ctx.call);
    }
    sizer.record(n, result.elapsed);
    if (result.failed !== undefined) {
      return report(from, { ok: false, error: deserializeError(result.failed) });
    }
    const { outputs, columns: values, errors } = result;
    let e = 0;
    for (let k = 0; k < n; k++) {
      if (e < errors.length && errors[e][0] === k) {
        report(from + k, { ok: false, error: deserializeError(errors[e++][1]) });
        continue;
      }
      const value: Record<string, unknown> = {};
      for (let o = 0; o < outputs.length; o++) value[outputs[o]] = values[o][k];
      report(from + k, { ok: true, value: value as R });
    }
  }

  /** Closes the pool. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
