/**
 * `node()`: a function of one item with named inputs and named outputs.
 *
 * @module
 */

import { PipelineDefinitionError } from "./errors.ts";
import { parseParams } from "./_params.ts";
import type { NodeOutputs, Signature, Typed } from "./types.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** Where a node was defined: the module URL and the call site of `node()`. */
export interface DefinitionSite {
  /** The defining module's URL (`file:///…`, `https://…`). */
  readonly url: string;
  /** 1-based line of the `node()` call. */
  readonly line: number;
  /** 1-based column of the `node()` call. */
  readonly column: number;
}

/** Options of {@linkcode node}. */
export interface NodeOptions<O extends string | readonly string[] = string | readonly string[]> {
  /** The output name, or a tuple of names for a function that returns several values. */
  output: O;
  /**
   * The node's name in messages, graphs and worker references.
   * @default the function's name, else the first output name
   */
  name?: string;
  /**
   * The input names, when they cannot be read from the function's destructuring pattern.
   * @default read from the function's source
   */
  inputs?: readonly string[];
  /**
   * Whether the engine's cache may store and reuse this node's outputs.
   * @default true
   */
  cache?: boolean;
  /**
   * A string to bump when behaviour changed in a way the source text does not
   * show (a data file, a helper in another module); it is part of the cache signature.
   * @default undefined
   */
  version?: string;
}

/** What every element of a pipeline's `nodes` is: a function node or a nested pipeline node. */
export interface GraphNode extends Typed {
  /** `"node"` for a function node, `"pipeline"` for a nested pipeline. */
  readonly kind: "node" | "pipeline";
  /** The name, unique in its pipeline. */
  readonly name: string;
  /** Every input name, in declaration order. */
  readonly inputs: readonly string[];
  /** The inputs that have a default and may be left out. */
  readonly optionalInputs: readonly string[];
  /** The output names, in declaration order. */
  readonly outputs: readonly string[];
  /** Whether the engine's cache may be used for it. */
  readonly cache: boolean;
}

/**
 * A function node. Create it with {@linkcode node}.
 *
 * @typeParam I The input object type.
 * @typeParam O The output object type (output name → value type).
 */
export class Node<I = Any, O = Any> implements GraphNode {
  declare readonly "~types"?: Signature<I, O>;
  /** Discriminant. */
  readonly kind: "node" = "node";
  /** The name, unique in its pipeline. */
  readonly name: string;
  /** Every input name, in declaration order. */
  readonly inputs: readonly string[];
  /** The inputs that have a default and may be left out. */
  readonly optionalInputs: readonly string[];
  /** The output names, in declaration order. */
  readonly outputs: readonly string[];
  /** Whether the function returns several outputs (a tuple or an object). */
  readonly multiOutput: boolean;
  /** The user's function; call it directly in unit tests. */
  readonly fn: (inputs: I) => unknown;
  /** Whether the engine's cache may be used for it. */
  readonly cache: boolean;
  /** The cache-busting version string, if any. */
  readonly version: string | undefined;
  /** Where `node()` was called, when the runtime reports it. */
  readonly site: DefinitionSite | undefined;

  /**
   * Prefer {@linkcode node}; this constructor trusts its already-validated arguments.
   *
   * @param fields The node's fields.
   */
  constructor(fields: {
    name: string;
    inputs: readonly string[];
    optionalInputs: readonly string[];
    outputs: readonly string[];
    multiOutput: boolean;
    fn: (inputs: I) => unknown;
    cache: boolean;
    version: string | undefined;
    site: DefinitionSite | undefined;
  }) {
    this.name = fields.name;
    this.inputs = Object.freeze([...fields.inputs]);
    this.optionalInputs = Object.freeze([...fields.optionalInputs]);
    this.outputs = Object.freeze([...fields.outputs]);
    this.multiOutput = fields.multiOutput;
    this.fn = fields.fn;
    this.cache = fields.cache;
    this.version = fields.version;
    this.site = fields.site;
    Object.freeze(this);
  }
}

/** The caller of the function that called this one, from the stack (V8, JSC formats). */
export function callSite(skip = 2): DefinitionSite | undefined {
  const lines = new Error().stack?.split("\n").filter((l) => /:\d+:\d+\)?\s*$/.test(l)) ?? [];
  const frame = lines[skip];
  if (!frame) return undefined;
  const m =
    /(?:\(|at |@)?((?:[a-z][\w+.-]*:\/\/|\/)[^()\s]*?|[A-Za-z]:\\[^()]*?):(\d+):(\d+)\)?\s*$/
      .exec(frame.trim());
  if (!m) return undefined;
  const url = m[1].startsWith("/") ? `file://${encodeURI(m[1])}` : m[1];
  return { url, line: Number(m[2]), column: Number(m[3]) };
}

