/**
 * Cached execution of one step: signature = hash(code fingerprint, the values
 * of root inputs and of uncached producers, the signatures of cached
 * producers). Only used when the engine has a cache.
 */

import { now } from "./_events.ts";
import type { Step } from "./_graph.ts";
import type { Cache } from "./cache.ts";
import { NodeExecutionError } from "./errors.ts";
import { Hasher, hashSource, nodeSignature, UnhashableError } from "./hash.ts";
import type { GraphNode, Node } from "./node.ts";
import type { PipelineNode } from "./pipeline_node.ts";

const fingerprints = new WeakMap<GraphNode, string>();

/**
 * A node's code fingerprint: its normalised source, `version` and output
 * names; for a nested pipeline, its inner nodes' fingerprints, bound values
 * and mappings. Stable across processes of one runtime.
 */
export function fingerprint(node: GraphNode): string {
  let fp = fingerprints.get(node);
  if (fp !== undefined) return fp;
  if (node.kind === "node") {
    const n = node as Node;
    fp = new Hasher().update([
      "node",
      hashSource(Function.prototype.toString.call(n.fn), n.version),
      n.outputs,
      n.multiOutput,
    ]).digest();
  } else {
    const p = node as PipelineNode;
    fp = new Hasher().update([
      "pipeline",
      p.pipeline.graph.order.map((n) => [n.name, fingerprint(n)]),
      p.pipeline.bound,
      p.inputMapping,
      p.outputSources,
      p.mapOver,
      p.mode,
    ], "bound").digest();
  }
  fingerprints.set(node, fp);
  return fp;
}

/** Where signatures of a run's steps are kept: the run's value array. */
type Slots = unknown[];

/**
 * The step's signature, stored in its signature slot.
 *
 * @throws {NodeExecutionError} When an input cannot be hashed (names node and input).
 */
export function signatureOf(
  pipeline: string,
  item: number | undefined,
  step: Step,
  args: Readonly<Record<string, unknown>>,
  values: Slots,
): string {
  const node = step.node;
  const inputs: Record<string, unknown> = {};
  const upstream: Record<string, string> = {};
  for (let i = 0; i < node.inputs.length; i++) {
    const name = node.inputs[i];
    const src = step.inSigSlots[i];
    const sig = src >= 0 ? values[src] : undefined;
    if (typeof sig === "string") upstream[name] = sig;
    else if (Object.hasOwn(args, name)) inputs[name] = args[name];
  }
  try {
    const fp = node.kind === "pipeline"
      ? new Hasher().update([fingerprint(node), step.needed]).digest()
      : fingerprint(node);
    const sig = nodeSignature({ fingerprint: fp, inputs, upstream });
    values[step.sigSlot] = sig;
    return sig;
  } catch (error) {
    if (!(error instanceof UnhashableError)) throw error;
    const input = /^inputs\.([^.[]+)/.exec(error.path)?.[1] ?? error.path;
    throw new NodeExecutionError(
      `Cannot cache node "${node.name}" of pipeline "${pipeline}"${
        item === undefined ? "" : ` for item ${item}`
      } as input "${input}" holds ${error.kind} at ${error.path}: give the value a [cacheKey]() method, or set cache: false on the node`,
      { pipeline, node: node.name, item, cause: error },
    );
  }
}

const warned = new WeakSet<GraphNode>();

/** Stores a result; a value the cache cannot store is warned about once per node and skipped. */
export async function storeResult(
  cache: Cache,
  node: GraphNode,
  signature: string,
  result: unknown,
): Promise<void> {
  try {
    await cache.set(signature, result);
  } catch (error) {
    if (warned.has(node)) return;
    warned.add(node);
    console.warn(
      `Cannot cache the result of node "${node.name}" in ${cache.name} as it cannot be stored (${
        error instanceof Error ? error.message : String(error)
      }): the node will run again next time; return plain data or set cache: false`,
    );
  }
}

/** Event fields of a cache hit. */
export function cachedEvent(
  base: object,
  node: GraphNode,
  signature: string,
): object {
  return { ...base, time: now(), node: node.name, signature };
}
