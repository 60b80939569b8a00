// Run as a child process by worker_pool.test.ts: uses a pool, then either closes it or leaves
// it idle. The process must exit by itself in both cases.
import process from "node:process";
import { WorkerPool } from "../../src/workers/worker_pool.ts";
import type { FixtureApi } from "./_fixture_worker.ts";

const mode = process.argv.at(-1);
const pool = new WorkerPool<FixtureApi>({
  script: new URL("./_fixture_worker.ts", import.meta.url),
  size: 2,
});
const [sum] = await Promise.all([pool.call("add", [1, 2]), pool.call("sleep", [1])]);
console.log(`sum=${sum}`);
if (mode === "close") await pool.close();
