// Run as a child process by executors.test.ts: maps with a Worker executor, closes the engine,
// and must then exit by itself.
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { ParallelExecutor } from "../../src/workers/parallel_executor.ts";
import { math } from "./_pipelines.ts";

const executor = new ParallelExecutor({ workers: 2 });
const engine = new HyperNodesEngine({ mapExecutor: executor });
const out = await math.map({ x: [1, 2, 4] }, { mapOver: "x", engine });
console.log(`items=${out.length}`);
await engine.close();
await executor[Symbol.asyncDispose]();
