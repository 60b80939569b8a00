/**
 * Reads a node function's input names from its source text: the keys of the
 * destructuring pattern of its single parameter, and which have defaults.
 * Property keys survive minifiers, so `({ text: t })` still means `text`.
 */

/** Parsed parameter: input names and which of them are optional. */
export interface ParsedParams {
  readonly inputs: string[];
  readonly optional: Set<string>;
}

/** Why a parse failed, for the definition error. */
export type ParseFailure = { readonly reason: string };

const OPEN = "([{";
const CLOSE = ")]}";

/** Skips a string, template, comment or regex-free token at `i`; returns the next index. */
function skipLiteral(src: string, i: number): number {
  const c = src[i];
  if (c === '"' || c === "'" || c === "`") {
    for (let j = i + 1; j < src.length; j++) {
      if (src[j] === "\\") j++;
      else if (src[j] === c) return j + 1;
    }
    return src.length;
  }
  if (c === "/" && src[i + 1] === "/") {
    const end = src.indexOf("\n", i);
    return end < 0 ? src.length : end + 1;
  }
  if (c === "/" && src[i + 1] === "*") {
    const end = src.indexOf("*/", i + 2);
    return end < 0 ? src.length : end + 2;
  }
  return i;
}

/** Index just past the bracket that closes the one at `start`. */
function matchBracket(src: string, start: number): number {
  let depth = 0;
  for (let i = start; i < src.length;) {
    const skipped = skipLiteral(src, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const c = src[i];
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c) && --depth === 0) return i + 1;
    i++;
  }
  return -1;
}

/** Splits `src` at top-level commas, dropping comments. */
function splitTopLevel(src: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < src.length;) {
    const skipped = skipLiteral(src, i);
    if (skipped !== i) {
      if (src[i] !== "/") current += src.slice(i, skipped);
      i = skipped;
      continue;
    }
    const c = src[i];
    if (OPEN.includes(c)) depth++;
    if (CLOSE.includes(c)) depth--;
    if (c === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += c;
    i++;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** Index of the first top-level `ch` in `src` that is not part of `=>`, `==`, or -1. */
function topLevelIndex(src: string, ch: string): number {
  let depth = 0;
  for (let i = 0; i < src.length;) {
    const skipped = skipLiteral(src, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const c = src[i];
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) depth--;
    else if (c === ch && depth === 0 && src[i + 1] !== ">" && src[i + 1] !== "=") return i;
    i++;
  }
  return -1;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The parameter list text of a function's source, or a failure. */
function parameterText(src: string): string | ParseFailure {
  let s = src.trimStart().replace(/^async\b\s*/, "");
  // `x => …` (one plain parameter, no parentheses)
  const bare = /^([A-Za-z_$][\w$]*)\s*=>/.exec(s);
  if (bare) return bare[1];
  s = s.replace(/^function\b\s*\*?\s*[\w$]*\s*/, "");
  const open = s.indexOf("(");
  if (open < 0) return { reason: "its parameter list cannot be found" };
  const close = matchBracket(s, open);
  if (close < 0) return { reason: "its parameter list is unbalanced" };
  return s.slice(open + 1, close - 1);
}

/**
 * Parses the inputs of `fn` from its source text.
 *
 * @returns The inputs, or a failure whose `reason` completes "as …".
 */
export function parseParams(fn: (...args: never[]) => unknown): ParsedParams | ParseFailure {
  const text = parameterText(Function.prototype.toString.call(fn));
  if (typeof text !== "string") return text;
  const params = splitTopLevel(text);
  if (params.length === 0) return { inputs: [], optional: new Set() };
  if (params.length > 1) {
    return { reason: "it takes several parameters; a node takes one object of named inputs" };
  }
  let param = params[0];
  // `({ a } = {})`: a default for the whole object
  const eq = topLevelIndex(param, "=");
  if (eq >= 0) param = param.slice(0, eq).trim();
  if (!param.startsWith("{")) {
    return {
      reason: `its parameter "${param}" is not destructured, so its input names are unknown`,
    };
  }
  const end = matchBracket(param, 0);
  const body = param.slice(1, end - 1);
  const inputs: string[] = [];
  const optional = new Set<string>();
  for (const entry of splitTopLevel(body)) {
    if (entry.startsWith("...")) {
      return { reason: `it collects inputs with "${entry}", so its input names are unknown` };
    }
    const colon = topLevelIndex(entry, ":");
    const assign = topLevelIndex(entry, "=");
    const keyEnd = [colon, assign].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), Infinity);
    let key = (keyEnd === Infinity ? entry : entry.slice(0, keyEnd)).trim();
    if (/^(["'])(.*)\1$/.test(key)) key = key.slice(1, -1);
    else if (!IDENT.test(key)) {
      return { reason: `its input key "${key}" is computed, so it cannot be read` };
    }
    inputs.push(key);
    if (assign >= 0) optional.add(key);
  }
  return { inputs, optional };
}
