/**
 * A pool of workers that all run one module, called through Comlink. It does what Comlink
 * does not: rejects in-flight calls when a worker dies, replaces dead workers, keeps errors'
 * classes, honours `AbortSignal` and lets an idle process exit.
 *
 * @module
 */

import { type Remote, wrap } from "comlink";
import { ExecutorError, type HyperNodesErrorOptions } from "../core/errors.ts";
import { isInsideWorker, startWorker, type WorkerExit, type WorkerHandle } from "./_spawn.ts";

/** Options of {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** The worker module (it must call `serveWorker(api)`); resolve it with `import.meta.url`. */
  script: URL | string;
  /**
   * How many workers may be alive at once.
   * @default navigator.hardwareConcurrency
   */
  size?: number;
  /**
   * How many calls one worker may have in flight; more calls wait in the pool.
   * @default 1
   */
  maxInFlightPerWorker?: number;
  /**
   * A name for messages and worker names.
   * @default "worker-pool"
   */
  name?: string;
  /** Receives what workers send with `WorkerChannel.post`, with the worker's id. */
  onEvent?: (data: unknown, worker: number) => void;
}

/** Options of {@linkcode WorkerPool.call}. */
export interface CallOptions {
  /** Rejects the call with `signal.reason`; a running call's worker is terminated. */
  signal?: AbortSignal;
  /** Fields (`pipeline`, `node`, `item`) set on the `ExecutorError`s this call rejects with. */
  context?: Omit<HyperNodesErrorOptions, "cause">;
}

/** The methods a worker module serves. */
// deno-lint-ignore no-explicit-any
export type WorkerApi = Record<string, (...args: any[]) => unknown>;

interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
  readonly options: CallOptions;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  slot?: Slot;
  posted: boolean;
  settled: boolean;
  cleanup(): void;
}

interface Slot {
  readonly id: number;
  readonly calls: Set<Call>;
  readonly starting: Promise<void>;
  handle?: WorkerHandle;
  remote?: Remote<WorkerApi>;
  dead: boolean;
}

function positiveInteger(pool: string, key: string, value: number): number {
  if (Number.isInteger(value) && value >= 1) return value;
  throw new RangeError(
    `Cannot create worker pool "${pool}" as ${key} is ${value}: use an integer ≥ 1`,
  );
}

/**
 * A lazy pool of at most `size` workers running one module. Workers start on demand,
 * calls go to the least busy worker, a worker that dies rejects its in-flight calls with an
 * {@linkcode ExecutorError} (never retried) and is replaced on the next call.
 *
 * Aborting a call rejects it at once with `signal.reason`. A call already running in a worker
 * cannot be interrupted (it may be synchronous), so its worker is terminated; the other calls
 * in flight on that worker reject with an `ExecutorError`.
 *
 * Idle workers do not keep the process alive; still `close()` the pool (or `await using` it)
 * to release them. Creating a pool inside a worker throws: a module that runs pipelines at
 * top level must guard that code with `if (import.meta.main)`.
 *
 * @example Call a worker module
 * ```ts
 * import { WorkerPool } from "./worker_pool.ts";
 * import type { FixtureApi } from "../../tests/workers/_fixture_worker.ts";
 *
 * await using pool = new WorkerPool<FixtureApi>({
 *   script: new URL("../../tests/workers/_fixture_worker.ts", import.meta.url),
 *   size: 2,
 * });
 * console.assert(await pool.call("add", [1, 2]) === 3);
 * ```
 */
export class WorkerPool<Api extends object = WorkerApi> {
  /** The pool's name, for messages. */
  readonly name: string;
  /** The most workers alive at once. */
  readonly size: number;
  /** The most calls in flight per worker. */
  readonly maxInFlightPerWorker: number;
  #script: URL;
  #onEvent?: (data: unknown, worker: number) => void;
  #slots: Slot[] = [];
  #queue: Call[] = [];
  #started = 0;
  #closed = false;
  #stopping = new Set<Promise<unknown>>();

  /**
   * @param options The worker module and limits.
   * @throws {ExecutorError} Inside a worker (guard top-level code with `if (import.meta.main)`).
   * @throws {RangeError} When `size` or `maxInFlightPerWorker` is not a positive integer.
   */
  constructor(options: WorkerPoolOptions) {
    this.name = options.name ?? "worker-pool";
    if (isInsideWorker()) {
      throw new ExecutorError(
        `Cannot create worker pool "${this.name}" as this code runs inside a worker: ` +
          "guard the code that runs pipelines at the top level of your module with " +
          "`if (import.meta.main)`, so that workers importing the module do not start pools",
      );
    }
    this.size = positiveInteger(this.name, "size", options.size ?? navigator.hardwareConcurrency);
    this.maxInFlightPerWorker = positiveInteger(
      this.name,
      "maxInFlightPerWorker",
      options.maxInFlightPerWorker ?? 1,
    );
    this.#script = options.script instanceof URL ? options.script : new URL(options.script);
    this.#onEvent = options.onEvent;
  }

  /** How many workers were started so far, replacements included. */
  get started(): number {
    return this.#started;
  }

  /** How many workers are alive or starting. */
  get workers(): number {
    return this.#slots.length;
  }

