/**
 * The worker side of `_spawn.ts`: {@linkcode serveWorker}, and what both sides agree on (which
 * kind of worker this runtime uses, whether code runs in one).
 *
 * A worker is ready once it listens and has exposed its API, and every module it loads before
 * that delays every worker start (about 1 ms each on Node): so this module loads only Comlink,
 * the port adapters and the error classes; the error transfer (`_errors.ts`) loads right after
 * READY, and Comlink calls that arrive before it wait for it.
 *
 * @module
 */

import { expose } from "comlink/dist/esm/comlink.mjs";
import { ExecutorError } from "../core/errors.ts";
import { nodePort, portEndpoint, type RawPort, webPort, type WebPortLike } from "./_endpoint.ts";

/**
 * Which kind of worker `startWorker()` (`_spawn.ts`) starts in this runtime, and so which kind
 * of worker {@linkcode serveWorker} serves in.
 *
 * @returns `"web"` for the global `Worker`, `"worker_threads"` for `node:worker_threads`.
 *
 * @example
 * ```ts
 * import { workerBackend } from "./_serve.ts";
 * console.assert(["web", "worker_threads"].includes(workerBackend()));
 * ```
 */
export function workerBackend(): "web" | "worker_threads" {
  return isWebWorkerUnrefable() || denoRef !== undefined ? "web" : "worker_threads";
}

/**
 * Whether the global `Worker` has `ref()`/`unref()` (Bun).
 *
 * @returns `true` where it has.
 *
 * @example
 * ```ts
 * import { isWebWorkerUnrefable } from "./_serve.ts";
 * console.assert(isWebWorkerUnrefable() === "Bun" in globalThis);
 * ```
 */
export function isWebWorkerUnrefable(): boolean {
  return typeof Worker === "function" &&
    typeof (Worker.prototype as Partial<{ unref(): void }>).unref === "function";
}

/**
 * Deno's web `Worker` has no public `unref()`, but its prototype keeps a method under an
 * unnamed symbol, `(ref: boolean)`, that counts refs of the worker's pending messages (its own
 * `node:worker_threads` is built on it). Found by shape, so a Deno without it (or with more
 * than one such method) falls back to `node:worker_threads`, which starts 20–30 ms slower; a
 * test checks that Deno uses the web Worker.
 */
export const denoRef: symbol | undefined = (() => {
  if (!("Deno" in globalThis) || typeof Worker !== "function") return undefined;
  const proto = Worker.prototype as unknown as Record<symbol, unknown>;
  const found = Object.getOwnPropertySymbols(proto).filter((s) =>
    s.description === undefined && typeof proto[s] === "function" &&
    (proto[s] as (ref: boolean) => void).length === 1
  );
  // More than one candidate: not the Deno this was written for; do not guess.
  return found.length === 1 ? found[0] : undefined;
})();

/**
 * Writes what a worker compiled so far to Node's compile cache (see the worker bootstrap), so
 * that workers started later find it even if this one is terminated. Does nothing elsewhere.
 *
 * @example
 * ```ts
 * import { flushCompileCache } from "./_serve.ts";
 * flushCompileCache();
 * ```
 */
export function flushCompileCache(): void {
  // Only Node has one; Deno's first use of `process` in a worker costs 10–20 ms.
  if ("Deno" in globalThis) return;
  const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const module = proc?.getBuiltinModule?.("node:module") as
    | { flushCompileCache?: () => void }
    | undefined;
  module?.flushCompileCache?.();
}

/** The worker side's channel to the main thread, next to Comlink's calls. */
export interface WorkerChannel {
  /** Sends plain data to the main thread's `onEvent` (progress, callback events). */
  post(data: unknown): void;
  /** Sets the listener of what the main thread sends with {@linkcode WorkerHandle.post}. */
  onMessage(listener: (data: unknown) => void): void;
  /** Sets the listener of the keys of calls the main thread wants stopped. */
  onCancel(listener: (key: string | number) => void): void;
}

interface WorkerThreadsLike {
  isMainThread: boolean;
  parentPort: (RawPortSource & { on: unknown }) | null;
}
type RawPortSource = Parameters<typeof nodePort>[0];

function workerThreads(): WorkerThreadsLike | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  return proc?.getBuiltinModule?.("node:worker_threads") as WorkerThreadsLike | undefined;
}

