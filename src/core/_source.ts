/**
 * Source normalisation for code fingerprints (internal to `hash.ts`).
 *
 * Each runtime hands out a function's source differently: Node keeps it as
 * written (types blanked out), Deno and Bun print it again from a syntax tree
 * (Deno keeps comments and quotes, Bun folds constants). So the text is read
 * as tokens and printed back canonically: comments and whitespace dropped,
 * tokens joined by one space, string literals re-quoted from their value,
 * numbers printed from their value; template and regex literals are kept
 * verbatim. What formatters (`deno fmt`, prettier) change is undone:
 *
 * - line breaks: one that ends a statement by automatic semicolon insertion
 *   becomes `;` (so `a = 1⏎b = 2` and `a = 1;⏎b = 2;` agree); any other is
 *   dropped;
 * - a `;` right before `}` and a trailing `,` before `)`, `]` or `}` are
 *   dropped (`[1,,]` keeps its hole);
 * - `(x) => …` becomes `x => …`; a quoted object key that is a plain
 *   identifier loses its quotes (`{ "a": 1 }` is `{ a: 1 }`).
 *
 * A change of any literal, operator, keyword or identifier changes the text.
 * Reading a `/` is the classic trap: after an operand it is division, else a
 * regex; when in doubt (after `}`) it is read as a regex, which only
 * normalises less — the contents of a regex are never rewritten.
 *
 * @module
 */

type Kind =
  | "word"
  | "number"
  | "string"
  | "template" // a template chunk: from ` or } to ` or ${
  | "regex"
  | "punct"
  | "head"; // the `)` closing the head of if / for / while / with

interface Token {
  text: string;
  kind: Kind;
  /** Whether a line break came before the token. */
  newline: boolean;
}