  /**
   * Calls `method` of the worker module with `args` in the least busy worker.
   *
   * @param method The method's name.
   * @param args Its arguments (structured-cloneable).
   * @param options Signal and error context.
   * @returns What the method returned (awaited).
   * @throws {ExecutorError} When the worker dies, the pool is closed, or an argument or the
   * result cannot be cloned. What the method throws is rethrown with its class.
   */
  call<M extends keyof Api & string>(
    method: M,
    args: Api[M] extends (...a: infer A) => unknown ? A : never,
    options: CallOptions = {},
  ): Promise<Api[M] extends (...a: never[]) => infer R ? Awaited<R> : never> {
    if (this.#closed) return Promise.reject(this.#closedError(method, options));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const call: Call = {
        method,
        args,
        options,
        resolve: resolve as (value: unknown) => void,
        reject,
        posted: false,
        settled: false,
        cleanup: () => {},
      };
      if (signal) {
        const onAbort = () => this.#abort(call, signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        call.cleanup = () => signal.removeEventListener("abort", onAbort);
      }
      this.#queue.push(call);
      this.#pump();
    });
  }

  /** Terminates every worker and rejects pending calls; later calls reject. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const call of this.#queue.splice(0)) {
        this.#settle(call, false, this.#closedError(call.method, call.options));
      }
      for (const slot of [...this.#slots]) {
        this.#kill(slot, (c) => this.#closedError(c.method, c.options));
      }
    }
    return Promise.all(this.#stopping).then(() => {});
  }

  /** Same as {@linkcode WorkerPool.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #closedError(method: string, options: CallOptions): ExecutorError {
    return new ExecutorError(
      `Cannot complete call "${method}" as worker pool "${this.name}" is closed: ` +
        "use a new pool (or engine) for new work",
      options.context,
    );
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let best: Slot | undefined;
      for (const slot of this.#slots) if (!best || slot.calls.size < best.calls.size) best = slot;
      if ((!best || best.calls.size > 0) && this.#slots.length < this.size) best = this.#spawn();
      if (!best || best.calls.size >= this.maxInFlightPerWorker) return;
      const call = this.#queue.shift()!;
      call.slot = best;
      best.calls.add(call);
      best.handle?.ref();
      if (best.remote) this.#send(call, best.remote);
    }
  }

  #spawn(): Slot {
    const id = ++this.#started;
    const slot = { id, calls: new Set<Call>(), dead: false } as Omit<Slot, "starting"> as Slot;
    (slot as { starting: Promise<void> }).starting = startWorker(this.#script, {
      name: `${this.name}#${id}`,
      onExit: (exit) => this.#died(slot, exit),
      onEvent: this.#onEvent && ((data) => this.#onEvent!(data, id)),
    }).then((handle) => {
      slot.handle = handle;
      if (slot.dead) return;
      slot.remote = wrap<WorkerApi>(handle.endpoint);
      if (slot.calls.size === 0) handle.unref();
      for (const call of slot.calls) this.#send(call, slot.remote);
    }, (error: ExecutorError) => this.#died(slot, { message: error.message, cause: error }));
    this.#slots.push(slot);
    return slot;
  }

  #send(call: Call, remote: Remote<WorkerApi>): void {
    call.posted = true;
    (remote[call.method] as (...a: unknown[]) => Promise<unknown>)(...call.args).then(
      (value) => this.#settle(call, true, value),
      (error) => this.#settle(call, false, error),
    );
  }

  #settle(call: Call, ok: boolean, value: unknown): void {
    if (call.settled) return;
    call.settled = true;
    call.cleanup();
    const slot = call.slot;
    if (slot) {
      slot.calls.delete(call);
      if (slot.calls.size === 0 && !slot.dead) slot.handle?.unref();
    }
    if (ok) call.resolve(value);
    else call.reject(value);
    if (!this.#closed) queueMicrotask(() => this.#pump());
  }

  #abort(call: Call, reason: unknown): void {
    if (call.settled) return;
    const index = this.#queue.indexOf(call);
    if (index >= 0) this.#queue.splice(index, 1);
    const slot = call.slot;
    this.#settle(call, false, reason);
    if (slot && call.posted && !slot.dead) {
      this.#kill(slot, (c) =>
        new ExecutorError(
          `Cannot complete call "${c.method}" as its worker ${slot.id} of pool "${this.name}" was ` +
            `terminated to stop aborted call "${call.method}": the call was not retried`,
          c.options.context,
        ));
    }
  }

  #died(slot: Slot, exit: WorkerExit): void {
    if (slot.dead) return;
    this.#kill(slot, (c) =>
      new ExecutorError(
        `Cannot complete call "${c.method}" as worker ${slot.id} of pool "${this.name}" ` +
          `stopped: ${exit.message}. The call was not retried`,
        { ...c.options.context, cause: exit.cause },
      ));
  }

  /** Marks `slot` dead, rejects its calls and terminates its worker. */
  #kill(slot: Slot, error: (call: Call) => Error): void {
    slot.dead = true;
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    for (const call of [...slot.calls]) this.#settle(call, false, error(call));
    // A starting worker is terminated once it is ready (or has failed).
    const stopping = slot.starting.then(() => slot.handle?.terminate()).catch(() => {});
    this.#stopping.add(stopping);
    stopping.then(() => this.#stopping.delete(stopping));
  }
}
