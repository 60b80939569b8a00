/**
 * The drawing model shared by the Mermaid and DOT writers: boxes, clusters
 * (expanded nested pipelines) and labelled edges, with readable ids derived
 * from names so the same pipeline always draws the same text.
 */

import type { Graph } from "../core/_graph.ts";
import type { GraphNode, Node } from "../core/node.ts";
import type { PipelineNode } from "../core/pipeline_node.ts";

/** What drawing needs of a pipeline: any `Pipeline` fits, whatever its type parameters. */
export interface DrawablePipeline {
  /** The pipeline's name. */
  readonly name: string;
  /** Its validated graph. */
  readonly graph: Graph;
  /** Its bound input values. */
  readonly bound: Readonly<Record<string, unknown>>;
}

/** What a box stands for. */
export type BoxKind = "input" | "bound" | "node" | "pipeline" | "output";

/** One drawn box. */
export interface Box {
  readonly id: string;
  readonly kind: BoxKind;
  /** Label lines. */
  readonly lines: readonly string[];
}

/** An expanded nested pipeline. */
export interface Cluster {
  readonly id: string;
  /** Label lines. */
  readonly lines: readonly string[];
  readonly boxes: Box[];
  readonly clusters: Cluster[];
}

/** An edge carrying one value; `label` shows every name it has on its way (outer ones included). */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** Whether it starts at a bound input. */
  readonly bound: boolean;
}

/** A whole drawing: the top level is a cluster without a frame. */
export interface Model {
  readonly title: string;
  readonly root: Cluster;
  readonly edges: Edge[];
}

/** One end of an edge: a box and the names the value has between it and the current level. */
interface End {
  readonly id: string;
  /** Producers: innermost name first. Consumers: outermost name first. */
  readonly names: readonly string[];
  /** For consumers: whether the consuming pipeline binds this input. */
  readonly bound: boolean;
}

interface Placed {
  /** Value name at this level → the box producing it. */
  readonly produces: Map<string, End>;
  /** Root input name at this level → the boxes reading it. */
  readonly consumes: Map<string, End[]>;
}

/** Shared options of {@linkcode buildModel}. */
export interface ModelOptions {
  /** Levels drawn: 1 collapses nested pipelines; `Infinity` expands all. */
  readonly depth: number;
  /** Whether each value gets its own box between producer and readers. */
  readonly separateOutputs: boolean;
}

