/**
 * Errors as plain data for the queue: the core's error data (`{ $error: true, name, message,
 * stack?, cause?, errors?, ...fields }`) where every field is something the value codec can
 * store (anything else is replaced by a short description), rebuilt on the producer with its
 * class: a registered one, the library's, a built-in, or `DistributedError`.
 *
 * @module
 */

import { encodeValue } from "../core/_codec.ts";
import { type ErrorDataOptions, fromErrorData, toErrorData } from "../core/_error_data.ts";
import { DistributedError } from "./distributed_error.ts";

const QUEUE: ErrorDataOptions = {
  check: encodeValue,
  refused: "unstorable",
  classes: { DistributedError },
};

/**
 * What was thrown, as data the codec can store.
 *
 * @param value What was thrown.
 * @returns Error data, or the value itself (described when the codec cannot store it).
 *
 * @example
 * ```ts
 * import { dataToError, errorToData } from "./_errors.ts";
 * import { DistributedError } from "./distributed_error.ts";
 * const e = new DistributedError("Cannot map", { code: "timeout", queue: "q" });
 * const back = dataToError(errorToData(e)) as DistributedError;
 * console.assert(back instanceof DistributedError && back.code === "timeout");
 * ```
 */
export function errorToData(value: unknown): unknown {
  return toErrorData(value, QUEUE);
}

/**
 * Rebuilds what {@linkcode errorToData} made (without running the class's constructor).
 *
 * @param data What {@linkcode errorToData} returned.
 * @returns The error, or the plain value.
 *
 * @example
 * ```ts
 * import { dataToError, errorToData } from "./_errors.ts";
 * console.assert(dataToError(errorToData(new RangeError("r"))) instanceof RangeError);
 * ```
 */
export function dataToError(data: unknown): unknown {
  return fromErrorData(data, QUEUE);
}