/** Keywords after which an expression may start (so a `/` there starts a regex). */
const KEYWORDS = new Set(
  ("await break case catch class const continue debugger default delete do else export " +
    "extends finally for function if import in instanceof let new of return switch throw " +
    "try typeof var void while with yield").split(" "),
);
/** Keywords after which a line break ends the statement (restricted productions). */
const RESTRICTED = new Set(["return", "throw", "break", "continue", "yield"]);
/** Words that continue an expression when a line starts with them. */
const CONTINUING = new Set(["in", "instanceof", "of"]);
const HEAD_KEYWORDS = new Set(["if", "for", "while", "with"]);
const PUNCTUATORS = [
  ">>>=",
  "...",
  "===",
  "!==",
  "**=",
  "<<=",
  ">>=",
  ">>>",
  "&&=",
  "||=",
  "??=",
  "=>",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "??",
  "++",
  "--",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "**",
  "<<",
  ">>",
];
const WORD_START = /[A-Za-z_$#\\\u0080-\uffff]/;
const WORD_PART = /[\w$\\\u0080-\uffff]/;
const NUMBER =
  /^(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/;
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** Whether a `/` after `t` is division (`t` ends an operand). */
function endsOperand(t: Token | undefined): boolean {
  if (t === undefined) return false;
  switch (t.kind) {
    case "word":
      return !KEYWORDS.has(t.text);
    case "number":
    case "string":
    case "regex":
      return true;
    case "template":
      return t.text.endsWith("`");
    case "punct":
      return t.text === ")" || t.text === "]" || t.text === "++" || t.text === "--";
    default:
      return false;
  }
}

/**
 * Whether automatic semicolon insertion ends the statement at a line break
 * before `next`. Never after `}`: see {@linkcode startsStatement}.
 */
function endsStatement(prev: Token | undefined, next: Token): boolean {
  if (prev === undefined || next.text === ";") return false;
  if (prev.kind === "word" && RESTRICTED.has(prev.text)) return true;
  return endsOperand(prev) && startsStatement(next);
}

/**
 * Whether `next` cannot continue an expression, so that a statement before
 * it must have ended. After `}` such a token needs no `;` in any valid
 * program (after a block a `;` is an empty statement; after an object,
 * function or class expression a `;` or a line break must be there), so a
 * `;` between them is dropped and none is inserted: `} ⏎ return` and
 * `}; return` agree.
 */
function startsStatement(next: Token): boolean {
  if (next.text === "++" || next.text === "--") return true;
  switch (next.kind) {
    case "word":
      return !CONTINUING.has(next.text);
    case "number":
    case "string":
      return true;
    case "punct":
      return next.text === "!" || next.text === "~";
    default:
      return false;
  }
}

/**
 * Normalises source text so formatting-only edits keep the same fingerprint
 * (see the module docs).
 *
 * @param src Source text.
 * @returns The normalised text.
 */
export function normaliseSource(src: string): string {
  const tokens = tokenize(src);
  const out: Token[] = [];
  for (const t of tokens) {
    const prev = out.at(-1);
    if (t.newline && endsStatement(prev, t)) out.push({ text: ";", kind: "punct", newline: false });
    else if (prev?.text === ";" && out.at(-2)?.text === "}" && startsStatement(t)) out.pop();
    const last = out.at(-1);
    if (t.text === "}" || t.text === ")" || t.text === "]" || t.kind === "head") {
      // A trailing comma (not an array hole) and a `;` before `}` are dropped.
      const before = out.at(-2)?.text;
      if (last?.text === "," && before !== "," && before !== "[") out.pop();
      else if (t.text === "}" && last?.text === ";" && last.kind === "punct") out.pop();
    }
    out.push(t);
  }
  const words: string[] = [];
  for (let i = 0; i < out.length; i++) {
    const t = out[i];
    // `(x) =>` is `x =>`.
    if (
      t.text === "(" && out[i + 1]?.kind === "word" && !KEYWORDS.has(out[i + 1].text) &&
      out[i + 2]?.text === ")" && out[i + 3]?.text === "=>"
    ) {
      words.push(out[i + 1].text);
      i += 2;
      continue;
    }
    // `{ "a": 1 }` is `{ a: 1 }`.
    if (
      t.kind === "string" && out[i + 1]?.text === ":" &&
      (out[i - 1]?.text === "{" || out[i - 1]?.text === ",")
    ) {
      const key = t.text.startsWith('"') ? parseJson(t.text) : undefined;
      if (typeof key === "string" && IDENT.test(key)) {
        words.push(key);
        continue;
      }
    }
    words.push(t.text);
  }
  return words.join(" ");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // a literal kept as written
  }
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const n = src.length;
  let i = 0;
  let newline = false;
  /** Brace depth at each open template `${`. */
  const templates: number[] = [];
  /** For each open `(`, whether it opens the head of if / for / while / with. */
  const parens: boolean[] = [];
  let depth = 0;
  const push = (text: string, kind: Kind) => {
    tokens.push({ text, kind, newline });
    newline = false;
  };
  // A template chunk from i (just after ` or }) to its closing ` or ${.
  const template = (start: number) => {
    let j = i;
    while (j < n) {
      const c = src[j];
      if (c === "\\") j += 2;
      else if (c === "`") {
        j++;
        break;
      } else if (c === "$" && src[j + 1] === "{") {
        j += 2;
        templates.push(depth);
        break;
      } else j++;
    }
    push(src.slice(start, j), "template");
    i = j;
  };
  while (i < n) {
    const c = src[i];
    const code = src.charCodeAt(i);
    if (c === "\n" || c === "\r" || code === 0x2028 || code === 0x2029) {
      newline = true;
      i++;
    } else if (c === " " || c === "\t" || code === 0xfeff || code === 0xa0 || code === 0x0b) {
      i++;
    } else if (c === "/" && src[i + 1] === "/") {
      while (i < n && src[i] !== "\n" && src[i] !== "\r") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      if (/[\n\r\u2028\u2029]/.test(src.slice(i, stop))) newline = true;
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
      push(stringLiteral(src.slice(i, j + 1)), "string");
      i = j + 1;
    } else if (c === "`") {
      i++;
      template(i - 1);
    } else if (c === "}" && templates.length && templates[templates.length - 1] === depth) {
      templates.pop();
      i++;
      template(i - 1);
    } else if (c === "/" && !endsOperand(tokens.at(-1))) {
      i = regex(src, i, push);
    } else if (WORD_START.test(c) && !(c === "#" && !WORD_PART.test(src[i + 1] ?? ""))) {
      let j = i + 1;
      while (j < n && WORD_PART.test(src[j])) j++;
      push(src.slice(i, j), "word");
      i = j;
    } else if (/\d/.test(c) || (c === "." && /\d/.test(src[i + 1] ?? ""))) {
      const m = NUMBER.exec(src.slice(i, i + 400))!;
      push(numberLiteral(m[0]), "number");
      i += m[0].length;
    } else {
      let p = c;
      if (c === "?" && src[i + 1] === "." && !/\d/.test(src[i + 2] ?? "")) p = "?.";
      else {
        for (const q of PUNCTUATORS) {
          if (src.startsWith(q, i)) {
            p = q;
            break;
          }
        }
      }
      i += p.length;
      if (p === "{") depth++;
      else if (p === "}") depth--;
      if (p === "(") {
        const prev = tokens.at(-1);
        parens.push(prev?.kind === "word" && HEAD_KEYWORDS.has(prev.text));
      }
      if (p === ")" && parens.pop()) push(p, "head");
      else push(p, "punct");
    }
  }
  return tokens;
}

/** Scans a regex literal from `i` (at its `/`); returns where it ends. */
function regex(src: string, i: number, push: (text: string, kind: Kind) => void): number {
  let j = i + 1;
  let inClass = false;
  while (j < src.length && src[j] !== "\n") {
    const d = src[j];
    if (d === "\\") j++;
    else if (d === "[") inClass = true;
    else if (d === "]") inClass = false;
    else if (d === "/" && !inClass) break;
    j++;
  }
  if (src[j] !== "/") {
    push("/", "punct"); // not a regex after all (unterminated): read as an operator
    return i + 1;
  }
  j++;
  while (j < src.length && /[a-z]/.test(src[j])) j++;
  push(src.slice(i, j), "regex");
  return j;
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f",
  v: "\v",
  "0": "\0",
};

/**
 * A string literal re-quoted from its value (`'a'` and `"a"` agree). Escapes
 * this does not know (legacy octal) leave the literal as written.
 */
function stringLiteral(literal: string): string {
  const body = literal.slice(1, -1);
  if (!body.includes("\\")) return JSON.stringify(body);
  let value = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\") {
      value += c;
      continue;
    }
    const e = body[++i];
    if (e in ESCAPES && !(e === "0" && /\d/.test(body[i + 1] ?? ""))) value += ESCAPES[e];
    else if (e === "x" && /^[\da-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      value += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === "u" && /^[\da-fA-F]{4}$/.test(body.slice(i + 1, i + 5))) {
      value += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (e === "u" && body[i + 1] === "{") {
      const end = body.indexOf("}", i);
      const cp = parseInt(body.slice(i + 2, end), 16);
      if (!(end > i + 2 && cp <= 0x10ffff)) return literal;
      value += String.fromCodePoint(cp);
      i = end;
    } else if (e === "\r" || e === "\n" || e === "\u2028" || e === "\u2029") {
      if (e === "\r" && body[i + 1] === "\n") i++; // a line continuation
    } else if (/[1-9]/.test(e)) return literal; // legacy octal: keep as written
    else value += e;
  }
  return JSON.stringify(value);
}

/** A numeric literal printed from its value (`0xff`, `255` and `2_55` agree). */
function numberLiteral(literal: string): string {
  const text = literal.replaceAll("_", "");
  if (/^0\d/.test(text)) return literal; // legacy octal: keep as written
  if (text.endsWith("n")) return BigInt(text.slice(0, -1)).toString() + "n";
  const value = Number(text);
  return Number.isNaN(value) ? literal : String(value);
}
