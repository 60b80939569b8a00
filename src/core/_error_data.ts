/**
 * Errors as plain data, for whatever crosses a Worker, a queue or HTTP, and back: the class
 * (found again by `name`), message, stack, `cause` chain, an `AggregateError`'s `errors` and
 * custom fields survive, so `instanceof` and `e.node` keep working on the other side.
 *
 * Shape: `{ $error: true, name, message, stack?, cause?, errors?, ...fields }`. The `$error`
 * brand tells a nested `cause` (or field, or `errors` entry) that was itself an `Error` from a
 * plain value. Nesting stops at depth 8 (deeper errors keep only `name` and `message`). Each
 * side says what its channel can carry ({@linkcode ErrorDataOptions.check}); a field value it
 * cannot carry is replaced by a short description, so turning an error into data never throws.
 *
 * Classes are found by `name` among {@linkcode registerErrorClass}'s, the side's own
 * ({@linkcode ErrorDataOptions.classes}), the library's `errorClasses` and the built-ins; an
 * unknown name gives an `Error` with that `name`.
 *
 * @module
 */

import { errorClasses } from "./errors.ts";

/** An `Error` as plain data. */
export interface ErrorData {
  /** Brand that marks this object as an error. */
  readonly $error: true;
  /** The error's `name`, used to find its class on the other side. */
  name: string;
  /** The error's message. */
  message: string;
  /** The stack as text, if any. */
  stack?: string;
  /** The cause: {@linkcode ErrorData} when it was an `Error`. */
  cause?: unknown;
  /** The errors of an `AggregateError`, each like `cause`. */
  errors?: unknown[];
  /** Own enumerable fields of the error. */
  [field: string]: unknown;
}

/** A class of errors. Rebuilding never runs its constructor, whose arguments are unknown. */
export type ErrorClass = new (...args: never[]) => Error;

/** How one side turns errors into data and back. */
export interface ErrorDataOptions {
  /**
   * Throws for a value the channel cannot carry (`structuredClone` for a Worker, the value
   * codec for a queue); such a field is replaced by `[<refused> <type>]`.
   * @default accepts every value
   */
  check?: (value: unknown) => unknown;
  /**
   * The word that marks a replaced field, e.g. `"uncloneable"`.
   * @default "unsendable"
   */
  refused?: string;
  /**
   * Classes this side rebuilds by name besides the registered ones, the library's and the
   * built-ins (a sibling's own error class, for instance).
   * @default {}
   */
  classes?: Readonly<Record<string, ErrorClass>>;
}

/**
 * The built-in error classes by name.
 *
 * @example
 * ```ts
 * import { builtinErrorClasses } from "./_error_data.ts";
 * console.assert(builtinErrorClasses.RangeError === RangeError);
 * ```
 */
export const builtinErrorClasses: Readonly<Record<string, ErrorClass>> = Object.freeze({
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
});

const registered = new Map<string, ErrorClass>();
const RESERVED = new Set(["$error", "name", "message", "stack", "cause", "errors"]);
const MAX_DEPTH = 8;

/**
 * Makes errors named `cls.name` rebuild as `cls` after crossing a Worker, a queue or HTTP.
 * The library's classes and the built-in ones are known already. Register the class on the
 * side that rebuilds (and in Workers that rebuild what the main thread sends them).
 *
 * @param cls The error class (its `name` must be the errors' `name`).
 *
 * @example Register a custom class
 * ```ts
 * import { fromErrorData, registerErrorClass, toErrorData } from "./_error_data.ts";
 * class QuotaError extends Error {
 *   override name = "QuotaError";
 * }
 * registerErrorClass(QuotaError);
 * console.assert(fromErrorData(toErrorData(new QuotaError("x"))) instanceof QuotaError);
 * ```
 */
export function registerErrorClass(cls: ErrorClass): void {
  registered.set(cls.name, cls);
}

