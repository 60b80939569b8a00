/**
 * `Pipeline`: nodes wired by name into a validated graph.
 *
 * @module
 */

import { buildGraph, buildPlan, type Graph, type Plan, quoteAll } from "./_graph.ts";
import type { Engine, MapOptions, RunOptions } from "./engine.ts";
import { InputError } from "./errors.ts";
import { callSite, type DefinitionSite, type GraphNode } from "./node.ts";
import { PipelineNode, type PipelineNodeOptions } from "./pipeline_node.ts";
import { defaultEngine } from "./_default_engine.ts";
import type {
  AllOutputs,
  CheckWiring,
  MapInputs,
  NeededInputs,
  NestedInputs,
  NestedOutputs,
  RootInputs,
  RunInputs,
  RunInputsFor,
  Signature,
  Typed,
} from "./types.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** Options of the {@linkcode Pipeline} constructor. */
export interface PipelineOptions<N> {
  /** The nodes (function nodes, nested pipeline nodes, or pipelines to nest as they are). */
  nodes: readonly N[];
  /**
   * The name in messages, graphs and worker references.
   * @default "pipeline"
   */
  name?: string;
  /**
   * The engine used by `run`/`map` when the call does not pass one, and kept
   * when this pipeline is nested in another.
   * @default the shared sequential HyperNodesEngine
   */
  engine?: Engine;
}

/** The input object type `run` takes for pipeline `P`. */
export type PipelineInputs<P> = P extends Typed<infer I, Any> ? I : never;
/** The output object type `run` returns for pipeline `P`. */
export type PipelineOutputs<P> = P extends Typed<Any, infer O> ? O : never;

/**
 * Nodes wired by name: an input equal to another node's output is an edge.
 * The graph is validated when the pipeline is built; a pipeline is an
 * immutable definition and an engine runs it.
 *
 * @typeParam N The union of its node types.
 * @typeParam B The names of bound inputs.
 *
 * @example Think singular, compose, map
 * ```ts
 * import { node, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const clean = node({ output: "cleaned" }, ({ text }: { text: string }) => text.trim().toLowerCase());
 * const count = node({ output: "word_count" }, ({ cleaned }: { cleaned: string }) => cleaned.split(" ").length);
 * const p = new Pipeline({ nodes: [clean, count], name: "text_processor" });
 *
 * assert.deepEqual(await p.run({ text: " Hello World " }), { cleaned: "hello world", word_count: 2 });
 * assert.deepEqual(await p.run({ text: "A b" }, { outputs: ["cleaned"] }), { cleaned: "a b" });
 * assert.deepEqual(await p.map({ text: ["a b", "c"] }, { mapOver: "text" }), [
 *   { cleaned: "a b", word_count: 2 },
 *   { cleaned: "c", word_count: 1 },
 * ]);
 * ```
 */
