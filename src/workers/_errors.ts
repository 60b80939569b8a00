/**
 * Errors across a Worker boundary: the core's error data ({@linkcode toErrorData}) with
 * `structuredClone` as the test of what can cross, and Comlink's `"throw"` transfer handler
 * replaced so that errors thrown through Comlink keep their class, `cause` and fields too.
 *
 * @module
 */

import { transferHandlers } from "comlink/dist/esm/comlink.mjs";
import {
  type ErrorData,
  type ErrorDataOptions,
  fromErrorData,
  toErrorData,
} from "../core/_error_data.ts";

export { describeType, registerErrorClass } from "../core/_error_data.ts";

/** An `Error` as plain, structured-cloneable data (the core's {@linkcode ErrorData}). */
export type SerializedError = ErrorData;

const CLONE: ErrorDataOptions = { check: structuredClone, refused: "uncloneable" };

/**
 * Turns a thrown value into plain, cloneable data. `Error`s become a
 * {@linkcode SerializedError}; fields that cannot be cloned are described instead.
 *
 * @param value What was thrown.
 * @returns Plain data to post to another thread.
 *
 * @example
 * ```ts
 * import { serializeError } from "./_errors.ts";
 * const data = serializeError(Object.assign(new Error("x"), { f: () => 1 })) as { f: string };
 * console.assert(data.f === '[uncloneable function "f"]');
 * ```
 */
export function serializeError(value: unknown): unknown {
  return toErrorData(value, CLONE);
}

/**
 * Rebuilds what {@linkcode serializeError} produced, with its class (registered with
 * `registerErrorClass`, the library's, or a built-in).
 *
 * @param data What {@linkcode serializeError} returned.
 * @returns The error (or the plain thrown value).
 *
 * @example
 * ```ts
 * import { deserializeError, serializeError } from "./_errors.ts";
 * const back = deserializeError(structuredClone(serializeError(new TypeError("t"))));
 * console.assert(back instanceof TypeError);
 * ```
 */
export function deserializeError(data: unknown): unknown {
  return fromErrorData(data);
}

let installed = false;

/**
 * Replaces Comlink's `"throw"` transfer handler (which keeps only message, name and stack)
 * with one that uses {@linkcode serializeError} / {@linkcode deserializeError}. Call it on
 * both sides of a Worker boundary; calling it again does nothing.
 *
 * @example
 * ```ts
 * import { installErrorTransfer } from "./_errors.ts";
 * installErrorTransfer();
 * ```
 */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const original = transferHandlers.get("throw");
  if (original === undefined) throw new Error('Comlink has no "throw" transfer handler');
  transferHandlers.set("throw", {
    canHandle: original.canHandle,
    serialize: (
      thrown,
    ) => [{ isError: true, value: serializeError((thrown as { value: unknown }).value) }, []],
    deserialize: (wire) => {
      throw deserializeError((wire as { value: unknown }).value);
    },
  });
}
