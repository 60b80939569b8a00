/**
 * HyperNodes for TypeScript: write a function for one item, compose functions
 * into pipelines wired by name, nest pipelines as nodes, map them over many
 * items, and choose how the work runs (event loop, concurrently, Workers).
 *
 * ```ts
 * import { node, Pipeline } from "@hn/core";
 *
 * const clean = node({ output: "cleaned" }, ({ text }: { text: string }) => text.trim().toLowerCase());
 * const count = node({ output: "word_count" }, ({ cleaned }: { cleaned: string }) => cleaned.split(" ").length);
 * const p = new Pipeline({ nodes: [clean, count], name: "text_processor" });
 *
 * console.log(await p.run({ text: " Hello World " })); // { cleaned: "hello world", word_count: 2 }
 * console.log(await p.map({ text: ["a b", "c"] }, { mapOver: "text" }));
 * ```
 *
 * @module
 */

export { Node, node } from "./src/core/node.ts";
export type { DefinitionSite, GraphNode, NodeOptions } from "./src/core/node.ts";
export { Pipeline } from "./src/core/pipeline.ts";
export type { PipelineInputs, PipelineOptions, PipelineOutputs } from "./src/core/pipeline.ts";
export { PipelineNode } from "./src/core/pipeline_node.ts";
export type { MapMode, PipelineNodeOptions } from "./src/core/pipeline_node.ts";
export type { Graph, Plan, Step } from "./src/core/_graph.ts";
export type {
  Engine,
  EngineMapOptions,
  EngineRunOptions,
  MapOptions,
  ParentRun,
  RunOptions,
} from "./src/core/engine.ts";
export { HyperNodesEngine } from "./src/core/hypernodes_engine.ts";
export type { HyperNodesEngineOptions } from "./src/core/hypernodes_engine.ts";
import { registerExecutor } from "./src/core/executor.ts";
export { executorLoader, registerExecutor } from "./src/core/executor.ts";
export type {
  ExecuteAllOptions,
  ExecuteOptions,
  Executor,
  ExecutorLoader,
  ExecutorName,
  ItemBatch,
  ItemTaskSpec,
  NodeTaskSpec,
  RunInfo,
  Settled,
  Task,
  TaskSpec,
} from "./src/core/executor.ts";
export { SequentialExecutor } from "./src/core/sequential_executor.ts";
export { AsyncExecutor } from "./src/core/async_executor.ts";
export type { AsyncExecutorOptions } from "./src/core/async_executor.ts";
export type * from "./src/core/callback.ts";
export { callbackHooks } from "./src/core/callback.ts";
export type { Cache, CacheHit } from "./src/core/cache.ts";
export {
  errorClasses,
  ExecutorError,
  HyperNodesError,
  InputError,
  NodeExecutionError,
  OutputError,
  PipelineDefinitionError,
} from "./src/core/errors.ts";
export type { HyperNodesErrorOptions } from "./src/core/errors.ts";
export type * from "./src/core/types.ts";
export * from "./src/progress/mod.ts";
export { MemoryCache } from "./src/core/memory_cache.ts";
export type { MemoryCacheOptions } from "./src/core/memory_cache.ts";
export {
  cacheKey,
  Hasher,
  hashSource,
  hashValue,
  nodeSignature,
  UnhashableError,
} from "./src/core/hash.ts";
export type { CacheKeyed, SignatureParts } from "./src/core/hash.ts";
export { toMermaid } from "./src/viz/mermaid.ts";
export type { DrawablePipeline, MermaidOptions } from "./src/viz/mermaid.ts";
export { toDot } from "./src/viz/dot.ts";
export type { DotOptions } from "./src/viz/dot.ts";

// "threaded" and "parallel" load the Worker executors on first use, so importing this module
// never loads Comlink or starts a worker.
registerExecutor(
  "threaded",
  (o) => import("./src/workers/mod.ts").then((m) => new m.ThreadedExecutor(o)),
);
registerExecutor(
  "parallel",
  () => import("./src/workers/mod.ts").then((m) => new m.ParallelExecutor()),
);