export class Pipeline<N extends Typed = Any, B extends PropertyKey = never, I = RootInputs<N>>
  implements Typed<RunInputs<I, B>, AllOutputs<N>> {
  declare readonly "~types"?: Signature<RunInputs<I, B>, AllOutputs<N>>;
  /** The name. */
  readonly name: string;
  /** The nodes as given (pipelines given directly are wrapped as nested nodes). */
  readonly nodes: readonly GraphNode[];
  /** The engine this pipeline was given, if any. */
  readonly engine: Engine | undefined;
  /** Bound input values (`bind`), used when `run` does not pass them. */
  readonly bound: Readonly<Record<string, unknown>>;
  /** The validated graph: producers, topological order, root inputs, outputs. */
  readonly graph: Graph;
  /** Where the pipeline was created, when the runtime reports it. */
  readonly site: DefinitionSite | undefined;
  readonly #plans = new Map<string, Plan>();

  /**
   * Builds and validates the graph.
   *
   * @param options The nodes, and optional `name` and `engine`.
   * @throws {TypeError} When `nodes` holds something that is not a node.
   * @throws {PipelineDefinitionError} On two producers of one output, two nodes with one name, or a cycle.
   */
  constructor(options: PipelineOptions<N> & CheckWiring<N>) {
    if (typeof options !== "object" || options === null || !Array.isArray(options.nodes)) {
      throw new TypeError(
        `Cannot create pipeline as options.nodes is not an array: pass { nodes: [a, b] }`,
      );
    }
    const name = options.name ?? "pipeline";
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`Cannot create pipeline as its name is not a non-empty string`);
    }
    this.name = name;
    this.nodes = Object.freeze(options.nodes.map((n, i): GraphNode => {
      if (n instanceof Pipeline) return n.asNode();
      if (
        typeof n !== "object" || n === null ||
        ((n as GraphNode).kind !== "node" && (n as GraphNode).kind !== "pipeline")
      ) {
        throw new TypeError(
          `Cannot create pipeline "${name}" as nodes[${i}] is ${
            n === null ? "null" : typeof n
          }, not a node: create nodes with node() or pipeline.asNode()`,
        );
      }
      return n as unknown as GraphNode;
    }));
    this.engine = options.engine;
    this.bound = Object.freeze({ ...(options as { bound?: Record<string, unknown> }).bound });
    this.graph = buildGraph(name, this.nodes);
    this.site = (options as { site?: DefinitionSite }).site ?? callSite();
  }

  /** Root input names (inputs no node produces). */
  get inputs(): readonly string[] {
    return this.graph.rootInputs;
  }

  /** Every output name, in topological order. */
  get outputs(): readonly string[] {
    return this.graph.outputs;
  }

  /**
   * The execution plan for `outputs` (all outputs when omitted), cached.
   *
   * @param outputs The requested output names.
   * @returns The steps in order, the inputs they need and the outputs returned.
   * @throws {OutputError} When an output name is not produced.
   *
   * @example
   * ```ts
   * import { node, Pipeline } from "@hn/core";
   * const a = node({ output: "a" }, ({ x }: { x: number }) => x);
   * const b = node({ output: "b" }, ({ y }: { y: number }) => y);
   * console.assert(new Pipeline({ nodes: [a, b] }).plan(["a"]).steps.length === 1);
   * ```
   */
  plan(outputs?: readonly string[]): Plan {
    const key = outputs === undefined ? "\0" : outputs.join("\0");
    let plan = this.#plans.get(key);
    if (!plan) {
      plan = buildPlan(this.name, this.graph, outputs);
      this.#plans.set(key, plan);
    }
    return plan;
  }

  /**
   * Merges bound values with `inputs` and rejects names no node reads.
   *
   * @param inputs The inputs of a run.
   * @returns A new object: bound values overridden by `inputs`.
   * @throws {InputError} When a name is not an input of this pipeline.
   *
   * @example
   * ```ts
   * import { node, Pipeline } from "@hn/core";
   * const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x)] });
   * console.assert(p.bind({ x: 1 }).resolveInputs({}).x === 1);
   * ```
   */
  resolveInputs(inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
    if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
      throw new TypeError(
        `Cannot run pipeline "${this.name}" as inputs is ${
          Array.isArray(inputs) ? "an array" : String(inputs)
        }: pass an object of named inputs`,
      );
    }
    const merged: Record<string, unknown> = { ...this.bound };
    let unknown: string[] | undefined;
    for (const key in inputs) {
      if (!this.graph.rootInputs.includes(key)) (unknown ??= []).push(key);
      merged[key] = inputs[key];
    }
    if (unknown) throw this.#unknownInputs(unknown);
    return merged;
  }

  #unknownInputs(unknown: string[]): InputError {
    const produced = unknown.filter((u) => this.graph.producer.has(u));
    const reason = produced.length === unknown.length
      ? `${quoteAll(unknown)} ${unknown.length > 1 ? "are outputs" : "is an output"} of node ${
        quoteAll(produced.map((p) => this.graph.producer.get(p)!.name))
      }, not ${unknown.length > 1 ? "inputs" : "an input"}`
      : `no node reads ${quoteAll(unknown)}`;
    return new InputError(
      `Cannot run pipeline "${this.name}" as ${reason}: pass only ${
        quoteAll(this.graph.rootInputs) || "no inputs"
      }`,
      { pipeline: this.name, unknown },
    );
  }

  /**
   * Runs the pipeline once.
   *
   * @param inputs The root inputs (bound ones may be left out).
   * @param options `outputs` to compute only what they need, `engine`, `signal`.
   * @returns The outputs, as a plain object.
   * @throws {InputError} When required inputs are missing or unknown names are passed.
   * @throws {OutputError} When a requested output is not produced.
   * @throws {NodeExecutionError} When a node fails.
   *
   * @example Only what "cleaned" needs runs
   * ```ts
   * import { node, Pipeline } from "@hn/core";
   * import assert from "node:assert/strict";
   * let counted = 0;
   * const clean = node({ output: "cleaned" }, ({ text }: { text: string }) => text.trim());
   * const count = node({ output: "n" }, ({ cleaned }: { cleaned: string }) => ++counted && cleaned.length);
   * const p = new Pipeline({ nodes: [clean, count] });
   * assert.deepEqual(await p.run({ text: " a " }, { outputs: ["cleaned"] }), { cleaned: "a" });
   * assert.equal(counted, 0);
   * ```
   */
  run<const K extends keyof AllOutputs<N> & string = never>(
    inputs: [K] extends [never] ? RunInputs<I, B>
      : RunInputsFor<RunInputs<I, B>, NeededInputs<N, K>>,
    options: RunOptions<K> = {},
  ): Promise<[K] extends [never] ? AllOutputs<N> : Pick<AllOutputs<N>, K>> {
    const engine = options.engine ?? this.engine ?? defaultEngine();
    return engine.run(this, inputs as Record<string, unknown>, options) as Promise<Any>;
  }

  /**
   * Runs the pipeline once per item. Inputs named in `mapOver` hold one value
   * per item (any iterable); the others are broadcast to every item.
   *
   * @param inputs The inputs, with iterables for the `mapOver` names.
   * @param options `mapOver`, `mode` (`"zip"` or `"product"`), `outputs`, `errors`, `engine`, `signal`.
   * @returns One output object per item, in item order (with `errors: "collect"`,
   *   a failed item is its error).
   * @throws {NodeExecutionError} When an item fails (its `item` is the index), unless `errors: "collect"`.
   *
   * @example zip and product
   * ```ts
   * import { node, Pipeline } from "@hn/core";
   * import assert from "node:assert/strict";
   * const mul = node({ output: "y" }, ({ a, b, k }: { a: number; b: number; k: number }) => a * b * k);
   * const p = new Pipeline({ nodes: [mul] });
   * assert.deepEqual(await p.map({ a: [1, 2], b: [10, 20], k: 1 }, { mapOver: ["a", "b"] }), [{ y: 10 }, { y: 40 }]);
   * const all = await p.map({ a: [1, 2], b: [10, 20], k: 1 }, { mapOver: ["a", "b"], mode: "product" });
   * assert.deepEqual(all.map((r) => r.y), [10, 20, 20, 40]);
   * ```
   */
  map<
    const M extends keyof RunInputs<I, B> & string,
    const K extends keyof AllOutputs<N> & string = never,
  >(
    inputs: MapInputs<
      [K] extends [never] ? RunInputs<I, B> : RunInputsFor<RunInputs<I, B>, NeededInputs<N, K>>,
      M
    >,
    options: MapOptions<M, K> & { errors: "collect" },
  ): Promise<Array<([K] extends [never] ? AllOutputs<N> : Pick<AllOutputs<N>, K>) | Error>>;
  map<
    const M extends keyof RunInputs<I, B> & string,
    const K extends keyof AllOutputs<N> & string = never,
  >(
    inputs: MapInputs<
      [K] extends [never] ? RunInputs<I, B> : RunInputsFor<RunInputs<I, B>, NeededInputs<N, K>>,
      M
    >,
    options: MapOptions<M, K>,
  ): Promise<Array<[K] extends [never] ? AllOutputs<N> : Pick<AllOutputs<N>, K>>>;
  map(
    inputs: Record<string, unknown>,
    options: MapOptions<string, string>,
  ): Promise<unknown[]> {
    if (typeof options !== "object" || options === null) {
      // Reject rather than throw, like every other argument error of `map`.
      return Promise.reject(
        new TypeError(
          `Cannot map pipeline "${this.name}" as options are missing: pass { mapOver: "name" }`,
        ),
      );
    }
    const engine = options.engine ?? this.engine ?? defaultEngine();
    return engine.map(this, inputs, options);
  }

  /**
   * A new pipeline with `values` bound: `run` uses them when it does not pass them.
   *
   * @param values Root input values.
   * @returns A new pipeline; this one is unchanged.
   * @throws {InputError} When a name is not a root input.
   *
   * @example
   * ```ts
   * import { node, Pipeline } from "@hn/core";
   * import assert from "node:assert/strict";
   * const greet = node({ output: "msg" }, ({ who, lang }: { who: string; lang: string }) => `${lang}:${who}`);
   * const p = new Pipeline({ nodes: [greet] }).bind({ lang: "en" });
   * assert.deepEqual(await p.run({ who: "ann" }), { msg: "en:ann" });
   * assert.deepEqual(await p.run({ who: "ann", lang: "de" }), { msg: "de:ann" });
   * ```
   */
  bind<const K extends keyof I & string>(
    values: { [P in K]: I[P] },
  ): Pipeline<N, B | K, I> {
    const bound = this.resolveInputs(values as Record<string, unknown>);
    return this.#with({ bound }) as unknown as Pipeline<N, B | K, I>;
  }

  /**
   * A new pipeline without the bound values of `names` (all when none given).
   *
   * @param names Bound input names to drop.
   * @returns A new pipeline; this one is unchanged.
   *
   * @example
   * ```ts
   * import { node, Pipeline } from "@hn/core";
   * const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x)] }).bind({ x: 1 });
   * console.assert(Object.keys(p.unbind("x").bound).length === 0);
   * ```
   */
  unbind<const K extends B & string>(...names: K[]): Pipeline<N, Exclude<B, K>, I> {
    const bound: Record<string, unknown> = {};
    if (names.length > 0) {
      for (const k in this.bound) if (!names.includes(k as K)) bound[k] = this.bound[k];
    }
    return this.#with({ bound, replace: true }) as unknown as Pipeline<N, Exclude<B, K>, I>;
  }

  /**
   * A new pipeline like this one with another engine.
   *
   * @param engine The engine.
   * @returns A new pipeline.
   *
   * @example
   * ```ts
   * import { HyperNodesEngine, node, Pipeline } from "@hn/core";
   * const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x)] });
   * console.assert(p.withEngine(new HyperNodesEngine({ nodeExecutor: "async" })).engine !== undefined);
   * ```
   */
  withEngine(engine: Engine): Pipeline<N, B, I> {
    return this.#with({ engine });
  }

  #with(
    change: { bound?: Record<string, unknown>; replace?: boolean; engine?: Engine },
  ): Pipeline<N, B, I> {
    return new Pipeline<N, B, I>(
      {
        nodes: this.nodes as unknown as N[],
        name: this.name,
        engine: change.engine ?? this.engine,
        bound: change.replace ? change.bound : { ...this.bound, ...change.bound },
        site: this.site,
      } as unknown as PipelineOptions<N> & CheckWiring<N>,
    );
  }

  /**
   * This pipeline as a node of another: inputs and outputs renamed by
   * `inputMapping` (`{ outer: inner }`) and `outputMapping` (`{ inner: outer }`),
   * and mapped over `mapOver` (outer names) when given.
   *
   * @param options `name`, `inputMapping`, `outputMapping`, `mapOver`, `mode`, `cache`.
   * @returns The nested pipeline node.
   * @throws {PipelineDefinitionError} When a mapping names an unknown input or output.
   *
   * @example A fractal map
   * ```ts
   * import { node, Pipeline } from "@hn/core";
   * import assert from "node:assert/strict";
   * const count = node({ output: "word_count" }, ({ text }: { text: string }) => text.split(" ").length);
   * const perDoc = new Pipeline({ nodes: [count], name: "count" }).asNode({
   *   name: "per_doc", inputMapping: { docs: "text" }, outputMapping: { word_count: "counts" }, mapOver: "docs",
   * });
   * const total = node({ output: "total" }, ({ counts }: { counts: number[] }) => counts.reduce((a, b) => a + b, 0));
   * const outer = new Pipeline({ nodes: [perDoc, total] });
   * assert.deepEqual(await outer.run({ docs: ["a b", "c"] }), { counts: [2, 1], total: 3 });
   * ```
   */
  asNode<
    const IM extends { readonly [outer: string]: keyof RunInputs<I, B> & string } = Record<
      never,
      never
    >,
    const OM extends { readonly [K in keyof AllOutputs<N>]?: string } = Record<never, never>,
    const M extends string = never,
  >(
    options: PipelineNodeOptions<IM, OM, M> = {},
  ): PipelineNode<
    NestedInputs<RunInputs<I, B>, IM, M>,
    NestedOutputs<AllOutputs<N>, OM, [M] extends [never] ? false : true>
  > {
    return new PipelineNode(this, options as PipelineNodeOptions);
  }
}
