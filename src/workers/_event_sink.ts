/**
 * The worker side of callback events: a {@linkcode Callback} that posts the events of a call to
 * the main thread. Events are queued and posted together every few milliseconds or few hundred
 * events, and always before the call returns, so a chunk of thousands of items costs a few
 * messages, not one per event. Before a node starts, the queue goes at once unless the previous
 * node was quick: the start of a node that then blocks its thread for long is seen while it
 * blocks.
 *
 * @module
 */

import { type Callback, type CallbackHook, callbackHooks } from "../core/callback.ts";
import { serializeError } from "./_errors.ts";
import type { WorkerMessage } from "./_protocol.ts";

/** How many events, or milliseconds, one batch holds at most. */
const MAX_EVENTS = 256;
const MAX_DELAY_MS = 16;

/**
 * Queues a call's events and posts them in batches.
 *
 * @example
 * ```ts ignore
 * const sink = new EventSink((m) => channel.post(m), ctx.call, ctx.depth, ["onMapStart", "onMapEnd"]);
 * await engine.map(pipeline, inputs, { mapOver, parent: { ...run, callbacks: [sink.callback] } });
 * sink.flush();
 * ```
 */
export class EventSink {
  /** The callback to give the worker-side engine. */
  readonly callback: Callback;
  readonly #post: (message: WorkerMessage) => void;
  readonly #call: number;
  #queue: [CallbackHook, object][] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushed = -Infinity;
  /** Whether the last node of the call took under a millisecond. */
  #quick = false;

  /**
   * @param post Posts a message to the main thread.
   * @param call The call the events belong to.
   * @param depth The depth of the worker-side run itself.
   * @param own Hooks that, at `depth`, only exist because the work was shipped (the worker's
   *   own run or map of the task): they are not forwarded.
   */
  constructor(
    post: (message: WorkerMessage) => void,
    call: number,
    depth: number,
    own: readonly CallbackHook[],
  ) {
    this.#post = post;
    this.#call = call;
    const cb: Record<string, unknown> = { name: "worker-events" };
    for (const hook of callbackHooks) {
      const skip = own.includes(hook);
      cb[hook] = (event: Record<string, unknown>) => {
        if (skip && event.depth === depth) return;
        this.#push(
          hook,
          "error" in event ? { ...event, error: serializeError(event.error) } : event,
        );
        if (hook === "onNodeEnd") this.#quick = (event.duration as number) < 1;
        else if (hook === "onNodeStart" && !this.#quick) this.flush();
      };
    }
    this.callback = cb as Callback;
  }

  /** Posts the queued events now. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushed = performance.now();
    if (this.#queue.length === 0) return;
    const events = this.#queue;
    this.#queue = [];
    try {
      this.#post({ call: this.#call, events });
    } catch {
      // An event holding a value that cannot be cloned is dropped rather than failing the run.
      for (const event of events) {
        try {
          this.#post({ call: this.#call, events: [event] });
        } catch { /* dropped */ }
      }
    }
  }

  #push(hook: CallbackHook, event: object): void {
    this.#queue.push([hook, event]);
    if (this.#queue.length >= MAX_EVENTS || performance.now() - this.#flushed >= MAX_DELAY_MS) {
      this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), MAX_DELAY_MS);
    }
  }
}
