/**
 * A run streamed as Server-Sent Events: every callback event as it happens
 * (`event: node_start`, `data: {…}`), then one `result` or `error` event.
 *
 * Callback hooks are synchronous, so each event is enqueued synchronously on a
 * `ReadableStream`: order is kept without any write queue.
 *
 * @module
 */

import { type Callback, type CallbackHook, callbackHooks } from "../core/callback.ts";
import type { ParentRun } from "../core/engine.ts";
import type { Engine } from "../core/engine.ts";
import type { AnyPipeline } from "../core/types.ts";
import { describeError, errorBody, toHttpError, toJson } from "./_errors.ts";

const HOOKS = callbackHooks;

/** `onNodeStart` → `node_start`. */
function eventName(hook: CallbackHook): string {
  return hook.slice(2).replace(/[A-Z]/g, (c, i: number) => (i === 0 ? "" : "_") + c.toLowerCase());
}

/** What a streamed run needs. */
export interface StreamRequest {
  pipeline: AnyPipeline;
  engine: Engine;
  inputs: Record<string, unknown>;
  outputs: string[] | undefined;
  /** The client's signal: a disconnect aborts the run. */
  signal: AbortSignal;
  debug: boolean;
  /** Called once when the run has settled. */
  done: () => void;
}

/**
 * Starts the run and answers with an SSE stream once its first event fires.
 * When the run fails before any event (missing inputs, unknown output), it
 * rejects instead, so the caller answers with a plain JSON 4xx.
 */
export async function streamRun(req: StreamRequest): Promise<Response> {
  const encoder = new TextEncoder();
  const abort = new AbortController();
  const signal = AbortSignal.any([req.signal, abort.signal]);
  let sink: ReadableStreamDefaultController<Uint8Array> | undefined;
  const buffered: string[] = [];
  let closed = false;
  const send = (event: string, data: unknown): void => {
    const chunk = `event: ${event}\ndata: ${toJson(data)}\n\n`;
    if (sink === undefined) return void buffered.push(chunk);
    if (closed) return;
    try {
      sink.enqueue(encoder.encode(chunk));
    } catch {
      closed = true; // the client went away: cancel() below aborts the run
    }
  };

  let sawEvent = false;
  let started!: () => void;
  const firstEvent = new Promise<void>((resolve) => (started = resolve));
  const callback: Callback = { name: "sse" };
  for (const hook of HOOKS) {
    const name = eventName(hook);
    (callback as Record<string, unknown>)[hook] = (event: Record<string, unknown>) => {
      sawEvent = true;
      started();
      const data = "error" in event && event.error !== undefined
        ? { ...event, error: describeError(event.error, req.debug) }
        : event;
      send(name, data);
    };
  }
  const runId = crypto.randomUUID();
  // A top-level run (depth 0) whose callbacks are ours plus the engine's own:
  // the pipeline keeps its engine (executors, cache) and we still hear every event.
  const parent: ParentRun = {
    runId,
    depth: 0,
    path: [req.pipeline.name],
    callbacks: [callback],
    context: { runId, data: new Map() },
  };
  const run = req.engine.run(req.pipeline, req.inputs, {
    outputs: req.outputs,
    signal,
    parent,
  });
  let failedEarly = false;
  await Promise.race([firstEvent, run.then(() => {}, () => void (failedEarly = true))]);
  // A failure after the first event (a node threw) is streamed as an `error` event.
  if (failedEarly && !sawEvent) {
    req.done();
    await run; // rethrows for the caller's JSON answer
  }

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      sink = controller;
      for (const chunk of buffered) controller.enqueue(encoder.encode(chunk));
      buffered.length = 0;
    },
    cancel(reason) {
      closed = true;
      abort.abort(reason ?? new DOMException("The client went away", "AbortError"));
    },
  });
  run.then(
    (outputs) => send("result", { outputs }),
    (error) => send("error", errorBody(toHttpError(error, req.debug))),
  ).finally(() => {
    req.done();
    if (!closed) {
      closed = true;
      try {
        sink?.close();
      } catch { /* already cancelled */ }
    }
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    },
  });
}
