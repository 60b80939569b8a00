/**
 * How errors become HTTP answers: one plain shape, `{ error: { code, message, details } }`,
 * and one mapping from the core's error classes to a status and a code.
 *
 * @module
 */

import {
  InputError,
  NodeExecutionError,
  OutputError,
  PipelineDefinitionError,
} from "../core/errors.ts";

/** The JSON body of every error answer. */
export interface ErrorBody {
  /** A stable `code` to branch on, a human `message`, and structured `details` when there are any. */
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** An error that already knows its HTTP status, code and extra headers. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/** `{ name, message }` of a thrown value, plus `stack` when `debug` is set. */
export function describeError(error: unknown, debug: boolean): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  if (debug && error.stack !== undefined) out.stack = error.stack;
  return out;
}

/**
 * Maps anything a handler threw to an {@linkcode HttpError}: the core's
 * errors get 4xx codes, an abort gets 499, the rest is a 500 whose message is
 * only shown when `debug` is set.
 */
export function toHttpError(error: unknown, debug: boolean): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof InputError) {
    return new HttpError(400, "invalid_inputs", error.message, {
      missing: [...error.missing],
      unknown: [...error.unknown],
    });
  }
  if (error instanceof OutputError) return new HttpError(400, "unknown_output", error.message);
  if (error instanceof NodeExecutionError) {
    const details: Record<string, unknown> = {
      pipeline: error.pipeline,
      node: error.node,
      cause: describeError(error.cause, debug),
    };
    if (error.item !== undefined) details.item = error.item;
    if (debug) details.stack = error.stack;
    return new HttpError(422, "node_failed", error.message, details);
  }
  if (error instanceof PipelineDefinitionError) {
    return new HttpError(500, "invalid_pipeline", error.message);
  }
  // The core throws TypeError / RangeError for a wrong argument shape: here that is the body.
  if (error instanceof TypeError || error instanceof RangeError) {
    return new HttpError(400, "invalid_request", error.message);
  }
  if (error instanceof DOMException && error.name === "AbortError") {
    return new HttpError(499, "aborted", "Cannot finish the run as the client went away");
  }
  return new HttpError(
    500,
    "internal_error",
    debug && error instanceof Error ? error.message : "Cannot answer as the server failed",
    debug ? { cause: describeError(error, true) } : undefined,
  );
}

/** The JSON body of `error`. */
export function errorBody(error: HttpError): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return body;
}

/**
 * `JSON.stringify` replacer for pipeline outputs: a `Set` becomes an array, a
 * `Map` an object, a `bigint` a string, a typed array an array, an `Error`
 * `{ name, message }`. Plain JSON values pass unchanged.
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return Object.fromEntries(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** Serialises `value` for a response body with {@linkcode jsonReplacer}. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, jsonReplacer);
}
