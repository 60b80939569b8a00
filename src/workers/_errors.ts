/**
 * Errors across a Worker boundary: the core's error data ({@linkcode toErrorData}) with
 * `structuredClone` as the test of what can cross, and Comlink's `"throw"` transfer handler
 * replaced so that errors thrown through Comlink keep their class, `cause` and fields too.
 *
 * @module
 */

import { transferHandlers } from "comlink/dist/esm/comlink.mjs";
import {
  describeType,
  type ErrorData,
  type ErrorDataOptions,
  fromErrorData,
  toErrorData,
} from "../core/_error_data.ts";
import { ExecutorError } from "../core/errors.ts";

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

/**
 * Where in `value` the first part that cannot be cloned is, e.g. `function "f" at args[0].cb`.
 * Looks at functions, symbols and objects that are never cloneable; bounded in depth and size.
 *
 * @param value The value that failed to clone.
 * @param path How to name `value` in the message.
 * @returns The description, or `undefined` when nothing obvious was found.
 *
 * @example
 * ```ts
 * import { findUncloneable } from "./_errors.ts";
 * console.assert(findUncloneable([{ cb: () => 1 }], "args") === "function \"cb\" at args[0].cb");
 * ```
 */
export function findUncloneable(value: unknown, path: string): string | undefined {
  const seen = new Set<object>();
  let budget = 10_000;
  const visit = (v: unknown, at: string, depth: number): string | undefined => {
    if (typeof v === "function" || typeof v === "symbol") return `${describeType(v)} at ${at}`;
    if (typeof v !== "object" || v === null || seen.has(v) || depth > 8 || --budget < 0) {
      return undefined;
    }
    seen.add(v);
    if (
      v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef
    ) return `${describeType(v)} at ${at}`;
    if (v instanceof Map) {
      for (const [k, item] of v) {
        const found = visit(k, `${at} key`, depth + 1) ?? visit(item, `${at}.get(…)`, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    if (v instanceof Set) {
      for (const item of v) {
        const found = visit(item, `${at} item`, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    const isArray = Array.isArray(v);
    for (const key of Object.keys(v)) {
      const found = visit(
        (v as Record<string, unknown>)[key],
        isArray ? `${at}[${key}]` : `${at}.${key}`,
        depth + 1,
      );
      if (found) return found;
    }
    return undefined;
  };
  return visit(value, path, 0);
}

/** The fields of a Comlink message that the endpoints read. */
export interface ComlinkMessage {
  id?: string;
  type?: string;
  path?: string[];
  argumentList?: { value?: unknown }[];
  value?: unknown;
}

/**
 * The Comlink response that fails a call because `message` could not be posted: on the main
 * side its arguments, on the worker side its result (a `"RAW"` return message) could not be
 * cloned. The `ExecutorError` names the method and where the uncloneable part is.
 *
 * @param side Which side failed to post.
 * @param message The message that failed.
 * @param method The called method's name.
 * @param cause What posting threw.
 * @returns A `"throw"` response for the same call id.
 *
 * @example
 * ```ts
 * import { uncloneableResponse } from "./_errors.ts";
 * const message = { id: "1", type: "APPLY", argumentList: [{ value: () => 1 }] };
 * const response = uncloneableResponse("main", message, "add", new Error("not cloneable"));
 * console.assert(response.id === "1" && response.type === "HANDLER");
 * ```
 */
export function uncloneableResponse(
  side: "main" | "worker",
  message: ComlinkMessage,
  method: string | undefined,
  cause: unknown,
): ComlinkMessage {
  const reason = (cause as Error)?.message ?? cause;
  let error: ExecutorError;
  if (side === "main") {
    const args = (message.argumentList ?? []).map((w) => w.value);
    const what = findUncloneable(args, "args") ?? "a value";
    error = new ExecutorError(
      `Cannot send the arguments of "${method}" to a worker as ${what} cannot be cloned: ` +
        `${reason}. Pass plain data (no functions, symbols or promises)`,
      { cause },
    );
  } else {
    const what = findUncloneable(message.value, "result") ??
      `result of type ${describeType(message.value)}`;
    error = new ExecutorError(
      `Cannot return the result of "${method}" from a worker as ${what} cannot be cloned: ` +
        `${reason}. Return plain data (no functions, symbols or promises)`,
      { cause },
    );
  }
  return {
    id: message.id,
    type: "HANDLER",
    name: "throw",
    value: { isError: true, value: serializeError(error) },
  } as ComlinkMessage;
}
