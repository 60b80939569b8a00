// A worker module for the worker tests: every method exercises one behaviour of the pool.
import { serveWorker } from "../../src/workers/_serve.ts";
import { WorkerPool } from "../../src/workers/worker_pool.ts";
import { QuotaError } from "./_quota_error.ts";
import process from "node:process";

const id = crypto.randomUUID();

let active = 0;
let mostActive = 0;

const api = {
  add: (a: number, b: number): number => a + b,
  echo: <T>(value: T): T => value,
  id: (): string => id,
  /** Waits on a timer, then returns this worker's id. */
  sleep: (ms: number): Promise<string> => new Promise((r) => setTimeout(() => r(id), ms)),
  /** Waits on a timer; returns the most calls this worker had running at once. */
  async track(ms: number): Promise<number> {
    mostActive = Math.max(mostActive, ++active);
    await new Promise((r) => setTimeout(r, ms));
    active--;
    return mostActive;
  },
  /** Blocks the worker's thread (a synchronous function that cannot be interrupted). */
  block(ms: number): string {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return id;
  },
  throwCustom(): never {
    const e = new QuotaError("over quota", 10, {
      cause: new TypeError("inner", { cause: "root" }),
    });
    (e as unknown as { extra: unknown }).extra = { nested: [1, 2] };
    throw e;
  },
  /** An uncaught exception outside the call, while the call is in flight. */
  crash(): Promise<never> {
    setTimeout(() => {
      throw new Error("boom in worker");
    }, 0);
    return new Promise(() => {});
  },
  exit(): never {
    return process.exit(1);
  },
  /** Stops the worker with `self.close()` (web Workers only). */
  closeSelf(): Promise<never> {
    (globalThis as unknown as { close(): void }).close();
    return new Promise(() => {});
  },
  /** Exits the worker with `Deno.exit(4)` (Deno only). */
  denoExit(): never {
    return (globalThis as unknown as { Deno: { exit(code: number): never } }).Deno.exit(4);
  },
  /** Exits the worker on the first call over all workers (`calls` is shared memory). */
  exitOnce(calls: Int32Array): string {
    if (Atomics.add(calls, 0, 1) === 0) process.exit(1);
    return "survived";
  },
  /** Sends an event to the main thread before returning. */
  emit(data: unknown): string {
    channel.post(data);
    return "sent";
  },
  returnFunction: (): unknown => ({ ok: 1, callback: () => 1 }),
  /** Tries to start a pool inside this worker and reports what happened. */
  nestedPool(): string {
    new WorkerPool({ script: import.meta.url, size: 1 });
    return "started";
  },
};

/** The API this module serves, for typed calls. */
export type FixtureApi = typeof api;

const channel = serveWorker(api);
