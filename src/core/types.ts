/**
 * Type machinery: how a pipeline's input and output types are inferred from
 * its nodes, and how wiring mistakes become compile-time errors. Everything
 * here is types only.
 *
 * @module
 */

import type { Pipeline } from "./pipeline.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** Flattens an intersection into one object type for readable hovers. */
// deno-lint-ignore ban-types -- `& {}` is the idiom that makes TypeScript flatten the hover
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Turns a union into the intersection of its members. */
export type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends
  (x: infer I) => void ? I : never;

/** The type-only marker every node and pipeline carries: its inputs and outputs. */
export interface Signature<I, O> {
  /** The input object type. */
  readonly in: I;
  /** The output object type. */
  readonly out: O;
}

/** Anything that carries input and output types (nodes, pipeline nodes, pipelines). */
export interface Typed<I = Any, O = Any> {
  /** Type-only: never set at run time. */
  readonly "~types"?: Signature<I, O>;
}

/**
 * A pipeline of any types, as engines, executors and tools see it: the
 * definition without its typed methods, so every `Pipeline<…>` is assignable.
 */
export type AnyPipeline = Pick<
  Pipeline<Any, Any, Any>,
  | "name"
  | "nodes"
  | "engine"
  | "bound"
  | "graph"
  | "site"
  | "inputs"
  | "outputs"
  | "plan"
  | "resolveInputs"
>;

/** The input object type of a node or pipeline. */
export type InputsOf<T> = T extends Typed<infer I, Any> ? I : never;
/** The output object type of a node or pipeline. */
export type OutputsOf<T> = T extends Typed<Any, infer O> ? O : never;

/** Keys of every member of a union. */
export type KeysOfUnion<T> = T extends unknown ? keyof T : never;

/**
 * Output types of a node, from its `output` option and what its function returns:
 * one name maps to the value; a tuple of names maps to the returned tuple
 * position by position, or to the returned object's fields. The fields are
 * mutable even when the names tuple is readonly (`as const`), like single outputs.
 */
export type NodeOutputs<N, R> = N extends string ? { [K in N]: R }
  : N extends readonly string[] ? R extends readonly unknown[] ? {
        -readonly [
          I in keyof N as I extends `${number}` ? N[I] & string : never
        ]: I extends keyof R ? R[I]
          : unknown;
      }
    : R extends object ? { [K in N[number]]: K extends keyof R ? R[K] : unknown }
    : { [K in N[number]]: unknown }
  : never;

/** Every output of a set of nodes, as one object type. */
export type AllOutputs<N> = Simplify<UnionToIntersection<OutputsOf<N>>>;

/** Every input of a set of nodes (required when any node requires it). */
export type AllInputs<N> = UnionToIntersection<InputsOf<N>>;

/** The root inputs of a set of nodes: their inputs no node produces. */
export type RootInputs<N> = Simplify<Omit<AllInputs<N>, keyof AllOutputs<N>>>;

/** What `run` accepts: the root inputs, with bound names made optional. */
export type RunInputs<I, B extends PropertyKey> = [B] extends [never] ? I
  : Simplify<Omit<I, B> & Partial<Pick<I, B & keyof I>>>;

/** The names read by the nodes of `N` that produce any of `K`. */
export type ReadBy<N, K> = N extends unknown
  ? [Extract<keyof OutputsOf<N>, K>] extends [never] ? never : keyof InputsOf<N>
  : never;

/**
 * `K` and every produced name the outputs `K` depend on, up to 32 levels deep
 * (deeper chains stop growing the set; the run still checks its inputs).
 */
export type Upstream<N, K, D extends readonly unknown[] = []> = D["length"] extends 32 ? K
  : [K | (ReadBy<N, K> & keyof AllOutputs<N>)] extends [K] ? K
  : Upstream<N, K | (ReadBy<N, K> & keyof AllOutputs<N>), [...D, 0]>;

/** The root inputs that computing the outputs `K` of the nodes `N` reads. */
export type NeededInputs<N, K> = Exclude<ReadBy<N, Upstream<N, K>>, keyof AllOutputs<N>>;

/**
 * What `run(inputs, { outputs })` accepts: the inputs the requested outputs
 * need keep their optionality, every other input becomes optional.
 */
export type RunInputsFor<R, Needed> = Simplify<Pick<R, Needed & keyof R> & Partial<R>>;

/** Names of produced values whose consumers expect another type. */
export type MismatchedNames<N> = {
  [K in keyof AllInputs<N> & keyof AllOutputs<N>]: AllOutputs<N>[K] extends AllInputs<N>[K] ? never
    : K;
}[keyof AllInputs<N> & keyof AllOutputs<N>];

/**
 * Resolves to `unknown` when the wiring of `N` type-checks, else to an object
 * with a required property whose name explains the mismatch, so the
 * `new Pipeline({ nodes })` call fails to compile with that message.
 */
export type CheckWiring<N> = [MismatchedNames<N>] extends [never] ? unknown
  : {
    [
      K in
        & MismatchedNames<N>
        & string as `Error: output "${K}" has a type its consumer does not accept`
    ]: never;
  };

/** A map's inputs: the names in `M` take an iterable of the item type. */
export type MapInputs<I, M extends PropertyKey> = Simplify<
  { [K in keyof I]: K extends M ? Iterable<I[K]> : I[K] }
>;

/** The values of a mapping object, as a union. */
export type ValuesOf<T> = T[keyof T];

/** Renames the keys of `T` by `R` (`{ old: new }`); keys not in `R` keep their name. */
export type RenameKeys<T, R> = {
  [K in keyof T as K extends keyof R ? R[K] & string : K]: T[K];
};

/** Inverts a mapping `{ a: "b" }` to `{ b: "a" }`. */
export type Invert<R> = { [K in keyof R as R[K] & string]: K };

/** The outer input type of a nested pipeline node. */
export type NestedInputs<I, IM, M extends PropertyKey> = MapOverArrays<
  Simplify<RenameKeys<I, Invert<IM>>>,
  M
>;

/** Makes the names in `M` arrays of their type (the nested `mapOver` shape). */
export type MapOverArrays<T, M extends PropertyKey> = [M] extends [never] ? T
  : Simplify<{ [K in keyof T]: K extends M ? readonly T[K][] : T[K] }>;

/** The outer output type of a nested pipeline node. */
export type NestedOutputs<O, OM, Mapped extends boolean> = ArraysIf<
  [keyof OM] extends [never] ? O : Simplify<
    {
      [K in keyof OM & keyof O as OM[K] & string]: O[K];
    }
  >,
  Mapped
>;

/** Wraps every field of `T` in an array when `B` is true. */
export type ArraysIf<T, B extends boolean> = B extends true ? { [K in keyof T]: T[K][] } : T;