/**
 * A short description of a value's type for messages: `function "f"`, `symbol`, `Promise`,
 * `object`, `number`.
 *
 * @param value Any value.
 * @returns The description.
 *
 * @example
 * ```ts
 * import { describeType } from "./_error_data.ts";
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

function carried(value: unknown, options: ErrorDataOptions): unknown {
  if (options.check === undefined) return value;
  try {
    options.check(value);
    return value;
  } catch {
    return `[${options.refused ?? "unsendable"} ${describeType(value)}]`;
  }
}

function toData(value: unknown, options: ErrorDataOptions, depth: number): unknown {
  if (!(value instanceof Error)) return carried(value, options);
  const data: ErrorData = { $error: true, name: value.name, message: value.message };
  if (depth > MAX_DEPTH) return data;
  if (typeof value.stack === "string") data.stack = value.stack;
  if ("cause" in value) data.cause = toData(value.cause, options, depth + 1);
  if (value instanceof AggregateError && Array.isArray(value.errors)) {
    data.errors = value.errors.map((e) => toData(e, options, depth + 1));
  }
  for (const key of Object.keys(value)) {
    if (RESERVED.has(key)) continue;
    data[key] = toData((value as unknown as Record<string, unknown>)[key], options, depth + 1);
  }
  return data;
}

/**
 * Turns a thrown value into plain data. An `Error` becomes {@linkcode ErrorData}; another
 * value is kept, or described when `options.check` refuses it.
 *
 * @param value What was thrown.
 * @param options What the channel can carry.
 * @returns Plain data to send.
 *
 * @example
 * ```ts
 * import { toErrorData } from "./_error_data.ts";
 * const data = toErrorData(new RangeError("too big", { cause: 42 })) as { name: string };
 * console.assert(data.name === "RangeError");
 * ```
 */
export function toErrorData(value: unknown, options: ErrorDataOptions = {}): unknown {
  return toData(value, options, 0);
}

/**
 * Whether `value` is {@linkcode ErrorData}.
 *
 * @param value Any value.
 * @returns Whether it carries the `$error` brand.
 *
 * @example
 * ```ts
 * import { isErrorData, toErrorData } from "./_error_data.ts";
 * console.assert(isErrorData(toErrorData(new Error("x"))) && !isErrorData({ name: "x" }));
 * ```
 */
export function isErrorData(value: unknown): value is ErrorData {
  return typeof value === "object" && value !== null &&
    (value as { $error?: unknown }).$error === true;
}

function own(table: Readonly<Record<string, ErrorClass>> | undefined, name: string) {
  return table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

function define(target: object, key: string, value: unknown, enumerable = false): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}

/**
 * A `cls` error made without running `cls`'s constructor (`Reflect.construct` gives a genuine
 * `Error`, or `AggregateError`, with `cls`'s prototype).
 *
 * @param cls The class.
 * @param message The message.
 * @param options The cause, if any.
 * @param errors The errors, when `cls` is an `AggregateError` class.
 * @returns The error.
 *
 * @example
 * ```ts
 * import { constructError } from "./_error_data.ts";
 * const e = constructError(AggregateError, "many", undefined, [new Error("a")]);
 * console.assert(e instanceof AggregateError && e.errors.length === 1);
 * ```
 */
export function constructError(
  cls: ErrorClass,
  message: string,
  options?: ErrorOptions,
  errors: readonly unknown[] = [],
): Error {
  return cls === AggregateError || cls.prototype instanceof AggregateError
    ? Reflect.construct(AggregateError, [errors, message, options], cls)
    : Reflect.construct(Error, [message, options], cls);
}

/**
 * Rebuilds what {@linkcode toErrorData} produced, with its class (see the module overview);
 * any other value comes back as it is.
 *
 * @param data What {@linkcode toErrorData} returned.
 * @param options The side's own classes.
 * @returns The error (or the plain thrown value).
 *
 * @example Class, cause and fields survive
 * ```ts
 * import { ExecutorError } from "./errors.ts";
 * import { fromErrorData, toErrorData } from "./_error_data.ts";
 * const e = new ExecutorError("Cannot run", { node: "n", cause: new TypeError("bad") });
 * const back = fromErrorData(structuredClone(toErrorData(e))) as ExecutorError;
 * console.assert(back instanceof ExecutorError && back.node === "n");
 * console.assert(back.cause instanceof TypeError);
 * ```
 */
export function fromErrorData(data: unknown, options: ErrorDataOptions = {}): unknown {
  if (!isErrorData(data)) return data;
  const name = String(data.name);
  const cls = registered.get(name) ?? own(options.classes, name) ?? own(errorClasses, name) ??
    own(builtinErrorClasses, name) ?? Error;
  const error = constructError(
    cls,
    String(data.message ?? ""),
    "cause" in data ? { cause: fromErrorData(data.cause, options) } : undefined,
    Array.isArray(data.errors) ? data.errors.map((e) => fromErrorData(e, options)) : [],
  );
  if (error.name !== name) define(error, "name", name);
  if (typeof data.stack === "string") define(error, "stack", data.stack);
  for (const key of Object.keys(data)) {
    // Defined, not assigned: a field named like a setter or `__proto__` stays a plain field.
    if (!RESERVED.has(key)) define(error, key, fromErrorData(data[key], options), true);
  }
  return error;
}
