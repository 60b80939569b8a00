/**
 * One way to start a worker from a module URL on Deno, Bun and Node; the worker side is
 * `serveWorker()` in `_serve.ts`.
 *
 * The backend is chosen once: the global `Worker` where it can be unref'd, so that an idle
 * pool never keeps the process alive (Bun, by `unref()`; Deno, by the private method its own
 * `node:worker_threads` uses), else `node:worker_threads` loaded by dynamic `import()` (Node).
 * Deno's web Worker starts in about half the time of its `node:worker_threads` one, but tells
 * the main thread nothing when the worker calls `Deno.exit()`, `process.exit()` or
 * `self.close()`: the worker side reports those exits itself (`{ hn: "exit", code }`), so that
 * in-flight calls fail instead of hanging.
 *
 * Protocol (plain data on the worker's port, next to Comlink's messages, which always have
 * an `id`): the worker posts `{ hn: "ready" }` once it listens (web Workers drop messages
 * posted before the listener exists), and `{ hn: "event", data }` for
 * `WorkerChannel.post()`; the main thread posts `{ hn: "message", data }` for
 * {@linkcode WorkerHandle.post} and `{ hn: "cancel", key }` for {@linkcode WorkerHandle.cancel}.
 *
 * @module
 */

import type { Endpoint } from "comlink/dist/esm/comlink.mjs";
import { ExecutorError } from "../core/errors.ts";
import { installErrorTransfer } from "./_errors.ts";
import { nodePort, portEndpoint, type RawPort, webPort, type WebPortLike } from "./_endpoint.ts";
import { denoRef, isWebWorkerUnrefable } from "./_serve.ts";

/** Why a worker stopped. */
export interface WorkerExit {
  /** What happened, for messages: the worker's error message or its exit code. */
  readonly message: string;
  /** The worker's error, if it died of one. */
  readonly cause?: unknown;
}

/** Options of {@linkcode startWorker}. */
export interface StartWorkerOptions {
  /**
   * The worker's name (shown in debuggers and stack traces).
   * @default "hn-worker"
   */
  name?: string;
  /** Called once when the worker stops after it was ready, for whatever reason. */
  onExit?: (exit: WorkerExit) => void;
  /** Receives what the worker sends with `WorkerChannel.post()` (`_serve.ts`). */
  onEvent?: (data: unknown) => void;
}

/** A started worker, ready for Comlink calls. */
export interface WorkerHandle {
  /** The Comlink endpoint to `wrap()`. */
  readonly endpoint: Endpoint;
  /** Lets the process exit while the worker lives (call when idle). */
  unref(): void;
  /** Keeps the process alive while the worker lives (call while a call is in flight). */
  ref(): void;
  /** Stops the worker; `onExit` is called with `{ message: "terminated" }`. */
  terminate(): Promise<void>;
  /** Sends plain data to the worker's `WorkerChannel.onMessage` listener. */
  post(data: unknown): void;
  /** Asks the worker to stop the call identified by `key` (`WorkerChannel.onCancel`). */
  cancel(key: string | number): void;
}

interface Backend {
  port: RawPort;
  ref(): void;
  unref(): void;
  terminate(): Promise<unknown>;
}

type WebWorker = Worker & { ref(): void; unref(): void };

function errorMessage(e: unknown): string {
  const inner = (e as { error?: unknown })?.error ?? e;
  const text = (inner as { message?: string })?.message ?? String(inner);
  // Bun's ErrorEvent has no `error` and a `message` that is a code frame plus "error: <message>".
  const line = text.split("\n").find((l) =>
    l.trim() !== "" && !/^\d+ \|/.test(l) && !/^\s*\^\s*$/.test(l) && !/^\s+at /.test(l)
  );
  return (line ?? text).replace(/^error: /, "");
}

function webWorker(url: URL, name: string, die: (exit: WorkerExit) => void): Worker {
  const worker = new Worker(url, { type: "module", name });
  // Without an error listener a worker's uncaught exception kills this process.
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    const { error, message } = event as ErrorEvent;
    die({ message: errorMessage(event), cause: error ?? message });
  });
  return worker;
}

