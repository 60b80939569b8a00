/**
 * The wiring of a pipeline: who produces what, the topological order, and the
 * execution plans (the sub-graph needed for a set of outputs).
 */

import { InputError, OutputError, PipelineDefinitionError } from "./errors.ts";
import type { GraphNode } from "./node.ts";

/** One node of an execution plan. */
export interface Step {
  /** Position in `Plan.steps`. */
  readonly index: number;
  /** The node. */
  readonly node: GraphNode;
  /** Indices of the steps whose outputs it reads. */
  readonly deps: readonly number[];
  /** Indices of the steps that read its outputs. */
  readonly dependents: readonly number[];
  /** Its outputs that the plan needs (the rest may be skipped by nested pipelines). */
  readonly needed: readonly string[];
  /** Value slots of its inputs (same order as `node.inputs`). */
  readonly inSlots: readonly number[];
  /** Value slots of its outputs (same order as `node.outputs`). */
  readonly outSlots: readonly number[];
  /**
   * With a cache: the slot holding this step's signature, and for each input the
   * signature slot of the step producing it (-1 for a root input).
   */
  readonly sigSlot: number;
  /** Signature slots of the producers of its inputs (-1 for root inputs). */
  readonly inSigSlots: readonly number[];
}

/** The steps needed for a set of outputs, in a topological order. */
export interface Plan {
  /** Steps in topological order (definition order among independent nodes). */
  readonly steps: readonly Step[];
  /** Root inputs that the steps read and that have no default in any reader. */
  readonly required: readonly string[];
  /** Every root input the steps read. */
  readonly inputs: readonly string[];
  /** The output names the run returns. */
  readonly outputs: readonly string[];
  /**
   * A run keeps its values in an array: one slot per root input, then one per
   * output. These are the slots of `inputs` and `outputs`, and the array length.
   */
  readonly inputSlots: readonly number[];
  /** Slots of `outputs`. */
  readonly outputSlots: readonly number[];
  /** How many slots a run's value array has (values, then one signature slot per step). */
  readonly slotCount: number;
}

/** The validated graph of a pipeline. */
export interface Graph {
  /** Nodes in a topological order. */
  readonly order: readonly GraphNode[];
  /** Output name → the node producing it. */
  readonly producer: ReadonlyMap<string, GraphNode>;
  /** Inputs no node produces, in first-use order. */
  readonly rootInputs: readonly string[];
  /** Root inputs that some node reads without a default. */
  readonly requiredInputs: readonly string[];
  /** Every output of every node, in topological order. */
  readonly outputs: readonly string[];
}

/** Builds and validates the graph; throws on duplicates and cycles. */
export function buildGraph(pipeline: string, nodes: readonly GraphNode[]): Graph {
  const producer = new Map<string, GraphNode>();
  const names = new Map<string, GraphNode>();
  for (const n of nodes) {
    const same = names.get(n.name);
    if (same) {
      throw new PipelineDefinitionError(
        `Cannot create pipeline "${pipeline}" as two nodes are named "${n.name}": give one an explicit name`,
        { pipeline, node: n.name },
      );
    }
    names.set(n.name, n);
    for (const o of n.outputs) {
      const other = producer.get(o);
      if (other) {
        throw new PipelineDefinitionError(
          `Cannot create pipeline "${pipeline}" as output "${o}" is produced by both "${other.name}" and "${n.name}": rename one output`,
          { pipeline, node: n.name },
        );
      }
      producer.set(o, n);
    }
  }
  // Depth-first topological sort; a grey node met again closes a cycle.
  const state = new Map<GraphNode, 1 | 2>();
  const order: GraphNode[] = [];
  const stack: GraphNode[] = [];
  const visit = (n: GraphNode): void => {
    const s = state.get(n);
    if (s === 2) return;
    if (s === 1) {
      const cycle = [...stack.slice(stack.indexOf(n)), n].map((x) => x.name).join(" -> ");
      throw new PipelineDefinitionError(
        `Cannot create pipeline "${pipeline}" as its nodes form a cycle: ${cycle}; break it by renaming an input or output`,
        { pipeline, node: n.name },
      );
    }
    state.set(n, 1);
    stack.push(n);
    for (const i of n.inputs) {
      const p = producer.get(i);
      if (p) visit(p);
    }
    stack.pop();
    state.set(n, 2);
    order.push(n);
  };
  for (const n of nodes) visit(n);
  const rootInputs: string[] = [];
  const required = new Set<string>();
  for (const n of order) {
    for (const i of n.inputs) {
      if (producer.has(i)) continue;
      if (!rootInputs.includes(i)) rootInputs.push(i);
      if (!n.optionalInputs.includes(i)) required.add(i);
    }
  }
  return {
    order,
    producer,
    rootInputs,
    requiredInputs: rootInputs.filter((i) => required.has(i)),
    outputs: order.flatMap((n) => n.outputs),
  };
}

