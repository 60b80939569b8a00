/**
 * Serves the quickstart and nested examples over HTTP: a JSON API, a progress
 * stream and a web page at http://127.0.0.1:8000/.
 *
 * Run: `deno task serve` (or `PORT=9000 bun examples/server.ts`, `node examples/server.ts`).
 * Set `HN_TOKEN` to require `Authorization: Bearer <token>` on `/api/`.
 */

import { createApp, serve } from "../src/http/mod.ts";
import { corpus } from "./nested.ts";
import { textProcessor } from "./quickstart.ts";

/** Reads an environment variable on Deno, Bun or Node. */
function env(name: string): string | undefined {
  const g = globalThis as {
    Deno?: { env: { get(n: string): string | undefined } };
    process?: { env: Record<string, string | undefined> };
  };
  return g.Deno ? g.Deno.env.get(name) : g.process?.env[name];
}

const app = createApp({ pipelines: [textProcessor, corpus], token: env("HN_TOKEN") || undefined });

if (import.meta.main) {
  const server = await serve(app, {
    port: Number(env("PORT") ?? 8000),
    hostname: env("HOST") ?? "127.0.0.1",
  });
  console.log(`HyperNodes serving on http://${server.hostname}:${server.port}/`);
}

export { app };
