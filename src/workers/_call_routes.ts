/**
 * The main-thread side of what workers send during a call besides its result: callback events
 * go to the engine's callbacks, cache lookups are answered from the engine's cache and cache
 * writes are stored there (the call's result is used once they are done).
 *
 * @module
 */

import type { Cache } from "../core/cache.ts";
import type { CallbackHook } from "../core/callback.ts";
import type { RunInfo } from "../core/executor.ts";
import { ExecutorError } from "../core/errors.ts";
import { deserializeError, serializeError } from "./_errors.ts";
import type { CacheReply, CallContext, WorkerMessage } from "./_protocol.ts";

/** Where one call's messages go. */
export interface Route {
  /** Receives the call's callback events. */
  readonly emit?: (hook: CallbackHook, event: object) => void;
  /** Serves the call's cache lookups and writes. */
  readonly cache?: Cache;
}

interface Open extends Route {
  readonly stores: Promise<unknown>[];
}

/**
 * The routes of the calls in flight, by call id.
 *
 * @example
 * ```ts ignore
 * const ctx = routes.open({ emit }, run, "pipeline");
 * try {
 *   const result = await pool.call("runChunk", [desc, chunk, ctx]);
 *   await routes.stored(ctx.call);
 * } finally {
 *   routes.close(ctx.call);
 * }
 * ```
 */
export class CallRoutes {
  readonly #post: (worker: number, reply: CacheReply) => void;
  readonly #routes = new Map<number, Open>();
  #next = 0;

  /** @param post Sends a reply to a worker. */
  constructor(post: (worker: number, reply: CacheReply) => void) {
    this.#post = post;
  }

  /**
   * Opens a call's route.
   *
   * @param route Its events' and cache's destination.
   * @param run The run the call belongs to.
   * @param pipeline The pipeline's name (the path when `run` is not known).
   * @returns The context to send with the call.
   */
  open(route: Route, run: RunInfo | undefined, pipeline: string): CallContext {
    const call = ++this.#next;
    this.#routes.set(call, { ...route, stores: [] });
    return {
      call,
      events: route.emit !== undefined,
      cache: route.cache !== undefined,
      runId: run?.runId ?? "",
      depth: run?.depth ?? 0,
      path: run?.path ?? [pipeline],
      itemPath: run?.itemPath ?? [],
    };
  }

  /**
   * Resolves once the cache writes the call's worker sent so far are stored.
   *
   * @param call The call's id.
   */
  async stored(call: number): Promise<void> {
    await Promise.all(this.#routes.get(call)?.stores ?? []);
  }

  /**
   * Closes a call's route; later messages of the call are ignored.
   *
   * @param call The call's id.
   */
  close(call: number): void {
    this.#routes.delete(call);
  }

  /**
   * Handles a message from worker `worker`.
   *
   * @param message What the worker posted.
   * @param worker The worker's id in the pool.
   */
  receive(message: WorkerMessage, worker: number): void {
    const route = this.#routes.get(message.call);
    if (!route) {
      // The call was given up (aborted): let the worker's lookups fail so the call ends.
      if ("keys" in message) {
        this.#post(worker, {
          get: message.get,
          error: serializeError(
            new ExecutorError(
              "Cannot read the cache as the call was cancelled: the worker stops the call",
            ),
          ),
        });
      }
      return;
    }
    if ("events" in message) {
      for (const [hook, event] of message.events) {
        const e = event as Record<string, unknown>;
        if ("error" in e) e.error = deserializeError(e.error);
        route.emit?.(hook, e);
      }
    } else if ("keys" in message) {
      const cache = route.cache!;
      Promise.all(message.keys.map((key) => cache.get(key))).then(
        (hits) => this.#reply(worker, { get: message.get, hits }),
        (error) => this.#post(worker, { get: message.get, error: serializeError(error) }),
      );
    } else {
      const cache = route.cache!;
      for (const [key, value] of message.sets) {
        route.stores.push(cache.set(key, value).catch((error) => warnUnstored(cache, error)));
      }
    }
  }

  #reply(worker: number, reply: CacheReply & { hits: unknown[] }): void {
    try {
      this.#post(worker, reply);
    } catch {
      // A value that cannot be cloned is a miss for the worker, which computes it again.
      const hits = reply.hits.map((hit) => {
        try {
          return structuredClone(hit) as typeof hit;
        } catch {
          return undefined;
        }
      });
      this.#post(worker, { get: reply.get, hits } as CacheReply);
    }
  }
}

const warned = new WeakSet<Cache>();

function warnUnstored(cache: Cache, error: unknown): void {
  if (warned.has(cache)) return;
  warned.add(cache);
  console.warn(
    `Cannot cache a result of a node run in a worker in ${cache.name} as it cannot be stored (${
      error instanceof Error ? error.message : String(error)
    }): the node will run again next time; return plain data or set cache: false`,
  );
}
