/**
 * Columns of values as they travel between threads: an array holding only numbers goes as a
 * `Float64Array`, whose clone is one copy of its bytes (or no copy when transferred) instead of
 * one tagged value per element. Reading it back gives the same numbers.
 *
 * @module
 */

/** A column as sent: plain values, or numbers packed in a `Float64Array`. */
export type Column = readonly unknown[] | Float64Array;

/** Below this many values packing saves nothing. */
const MIN_PACKED = 32;

/**
 * `column` as a `Float64Array` when it holds only numbers (and enough of them), else as is.
 *
 * @param column The values.
 * @returns The column to send.
 *
 * @example
 * ```ts
 * import { pack } from "./_columns.ts";
 * console.assert(pack(Array.from({ length: 64 }, (_, i) => i)) instanceof Float64Array);
 * console.assert(Array.isArray(pack(["a", 1])));
 * ```
 */
export function pack(column: readonly unknown[]): Column {
  if (column.length < MIN_PACKED) return column;
  for (let i = 0; i < column.length; i++) if (typeof column[i] !== "number") return column;
  return Float64Array.from(column as number[]);
}
