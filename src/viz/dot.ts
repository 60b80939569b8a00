/**
 * `toDot()`: a pipeline as a Graphviz DOT digraph.
 *
 * @module
 */

import { type Box, buildModel, type Cluster, type DrawablePipeline } from "./_model.ts";

export type { DrawablePipeline } from "./_model.ts";

/** Options of {@linkcode toDot}. */
export interface DotOptions {
  /**
   * Levels drawn: 1 draws nested pipelines as one box, 2 expands them one
   * level as clusters, `Infinity` expands every level.
   * @default 1
   */
  depth?: number;
  /**
   * Draw each output value as its own box between its producer and its
   * readers (edges then only show renames).
   * @default false
   */
  separateOutputs?: boolean;
  /**
   * Graph direction.
   * @default "TB"
   */
  rankdir?: "TB" | "LR" | "BT" | "RL";
}

const STYLES: Record<Box["kind"], string> = {
  input: `shape=ellipse, style=filled, fillcolor="#e8f0fe", color="#4a6fa5"`,
  bound:
    `shape=ellipse, style="dashed,filled", fillcolor="#f4f4f4", color="#999999", fontcolor="#555555"`,
  node: `shape=box, style="rounded,filled", fillcolor="#ffffff", color="#333333"`,
  pipeline: `shape=box3d, style=filled, fillcolor="#fff4e0", color="#c77d00"`,
  output: `shape=note, style=filled, fillcolor="#f7fff0", color="#6a9f3a", fontsize=10`,
};

/**
 * Draws `pipeline` as a DOT digraph for Graphviz: root inputs as ellipses,
 * bound inputs dashed and labelled "bound", function nodes as rounded boxes,
 * nested pipelines as 3-D boxes (collapsed) or dashed clusters (expanded to
 * `depth`), and one edge per value labelled with its name — with every name
 * it has on its way when a nested pipeline's mapping renames it
 * (`docs → text`). Ids come from names, so the text is deterministic.
 *
 * @param pipeline The pipeline to draw.
 * @param options `depth`, `separateOutputs` and `rankdir`.
 * @returns The DOT source.
 * @throws {RangeError} When `depth` is not a number ≥ 1.
 *
 * @example A bound input is dashed
 * ```ts
 * import { node, Pipeline } from "../../mod.ts";
 * import { toDot } from "./dot.ts";
 * import assert from "node:assert/strict";
 *
 * const greet = node({ output: "msg" }, ({ who, lang }: { who: string; lang: string }) => lang + who);
 * const dot = toDot(new Pipeline({ nodes: [greet], name: "hello" }).bind({ lang: "en" }));
 * assert.match(dot, /"i_lang" \[label="lang\\nbound", shape=ellipse, style="dashed,filled"/);
 * assert.match(dot, /"i_who" -> "n_msg" \[label=" who "\]/);
 * ```
 */
export function toDot(pipeline: DrawablePipeline, options: DotOptions = {}): string {
  const model = buildModel(pipeline, {
    depth: options.depth ?? 1,
    separateOutputs: options.separateOutputs ?? false,
  });
  const out: string[] = [
    `digraph ${quote(model.title)} {`,
    `  rankdir=${options.rankdir ?? "TB"};`,
    `  graph [fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=0.45];`,
    `  node [fontname="Helvetica", fontsize=11, margin="0.15,0.06"];`,
    `  edge [fontname="Helvetica", fontsize=9, color="#555555", fontcolor="#333333"];`,
  ];
  writeCluster(model.root, "  ", out);
  for (const e of model.edges) {
    const attrs = [
      ...(e.label ? [`label=${quote(` ${e.label} `)}`] : []),
      ...(e.bound ? [`style=dashed`] : []),
    ];
    out.push(
      `  ${quote(e.from)} -> ${quote(e.to)}${attrs.length ? ` [${attrs.join(", ")}]` : ""};`,
    );
  }
  out.push("}");
  return out.join("\n") + "\n";
}

function writeCluster(cluster: Cluster, indent: string, out: string[]): void {
  for (const b of cluster.boxes) {
    out.push(`${indent}${quote(b.id)} [label=${quote(b.lines.join("\n"))}, ${STYLES[b.kind]}];`);
  }
  for (const c of cluster.clusters) {
    out.push(`${indent}subgraph ${quote(c.id)} {`);
    out.push(
      // Left-justified lines (`\l`) keep the title clear of edges entering the middle.
      `${indent}  label=${
        quote(c.lines.join("\n") + "\n", "\\l")
      }; labeljust=l; fontsize=10; style="rounded,dashed"; color="#c77d00"; fontcolor="#8a5700";`,
    );
    writeCluster(c, indent + "  ", out);
    out.push(`${indent}}`);
  }
}

/** A DOT string literal; `eol` ends each line (`\\n` centred, `\\l` left-justified). */
function quote(s: string, eol = "\\n"): string {
  return `"${s.replace(/["\\]/g, (ch) => `\\${ch}`).replace(/\n/g, eol)}"`;
}
