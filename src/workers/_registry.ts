/**
 * Pipelines by reference: {@linkcode describePipeline} turns a pipeline into plain data that
 * names each function node by where it was defined; a worker imports the defining modules,
 * sees every `node()` call they make (through the core's `onNodeCreated` hook) and
 * {@linkcode rebuildPipeline} puts the same pipeline together again. No source text travels.
 *
 * @module
 */

import { ExecutorError } from "../core/errors.ts";
import { type GraphNode, type Node, onNodeCreated } from "../core/node.ts";
import { Pipeline } from "../core/pipeline.ts";
import type { MapMode, PipelineNode } from "../core/pipeline_node.ts";
import type { AnyPipeline } from "../core/types.ts";

/** One element of a described pipeline's `nodes`. */
export type NodeDescription =
  | { readonly kind: "node"; readonly ref: string }
  | {
    readonly kind: "pipeline";
    readonly pipeline: PipelineDescription;
    readonly name: string;
    readonly inputMapping: Readonly<Record<string, string>>;
    readonly outputSources: Readonly<Record<string, string>>;
    readonly mapOver: readonly string[];
    readonly mode: MapMode;
    readonly cache: boolean;
  };

/** A pipeline as plain data: node references, nested pipelines, bound inputs. */
export interface PipelineDescription {
  /** Identifies the description within one main thread (workers cache rebuilds by it). */
  readonly id: number;
  /** The pipeline's name. */
  readonly name: string;
  /** Bound input values. */
  readonly bound: Readonly<Record<string, unknown>>;
  /** The nodes, in order. */
  readonly nodes: readonly NodeDescription[];
  /** The URLs of every module that defines one of the nodes, nested ones included. */
  readonly modules: readonly string[];
}

const HOW_TO_FIX = "define nodes at module top level or give them a unique explicit `name`, " +
  "and guard top-level run code with `if (import.meta.main)`";

/**
 * The reference of a function node: `<module url>:<line>:<column>#<name>`.
 *
 * @param node The node.
 * @param pipeline The pipeline's name, for the message.
 * @returns The reference.
 * @throws {ExecutorError} When the runtime did not report where the node was defined.
 *
 * @example
 * ```ts
 * import { node } from "../core/node.ts";
 * import { nodeRef } from "./_registry.ts";
 * const n = node({ output: "y" }, ({ x }: { x: number }) => x);
 * console.assert(nodeRef(n, "p").endsWith("#y"));
 * ```
 */
export function nodeRef(node: Node, pipeline: string): string {
  const site = node.site;
  if (!site || !/^(file|https?):/.test(site.url)) {
    throw new ExecutorError(
      `Cannot send node "${node.name}" to a worker as the module that defines it is unknown` +
        `${site ? ` (${site.url})` : ""}: ${HOW_TO_FIX}`,
      { pipeline, node: node.name },
    );
  }
  return `${site.url}:${site.line}:${site.column}#${node.name}`;
}

const described = new WeakMap<AnyPipeline, PipelineDescription>();
let nextId = 0;

/**
 * Describes `pipeline` as plain data (cached per pipeline object).
 *
 * @param pipeline The pipeline.
 * @returns Its description.
 * @throws {ExecutorError} When a node's defining module is unknown.
 *
 * @example
 * ```ts
 * import { node } from "../core/node.ts";
 * import { Pipeline } from "../core/pipeline.ts";
 * import { describePipeline } from "./_registry.ts";
 * const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x)] });
 * console.assert(describePipeline(p).nodes[0].kind === "node");
 * ```
 */
