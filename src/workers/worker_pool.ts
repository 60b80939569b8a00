/**
 * A pool of workers that all run one module, called through Comlink. It does what Comlink
 * does not: rejects in-flight calls when a worker dies, replaces dead workers, keeps errors'
 * classes, honours `AbortSignal` and lets an idle process exit.
 *
 * @module
 */

import { type Remote, wrap } from "comlink/dist/esm/comlink.mjs";
import { ExecutorError, type HyperNodesErrorOptions } from "../core/errors.ts";
import { isInsideWorker } from "./_serve.ts";
import { startWorker, type WorkerExit, type WorkerHandle } from "./_spawn.ts";

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
  /**
   * How many times a call whose worker died (crashed, exited, or was terminated to stop
   * another call) is sent again to a fresh worker. What the method throws is never retried.
   * Keep 0 for work with side effects that must not run twice.
   * @default 0
   */
  retries?: number;
}

/** Options of {@linkcode WorkerPool.call}. */
export interface CallOptions {
  /** Rejects the call with `signal.reason`; a running call's worker is terminated. */
  signal?: AbortSignal;
  /** Fields (`pipeline`, `node`, `item`) set on the `ExecutorError`s this call rejects with. */
  context?: Omit<HyperNodesErrorOptions, "cause">;
  /**
   * When set, aborting the call while it runs first asks the worker to stop it (the worker's
   * `WorkerChannel.onCancel` listener receives this key) and terminates the worker only if the
   * call has not returned within a short grace period. Without it the worker is terminated at once.
   */
  cancelKey?: string | number;
  /**
   * Overrides the pool's `retries` for this call.
   * @default the pool's `retries`
   */
  retries?: number;
}

/** The methods a worker module serves. */
// deno-lint-ignore no-explicit-any
export type WorkerApi = Record<string, (...args: any[]) => unknown>;

interface Call {
  readonly method: string;
  readonly args: readonly unknown[] | ((worker: number) => readonly unknown[]);
  readonly options: CallOptions;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** The slot the call occupies (until its worker answers or dies), if any. */
  slot?: Slot;
  posted: boolean;
  /** Whether the caller's promise is settled (an aborted call may still occupy its slot). */
  settled: boolean;
  /** How many times the call was sent again after its worker died. */
  retried: number;
  /** Terminates a cancelled call's worker when the grace period ends. */
  grace?: ReturnType<typeof setTimeout>;
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

/** How long a cancelled call may take to return before its worker is terminated. */
const CANCEL_GRACE_MS = 200;

function positiveInteger(pool: string, key: string, value: number, min = 1): number {
  if (Number.isInteger(value) && value >= min) return value;
  throw new RangeError(
    `Cannot create worker pool "${pool}" as ${key} is ${value}: use an integer ≥ ${min}`,
  );
}

/**
 * A lazy pool of at most `size` workers running one module. Workers start on demand,
 * calls go to the least busy worker, a worker that dies rejects its in-flight calls with an
 * {@linkcode ExecutorError} (or, with `retries`, sends them again to a fresh worker) and is
 * replaced on the next call.
 *
 * Aborting a call rejects it at once with `signal.reason`. A call already running in a worker
 * cannot be interrupted (it may be synchronous): with a `cancelKey` the worker is asked to stop
 * it and is terminated only if it does not return within a short grace period; without one it
 * is terminated at once. The other calls in flight on a terminated worker reject with an
 * `ExecutorError` (or are retried).
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
  /** How many times a call whose worker died is retried. */
  readonly retries: number;
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
   * @throws {RangeError} When `size` or `maxInFlightPerWorker` is not a positive integer, or
   * `retries` is not an integer ≥ 0.
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
    this.retries = positiveInteger(this.name, "retries", options.retries ?? 0, 0);
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
   * @param args Its arguments (structured-cloneable), or a function that makes them for the
   * worker (by id) the call is about to be sent to: called again if the call is retried.
   * @param options Signal and error context.
   * @returns What the method returned (awaited).
   * @throws {ExecutorError} When the worker dies, the pool is closed, or an argument or the
   * result cannot be cloned. What the method throws is rethrown with its class.
   */
  call<M extends keyof Api & string>(
    method: M,
    args:
      | (Api[M] extends (...a: infer A) => unknown ? A : never)
      | ((worker: number) => Api[M] extends (...a: infer A) => unknown ? A : never),
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
        retried: 0,
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

  /**
   * Sends `data` to worker `worker` outside any call; the worker receives it with
   * `WorkerChannel.onMessage`.
   *
   * @param worker The worker's id (as given to `onEvent`).
   * @param data Plain, cloneable data.
   * @returns Whether the worker is alive and the message was posted.
   */
  post(worker: number, data: unknown): boolean {
    const slot = this.#slots.find((s) => s.id === worker);
    if (!slot?.handle || slot.dead) return false;
    slot.handle.post(data);
    return true;
  }

  /** Terminates every worker and rejects pending calls; later calls reject. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const call of this.#queue.splice(0)) {
        this.#settle(call, false, this.#closedError(call.method, call.options));
      }
      for (const slot of [...this.#slots]) {
        for (const call of slot.calls) {
          this.#settle(call, false, this.#closedError(call.method, call.options));
        }
        this.#kill(slot, false, () => "");
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
      onExit: (exit) => this.#died(slot, exit, true),
      onEvent: this.#onEvent && ((data) => this.#onEvent!(data, id)),
    }).then((handle) => {
      slot.handle = handle;
      if (slot.dead) return;
      slot.remote = wrap<WorkerApi>(handle.endpoint);
      if (slot.calls.size === 0) handle.unref();
      for (const call of slot.calls) this.#send(call, slot.remote);
    }, (error: ExecutorError) => this.#died(slot, { message: error.message, cause: error }, false));
    this.#slots.push(slot);
    return slot;
  }

  #send(call: Call, remote: Remote<WorkerApi>): void {
    call.posted = true;
    const slot = call.slot!;
    const args = typeof call.args === "function" ? call.args(slot.id) : call.args;
    (remote[call.method] as (...a: unknown[]) => Promise<unknown>)(...args).then(
      (value) => this.#answered(call, slot, true, value),
      (error) => this.#answered(call, slot, false, error),
    );
  }

  /** The worker answered: the call leaves its slot, and its caller gets the answer. */
  #answered(call: Call, slot: Slot, ok: boolean, value: unknown): void {
    if (call.slot !== slot) return;
    this.#release(call);
    this.#settle(call, ok, value);
  }