/** Turns `pipeline` into boxes, clusters and edges. */
export function buildModel(pipeline: DrawablePipeline, options: ModelOptions): Model {
  const depth = options.depth;
  if (typeof depth !== "number" || !(depth >= 1)) {
    throw new RangeError(
      `Cannot draw pipeline "${pipeline.name}" as depth is ${
        String(depth)
      }: pass 1 (nested pipelines collapsed), a larger number, or Infinity`,
    );
  }
  const used = new Set<string>();
  const id = (raw: string): string => {
    const base = raw.replace(/[^A-Za-z0-9_]/g, "_");
    let out = base;
    for (let n = 2; used.has(out); n++) out = `${base}_${n}`;
    used.add(out);
    return out;
  };
  const edges: Edge[] = [];
  const root: Cluster = { id: id(`p_${pipeline.name}`), lines: [], boxes: [], clusters: [] };

  const link = (from: End, to: End, bound = false): void => {
    const names: string[] = [];
    for (const n of [...from.names, ...to.names]) if (names.at(-1) !== n) names.push(n);
    if (!options.separateOutputs) {
      edges.push({ from: from.id, to: to.id, label: names.join(" → "), bound });
      return;
    }
    // The value box already says the name; the edge only shows renames.
    edges.push({
      from: from.id,
      to: to.id,
      label: names.length > 1 ? names.join(" → ") : "",
      bound,
    });
  };

  const place = (p: DrawablePipeline, path: string, level: number, into: Cluster): Placed => {
    const produces = new Map<string, End>();
    const consumes = new Map<string, End[]>();
    const read = (name: string, end: End): void => {
      const list = consumes.get(name);
      if (list) list.push(end);
      else consumes.set(name, [end]);
    };
    for (const n of p.graph.order as readonly GraphNode[]) {
      const nodePath = path === "" ? n.name : `${path}__${n.name}`;
      if (n.kind === "pipeline" && level < depth) {
        const nested = n as PipelineNode;
        const cluster: Cluster = {
          id: id(`cluster_${nodePath}`),
          lines: pipelineLines(nested),
          boxes: [],
          clusters: [],
        };
        into.clusters.push(cluster);
        const inner = place(nested.pipeline, nodePath, level + 1, cluster);
        for (const [outer, source] of Object.entries(nested.outputSources)) {
          const e = inner.produces.get(source)!;
          produces.set(outer, { id: e.id, names: [...e.names, outer], bound: false });
        }
        for (const outer of nested.inputs) {
          for (const e of inner.consumes.get(nested.inputMapping[outer]) ?? []) {
            read(outer, { id: e.id, names: [outer, ...e.names], bound: e.bound });
          }
        }
        continue;
      }
      const box: Box = {
        id: id(`n_${nodePath}`),
        kind: n.kind === "pipeline" ? "pipeline" : "node",
        lines: n.kind === "pipeline" ? pipelineLines(n as PipelineNode) : nodeLines(n as Node),
      };
      into.boxes.push(box);
      for (const o of n.outputs) {
        if (!options.separateOutputs) {
          produces.set(o, { id: box.id, names: [o], bound: false });
          continue;
        }
        const value: Box = { id: id(`v_${nodePath}__${o}`), kind: "output", lines: [o] };
        into.boxes.push(value);
        edges.push({ from: box.id, to: value.id, label: "", bound: false });
        produces.set(o, { id: value.id, names: [o], bound: false });
      }
      const innerBound = n.kind === "pipeline"
        ? (i: string) => Object.hasOwn((n as PipelineNode).pipeline.bound, inputOf(n, i))
        : () => false;
      for (const i of n.inputs) read(i, { id: box.id, names: [i], bound: innerBound(i) });
    }
    // Values produced here become edges; what is left are this level's root inputs.
    for (const [name, readers] of consumes) {
      const from = produces.get(name);
      if (!from) continue;
      for (const to of readers) link(from, to);
      consumes.delete(name);
    }
    for (const [name, readers] of consumes) {
      if (!Object.hasOwn(p.bound, name)) continue;
      consumes.set(name, readers.map((r) => ({ ...r, bound: true })));
    }
    return { produces, consumes };
  };

  const top = place(pipeline, "", 1, root);
  const inputs: Box[] = [];
  const internal = edges.splice(0);
  for (const [name, readers] of top.consumes) {
    const bound = readers.every((r) => r.bound);
    const box: Box = {
      id: id(`i_${name}`),
      kind: bound ? "bound" : "input",
      lines: bound ? [name, "bound"] : [name],
    };
    inputs.push(box);
    for (const r of readers) link({ id: box.id, names: [name], bound }, r, bound);
  }
  root.boxes.unshift(...inputs);
  edges.push(...internal); // input edges first: the drawing reads top-down
  return { title: pipeline.name, root, edges };
}

function inputOf(n: GraphNode, outer: string): string {
  return (n as PipelineNode).inputMapping[outer] ?? outer;
}

function nodeLines(n: Node): string[] {
  const outputs = n.outputs;
  return outputs.length === 1 && outputs[0] === n.name
    ? [n.name]
    : [n.name, `→ ${outputs.join(", ")}`];
}

function pipelineLines(n: PipelineNode): string[] {
  const lines = [n.pipeline.name === n.name ? n.name : `${n.name} (${n.pipeline.name})`];
  if (n.mapOver.length > 0) {
    lines.push(`map over ${n.mapOver.join(n.mode === "product" ? " × " : ", ")}`);
  }
  return lines;
}
