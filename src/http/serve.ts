/**
 * `serve()`: one call to listen with the current runtime's server —
 * `Deno.serve`, `Bun.serve`, else Node's `node:http` through
 * `@hono/node-server` (loaded lazily, so Deno and Bun never import it).
 *
 * @module
 */

/** Anything with a fetch handler, such as the app of `createApp()`. */
export interface Fetchable {
  /** Answers one request. */
  fetch(request: Request, ...rest: never[]): Response | Promise<Response>;
}

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** The port; `0` picks a free one (read it back from the returned `port`). */
  port: number;
  /**
   * The address to listen on.
   * @default "127.0.0.1"
   */
  hostname?: string;
  /** Aborting it closes the server. */
  signal?: AbortSignal;
}

/** A listening server. */
export interface Server extends AsyncDisposable {
  /** The port it listens on (the real one when `0` was asked for). */
  readonly port: number;
  /** The address it listens on. */
  readonly hostname: string;
  /** Stops listening and resolves when the server has closed. */
  close(): Promise<void>;
}

type Handler = (request: Request) => Response | Promise<Response>;
type Listen = (handler: Handler, port: number, hostname: string) => Promise<Omit<Server, symbol>>;

interface DenoLike {
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: Handler,
  ): { addr: { port: number }; shutdown(): Promise<void>; finished: Promise<void> };
}
interface BunLike {
  serve(options: { port: number; hostname: string; fetch: Handler }): {
    port: number;
    stop(force?: boolean): Promise<void> | void;
  };
}

const listenDeno: Listen = (handler, port, hostname) => {
  const deno = (globalThis as unknown as { Deno: DenoLike }).Deno;
  const server = deno.serve({ port, hostname, onListen: () => {} }, handler);
  return Promise.resolve({
    port: server.addr.port,
    hostname,
    close: async () => {
      await server.shutdown();
      await server.finished;
    },
  });
};

const listenBun: Listen = (handler, port, hostname) => {
  const bun = (globalThis as unknown as { Bun: BunLike }).Bun;
  const server = bun.serve({ port, hostname, fetch: handler });
  return Promise.resolve({
    port: server.port,
    hostname,
    close: async () => {
      // `true` also ends keep-alive connections, so close() does not wait for clients to leave.
      await server.stop(true);
    },
  });
};

const listenNode: Listen = async (handler, port, hostname) => {
  const { serve } = await import("@hono/node-server");
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: handler, port, hostname }, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : port,
    hostname,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive connections would keep close() waiting.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
};

// Chosen once, when this module loads.
const listen: Listen = "Deno" in globalThis
  ? listenDeno
  : "Bun" in globalThis
  ? listenBun
  : listenNode;

/**
 * Serves `app` on the loopback interface (by default) with the runtime's own
 * server, until `close()` is called, the `signal` aborts, or the returned
 * object is disposed (`await using`).
 *
 * @param app Anything with `fetch(request)`, such as `createApp()`'s app.
 * @param options `port` (0 for a free one), `hostname`, `signal`.
 * @returns The server: its `port` and `close()`.
 * @throws {TypeError} When `port` is not an integer from 0 to 65535.
 * @throws {Error} When the port cannot be bound (for example, it is in use).
 *
 * @example Serving an app on a free loopback port
 * ```ts
 * import { node, Pipeline } from "../../mod.ts";
 * import { createApp } from "./app.ts";
 * import { serve } from "./serve.ts";
 * import assert from "node:assert/strict";
 *
 * const echo = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: string }) => x)], name: "echo" });
 * await using server = await serve(createApp({ pipelines: [echo] }), { port: 0 });
 * const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
 * assert.deepEqual(await res.json(), { ok: true });
 * ```
 */
export async function serve(app: Fetchable, options: ServeOptions): Promise<Server> {
  const { port, hostname = "127.0.0.1", signal } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`Cannot serve as port is ${port}: pass an integer from 0 to 65535`);
  }
  signal?.throwIfAborted();
  const handler: Handler = (request) => app.fetch(request);
  const inner = await listen(handler, port, hostname);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    signal?.removeEventListener("abort", onAbort);
    return (closing ??= inner.close());
  };
  const onAbort = (): void => void close().catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  return {
    port: inner.port,
    hostname,
    close,
    [Symbol.asyncDispose]: close,
  };
}
