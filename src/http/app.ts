/**
 * `createApp()`: a hono app that serves pipelines as a JSON API, a
 * Server-Sent Events stream of a run's progress, and a small web page.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import { HyperNodesEngine, toDot, toMermaid } from "../../mod.ts";
import type { AnyPipeline } from "../core/types.ts";
import { parseMapBody, parseRunBody, readObject } from "./_body.ts";
import { describeError, errorBody, HttpError, toHttpError, toJson } from "./_errors.ts";
import { PAGE } from "./_page.ts";
import { streamRun } from "./_sse.ts";

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** The pipelines to serve: a list (served under their `name`) or a record (served under its keys). */
  pipelines: readonly AnyPipeline[] | Readonly<Record<string, AnyPipeline>>;
  /**
   * When set, every `/api/` request must send `Authorization: Bearer <token>`
   * (`/healthz` and the page at `/` stay open; the page asks for the token).
   * @default undefined (no authentication)
   */
  token?: string;
  /**
   * The largest request body accepted, in bytes; larger bodies get 413.
   * @default 1_048_576 (1 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Runs and maps in flight at once; one more gets 429 with `Retry-After`.
   * @default 16
   */
  maxConcurrentRuns?: number;
  /**
   * Include stacks (and internal error messages) in error answers.
   * @default false
   */
  debug?: boolean;
}

/** One input of a pipeline as `GET /api/pipelines` describes it. */
export interface InputInfo {
  /** The input name. */
  name: string;
  /** Whether a run must pass it (no default and not bound). */
  required: boolean;
  /** Whether every node reading it has a default. */
  optional: boolean;
  /** Whether the pipeline has a bound value for it. */
  bound: boolean;
}

/** A pipeline as `GET /api/pipelines` describes it. */
export interface PipelineInfo {
  /** The name it is served under. */
  name: string;
  /** Its root inputs. */
  inputs: InputInfo[];
  /** Every output name. */
  outputs: string[];
}

/** The app {@linkcode createApp} returns. */
export type App = Hono;

/** Describes `pipeline` served under `name`. */
function describePipeline(name: string, pipeline: AnyPipeline): PipelineInfo {
  const required = pipeline.graph.requiredInputs;
  return {
    name,
    inputs: pipeline.inputs.map((input) => {
      const bound = Object.hasOwn(pipeline.bound, input);
      const optional = !required.includes(input);
      return { name: input, required: !optional && !bound, optional, bound };
    }),
    outputs: [...pipeline.outputs],
  };
}

function json(c: Context, status: number, value: unknown): Response {
  return c.newResponse(toJson(value), status as 200, { "content-type": "application/json" });
}

/** Equal-time comparison, so the token cannot be guessed byte by byte from timings. */
function sameToken(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) {
    diff |= expected.charCodeAt(i) ^ given.charCodeAt(i % Math.max(given.length, 1));
  }
  return diff === 0;
}

const FALLBACK_ENGINE = new HyperNodesEngine();

/**
 * Builds a hono app that serves `pipelines`. Its `app.fetch` runs on
 * `Deno.serve`, `Bun.serve`, Node (`@hono/node-server`) and edge runtimes;
 * see `serve()` for a one-call server.
 *
 * Routes: `GET /` (web page), `GET /healthz`, `GET /api/pipelines`,
 * `GET /api/pipelines/:name` (`?format=svg`, or `/graph.svg`),
 * `POST /api/pipelines/:name/run` (`{ inputs, outputs? }` → `{ outputs }`),
 * `POST /api/pipelines/:name/map` (`{ inputs, mapOver, mode?, errors?, outputs? }` →
 * `{ results }`) and `POST /api/pipelines/:name/run/stream` (Server-Sent Events).
 * Errors are `{ error: { code, message, details } }` with a 4xx status for
 * what the client can fix, 422 `node_failed` when a node throws. A client
 * that disconnects aborts its run.
 *
 * @param options The pipelines and the limits.
 * @returns The hono app.
 * @throws {TypeError} When two pipelines share a name or a limit is not a positive number.
 *
 * @example Running a pipeline through the app without a server
 * ```ts
 * import { node, Pipeline } from "../../mod.ts";
 * import { createApp } from "./app.ts";
 * import assert from "node:assert/strict";
 *
 * const double = new Pipeline({
 *   nodes: [node({ output: "y" }, ({ x }: { x: number }) => x * 2)],
 *   name: "double",
 * });
 * const app = createApp({ pipelines: [double] });
 * const res = await app.request("/api/pipelines/double/run", {
 *   method: "POST",
 *   body: JSON.stringify({ inputs: { x: 21 } }),
 * });
 * assert.deepEqual(await res.json(), { outputs: { y: 42 } });
 * ```
 */
