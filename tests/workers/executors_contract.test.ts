// The Executor contract (../core/_executor_suite.ts) for the Worker executors: by alias (each
// engine owns and closes its pool) and as shared objects closed here.
import { after } from "node:test";
import { ParallelExecutor, ThreadedExecutor } from "../../src/workers/mod.ts";
import "../../mod.ts"; // registers the "threaded" and "parallel" aliases
import { executorContract } from "../core/_executor_suite.ts";

const threaded = new ThreadedExecutor({ concurrency: 4, workers: 2 });
const parallel = new ParallelExecutor({ workers: 2 });
after(() => Promise.all([threaded[Symbol.asyncDispose](), parallel[Symbol.asyncDispose]()]));

executorContract('"threaded"', "threaded");
executorContract('"parallel"', "parallel");
executorContract("new ThreadedExecutor({ concurrency: 4, workers: 2 })", threaded);
executorContract("new ParallelExecutor({ workers: 2 })", parallel);
