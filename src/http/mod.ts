/**
 * `@hn/core/http`: serve pipelines over HTTP with hono. {@linkcode createApp}
 * builds an app with a JSON API (list, describe, draw, `run`, `map`), a
 * Server-Sent Events stream of a run's progress and a small web page at `/`;
 * {@linkcode serve} listens with the runtime's own server (`Deno.serve`,
 * `Bun.serve`, or Node through `@hono/node-server`).
 *
 * The only module of @hn/core that imports hono.
 *
 * @example Serving the quickstart pipeline
 * ```ts
 * import { node, Pipeline } from "../../mod.ts";
 * import { createApp, serve } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const shout = new Pipeline({
 *   nodes: [node({ output: "loud" }, ({ text }: { text: string }) => text.toUpperCase())],
 *   name: "shout",
 * });
 * await using server = await serve(createApp({ pipelines: [shout] }), { port: 0 });
 * const res = await fetch(`http://127.0.0.1:${server.port}/api/pipelines/shout/run`, {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ inputs: { text: "hi" } }),
 * });
 * assert.deepEqual(await res.json(), { outputs: { loud: "HI" } });
 * ```
 *
 * @module
 */

export { createApp } from "./app.ts";
export type { App, AppOptions, InputInfo, PipelineInfo } from "./app.ts";
export { serve } from "./serve.ts";
export type { Fetchable, ServeOptions, Server } from "./serve.ts";
export type { ErrorBody } from "./_errors.ts";
