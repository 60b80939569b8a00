/**
 * Distributed map: the items of a map run on `hn worker` processes through Redis.
 *
 * Needs a Redis server (with persistence, so that a restart loses no job):
 *
 *     redis-server --port 6379 --appendonly yes --appendfsync always --maxmemory-policy noeviction
 *
 * Run: `deno run -A examples/distributed.ts` starts one worker in this process and maps.
 * To use worker processes instead (any number, on any machine that sees Redis), start them,
 * then map with `--no-worker`:
 *
 *     deno task worker examples/distributed.ts --queue demo --connection redis://127.0.0.1:6379
 *     node src/distributed/cli.ts worker examples/distributed.ts --queue demo --connection redis://127.0.0.1:6379
 *     deno run -A examples/distributed.ts --no-worker
 *
 * `REDIS_URL` overrides the connection.
 */

import process from "node:process";
import { node, Pipeline } from "../mod.ts";
import { QueueEngine, QueueWorker, RedisCache } from "../src/distributed/mod.ts";

// Workers import this module and run its exported pipelines by name: define nodes at top level.
const words = node(
  { output: "words" },
  ({ text }: { text: string }) => text.toLowerCase().split(/\W+/).filter(Boolean),
);
const stats = node(
  { output: ["count", "longest"] },
  ({ words }: { words: string[] }) =>
    [words.length, words.reduce((a, b) => (b.length > a.length ? b : a), "")] as const,
);
export const wordStats = new Pipeline({ nodes: [words, stats], name: "word_stats" });

if (import.meta.main) {
  const connection = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const local = !process.argv.includes("--no-worker");
  // A worker in this process, for the demo; `hn worker` runs the same thing as a process.
  await using worker = local
    ? new QueueWorker({ connection, queue: "demo", pipelines: { wordStats } })
    : undefined;
  await worker?.start(5_000);

  // Items whose results are in the cache are not sent again.
  await using cache = new RedisCache({ connection, prefix: "demo:cache" });
  await using engine = new QueueEngine({ connection, queue: "demo", cache, timeoutMs: 30_000 });
  const docs = [
    "Think singular: write the logic for one item",
    "Compose: pipelines are nodes",
    "Scale: map over many items, on many machines",
  ];
  const rows = await wordStats.map({ text: docs }, { mapOver: "text", engine });
  console.table(rows.map(({ count, longest }) => ({ count, longest })));
}
