/**
 * The Comlink endpoint both sides of a worker speak through, over either a
 * `node:worker_threads` port (`on("message")`) or a web `Worker` / worker `self`
 * (`addEventListener("message")`). It turns a value that cannot be cloned into a Comlink
 * error response naming the method and the value's type, instead of a bare `DataCloneError`
 * (or, for results, Comlink's "Unserializable return value").
 *
 * @module
 */

import type { Endpoint } from "comlink/dist/esm/comlink.mjs";
import { ExecutorError } from "../core/errors.ts";
import { describeType, serializeError } from "./_errors.ts";

/** The smallest message port: post a message, receive every message. */
export interface RawPort {
  /** Posts a message (throws if it cannot be cloned). */
  post(message: unknown, transfer?: Transferable[]): void;
  /** Adds a listener for every message's data. */
  listen(listener: (data: unknown) => void): void;
}

/** A `node:worker_threads` `Worker` or `parentPort`. */
export interface NodePortLike {
  /** Posts a message. */
  // deno-lint-ignore no-explicit-any
  postMessage(message: unknown, transfer?: readonly any[]): void;
  /** Listens to an event. */
  on(event: "message", listener: (data: unknown) => void): unknown;
}

/** A web `Worker` or a worker's `self`. */
export interface WebPortLike {
  /** Posts a message. */
  postMessage(message: unknown, transfer: Transferable[]): void;
  /** Listens to an event. */
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

/**
 * Adapts a `node:worker_threads` port to a {@linkcode RawPort}.
 *
 * @param port A `Worker` or `parentPort` of `node:worker_threads`.
 * @returns The port.
 *
 * @example
 * ```ts
 * import { MessageChannel } from "node:worker_threads";
 * import { nodePort } from "./_endpoint.ts";
 * const { port1, port2 } = new MessageChannel();
 * const got = new Promise((resolve) => nodePort(port2).listen(resolve));
 * nodePort(port1).post("hi");
 * console.assert(await got === "hi");
 * port1.close();
 * ```
 */
export function nodePort(port: NodePortLike): RawPort {
  return {
    post: (message, transfer) => port.postMessage(message, transfer ?? []),
    listen: (listener) => void port.on("message", listener),
  };
}

/**
 * Adapts a web `Worker` (or a worker's `self`) to a {@linkcode RawPort}.
 *
 * @param port The worker or worker global.
 * @returns The port.
 *
 * @example
 * ```ts
 * import { webPort } from "./_endpoint.ts";
 * const { port1, port2 } = new MessageChannel();
 * const got = new Promise((resolve) => webPort(port2).listen(resolve));
 * port2.start();
 * webPort(port1).post("hi");
 * console.assert(await got === "hi");
 * port1.close();
 * port2.close();
 * ```
 */
export function webPort(port: WebPortLike): RawPort {
  return {
    post: (message, transfer) => port.postMessage(message, transfer ?? []),
    listen: (listener) => port.addEventListener("message", (event) => listener(event.data)),
  };
}

/**
 * Where in `value` the first part that cannot be cloned is, e.g. `function "f" at args[0].cb`.
 * Looks at functions, symbols and objects that are never cloneable; bounded in depth and size.
 *
 * @param value The value that failed to clone.
 * @param path How to name `value` in the message.
 * @returns The description, or `undefined` when nothing obvious was found.
 *
 * @example
 * ```ts
 * import { findUncloneable } from "./_endpoint.ts";
 * console.assert(findUncloneable([{ cb: () => 1 }], "args") === "function \"cb\" at args[0].cb");
 * ```
 */
export function findUncloneable(value: unknown, path: string): string | undefined {
  const seen = new Set<object>();
  let budget = 10_000;
  const visit = (v: unknown, at: string, depth: number): string | undefined => {
    if (typeof v === "function" || typeof v === "symbol") return `${describeType(v)} at ${at}`;
    if (typeof v !== "object" || v === null || seen.has(v) || depth > 8 || --budget < 0) {
      return undefined;
    }
    seen.add(v);
    if (
      v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef
    ) return `${describeType(v)} at ${at}`;
    if (v instanceof Map) {
      for (const [k, item] of v) {
        const found = visit(k, `${at} key`, depth + 1) ?? visit(item, `${at}.get(…)`, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    if (v instanceof Set) {
      for (const item of v) {
        const found = visit(item, `${at} item`, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    const isArray = Array.isArray(v);
    for (const key of Object.keys(v)) {
      const found = visit(
        (v as Record<string, unknown>)[key],
        isArray ? `${at}[${key}]` : `${at}.${key}`,
        depth + 1,
      );
      if (found) return found;
    }
    return undefined;
  };
  return visit(value, path, 0);
}

interface Message {
  id?: string;
  type?: string;
  path?: string[];
  argumentList?: { value?: unknown }[];
  value?: unknown;
}

function throwResponse(id: string | undefined, error: Error): Message {
  return {
    id,
    type: "HANDLER",
    name: "throw",
    value: { isError: true, value: serializeError(error) },
  } as Message;
}

/** A Comlink endpoint over a {@linkcode RawPort}, fed by its owner through `deliver`. */
export interface PortEndpoint {
  /** The endpoint to give to Comlink's `wrap` (main side) or `expose` (worker side). */
  readonly endpoint: Endpoint;
  /** Hands a received message's data to Comlink. */
  deliver(data: unknown): void;
}

/**
 * Builds the Comlink endpoint of one side of a worker over `raw`.
 *
 * @param raw The port.
 * @param side `"main"` for the caller (`wrap`), `"worker"` for the callee (`expose`).
 * @returns The endpoint and its `deliver` function.
 *
 * @example
 * ```ts
 * import { portEndpoint, webPort } from "./_endpoint.ts";
 * const { port1 } = new MessageChannel();
 * const { endpoint } = portEndpoint(webPort(port1), "main");
 * console.assert(typeof endpoint.postMessage === "function");
 * port1.close();
 * ```
 */
export function portEndpoint(raw: RawPort, side: "main" | "worker"): PortEndpoint {
  const listeners = new Set<EventListenerOrEventListenerObject>();
  const methods = new Map<string, string>();
  const deliver = (data: unknown): void => {
    if (side === "worker") {
      const m = data as Message;
      if (m?.type === "APPLY" && m.id) methods.set(m.id, (m.path ?? []).join("."));
    }
    const event = { data } as MessageEvent;
    for (const l of listeners) typeof l === "function" ? l(event) : l.handleEvent(event);
  };
  const endpoint: Endpoint = {
    postMessage(message: Message, transfer?: Transferable[]) {
      const method = side === "worker" ? methods.get(message.id ?? "") : message.path?.join(".");
      if (side === "worker" && message.id) methods.delete(message.id);
      try {
        raw.post(message, transfer);
      } catch (cause) {
        if (side === "main") {
          const args = (message.argumentList ?? []).map((w) => w.value);
          const what = findUncloneable(args, "args") ?? "a value";
          const error = new ExecutorError(
            `Cannot send the arguments of "${method}" to a worker as ${what} cannot be cloned: ` +
              `${
                (cause as Error)?.message ?? cause
              }. Pass plain data (no functions, symbols or promises)`,
            { cause },
          );
          // Answer through Comlink's own listener so that its pending call is settled.
          queueMicrotask(() => deliver(throwResponse(message.id, error)));
          return;
        }
        if (message.type !== "RAW") throw cause;
        const what = findUncloneable(message.value, "result") ??
          `result of type ${describeType(message.value)}`;
        raw.post(throwResponse(
          message.id,
          new ExecutorError(
            `Cannot return the result of "${method}" from a worker as ${what} cannot be cloned: ` +
              `${
                (cause as Error)?.message ?? cause
              }. Return plain data (no functions, symbols or promises)`,
            { cause },
          ),
        ));
      }
    },
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
  };
  return { endpoint, deliver };
}