/**
 * Whether this code runs inside a worker (any runtime, either kind of worker). Cheap: no
 * import, one global check.
 *
 * @returns `true` inside a worker.
 *
 * @example
 * ```ts
 * import { isInsideWorker } from "./_serve.ts";
 * console.assert(isInsideWorker() === false);
 * ```
 */
export function isInsideWorker(): boolean {
  const scope = (globalThis as { WorkerGlobalScope?: new () => unknown }).WorkerGlobalScope;
  if (typeof scope === "function" && globalThis instanceof scope) return true;
  return workerThreads()?.isMainThread === false;
}

/**
 * Serves `api` to the main thread through Comlink, from inside a worker started by
 * `startWorker()`, then signals that the worker is ready. Call it once at the top
 * level of the worker module, after the module's setup.
 *
 * @param api The object whose methods the main thread calls.
 * @returns A channel to send events to the main thread.
 * @throws {ExecutorError} When called outside a worker.
 *
 * @example A worker module
 * ```ts ignore
 * import { serveWorker } from "./_serve.ts";
 * serveWorker({ add: (a: number, b: number) => a + b });
 * ```
 */
export function serveWorker(api: object): WorkerChannel {
  if (!isInsideWorker()) {
    throw new ExecutorError(
      "Cannot serve a worker API as this code runs on the main thread: " +
        "start this module with startWorker() or a WorkerPool",
    );
  }
  // startWorker() chose the same backend in this runtime. Asking `node:worker_threads` first
  // would cost a Deno web Worker 10–20 ms: its first use of `process` loads Node's compat layer.
  // (Bun's worker_threads workers only deliver to parentPort; its web Workers deliver to both.)
  const wt = workerBackend() === "web" ? undefined : workerThreads();
  const web = !(wt?.parentPort && !wt.isMainThread);
  const raw = web
    ? webPort(globalThis as unknown as WebPortLike)
    : nodePort(wt!.parentPort as RawPortSource);
  const { endpoint, deliver } = portEndpoint(raw, "worker");
  let onMessage: (data: unknown) => void = () => {};
  let onCancel: (key: string | number) => void = () => {};
  const receive = (data: unknown): void => {
    const hn = (data as { hn?: unknown } | null)?.hn;
    if (hn === "message") onMessage((data as { data: unknown }).data);
    else if (hn === "cancel") onCancel((data as { key: string | number }).key);
    else deliver(data);
  };
  // Messages wait for the error transfer, which loads after READY: an error thrown before it
  // is installed would cross without its class, cause and fields. They wait all together, so
  // that they stay in order (a cancel or a notice after its call). (Should the import fail,
  // the rejection crashes the worker, which fails its calls: nothing waits forever.)
  let queued: unknown[] | undefined = [];
  raw.listen((data) => queued !== undefined ? queued.push(data) : receive(data));
  if (web) reportExit(raw);
  expose(api, endpoint);
  raw.post({ hn: "ready" });
  // Even starting an import takes a millisecond on Node (it resolves and reads the file): after READY.
  import("./_errors.ts").then(({ installErrorTransfer }) => installErrorTransfer()).finally(() => {
    const waiting = queued!;
    queued = undefined;
    for (const data of waiting) receive(data);
  });
  return {
    post: (data) => raw.post({ hn: "event", data }),
    onMessage: (listener) => void (onMessage = listener),
    onCancel: (listener) => void (onCancel = listener),
  };
}

/**
 * Inside a Deno web Worker, which gives the main thread no sign when it exits: makes
 * `Deno.exit()` (which `process.exit()` calls) and `self.close()` post `{ hn: "exit", code }`
 * first, so that the calls in flight fail instead of waiting forever.
 */
function reportExit(raw: RawPort): void {
  const deno = (globalThis as { Deno?: { exit(code?: number): never } }).Deno;
  if (deno === undefined) return;
  const scope = globalThis as { close?: () => void };
  const exit = deno.exit;
  const close = scope.close;
  try {
    deno.exit = (code) => {
      raw.post({ hn: "exit", code: code ?? 0 });
      return exit.call(deno, code);
    };
    if (typeof close === "function") {
      scope.close = () => {
        raw.post({ hn: "exit", code: 0 });
        close.call(scope);
      };
    }
  } catch {
    // A frozen namespace: such exits go unreported, as before this guard.
  }
}
