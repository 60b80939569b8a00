/**
 * Errors as plain data, so that they survive a Worker boundary with their class,
 * message, stack, `cause` and custom fields.
 *
 * Shape: `{ $error: true, name, message, stack, cause?, errors?, ...fields }`. The `$error`
 * brand lets a nested `cause` (or an `AggregateError`'s `errors`) that was itself an
 * `Error` be told apart from a plain value. Field values that cannot be cloned are replaced
 * by a short description, so serialising never throws.
 *
 * @module
 */

import { transferHandlers } from "comlink";
import { errorClasses } from "../core/errors.ts";

/** An `Error` as plain, structured-cloneable data. */
export interface SerializedError {
  /** Brand that marks this object as a serialised `Error`. */
  readonly $error: true;
  /** The error's `name`, used to find its class on the other side. */
  name: string;
  /** The error's message. */
  message: string;
  /** The stack as text, if any. */
  stack?: string;
  /** The cause: a {@linkcode SerializedError} when it was an `Error`. */
  cause?: unknown;
  /** The errors of an `AggregateError`, serialised like `cause`. */
  errors?: unknown[];
  /** Own enumerable fields of the error. */
  [field: string]: unknown;
}

type ErrorClass = new (...args: never[]) => Error;

const builtins: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
};
const registered = new Map<string, ErrorClass>();
const reserved = new Set(["$error", "name", "message", "stack", "cause", "errors"]);
const MAX_DEPTH = 8;

/**
 * Makes errors named `cls.name` rebuild as `cls` after crossing a Worker boundary. The
 * classes of `src/core/errors.ts` and the built-in error classes are known already.
 *
 * @param cls The error class (its `name` must be the errors' `name`).
 *
 * @example Register a custom class
 * ```ts
 * import { deserializeError, registerErrorClass, serializeError } from "./_errors.ts";
 * class QuotaError extends Error {
 *   override name = "QuotaError";
 * }
 * registerErrorClass(QuotaError);
 * console.assert(deserializeError(serializeError(new QuotaError("x"))) instanceof QuotaError);
 * ```
 */
export function registerErrorClass(cls: ErrorClass): void {
  registered.set(cls.name, cls);
}

function cloneable(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return `[uncloneable ${describeType(value)}]`;
  }
}

/**
 * A short description of a value's type for messages: `function "f"`, `symbol`,
 * `Promise`, `object`, `number`.
 *
 * @param value Any value.
 * @returns The description.
 *
 * @example
 * ```ts
 * import { describeType } from "./_errors.ts";
 * console.assert(describeType(new Map()) === "Map");
 * console.assert(describeType(function f() {}) === 'function "f"');
 * ```
 */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return value.name ? `function "${value.name}"` : "function";
  if (typeof value !== "object") return typeof value;
  const proto = Object.getPrototypeOf(value);
  return proto === null ? "object" : (proto.constructor?.name ?? "object");
}

function toData(value: unknown, depth: number): unknown {
  if (!(value instanceof Error) || depth > MAX_DEPTH) {
    return value instanceof Error
      ? { $error: true, name: value.name, message: value.message }
      : cloneable(value);
  }
  const data: SerializedError = { $error: true, name: value.name, message: value.message };
  if (typeof value.stack === "string") data.stack = value.stack;
  if ("cause" in value) data.cause = toData(value.cause, depth + 1);
  if (value instanceof AggregateError && Array.isArray(value.errors)) {
    data.errors = value.errors.map((e) => toData(e, depth + 1));
  }
  for (const key of Object.keys(value)) {
    if (reserved.has(key)) continue;
    const field = (value as unknown as Record<string, unknown>)[key];
    data[key] = field instanceof Error ? toData(field, depth + 1) : cloneable(field);
  }
  return data;
}

/**
 * Turns a thrown value into plain, cloneable data. `Error`s become a
 * {@linkcode SerializedError}; other values are cloned or, when they cannot be, described.
 *
 * @param value What was thrown.
 * @returns Plain data to post to another thread.
 *
 * @example
 * ```ts
 * import { serializeError } from "./_errors.ts";
 * const data = serializeError(new RangeError("too big", { cause: 42 })) as { name: string };
 * console.assert(data.name === "RangeError");
 * ```
 */
export function serializeError(value: unknown): unknown {
  return toData(value, 0);
}

function isSerializedError(value: unknown): value is SerializedError {
  return typeof value === "object" && value !== null &&
    (value as { $error?: unknown }).$error === true;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}

/**
 * Rebuilds what {@linkcode serializeError} produced. The class is found by `name` among
 * the library's error classes, the built-ins and {@linkcode registerErrorClass}; an unknown
 * name gives an `Error` whose `name` is set. The class constructor is not run.
 *
 * @param data What {@linkcode serializeError} returned.
 * @returns The error (or the plain thrown value).
 *
 * @example Class, cause and fields survive
 * ```ts
 * import { ExecutorError } from "../core/errors.ts";
 * import { deserializeError, serializeError } from "./_errors.ts";
 * const e = new ExecutorError("Cannot run", { node: "n", cause: new TypeError("bad") });
 * const back = deserializeError(structuredClone(serializeError(e))) as ExecutorError;
 * console.assert(back instanceof ExecutorError && back.node === "n");
 * console.assert(back.cause instanceof TypeError);
 * ```
 */
export function deserializeError(data: unknown): unknown {
  if (!isSerializedError(data)) return data;
  const cls = registered.get(data.name) ?? errorClasses[data.name] ?? builtins[data.name] ?? Error;
  const options = "cause" in data ? { cause: deserializeError(data.cause) } : undefined;
  // Reflect.construct makes a genuine Error object with `cls`'s prototype without running
  // `cls`'s constructor, whose signature we cannot know.
  const error: Error = cls === AggregateError || cls.prototype instanceof AggregateError
    ? Reflect.construct(AggregateError, [
      (data.errors ?? []).map(deserializeError),
      data.message,
      options,
    ], cls)
    : Reflect.construct(Error, [data.message, options], cls);
  if (error.name !== data.name) define(error, "name", data.name);
  if (data.stack !== undefined) define(error, "stack", data.stack);
  for (const key of Object.keys(data)) {
    if (reserved.has(key)) continue;
    (error as unknown as Record<string, unknown>)[key] = deserializeError(data[key]);
  }
  return error;
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
