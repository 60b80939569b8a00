/**
 * The worker script of the Worker executors. To be ready fast it loads only what serving
 * needs (the spawn protocol and Comlink) before it reports ready; the engine, the pipeline
 * registry and the user's modules (`_worker_run.ts`) load right after, while the main
 * thread sends the first task, which waits for them.
 *
 * Calls: `runChunk(desc, chunk, ctx)` and `runNode(desc, node, inputs, item, ctx)` (see
 * `_protocol.ts`). A call the main thread cancels (by `ctx.call`) sees its signal aborted. The
 * inputs a map's items share arrive with its first chunks and are kept here until the main
 * thread's `{ forget }`.
 *
 * @module
 */

import { ExecutorError } from "../core/errors.ts";
import type { CallContext, ChunkInput, ChunkResult, ForgetShared } from "./_protocol.ts";
import type { PipelineDescription } from "./_registry.ts";
import { flushCompileCache, serveWorker } from "./_serve.ts";

type Run = typeof import("./_worker_run.ts");

let loading: Promise<Run> | undefined;
let loaded: Run | undefined;
function load(): Promise<Run> {
  return loading ??= import("./_worker_run.ts").then((run) => {
    run.connect(channel);
    flushCompileCache();
    return loaded = run;
  });
}

/** The shared inputs of the maps in progress, by their key (see `ChunkInput.shared`). */
const shared = new Map<number, Readonly<Record<string, unknown>>>();

/**
 * The inputs a chunk's items share: sent along (and kept for the map's later chunks) or kept
 * from an earlier chunk. Runs as the call arrives, before anything awaits, so that a map's
 * `{ forget }`, which the main thread posts after all its chunks, always comes later.
 */
function sharedInputs(chunk: ChunkInput): Readonly<Record<string, unknown>> {
  if (chunk.shared === undefined) return chunk.broadcast ?? {};
  if (chunk.broadcast !== undefined) {
    shared.set(chunk.shared, chunk.broadcast);
    return chunk.broadcast;
  }
  const found = shared.get(chunk.shared);
  if (found !== undefined) return found;
  throw new ExecutorError(
    `Cannot run the chunk of items from ${chunk.first} as this worker does not have the inputs ` +
      `they share (map ${chunk.shared}): report this as a bug`,
    { item: chunk.first },
  );
}

const running = new Map<string | number, AbortController>();

async function withSignal<T>(
  ctx: CallContext,
  work: (run: Run, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  running.set(ctx.call, controller);
  try {
    return await work(await load(), controller.signal);
  } finally {
    running.delete(ctx.call);
  }
}

const api = {
  /** Runs a chunk of map items (see `_worker_run.ts`). */
  runChunk: async (
    desc: PipelineDescription,
    chunk: ChunkInput,
    ctx: CallContext,
  ): Promise<ChunkResult> => {
    const broadcast = sharedInputs(chunk); // as the call arrives (an async function's first part)
    return await withSignal(
      ctx,
      (run, signal) => run.runChunk(desc, chunk, broadcast, ctx, signal),
    );
  },
  /** Runs one node (see `_worker_run.ts`). */
  runNode: (
    desc: PipelineDescription,
    node: string,
    inputs: Readonly<Record<string, unknown>>,
    item: number | undefined,
    ctx: CallContext,
  ): Promise<unknown> =>
    withSignal(ctx, (run, signal) => run.runNode(desc, node, inputs, item, ctx, signal)),
};

/** The API this worker serves (for the main side's typed pool). */
export type WorkerEntryApi = typeof api;

const channel = serveWorker(api);
channel.onCancel((key) => running.get(key)?.abort(new Error("cancelled by the main thread")));
channel.onMessage((data) => {
  const forget = (data as Partial<ForgetShared> | null)?.forget;
  if (typeof forget === "number") shared.delete(forget);
  else loaded?.receive(data); // cache replies, only ever for calls of a loaded worker
});
// Load the engine now rather than at the first call; a failure is reported by that call.
load().catch(() => {});
