/**
 * Reading and checking request bodies: a size limit enforced on both the
 * declared `Content-Length` and the bytes actually read, then JSON, then the
 * shape of a run or map request.
 *
 * @module
 */

import { HttpError } from "./_errors.ts";

/** The body of `POST …/run` and `POST …/run/stream`. */
export interface RunBody {
  inputs: Record<string, unknown>;
  outputs?: string[];
}

/** The body of `POST …/map`. */
export interface MapBody extends RunBody {
  mapOver: string | string[];
  mode?: "zip" | "product";
  errors?: "throw" | "collect";
}

function tooLarge(limit: number, size: string): HttpError {
  return new HttpError(
    413,
    "body_too_large",
    `Cannot read body as it is larger than ${limit} bytes: ${size}`,
    { limit },
  );
}

/** Reads the body as text, failing with 413 as soon as it exceeds `limit` bytes. */
export async function readText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    throw tooLarge(limit, `Content-Length is ${declared}`);
  }
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit, `read ${size} bytes so far`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, at), at += chunk.byteLength;
  return new TextDecoder().decode(bytes);
}

/** Reads and parses a JSON object body. */
export async function readObject(
  request: Request,
  limit: number,
): Promise<Record<string, unknown>> {
  const text = await readText(request, limit);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      "invalid_json",
      `Cannot parse body as it is not JSON: ${
        text.trim() === "" ? "it is empty" : (error as Error).message
      }`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("body", `is ${describe(value)}`, "send a JSON object");
  }
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

function invalid(field: string, reason: string, fix: string): HttpError {
  return new HttpError(400, "invalid_body", `Cannot read request as ${field} ${reason}: ${fix}`, {
    field,
  });
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** Checks `{ inputs, outputs? }`; a missing `inputs` means `{}`. */
export function parseRunBody(body: Record<string, unknown>): RunBody {
  const { inputs = {}, outputs } = body;
  if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
    throw invalid("inputs", `is ${describe(inputs)}`, 'send { "inputs": { "name": value } }');
  }
  if (outputs !== undefined && !isStrings(outputs)) {
    throw invalid("outputs", "is not an array of strings", 'send { "outputs": ["name"] }');
  }
  return { inputs: inputs as Record<string, unknown>, outputs };
}

/** Checks `{ inputs, mapOver, mode?, errors?, outputs? }`. */
export function parseMapBody(body: Record<string, unknown>): MapBody {
  const run = parseRunBody(body);
  const { mapOver, mode, errors } = body;
  if (typeof mapOver !== "string" && !(isStrings(mapOver) && mapOver.length > 0)) {
    throw invalid("mapOver", "is missing or not a name", 'send { "mapOver": "name" } or a list');
  }
  if (mode !== undefined && mode !== "zip" && mode !== "product") {
    throw invalid("mode", `is ${JSON.stringify(mode)}`, 'use "zip" or "product"');
  }
  if (errors !== undefined && errors !== "throw" && errors !== "collect") {
    throw invalid("errors", `is ${JSON.stringify(errors)}`, 'use "throw" or "collect"');
  }
  return { ...run, mapOver, mode, errors };
}
