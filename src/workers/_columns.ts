/**
 * Columns of values as they travel between threads: an array holding only numbers goes as an
 * `Int32Array` when they are all int32 (-0 aside), else as a `Float64Array`, whose clone is
 * one copy of its bytes (or no copy when transferred) instead of one tagged value per element.
 * Reading it back gives the same numbers, and integers stay integers to the JIT: read from a
 * `Float64Array` they would be doubles, on which `%` alone is several times slower.
 *
 * @module
 */

/** A column as sent: plain values, or numbers packed in an `Int32Array` or `Float64Array`. */
export type Column = readonly unknown[] | Int32Array | Float64Array;

/** Below this many values packing saves nothing. */
const MIN_PACKED = 32;

/**
 * `column` as an `Int32Array` or a `Float64Array` when it holds only numbers (and enough of
 * them), else as is.
 *
 * @param column The values.
 * @returns The column to send.
 *
 * @example
 * ```ts
 * import { pack } from "./_columns.ts";
 * console.assert(pack(Array.from({ length: 64 }, (_, i) => i)) instanceof Int32Array);
 * console.assert(pack(Array.from({ length: 64 }, (_, i) => i / 2)) instanceof Float64Array);
 * console.assert(Array.isArray(pack(["a", 1])));
 * ```
 */
export function pack(column: readonly unknown[]): Column {
  if (column.length < MIN_PACKED) return column;
  let ints = true;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (typeof v !== "number") return column;
    if (ints && ((v | 0) !== v || (v === 0 && 1 / v < 0))) ints = false;
  }
  return ints ? Int32Array.from(column as number[]) : Float64Array.from(column as number[]);
}