  /** Frees the call's slot. */
  #release(call: Call): void {
    const slot = call.slot;
    if (!slot) return;
    call.slot = undefined;
    if (call.grace !== undefined) clearTimeout(call.grace);
    slot.calls.delete(call);
    if (slot.calls.size === 0 && !slot.dead) slot.handle?.unref();
    if (!this.#closed) queueMicrotask(() => this.#pump());
  }

  /** Settles the caller's promise (once). */
  #settle(call: Call, ok: boolean, value: unknown): void {
    if (call.settled) return;
    call.settled = true;
    call.cleanup();
    if (ok) call.resolve(value);
    else call.reject(value);
  }

  #abort(call: Call, reason: unknown): void {
    if (call.settled) return;
    const index = this.#queue.indexOf(call);
    if (index >= 0) this.#queue.splice(index, 1);
    const slot = call.slot;
    this.#settle(call, false, reason);
    if (!slot || slot.dead) return;
    if (!call.posted) return this.#release(call);
    const stop = () =>
      this.#kill(
        slot,
        true,
        (c) =>
          `Cannot complete call "${c.method}" as its worker ${slot.id} of pool "${this.name}" was ` +
          `terminated to stop aborted call "${call.method}"`,
      );
    const key = call.options.cancelKey;
    if (key === undefined) return stop();
    // The call keeps its slot until the worker answers; a worker that does not is terminated.
    slot.handle?.cancel(key);
    call.grace = setTimeout(() => call.slot === slot && !slot.dead && stop(), CANCEL_GRACE_MS);
  }

  #died(slot: Slot, exit: WorkerExit, ready: boolean): void {
    if (slot.dead) return;
    this.#kill(
      slot,
      ready,
      (c) =>
        `Cannot complete call "${c.method}" as worker ${slot.id} of pool "${this.name}" stopped`,
      exit,
    );
  }

  /**
   * Marks `slot` dead and terminates its worker. Its calls are sent again when `retry` allows
   * and they have retries left, else rejected with `message(call)` plus what was tried.
   */
  #kill(slot: Slot, retry: boolean, message: (call: Call) => string, exit?: WorkerExit): void {
    slot.dead = true;
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    const retried: Call[] = [];
    for (const call of [...slot.calls]) {
      this.#release(call);
      if (call.settled) continue;
      const retries = call.options.retries ?? this.retries;
      if (retry && !this.#closed && call.retried < retries) {
        call.retried++;
        call.posted = false;
        retried.push(call);
        continue;
      }
      const what = exit ? `: ${exit.message}` : "";
      const tried = call.retried > 0
        ? `. The call was sent ${call.retried + 1} times, to a fresh worker each time`
        : retries > 0 || !retry
        ? ". The call was not retried"
        : ". The call was not retried: set retries to retry calls whose worker dies";
      this.#settle(
        call,
        false,
        new ExecutorError(`${message(call)}${what}${tried}`, {
          ...call.options.context,
          cause: exit?.cause,
        }),
      );
    }
    this.#queue.unshift(...retried);
    // A starting worker is terminated once it is ready (or has failed).
    const stopping = slot.starting.then(() => slot.handle?.terminate()).catch(() => {});
    this.#stopping.add(stopping);
    stopping.then(() => this.#stopping.delete(stopping));
  }
}
