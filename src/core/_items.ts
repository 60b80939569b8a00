/** Turns map inputs into one input object per item (zip or product). */

import { checkMissing, type Plan, quoteAll } from "./_graph.ts";
import type { MapOptions } from "./engine.ts";
import { InputError } from "./errors.ts";
import type { AnyPipeline } from "./types.ts";

/** The `mapOver` option as a list of names, validated. */
export function mapOverNames(pipeline: string, mapOver: unknown): string[] {
  const names = typeof mapOver === "string" ? [mapOver] : mapOver;
  if (
    !Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== "string")
  ) {
    throw new TypeError(
      `Cannot map pipeline "${pipeline}" as mapOver is ${
        JSON.stringify(mapOver) ?? String(mapOver)
      }: pass an input name or a non-empty array of names`,
    );
  }
  return names;
}

/** The items of a map, without building one object per item up front. */
export interface MapItems {
  /** How many items. */
  readonly count: number;
  /** The `mapOver` names. */
  readonly names: readonly string[];
  /** One array per name. */
  readonly lists: readonly (readonly unknown[])[];
  /** Inputs shared by every item. */
  readonly broadcast: Readonly<Record<string, unknown>>;
  /** The index into `lists[j]` for item `i`. */
  at(i: number, j: number): number;
  /** Item `i`'s whole input object. */
  inputs(i: number): Record<string, unknown>;
  /** The values of items `from` to `to - 1`, one array per name (zipped). */
  columns(from: number, to: number): unknown[][];
}

/**
 * The items of a map. `inputs` holds every input (bound ones merged); the
 * `names` hold iterables, the rest are broadcast.
 */
export function buildItems(
  pipeline: string,
  inputs: Readonly<Record<string, unknown>>,
  names: readonly string[],
  mode: unknown,
): MapItems {
  if (mode !== undefined && mode !== "zip" && mode !== "product") {
    throw new TypeError(
      `Cannot map pipeline "${pipeline}" as mode is ${
        JSON.stringify(mode) ?? String(mode)
      }: use "zip" or "product"`,
    );
  }
  const missing = names.filter((n) => !Object.hasOwn(inputs, n));
  if (missing.length > 0) {
    throw new InputError(
      `Cannot map pipeline "${pipeline}" as mapOver names ${
        quoteAll(missing)
      } but inputs has no such key: pass a list for each name in mapOver`,
      { pipeline, missing },
    );
  }
  const lists = names.map((n) => toArray(pipeline, n, inputs[n]));
  const broadcast: Record<string, unknown> = {};
  for (const k in inputs) if (!names.includes(k)) broadcast[k] = inputs[k];
  const lengths = lists.map((l) => l.length);
  let count: number;
  let at: (i: number, j: number) => number;
  if (mode === "product") {
    count = lengths.reduce((n, l) => n * l, 1);
    // The first name is outermost: item i's index for name j is a mixed-radix digit of i.
    const stride = lengths.map((_, j) => lengths.slice(j + 1).reduce((n, l) => n * l, 1));
    at = (i, j) => Math.floor(i / stride[j]) % lengths[j];
  } else {
    if (lengths.some((l) => l !== lengths[0])) {
      throw new InputError(
        `Cannot map pipeline "${pipeline}" in zip mode as the mapOver inputs differ in length: ${
          names.map((n, i) => `${n}=${lengths[i]}`).join(", ")
        }; pass lists of equal length or use mode: "product"`,
        { pipeline },
      );
    }
    count = lengths[0];
    at = (i) => i;
  }
  return {
    count,
    names,
    lists,
    broadcast,
    at,
    inputs(i) {
      const item: Record<string, unknown> = { ...broadcast };
      for (let j = 0; j < names.length; j++) item[names[j]] = lists[j][at(i, j)];
      return item;
    },
    columns(from, to) {
      if (mode !== "product") return lists.map((l) => l.slice(from, to));
      return lists.map((l, j) => {
        const column = new Array(to - from);
        for (let i = from; i < to; i++) column[i - from] = l[at(i, j)];
        return column;
      });
    },
  };
}
function toArray(pipeline: string, name: string, value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") {
    throw new TypeError(
      `Cannot map pipeline "${pipeline}" over input "${name}" as it is a string, not a list of items: wrap it in an array`,
    );
  }
  if (
    value === null || value === undefined ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `Cannot map pipeline "${pipeline}" over input "${name}" as it is ${
        value === null ? "null" : typeof value
      }, not iterable: pass an array, typed array, Set or generator`,
    );
  }
  return Array.from(value as Iterable<unknown>);
}

/** A map call, checked and resolved: how it handles errors, its items and its plan. */
export interface PreparedMap {
  /** The `errors` option, checked. */
  readonly errors: "throw" | "collect";
  /** The items. */
  readonly items: MapItems;
  /** What to run for each item. */
  readonly plan: Plan;
}

/**
 * What every engine's `map` does first: checks `errors`, `mapOver` and `mode`, merges the
 * bound inputs, builds the items and plans the run, checking that no input is missing.
 */
export function prepareMap(
  pipeline: AnyPipeline,
  inputs: Readonly<Record<string, unknown>>,
  options: MapOptions,
): PreparedMap {
  const errors = options.errors ?? "throw";
  if (errors !== "throw" && errors !== "collect") {
    throw new TypeError(
      `Cannot map pipeline "${pipeline.name}" as errors is "${errors}": use "throw" or "collect"`,
    );
  }
  const names = mapOverNames(pipeline.name, options.mapOver);
  const merged = pipeline.resolveInputs(inputs);
  const items = buildItems(pipeline.name, merged, names, options.mode);
  const plan = pipeline.plan(options.outputs);
  checkMissing(pipeline.name, plan, (k) => Object.hasOwn(merged, k));
  return { errors, items, plan };
}
