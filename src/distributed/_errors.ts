/**
 * Errors as plain data for the queue: `{ $error: true, name, message, stack?, cause?, errors?,
 * ...fields }`, where every field is something the value codec can store (anything else is
 * replaced by a short description). Rebuilt on the producer with their class when it is one of
 * the library's, a built-in, or `DistributedError`; other names come back as `Error` with that
 * `name`. Same shape as the Worker executors' error data, so the two may share code later.
 *
 * @module
 */

import { encodeValue } from "../core/_codec.ts";
import { errorClasses } from "../core/errors.ts";
import { DistributedError } from "./distributed_error.ts";

type ErrorClass = new (...args: never[]) => Error;

const classes: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  ...errorClasses,
  DistributedError,
};
const RESERVED = new Set(["$error", "name", "message", "stack", "cause", "errors"]);
const MAX_DEPTH = 8;

function storable(value: unknown): unknown {
  try {
    encodeValue(value);
    return value;
  } catch {
    if (value === null || typeof value !== "object") return `[${typeof value}]`;
    return `[${Object.getPrototypeOf(value)?.constructor?.name ?? "object"}]`;
  }
}

/** What was thrown, as data the codec can store. */
export function errorToData(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) return storable(value);
  const data: Record<string, unknown> = { $error: true, name: value.name, message: value.message };
  if (depth > MAX_DEPTH) return data;
  if (typeof value.stack === "string") data.stack = value.stack;
  if ("cause" in value) data.cause = errorToData(value.cause, depth + 1);
  if (value instanceof AggregateError && Array.isArray(value.errors)) {
    data.errors = value.errors.map((e) => errorToData(e, depth + 1));
  }
  for (const key of Object.keys(value)) {
    if (RESERVED.has(key)) continue;
    const field = (value as unknown as Record<string, unknown>)[key];
    data[key] = field instanceof Error ? errorToData(field, depth + 1) : storable(field);
  }
  return data;
}

function isErrorData(value: unknown): value is Record<string, unknown> & { name: string } {
  return typeof value === "object" && value !== null &&
    (value as { $error?: unknown }).$error === true;
}

/** Rebuilds what {@linkcode errorToData} made (without running the class's constructor). */
export function dataToError(data: unknown): unknown {
  if (!isErrorData(data)) return data;
  const cls = classes[String(data.name)] ?? Error;
  const options = "cause" in data ? { cause: dataToError(data.cause) } : undefined;
  const message = String(data.message ?? "");
  const error: Error = cls === AggregateError
    ? new AggregateError(((data.errors as unknown[]) ?? []).map(dataToError), message, options)
    : Reflect.construct(Error, [message, options], cls);
  if (error.name !== data.name) define(error, "name", data.name);
  if (typeof data.stack === "string") define(error, "stack", data.stack);
  for (const key of Object.keys(data)) {
    if (RESERVED.has(key)) continue;
    (error as unknown as Record<string, unknown>)[key] = dataToError(data[key]);
  }
  return error;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}
