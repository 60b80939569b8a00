/**
 * Source normalisation for code fingerprints (internal to `hash.ts`).
 *
 * @module
 */

const KEYWORDS_BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

/**
 * Normalises source text so formatting-only edits keep the same fingerprint:
 * comments are dropped, a whitespace run holding a line break becomes one
 * `\n` (line breaks matter to automatic semicolon insertion) and any other run
 * one space; string, template and regex literals are kept verbatim. A `/`
 * after an identifier, a number, `)` or `]` is division (unless the word is a
 * keyword such as `return`), any other `/` starts a regex; doubtful cases are
 * read as regex, which only normalises less. The one misreading that could
 * merge two programs, a regex right after `)` (`if (x) /a  b/.test(s)`),
 * would need them to differ only in whitespace inside that regex.
 *
 * @param src Trimmed source text.
 * @returns The normalised text.
 */
export function normaliseSource(src: string): string {
  let out = "";
  let i = 0;
  const n = src.length;
  let ws = 0; // 0: none pending, 1: space, 2: newline
  let last = ""; // last significant character emitted
  let word = ""; // last identifier emitted, for `return /re/`
  const braces: number[] = []; // template nesting: brace depth at each `${`
  let depth = 0;
  const flush = () => {
    if (ws && out.length) out += ws === 2 ? "\n" : " ";
    ws = 0;
  };
  const literal = (start: number, end: number) => {
    flush();
    out += src.slice(start, end);
  };
  // Scans a template body from i (after ` or }) to its end or to `${`.
  const template = (start: number): void => {
    let j = i;
    while (j < n) {
      const c = src[j];
      if (c === "\\") j += 2;
      else if (c === "`") {
        j++;
        break;
      } else if (c === "$" && src[j + 1] === "{") {
        j += 2;
        braces.push(depth);
        break;
      } else j++;
    }
    literal(start, j);
    i = j;
    last = "`";
    word = "";
  };
  while (i < n) {
    const c = src[i];
    const code = src.charCodeAt(i);
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || code === 0xfeff || code === 0xa0) {
      if (c === "\n" || c === "\r") ws = 2;
      else if (!ws) ws = 1;
      i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "/") {
      while (i < n && src[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      if (src.slice(i, stop).includes("\n")) ws = 2;
      else if (!ws) ws = 1;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
      literal(i, j + 1);
      i = j + 1;
      last = c;
      word = "";
      continue;
    }
    if (c === "`") {
      const start = i;
      i++;
      template(start);
      continue;
    }
    if (c === "}" && braces.length && braces[braces.length - 1] === depth) {
      braces.pop();
      const start = i;
      i++;
      template(start);
      continue;
    }
    if (c === "/") {
      const division = /[\w$)\]]/.test(last) && !KEYWORDS_BEFORE_REGEX.has(word);
      if (!division) {
        let j = i + 1;
        let inClass = false;
        while (j < n && src[j] !== "\n") {
          const d = src[j];
          if (d === "\\") j++;
          else if (d === "[") inClass = true;
          else if (d === "]") inClass = false;
          else if (d === "/" && !inClass) break;
          j++;
        }
        if (j < n && src[j] === "/") {
          j++;
          while (j < n && /[a-z]/.test(src[j])) j++;
          literal(i, j);
          i = j;
          last = "/";
          word = "";
          continue;
        }
      }
    }
    if (c === "{") depth++;
    else if (c === "}") depth--;
    if (/[\w$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(src[j])) j++;
      literal(i, j);
      word = src.slice(i, j);
      last = src[j - 1];
      i = j;
      continue;
    }
    flush();
    out += c;
    last = c;
    word = "";
    i++;
  }
  return out;
}