async function backend(url: URL, name: string, die: (exit: WorkerExit) => void): Promise<Backend> {
  if (isWebWorkerUnrefable()) {
    const worker = webWorker(url, name, die) as WebWorker;
    // Bun's web Worker emits "close" with the exit code (process.exit, crash, terminate).
    worker.addEventListener("close", (event) => {
      die({ message: `exited with code ${(event as unknown as { code?: number }).code}` });
    });
    return {
      port: webPort(worker as unknown as WebPortLike),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      terminate: () => Promise.resolve(worker.terminate()),
    };
  }
  if (denoRef !== undefined) {
    // Deno's web Worker reports no exit: the worker side posts { hn: "exit" } as it exits
    // (see reportExit in _serve.ts), which startWorker turns into a call to die().
    const worker = webWorker(url, name, die);
    const setRef = (worker as unknown as Record<symbol, (ref: boolean) => void>)[denoRef];
    // The method counts: call it on changes only, as ref()/unref() may repeat.
    let refd = true;
    const ref = (on: boolean): void => {
      if (refd === on) return;
      refd = on;
      setRef.call(worker, on);
    };
    return {
      port: webPort(worker as unknown as WebPortLike),
      ref: () => ref(true),
      unref: () => ref(false),
      terminate: () => Promise.resolve(worker.terminate()),
    };
  }
  const { Worker: NodeWorker } = await import("node:worker_threads");
  const worker = "Deno" in globalThis
    ? new NodeWorker(url, { name })
    : new NodeWorker(await nodeBootstrap(url), { name, eval: true });
  worker.on("error", (error) => die({ message: errorMessage(error), cause: error }));
  worker.on("exit", (code) => die({ message: `exited with code ${code}` }));
  return {
    port: nodePort(worker),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: () => worker.terminate(),
  };
}

/**
 * Node strips the types of every `.ts` module again in each worker (about 100 ms for the
 * library's own modules on a slow machine). Its compile cache keeps the stripped and compiled
 * modules on disk, so the worker starts from this tiny script that turns the cache on before
 * it imports the module: in the directory the main thread uses (`module.enableCompileCache()`),
 * else `NODE_COMPILE_CACHE`, else Node's default under the OS temp dir;
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as for any Node process.
 */
async function nodeBootstrap(url: URL): Promise<string> {
  const { getCompileCacheDir } = await import("node:module") as {
    getCompileCacheDir?: () => string | undefined;
  };
  const dir = getCompileCacheDir?.();
  return `const m = process.getBuiltinModule?.("node:module");
m?.enableCompileCache?.(${dir === undefined ? "" : JSON.stringify(dir)});
import(${JSON.stringify(url.href)}).finally(() => m?.flushCompileCache?.());`;
}

/**
 * Starts a worker running the module at `script` and waits until it is ready, i.e. until
 * the module called `serveWorker()` (`_serve.ts`).
 *
 * @param script The worker module's URL (resolve relative paths with `import.meta.url`).
 * @param options Name and exit/event listeners.
 * @returns The worker, ref'd; call `unref()` when idle.
 * @throws {ExecutorError} When the worker fails or stops before it is ready (for example its
 * module throws at top level).
 *
 * @example
 * ```ts
 * import { wrap } from "comlink/dist/esm/comlink.mjs";
 * import { startWorker } from "./_spawn.ts";
 * const worker = await startWorker(new URL("../../tests/workers/_fixture_worker.ts", import.meta.url));
 * const api = wrap<{ add(a: number, b: number): number }>(worker.endpoint);
 * console.assert(await api.add(1, 2) === 3);
 * await worker.terminate();
 * ```
 */
export async function startWorker(
  script: URL | string,
  options: StartWorkerOptions = {},
): Promise<WorkerHandle> {
  installErrorTransfer();
  const name = options.name ?? "hn-worker";
  const url = script instanceof URL ? script : new URL(script);
  let ready = false;
  let exited: WorkerExit | undefined;
  let fail: (exit: WorkerExit) => void = () => {};
  const die = (exit: WorkerExit): void => {
    if (exited) return;
    exited = exit;
    if (ready) options.onExit?.(exit);
    else fail(exit);
  };
  const worker = await backend(url, name, die);
  const { endpoint, deliver } = portEndpoint(worker.port, "main");
  await new Promise<void>((resolve, reject) => {
    fail = (exit) =>
      reject(
        new ExecutorError(
          `Cannot start worker "${name}" as it stopped before it was ready: ${
            exit.message.replace(/\.$/, "")
          }. ` +
            `Check that ${url.href} can be imported and calls serveWorker()`,
          { cause: exit.cause },
        ),
      );
    // A module that fails at once may stop while `backend()` was still starting it.
    if (exited) return fail(exited);
    worker.port.listen((data) => {
      const hn = (data as { hn?: unknown } | null)?.hn;
      if (hn === "ready") {
        ready = true;
        resolve();
      } else if (hn === "event") options.onEvent?.((data as { data: unknown }).data);
      else if (hn === "exit") {
        die({ message: `exited with code ${(data as { code: unknown }).code}` });
      } else deliver(data);
    });
  });
  return {
    endpoint,
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    async terminate() {
      die({ message: "terminated" });
      await worker.terminate();
    },
    post: (data) => worker.port.post({ hn: "message", data }),
    cancel: (key) => worker.port.post({ hn: "cancel", key }),
  };
}