const NAME = /^[^\s"'`]+$/;

let nodeHook: ((node: Node) => void) | undefined;

/**
 * Sets the function called with every node {@linkcode node} creates, or removes it with
 * `undefined`. Internal: the worker layer uses it to find nodes again by reference.
 *
 * @param hook Receives each new node.
 */
export function onNodeCreated(hook: ((node: Node) => void) | undefined): void {
  nodeHook = hook;
}

/** Returns `value` when it is a valid name, else throws a TypeError naming `where`. */
export function checkName(kind: string, value: unknown, where: string): string {
  if (typeof value !== "string" || !NAME.test(value)) {
    throw new TypeError(
      `Cannot define ${where} as its ${kind} ${
        JSON.stringify(value) ?? String(value)
      } is not a non-empty string without spaces or quotes: use a name like "word_count"`,
    );
  }
  return value;
}

/**
 * Defines a node: a function of one destructured object of named inputs that
 * returns its output (or a tuple / an object for several outputs).
 *
 * Inputs are read from the destructuring pattern: `({ text, lang = "en" })`
 * means `text` is required and `lang` optional. Pass `inputs` when the pattern
 * cannot be read (a plain parameter, a rest element).
 *
 * @param options The output name(s) and optional `name`, `inputs`, `cache`, `version`.
 * @param fn The function, sync or async.
 * @returns The node, typed from `fn`'s parameter and return types.
 * @throws {TypeError} When an option has the wrong shape.
 * @throws {PipelineDefinitionError} When the inputs can be neither parsed nor declared.
 *
 * @example One output, several outputs, a default
 * ```ts
 * import { node } from "@hn/core";
 * import assert from "node:assert/strict";
 *
 * const clean = node({ output: "cleaned" }, ({ text }: { text: string }) => text.trim());
 * const stats = node(
 *   { output: ["min", "max"] },
 *   ({ xs }: { xs: number[] }) => [Math.min(...xs), Math.max(...xs)] as const,
 * );
 * const greet = node({ output: "greeting" }, ({ who, lang = "en" }: { who: string; lang?: string }) =>
 *   lang === "en" ? `hi ${who}` : `hallo ${who}`);
 *
 * assert.equal(clean.fn({ text: " A " }), "A");
 * assert.deepEqual(stats.outputs, ["min", "max"]);
 * assert.deepEqual(greet.optionalInputs, ["lang"]);
 * ```
 */
export function node<
  const Out extends string | readonly string[],
  I extends object = object,
  R = unknown,
>(
  options: NodeOptions<Out>,
  fn: (inputs: I) => R,
): Node<I, NodeOutputs<Out, Awaited<R>>> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot define node as its options are ${options}: pass { output: "name" } first`,
    );
  }
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot define node as its function is ${typeof fn}: pass the function as the second argument`,
    );
  }
  const multiOutput = Array.isArray(options.output);
  const outputs: string[] = multiOutput
    ? [...options.output as readonly string[]]
    : [options.output as string];
  // A derived name that is not a valid name ("bound f", "") falls back to the first output.
  const label = options.name ??
    (fn.name && NAME.test(fn.name) ? fn.name : String(outputs[0]));
  const where = `node "${label}"`;
  if (outputs.length === 0) {
    throw new TypeError(`Cannot define ${where} as its output list is empty: name its outputs`);
  }
  for (const o of outputs) checkName("output", o, where);
  if (new Set(outputs).size !== outputs.length) {
    throw new PipelineDefinitionError(
      `Cannot define ${where} as its outputs repeat a name: ${outputs.join(", ")}`,
      { node: label },
    );
  }
  const name = checkName("name", label, "node");
  if (options.cache !== undefined && typeof options.cache !== "boolean") {
    throw new TypeError(`Cannot define ${where} as cache is ${options.cache}: use true or false`);
  }
  if (options.version !== undefined && typeof options.version !== "string") {
    throw new TypeError(`Cannot define ${where} as version is not a string: use e.g. "2"`);
  }
  const parsed = parseParams(fn as (...args: never[]) => unknown);
  let inputs: readonly string[];
  let optional: string[] = [];
  if (options.inputs !== undefined) {
    if (!Array.isArray(options.inputs)) {
      throw new TypeError(`Cannot define ${where} as inputs is not an array of names`);
    }
    inputs = options.inputs.map((i) => checkName("input", i, where));
    if ("inputs" in parsed) optional = inputs.filter((i) => parsed.optional.has(i));
  } else if ("reason" in parsed) {
    throw new PipelineDefinitionError(
      `Cannot define ${where} as ${parsed.reason}: destructure one object, as in ({ a, b = 1 }) => …, or pass inputs: ["a", "b"]`,
      { node: name },
    );
  } else {
    inputs = parsed.inputs;
    optional = inputs.filter((i) => parsed.optional.has(i));
  }
  if (new Set(inputs).size !== inputs.length) {
    throw new PipelineDefinitionError(`Cannot define ${where} as its inputs repeat a name`, {
      node: name,
    });
  }
  const created = new Node({
    name,
    inputs,
    optionalInputs: optional,
    outputs,
    multiOutput,
    fn: fn as (inputs: I) => unknown,
    cache: options.cache ?? true,
    version: options.version,
    site: callSite(),
  });
  nodeHook?.(created);
  return created;
}
