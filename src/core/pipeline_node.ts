/**
 * `PipelineNode`: a pipeline used as a node of another pipeline.
 *
 * @module
 */

import { quoteAll } from "./_graph.ts";
import { PipelineDefinitionError } from "./errors.ts";
import { checkName, type GraphNode } from "./node.ts";
import type { AnyPipeline, Signature } from "./types.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** How a nested pipeline's items are combined when it maps. */
export type MapMode = "zip" | "product";

/** Options of {@linkcode Pipeline.asNode}. */
export interface PipelineNodeOptions<
  IM = Readonly<Record<string, string>>,
  OM = Readonly<Record<string, string>>,
  M extends string = string,
> {
  /**
   * The node's name in the outer pipeline.
   * @default the inner pipeline's name
   */
  name?: string;
  /**
   * Renames inputs: `{ outerName: innerName }`.
   * @default {}
   */
  inputMapping?: IM;
  /**
   * Renames and selects outputs: `{ innerName: outerName }`. With it, only mapped
   * outputs are exposed.
   * @default every inner output under its own name
   */
  outputMapping?: OM;
  /**
   * Outer input names holding one value per item: the inner pipeline is mapped
   * over them and each exposed output becomes an array.
   * @default undefined (no map)
   */
  mapOver?: M | readonly M[];
  /**
   * How the `mapOver` inputs are combined.
   * @default "zip"
   */
  mode?: MapMode;
  /**
   * Whether the engine's cache may store this node's outputs as a whole.
   * @default true
   */
  cache?: boolean;
}

/**
 * A pipeline used as a node. Create it with {@linkcode Pipeline.asNode}, or put
 * a pipeline directly in another's `nodes`.
 *
 * @typeParam I The outer input object type.
 * @typeParam O The outer output object type.
 */
export class PipelineNode<I = Any, O = Any> implements GraphNode {
  declare readonly "~types"?: Signature<I, O>;
  /** Discriminant. */
  readonly kind: "pipeline" = "pipeline";
  /** The name in the outer pipeline. */
  readonly name: string;
  /** The inner pipeline. */
  readonly pipeline: AnyPipeline;
  /** Outer input names, in the inner pipeline's root input order. */
  readonly inputs: readonly string[];
  /** Outer input names that may be left out (inner defaults and bound values). */
  readonly optionalInputs: readonly string[];
  /** Outer output names. */
  readonly outputs: readonly string[];
  /** Outer input name → inner input name, for every input. */
  readonly inputMapping: Readonly<Record<string, string>>;
  /** Outer output name → inner output name, for every exposed output. */
  readonly outputSources: Readonly<Record<string, string>>;
  /** Outer input names mapped over (empty when the node does not map). */
  readonly mapOver: readonly string[];
  /** How `mapOver` inputs combine. */
  readonly mode: MapMode;
  /** Whether the engine's cache may be used for it. */
  readonly cache: boolean;

  /**
   * Prefer {@linkcode Pipeline.asNode}.
   *
   * @param pipeline The inner pipeline.
   * @param options Mappings and map settings.
   */
  constructor(pipeline: AnyPipeline, options: PipelineNodeOptions = {}) {
    const name = checkName("name", options.name ?? pipeline.name, "nested pipeline");
    const where = `nested pipeline "${name}"`;
    const inner = pipeline.graph;
    const toInner: Record<string, string> = {};
    const renamed = new Map<string, string>(); // inner → outer
    for (const [outer, innerName] of Object.entries(options.inputMapping ?? {})) {
      if (!inner.rootInputs.includes(innerName)) {
        throw new PipelineDefinitionError(
          `Cannot create ${where} as inputMapping maps "${outer}" to "${innerName}", which is not an input of pipeline "${pipeline.name}": map to one of ${
            quoteAll(inner.rootInputs)
          }`,
          { pipeline: pipeline.name, node: name },
        );
      }
      checkName("input", outer, where);
      if (renamed.has(innerName)) {
        throw new PipelineDefinitionError(
          `Cannot create ${where} as inputMapping maps both "${
            renamed.get(innerName)
          }" and "${outer}" to "${innerName}": map one outer name to each inner input`,
          { pipeline: pipeline.name, node: name },
        );
      }
      renamed.set(innerName, outer);
    }
    const inputs = inner.rootInputs.map((i) => renamed.get(i) ?? i);
    const clash = inputs.find((o, n) => inputs.indexOf(o) !== n);
    if (clash !== undefined) {
      throw new PipelineDefinitionError(
        `Cannot create ${where} as two inner inputs would both be named "${clash}" outside: map the other one too or choose another outer name`,
        { pipeline: pipeline.name, node: name },
      );
    }
    inner.rootInputs.forEach((i, n) => (toInner[inputs[n]] = i));
    // Own properties only: an input named "toString" is not bound by Object.prototype.
    const optional = inputs.filter((o) =>
      !inner.requiredInputs.includes(toInner[o]) || Object.hasOwn(pipeline.bound, toInner[o])
    );
    const sources: Record<string, string> = Object.create(null);
    if (options.outputMapping) {
      for (const [innerName, outer] of Object.entries(options.outputMapping)) {
        if (!inner.producer.has(innerName)) {
          throw new PipelineDefinitionError(
            `Cannot create ${where} as outputMapping maps "${innerName}", which is not an output of pipeline "${pipeline.name}": map one of ${
              quoteAll(inner.outputs)
            }`,
            { pipeline: pipeline.name, node: name },
          );
        }
        checkName("output", outer, where);
        if (Object.hasOwn(sources, outer as string)) {
          throw new PipelineDefinitionError(
            `Cannot create ${where} as outputMapping maps both "${
              sources[outer as string]
            }" and "${innerName}" to "${outer}": give each exposed output its own name`,
            { pipeline: pipeline.name, node: name },
          );
        }
        sources[outer as string] = innerName;
      }
    } else {
      for (const o of inner.outputs) sources[o] = o;
    }
    const mapOver = options.mapOver === undefined
      ? []
      : typeof options.mapOver === "string"
      ? [options.mapOver]
      : [...options.mapOver];
    for (const m of mapOver) {
      if (!inputs.includes(m)) {
        throw new PipelineDefinitionError(
          `Cannot create ${where} as mapOver names "${m}", which is not one of its inputs: choose from ${
            quoteAll(inputs)
          }`,
          { pipeline: pipeline.name, node: name },
        );
      }
    }
    const mode = options.mode ?? "zip";
    if (mode !== "zip" && mode !== "product") {
      throw new TypeError(`Cannot create ${where} as mode is "${mode}": use "zip" or "product"`);
    }
    this.name = name;
    this.pipeline = pipeline;
    this.inputs = Object.freeze(inputs);
    this.optionalInputs = Object.freeze(optional);
    this.outputs = Object.freeze(Object.keys(sources));
    this.inputMapping = Object.freeze(toInner);
    this.outputSources = Object.freeze(sources);
    this.mapOver = Object.freeze(mapOver);
    this.mode = mode;
    this.cache = options.cache ?? true;
    Object.freeze(this);
  }
}
