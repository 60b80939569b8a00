/**
 * Code fingerprints of pipelines, compared by workers before they run a chunk.
 *
 * The cache's node fingerprints hash each function's source *as the runtime reports it*,
 * and Deno, Bun and Node report different text for one TypeScript function (Node strips
 * types in place, Deno and Bun transpile and reformat). Workers of any runtime must agree
 * with the producer, so the `"source"` fingerprint hashes what every runtime reads the same:
 * the pipeline's structure (node names, outputs, versions, nesting, mappings, nested bound
 * values) and the normalised text of each module file that defines one of its nodes. Any
 * code change in those modules (not comments or formatting) makes workers that still run
 * the old files refuse the job. Where a module file cannot be read (no read permission, a
 * remote module) the `"runtime"` fingerprint is used instead: the core's node fingerprints,
 * which match only between processes of the same runtime.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fingerprint as nodeFingerprint } from "../core/_cached.ts";
import { Hasher, hashSource } from "../core/hash.ts";
import type { GraphNode, Node } from "../core/node.ts";
import type { PipelineNode } from "../core/pipeline_node.ts";
import type { AnyPipeline } from "../core/types.ts";

/** How a fingerprint was computed (see the module docs). */
export type FingerprintKind = "source" | "runtime";

/** A pipeline's code fingerprint. */
export interface CodeFingerprint {
  /** How it was computed. */
  readonly kind: FingerprintKind;
  /** 32 lowercase hex characters. */
  readonly value: string;
}

const modules = new Map<string, Promise<string | undefined>>();
const cached = new WeakMap<AnyPipeline, Map<FingerprintKind, Promise<string | undefined>>>();

/** The normalised source hash of a module file, or `undefined` when it cannot be read. */
function moduleHash(url: string): Promise<string | undefined> {
  let hash = modules.get(url);
  if (!hash) {
    hash = url.startsWith("file:")
      ? readFile(fileURLToPath(url), "utf8").then((text) => hashSource(text), () => undefined)
      : Promise.resolve(undefined);
    modules.set(url, hash);
  }
  return hash;
}

async function structure(pipeline: AnyPipeline): Promise<unknown[] | undefined> {
  const parts: unknown[] = [];
  for (const n of pipeline.nodes as readonly GraphNode[]) {
    if (n.kind === "node") {
      const node = n as Node;
      const source = node.site ? await moduleHash(node.site.url) : undefined;
      if (source === undefined) return undefined;
      parts.push([
        "node",
        node.name,
        node.inputs,
        node.outputs,
        node.multiOutput,
        node.version ?? null,
        node.cache,
        source,
      ]);
    } else {
      const p = n as PipelineNode;
      const inner = await structure(p.pipeline);
      if (inner === undefined) return undefined;
      parts.push([
        "pipeline",
        p.name,
        p.pipeline.name,
        inner,
        boundHash(p.pipeline),
        p.inputMapping,
        p.outputSources,
        p.mapOver,
        p.mode,
        p.cache,
      ]);
    }
  }
  return parts;
}

/** Nested pipelines' bound values are code-side configuration: they travel with no job. */
function boundHash(pipeline: AnyPipeline): string {
  try {
    return new Hasher().update(pipeline.bound, "bound").digest();
  } catch {
    return "unhashable";
  }
}

function runtimeFingerprint(pipeline: AnyPipeline): string {
  return new Hasher().update([
    "hn-runtime-v1",
    pipeline.name,
    (pipeline.nodes as readonly GraphNode[]).map((n) => [n.name, nodeFingerprint(n)]),
  ]).digest();
}

/**
 * The fingerprint of `pipeline` of the given kind, or `undefined` when a `"source"`
 * fingerprint cannot be computed here. Cached per pipeline object.
 */
export function fingerprintOf(
  pipeline: AnyPipeline,
  kind: FingerprintKind,
): Promise<string | undefined> {
  let byKind = cached.get(pipeline);
  if (!byKind) cached.set(pipeline, byKind = new Map());
  let value = byKind.get(kind);
  if (!value) {
    value = kind === "runtime"
      ? Promise.resolve(runtimeFingerprint(pipeline))
      : structure(pipeline).then((parts) =>
        parts && new Hasher().update(["hn-source-v1", pipeline.name, parts]).digest()
      );
    byKind.set(kind, value);
  }
  return value;
}

/**
 * A pipeline's code fingerprint, as `QueueEngine` sends it with every chunk and workers
 * compare it: `"source"` (the same on Deno, Bun and Node) when every module that defines one
 * of its nodes can be read, else `"runtime"` (see the module docs). Cached per pipeline.
 *
 * @param pipeline The pipeline.
 * @returns Its kind and 32-hex-digit value.
 *
 * @example Same code, same fingerprint
 * ```ts
 * import { node, Pipeline } from "@hn/core";
 * import { codeFingerprint } from "@hn/core/distributed";
 *
 * const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x)], name: "p" });
 * const fp = await codeFingerprint(p);
 * console.assert(/^[0-9a-f]{32}$/.test(fp.value));
 * console.assert(fp.value === (await codeFingerprint(p)).value);
 * ```
 */
export async function codeFingerprint(pipeline: AnyPipeline): Promise<CodeFingerprint> {
  const source = await fingerprintOf(pipeline, "source");
  if (source !== undefined) return { kind: "source", value: source };
  return { kind: "runtime", value: (await fingerprintOf(pipeline, "runtime"))! };
}