export function describePipeline(pipeline: AnyPipeline): PipelineDescription {
  let desc = described.get(pipeline);
  if (desc) return desc;
  const modules = new Set<string>();
  const nodes = pipeline.nodes.map((n: GraphNode): NodeDescription => {
    if (n.kind === "node") {
      const ref = nodeRef(n as Node, pipeline.name);
      modules.add((n as Node).site!.url);
      return { kind: "node", ref };
    }
    const p = n as PipelineNode;
    const inner = describePipeline(p.pipeline);
    for (const m of inner.modules) modules.add(m);
    return {
      kind: "pipeline",
      pipeline: inner,
      name: p.name,
      inputMapping: { ...p.inputMapping },
      outputSources: { ...p.outputSources },
      mapOver: [...p.mapOver],
      mode: p.mode,
      cache: p.cache,
    };
  });
  desc = {
    id: ++nextId,
    name: pipeline.name,
    bound: { ...pipeline.bound },
    nodes,
    modules: [...modules],
  };
  described.set(pipeline, desc);
  return desc;
}

// Worker side. `null` marks a reference two `node()` calls produced.
const registry = new Map<string, Node | null>();
const imports = new Map<string, Promise<unknown>>();
const rebuilt = new Map<number, Pipeline>();

/**
 * Starts recording every node created from now on, so that {@linkcode rebuildPipeline} finds
 * them. Call it in a worker before any pipeline module is imported.
 *
 * @example
 * ```ts ignore
 * import { recordNodes } from "./_registry.ts";
 * recordNodes();
 * ```
 */
export function recordNodes(): void {
  onNodeCreated((node) => {
    if (!node.site) return;
    const ref = `${node.site.url}:${node.site.line}:${node.site.column}#${node.name}`;
    registry.set(ref, registry.has(ref) ? null : node);
  });
}

function importModule(url: string, pipeline: string): Promise<unknown> {
  let loading = imports.get(url);
  if (!loading) {
    loading = import(url).catch((cause) => {
      throw new ExecutorError(
        `Cannot load pipeline "${pipeline}" in a worker as module ${url} failed to import: ${
          (cause as Error)?.message ?? cause
        }`,
        { pipeline, cause },
      );
    });
    imports.set(url, loading);
  }
  return loading;
}

function build(desc: PipelineDescription): Pipeline {
  const nodes = desc.nodes.map((n): GraphNode => {
    if (n.kind === "pipeline") {
      const outputMapping: Record<string, string> = {};
      for (const [outer, inner] of Object.entries(n.outputSources)) outputMapping[inner] = outer;
      return build(n.pipeline).asNode({
        name: n.name,
        inputMapping: n.inputMapping,
        outputMapping,
        mapOver: n.mapOver,
        mode: n.mode,
        cache: n.cache,
      } as never) as unknown as GraphNode;
    }
    const found = registry.get(n.ref);
    if (!found) {
      const name = n.ref.slice(n.ref.lastIndexOf("#") + 1);
      const why = found === null
        ? `${n.ref} names more than one node (one node() call ran several times)`
        : `importing its module did not define it (${n.ref}); it was probably created inside a function`;
      throw new ExecutorError(
        `Cannot find node "${name}" of pipeline "${desc.name}" in a worker as ${why}: ${HOW_TO_FIX}`,
        { pipeline: desc.name, node: name },
      );
    }
    return found;
  });
  // deno-lint-ignore no-explicit-any
  return new Pipeline({ nodes, name: desc.name, bound: desc.bound } as any);
}

/**
 * Imports the modules of `desc` (once each) and rebuilds the pipeline (cached by `desc.id`).
 *
 * @param desc A description made by {@linkcode describePipeline}.
 * @returns The same pipeline, made of the same nodes.
 * @throws {ExecutorError} When a module fails to import or a node cannot be found.
 *
 * @example
 * ```ts ignore
 * const pipeline = await rebuildPipeline(desc);
 * ```
 */
export async function rebuildPipeline(desc: PipelineDescription): Promise<Pipeline> {
  const cached = rebuilt.get(desc.id);
  if (cached) return cached;
  await Promise.all(desc.modules.map((url) => importModule(url, desc.name)));
  const pipeline = build(desc);
  rebuilt.set(desc.id, pipeline);
  return pipeline;
}
