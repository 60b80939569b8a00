/** Turns map inputs into one input object per item (zip or product). */

import { quoteAll } from "./_graph.ts";
import { InputError } from "./errors.ts";

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

/**
 * One input object per item. `inputs` holds every input (bound ones merged);
 * the `names` hold iterables, the rest are broadcast.
 */
export function buildItems(
  pipeline: string,
  inputs: Readonly<Record<string, unknown>>,
  names: readonly string[],
  mode: unknown,
): Record<string, unknown>[] {
  if (mode !== undefined && mode !== "zip" && mode !== "product") {
    throw new TypeError(
      `Cannot map pipeline "${pipeline}" as mode is ${
        JSON.stringify(mode) ?? String(mode)
      }: use "zip" or "product"`,
    );
  }
  const missing = names.filter((n) => !(n in inputs));
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
  const items: Record<string, unknown>[] = [];
  if (mode === "product") {
    const total = lists.reduce((n, l) => n * l.length, 1);
    for (let i = 0; i < total; i++) {
      const item: Record<string, unknown> = Object.assign(Object.create(null), broadcast);
      let rest = i;
      for (let j = names.length - 1; j >= 0; j--) {
        const len = lists[j].length;
        item[names[j]] = lists[j][rest % len];
        rest = Math.floor(rest / len);
      }
      items.push(item);
    }
    return items;
  }
  const lengths = lists.map((l) => l.length);
  if (lengths.some((l) => l !== lengths[0])) {
    throw new InputError(
      `Cannot map pipeline "${pipeline}" in zip mode as the mapOver inputs differ in length: ${
        names.map((n, i) => `${n}=${lengths[i]}`).join(", ")
      }; pass lists of equal length or use mode: "product"`,
      { pipeline },
    );
  }
  for (let i = 0; i < lengths[0]; i++) {
    const item: Record<string, unknown> = Object.assign(Object.create(null), broadcast);
    for (let j = 0; j < names.length; j++) item[names[j]] = lists[j][i];
    items.push(item);
  }
  return items;
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
