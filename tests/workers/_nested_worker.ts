// A worker module whose top level starts a pool without `if (import.meta.main)`.
import { WorkerPool } from "../../src/workers/worker_pool.ts";
import { serveWorker } from "../../src/workers/_serve.ts";

export const pool = new WorkerPool({ script: new URL("./_fixture_worker.ts", import.meta.url) });
serveWorker({});
