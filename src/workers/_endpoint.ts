/**
 * The Comlink endpoint both sides of a worker speak through, over either a
 * `node:worker_threads` port (`on("message")`) or a web `Worker` / worker `self`
 * (`addEventListener("message")`). It turns a value that cannot be cloned into a Comlink
 * error response naming the method and the value's type, instead of a bare `DataCloneError`
 * (or, for results, Comlink's "Unserializable return value"); the code that builds it
 * (`_errors.ts`) loads when first needed, as this module is on a worker's start-up path.
 *
 * @module
 */

import type { Endpoint } from "comlink/dist/esm/comlink.mjs";
import type { ComlinkMessage } from "./_errors.ts";

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
      const m = data as ComlinkMessage;
      if (m?.type === "APPLY" && m.id) methods.set(m.id, (m.path ?? []).join("."));
    }
    const event = { data } as MessageEvent;
    for (const l of listeners) typeof l === "function" ? l(event) : l.handleEvent(event);
  };
  const endpoint: Endpoint = {
    postMessage(message: ComlinkMessage, transfer?: Transferable[]) {
      const method = side === "worker" ? methods.get(message.id ?? "") : message.path?.join(".");
      if (side === "worker" && message.id) methods.delete(message.id);
      try {
        raw.post(message, transfer);
      } catch (cause) {
        if (side === "worker" && message.type !== "RAW") throw cause;
        // The error is built by code loaded only now (it is not on a worker's start-up path),
        // then answered through Comlink's own listener (main side: its pending call settles)
        // or posted back (worker side).
        import("./_errors.ts").then(({ uncloneableResponse }) => {
          const response = uncloneableResponse(side, message, method, cause);
          if (side === "main") deliver(response);
          else raw.post(response);
        });
      }
    },
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
  };
  return { endpoint, deliver };
}