/** The plan for `outputs` (all outputs when `undefined`). */
export function buildPlan(
  pipeline: string,
  graph: Graph,
  outputs: readonly string[] | undefined,
): Plan {
  let wanted: readonly string[];
  let included: Set<GraphNode>;
  if (outputs === undefined) {
    wanted = graph.outputs;
    included = new Set(graph.order);
  } else {
    const unknown = outputs.filter((o) => !graph.producer.has(o));
    if (unknown.length > 0) {
      throw new OutputError(
        `Cannot run pipeline "${pipeline}" as ${plural(unknown, "output")} ${quoteAll(unknown)} ${
          unknown.length > 1 ? "are" : "is"
        } not produced: choose from ${quoteAll(graph.outputs)}`,
        { pipeline },
      );
    }
    wanted = [...new Set(outputs)];
    included = new Set();
    const add = (n: GraphNode): void => {
      if (included.has(n)) return;
      included.add(n);
      for (const i of n.inputs) {
        const p = graph.producer.get(i);
        if (p) add(p);
      }
    };
    for (const o of wanted) add(graph.producer.get(o)!);
  }
  const nodes = graph.order.filter((n) => included.has(n));
  const index = new Map(nodes.map((n, i) => [n, i]));
  const needed = new Map<GraphNode, Set<string>>(nodes.map((n) => [n, new Set()]));
  for (const o of wanted) needed.get(graph.producer.get(o)!)!.add(o);
  const deps: number[][] = nodes.map(() => []);
  const dependents: number[][] = nodes.map(() => []);
  const inputs: string[] = [];
  const required = new Set<string>();
  nodes.forEach((n, i) => {
    for (const name of n.inputs) {
      const p = graph.producer.get(name);
      if (p) {
        needed.get(p)!.add(name);
        const d = index.get(p)!;
        if (!deps[i].includes(d)) {
          deps[i].push(d);
          dependents[d].push(i);
        }
      } else {
        if (!inputs.includes(name)) inputs.push(name);
        if (!n.optionalInputs.includes(name)) required.add(name);
      }
    }
  });
  const slot = new Map<string, number>(inputs.map((name, i) => [name, i]));
  for (const n of nodes) for (const o of n.outputs) slot.set(o, slot.size);
  // Signature slots follow the value slots, one per step.
  const valueSlots = slot.size;
  const steps = nodes.map((node, i): Step => ({
    index: i,
    node,
    deps: deps[i],
    dependents: dependents[i],
    needed: node.outputs.filter((o) => needed.get(node)!.has(o)),
    inSlots: node.inputs.map((name) => slot.get(name)!),
    outSlots: node.outputs.map((name) => slot.get(name)!),
    sigSlot: valueSlots + i,
    inSigSlots: node.inputs.map((name) => {
      const p = graph.producer.get(name);
      return p ? valueSlots + index.get(p)! : -1;
    }),
  }));
  return {
    steps,
    required: inputs.filter((i) => required.has(i)),
    inputs,
    outputs: wanted,
    inputSlots: inputs.map((_, i) => i),
    outputSlots: wanted.map((o) => slot.get(o)!),
    slotCount: valueSlots + nodes.length,
  };
}

/** Throws an {@linkcode InputError} listing every missing required input of `plan`. */
export function checkMissing(
  pipeline: string,
  plan: Plan,
  has: (name: string) => boolean,
  item?: number,
): void {
  const missing = plan.required.filter((i) => !has(i));
  if (missing.length === 0) return;
  throw new InputError(
    `Cannot run pipeline "${pipeline}" as ${plural(missing, "input")} ${quoteAll(missing)} ${
      missing.length > 1 ? "are" : "is"
    } missing${item === undefined ? "" : ` for item ${item}`}: pass ${
      missing.length > 1 ? "them" : "it"
    } in inputs or bind ${missing.length > 1 ? "them" : "it"}`,
    { pipeline, missing, item },
  );
}

/** `"a", "b"` */
export function quoteAll(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(", ");
}

/** `input` / `inputs` */
export function plural(list: readonly unknown[], word: string): string {
  return list.length === 1 ? word : `${word}s`;
}
