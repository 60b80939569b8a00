/**
 * The error classes callers catch. Every message follows one grammar:
 * `Cannot <action> as <reason>: <current state>` followed by how to fix it.
 *
 * Errors that cross a Worker, a queue or HTTP are serialised to plain data
 * (`{ name, message, stack, cause, ...fields }`) and rebuilt on the other side;
 * {@linkcode errorClasses} lists the classes that can be rebuilt by name.
 *
 * @module
 */

/** Fields shared by the structured errors of this library. */
export interface HyperNodesErrorOptions {
  /** The pipeline involved, if any. */
  pipeline?: string;
  /** The node involved, if any. */
  node?: string;
  /** The map item index involved, if any. */
  item?: number;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by @hn/core for a reason other than a wrong
 * argument shape (those are `TypeError` / `RangeError`).
 *
 * @example Catching any library error
 * ```ts
 * import { HyperNodesError, node, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const a = node({ output: "x" }, ({ y }: { y: number }) => y);
 * const b = node({ output: "y" }, ({ x }: { x: number }) => x);
 * assert.throws(() => new Pipeline({ nodes: [a, b] as never }), HyperNodesError);
 * ```
 */
export class HyperNodesError extends Error {
  /** The pipeline involved, if any. */
  declare readonly pipeline?: string;
  /** The node involved, if any. */
  declare readonly node?: string;
  /** The map item index involved, if any. */
  declare readonly item?: number;

  /**
   * @param message The full message (`Cannot … as …: …` plus the fix).
   * @param options Structured fields and the `cause`.
   */
  constructor(message: string, options: HyperNodesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.pipeline !== undefined) this.pipeline = options.pipeline;
    if (options.node !== undefined) this.node = options.node;
    if (options.item !== undefined) this.item = options.item;
  }
}

/**
 * A pipeline or node definition is invalid: a cycle, two producers of one
 * output, a node whose inputs cannot be read, bad options.
 *
 * @example A cycle is rejected when the pipeline is built
 * ```ts
 * import { node, Pipeline, PipelineDefinitionError } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const a = node({ output: "x" }, ({ y }: { y: number }) => y);
 * const b = node({ output: "y" }, ({ x }: { x: number }) => x);
 * assert.throws(() => new Pipeline({ nodes: [a, b] as never }), PipelineDefinitionError);
 * ```
 */
export class PipelineDefinitionError extends HyperNodesError {}

/**
 * Inputs needed by the requested outputs are missing, or inputs that no node
 * reads were passed.
 *
 * @example Every missing name is listed
 * ```ts
 * import { InputError, node, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const add = node({ output: "sum" }, ({ a, b }: { a: number; b: number }) => a + b);
 * const p = new Pipeline({ nodes: [add], name: "adder" });
 * await assert.rejects(() => p.run({} as never), (e: InputError) => {
 *   assert.deepEqual(e.missing, ["a", "b"]);
 *   return true;
 * });
 * ```
 */
export class InputError extends HyperNodesError {
  /** Names of the inputs that are required but were not given. */
  readonly missing: readonly string[];
  /** Names that were given but that no node of the pipeline reads. */
  readonly unknown: readonly string[];

  /**
   * @param message The full message.
   * @param options Structured fields plus the `missing` and `unknown` names.
   */
  constructor(
    message: string,
    options: HyperNodesErrorOptions & { missing?: readonly string[]; unknown?: readonly string[] } =
      {},
  ) {
    super(message, options);
    this.missing = options.missing ?? [];
    this.unknown = options.unknown ?? [];
  }
}

/**
 * An output name that the pipeline does not produce was requested.
 *
 * @example
 * ```ts
 * import { node, OutputError, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x)] });
 * await assert.rejects(() => p.run({ x: 1 }, { outputs: ["z" as "y"] }), OutputError);
 * ```
 */
export class OutputError extends HyperNodesError {}

/**
 * A node threw (or returned a value of the wrong shape). `cause` holds what it
 * threw; `pipeline`, `node` and, inside `map`, `item` say where.
 *
 * @example
 * ```ts
 * import { node, NodeExecutionError, Pipeline } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const boom = node({ output: "y", name: "boom" }, ({ x }: { x: number }) => {
 *   if (x > 1) throw new RangeError("too big");
 *   return x;
 * });
 * const p = new Pipeline({ nodes: [boom], name: "demo" });
 * await assert.rejects(() => p.map({ x: [1, 2] }, { mapOver: "x" }), (e: NodeExecutionError) => {
 *   assert.equal(e.node, "boom");
 *   assert.equal(e.item, 1);
 *   assert.ok(e.cause instanceof RangeError);
 *   return true;
 * });
 * ```
 */
export class NodeExecutionError extends HyperNodesError {}

/**
 * An executor failed for a reason outside the user's code: a worker crashed,
 * the pool was closed, a value could not be sent to a worker.
 *
 * @example
 * ```ts
 * import { ExecutorError } from "@hn/core";
 * const e = new ExecutorError("Cannot run task as the pool is closed: call run on a new engine");
 * console.assert(e.name === "ExecutorError");
 * ```
 */
export class ExecutorError extends HyperNodesError {}

/**
 * The error classes of this library by name, used to rebuild errors that were
 * serialised to plain data (across Workers, queues, HTTP).
 *
 * @example
 * ```ts
 * import { errorClasses, NodeExecutionError } from "@hn/core";
 * console.assert(errorClasses.NodeExecutionError === NodeExecutionError);
 * ```
 */
export const errorClasses: Readonly<Record<string, typeof HyperNodesError>> = Object.freeze({
  HyperNodesError,
  PipelineDefinitionError,
  InputError,
  OutputError,
  NodeExecutionError,
  ExecutorError,
});
