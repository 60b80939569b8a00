/**
 * `toMermaid()`: a pipeline as a Mermaid flowchart.
 *
 * @module
 */

import { type Box, buildModel, type Cluster, type DrawablePipeline } from "./_model.ts";

export type { DrawablePipeline } from "./_model.ts";

/** Options of {@linkcode toMermaid}. */
export interface MermaidOptions {
  /**
   * Levels drawn: 1 draws nested pipelines as one box, 2 expands them one
   * level as subgraphs, `Infinity` expands every level.
   * @default 1
   */
  depth?: number;
  /**
   * Flowchart direction.
   * @default "TB"
   */
  direction?: "TB" | "LR" | "BT" | "RL";
}

const SHAPES: Record<Box["kind"], readonly [string, string]> = {
  input: ["([", "])"],
  bound: ["([", "])"],
  node: ["[", "]"],
  pipeline: ["[[", "]]"],
  output: ["[/", "/]"],
};

const CLASSES: readonly string[] = [
  "classDef input fill:#e8f0fe,stroke:#4a6fa5",
  "classDef bound fill:#f4f4f4,stroke:#999,stroke-dasharray:4 3,color:#555",
  "classDef node fill:#fff,stroke:#333",
  "classDef pipeline fill:#fff4e0,stroke:#c77d00",
  "classDef output fill:#f7fff0,stroke:#6a9f3a",
];

/**
 * Draws `pipeline` as a Mermaid flowchart: root inputs as rounded stadiums,
 * bound inputs dashed and labelled "bound", function nodes as boxes, nested
 * pipelines as double-edged boxes (collapsed) or subgraphs (expanded to
 * `depth`), and one edge per value labelled with its name — with every name
 * it has on its way when a nested pipeline's mapping renames it
 * (`docs → text`). Ids come from names (`n_per_doc__tokenize`), so the text
 * is the same on every call and diffs well.
 *
 * @param pipeline The pipeline to draw.
 * @param options `depth` and `direction`.
 * @returns The Mermaid source, starting with `flowchart`.
 * @throws {RangeError} When `depth` is not a number ≥ 1.
 *
 * @example A two-node pipeline
 * ```ts
 * import { node, Pipeline } from "../../mod.ts";
 * import { toMermaid } from "./mermaid.ts";
 * import assert from "node:assert/strict";
 *
 * const clean = node({ output: "cleaned" }, ({ text }: { text: string }) => text.trim());
 * const count = node({ output: "n" }, ({ cleaned }: { cleaned: string }) => cleaned.length);
 * const text = toMermaid(new Pipeline({ nodes: [clean, count], name: "demo" }));
 * assert.match(text, /i_text\(\["text"\]\):::input/);
 * assert.match(text, /n_cleaned -->\|"cleaned"\| n_n/);
 * ```
 */
export function toMermaid(pipeline: DrawablePipeline, options: MermaidOptions = {}): string {
  const model = buildModel(pipeline, { depth: options.depth ?? 1, separateOutputs: false });
  const out: string[] = [
    `---`,
    `title: ${JSON.stringify(model.title)}`,
    `---`,
    `flowchart ${options.direction ?? "TB"}`,
  ];
  for (const c of CLASSES) out.push(`  ${c}`);
  writeCluster(model.root, "  ", out);
  for (const e of model.edges) {
    const arrow = e.bound ? "-.->" : "-->";
    out.push(`  ${e.from} ${arrow}${e.label ? `|${text([e.label])}|` : ""} ${e.to}`);
  }
  return out.join("\n") + "\n";
}

function writeCluster(cluster: Cluster, indent: string, out: string[]): void {
  for (const b of cluster.boxes) {
    const [open, close] = SHAPES[b.kind];
    out.push(`${indent}${b.id}${open}${text(b.lines)}${close}:::${b.kind}`);
  }
  for (const c of cluster.clusters) {
    out.push(`${indent}subgraph ${c.id}[${text(c.lines)}]`);
    writeCluster(c, indent + "  ", out);
    out.push(`${indent}end`);
  }
}

/** A quoted Mermaid label; quotes and markup are entity-escaped. */
function text(lines: readonly string[]): string {
  const escaped = lines.map((l) => l.replace(/[#"<>&]/g, (ch) => `#${ch.charCodeAt(0)};`));
  return `"${escaped.join("<br/>")}"`;
}
