/**
 * The worker script of the Worker executors. To be ready fast it loads only what serving
 * needs (the spawn protocol and Comlink) before it reports ready; the engine, the pipeline
 * registry and the user's modules (`_worker_run.ts`) load right after, while the main
 * thread sends the first task, which waits for them.
 *
 * Calls: `runChunk(desc, chunk, ctx)` and `runNode(desc, node, inputs, item, ctx)` (see
 * `_protocol.ts`). A call the main thread cancels (by `ctx.call`) sees its signal aborted.
 *
 * @module
 */

import type { CallContext, ChunkInput, ChunkResult } from "./_protocol.ts";
import type { PipelineDescription } from "./_registry.ts";
import { flushCompileCache, serveWorker } from "./_serve.ts";

type Run = typeof import("./_worker_run.ts");

let loading: Promise<Run> | undefined;
function load(): Promise<Run> {
  return loading ??= import("./_worker_run.ts").then((run) => {
    run.connect(channel);
    flushCompileCache();
    return run;
  });
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
  runChunk: (
    desc: PipelineDescription,
    chunk: ChunkInput,
    ctx: CallContext,
  ): Promise<ChunkResult> =>
    withSignal(ctx, (run, signal) => run.runChunk(desc, chunk, ctx, signal)),
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
// Load the engine now rather than at the first call; a failure is reported by that call.
load().catch(() => {});