export function createApp(options: AppOptions): App {
  const { token, debug = false } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const maxRuns = options.maxConcurrentRuns ?? 16;
  for (const [key, value] of [["maxBodyBytes", maxBodyBytes], ["maxConcurrentRuns", maxRuns]]) {
    if (typeof value !== "number" || !(value >= 1)) {
      throw new TypeError(`Cannot create app as ${key} is ${value}: pass a number ≥ 1`);
    }
  }
  const pipelines = new Map<string, AnyPipeline>();
  const list = Array.isArray(options.pipelines)
    ? (options.pipelines as readonly AnyPipeline[]).map((p) => [p.name, p] as const)
    : Object.entries(options.pipelines as Record<string, AnyPipeline>);
  for (const [name, pipeline] of list) {
    if (pipelines.has(name)) {
      throw new TypeError(
        `Cannot create app as two pipelines are named "${name}": rename one or pass a record`,
      );
    }
    pipelines.set(name, pipeline);
  }
  const svgs = new Map<string, Promise<string>>();
  let active = 0;

  const find = (name: string): AnyPipeline => {
    const p = pipelines.get(name);
    if (p === undefined) {
      throw new HttpError(
        404,
        "unknown_pipeline",
        `Cannot find pipeline "${name}" as it is not served: use one of ${
          [...pipelines.keys()].map((n) => `"${n}"`).join(", ") || "(none)"
        }`,
        { available: [...pipelines.keys()] },
      );
    }
    return p;
  };
  const acquire = (): () => void => {
    if (active >= maxRuns) {
      throw new HttpError(
        429,
        "too_many_runs",
        `Cannot start a run as ${active} of ${maxRuns} are in flight: retry shortly`,
        { limit: maxRuns },
        { "retry-after": "1" },
      );
    }
    active++;
    let released = false;
    return () => {
      if (!released) released = true, active--;
    };
  };
  const svg = (name: string, pipeline: AnyPipeline): Promise<string> => {
    let out = svgs.get(name);
    if (out === undefined) {
      // The Graphviz WASM module is large: load it only when a picture is asked for.
      out = import("../viz/svg.ts").then((m) => m.renderSvg(pipeline));
      out.catch(() => svgs.delete(name));
      svgs.set(name, out);
    }
    return out;
  };
  const svgResponse = async (c: Context): Promise<Response> => {
    const name = c.req.param("name") ?? "";
    return c.newResponse(await svg(name, find(name)), 200, {
      "content-type": "image/svg+xml; charset=utf-8",
    });
  };

  const app = new Hono();
  app.onError((error, c) => {
    const http = toHttpError(error, debug);
    for (const [k, v] of Object.entries(http.headers)) c.header(k, v);
    if (http.status === 401) c.header("www-authenticate", 'Bearer realm="hypernodes"');
    return json(c, http.status, errorBody(http));
  });
  app.notFound((c) =>
    json(c, 404, {
      error: { code: "not_found", message: `Cannot find ${c.req.method} ${c.req.path}` },
    })
  );

  app.get("/", (c) => c.html(PAGE));
  app.get("/healthz", (c) => c.json({ ok: true }));
  if (token !== undefined) {
    app.use("/api/*", async (c, next) => {
      const header = c.req.header("authorization") ?? "";
      const given = header.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
      if (given === undefined || !sameToken(given, token)) {
        throw new HttpError(
          401,
          "unauthorized",
          `Cannot serve ${c.req.path} as the bearer token is ${
            given === undefined ? "missing" : "wrong"
          }: send Authorization: Bearer <token>`,
        );
      }
      await next();
    });
  }

  app.get("/api/pipelines", (c) =>
    json(c, 200, {
      pipelines: [...pipelines].map(([name, p]) => describePipeline(name, p)),
    }));
  app.get("/api/pipelines/:name/graph.svg", svgResponse);
  app.get("/api/pipelines/:name", (c) => {
    if (c.req.query("format") === "svg") return svgResponse(c);
    const name = c.req.param("name");
    const p = find(name);
    return json(c, 200, {
      ...describePipeline(name, p),
      graph: { mermaid: toMermaid(p), dot: toDot(p) },
    });
  });

  app.post("/api/pipelines/:name/run", async (c) => {
    const p = find(c.req.param("name"));
    const body = parseRunBody(await readObject(c.req.raw, maxBodyBytes));
    const release = acquire();
    try {
      const engine = p.engine ?? FALLBACK_ENGINE;
      const outputs = await engine.run(p, body.inputs, {
        outputs: body.outputs,
        signal: c.req.raw.signal,
      });
      return json(c, 200, { outputs });
    } finally {
      release();
    }
  });

  app.post("/api/pipelines/:name/map", async (c) => {
    const p = find(c.req.param("name"));
    const body = parseMapBody(await readObject(c.req.raw, maxBodyBytes));
    const release = acquire();
    try {
      const engine = p.engine ?? FALLBACK_ENGINE;
      const results = await engine.map(p, body.inputs, {
        mapOver: body.mapOver,
        mode: body.mode,
        errors: body.errors,
        outputs: body.outputs,
        signal: c.req.raw.signal,
      });
      return json(c, 200, {
        results: results.map((r) => r instanceof Error ? itemError(r, debug) : r),
      });
    } finally {
      release();
    }
  });

  app.post("/api/pipelines/:name/run/stream", async (c) => {
    const p = find(c.req.param("name"));
    const body = parseRunBody(await readObject(c.req.raw, maxBodyBytes));
    return await streamRun({
      pipeline: p,
      engine: p.engine ?? FALLBACK_ENGINE,
      inputs: body.inputs,
      outputs: body.outputs,
      signal: c.req.raw.signal,
      debug,
      done: acquire(),
    });
  });

  return app;
}

/** A collected map item error as `{ error: { code, message, node, item } }`. */
function itemError(error: Error, debug: boolean): unknown {
  const http = toHttpError(error, debug);
  const e = error as Error & { node?: string; item?: number };
  const out: Record<string, unknown> = { code: http.code, message: error.message };
  if (e.node !== undefined) out.node = e.node;
  if (e.item !== undefined) out.item = e.item;
  if (debug) out.cause = describeError(error.cause, true);
  return { error: out };
}
