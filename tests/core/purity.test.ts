// Enforces STYLE.md's first rule: `src/core/` is pure. It imports only its own files and touches
// no runtime global, so it runs unchanged on Deno, Bun, Node and in a Worker. Everything else is
// a leaf that depends on the core, never the reverse.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const CORE = fileURLToPath(new URL("../../src/core/", import.meta.url));
const SOURCE = /\.(ts|mts|cts|tsx|js|mjs)$/;
// `Deno.x`, `Bun?.x`, `process["x"]`, `globalThis.Deno`, `typeof Bun`; not `o.process.x` or `#Deno`.
const GLOBAL = new RegExp(
  [
    /(?<![\w$#.])(Deno|Bun|process)\s*(?:\?\.|\.|\[)/.source,
    /\bglobalThis\s*\??\.\s*(Deno|Bun|process)\b/.source,
    /\btypeof\s+(Deno|Bun|process)\b/.source,
  ].join("|"),
  "g",
);
// Matched on the source with string contents blanked, so an `import "x"` inside a message is no
// import; the specifier itself is then read from the source.
const IMPORT = /(?<![\w$.])(?:from|import|require)\s*(?:\(\s*)?(["'`])/g;
const OPERAND = ["", ..."(,=:[!&|?{};+-*%<>~^"]; // after these a `/` starts a regex literal
const KEYWORD = /(?<![\w$.])(return|typeof|case|do|else|in|of|yield|await|void|delete|throw)\s*$/;
const DYNAMIC = /(?<![\w$.])(?:import|require)\s*\(\s*(?!["'`])/g;

interface Scanned {
  /** The source with comments blanked out; strings kept. */
  code: string;
  /** `code` with the contents of string and template literals blanked out too. */
  bare: string;
}

/** Blanks comments (and, in `bare`, string contents) keeping offsets so line numbers hold. */
function scan(src: string): Scanned {
  let code = "", bare = "", i = 0, prev = "";
  const braces: number[] = []; // open `{` count inside each enclosing template `${`
  const put = (c: string, keep: boolean, inString: boolean) => {
    const blank = c === "\n" ? "\n" : " ";
    code += keep ? c : blank;
    bare += keep && !inString ? c : blank;
  };
  const quoted = (q: string) => { // from the opening quote to the closing one (or `${`)
    put(src[i++], true, false);
    while (i < src.length && src[i] !== q) {
      if (q === "`" && src.startsWith("${", i)) {
        put(src[i++], true, false), put(src[i++], true, false), braces.push(0);
        return;
      }
      if (src[i] === "\\") put(src[i++], true, true);
      if (i < src.length) put(src[i++], true, true);
    }
    if (i < src.length) put(src[i++], true, false);
  };
  while (i < src.length) {
    const c = src[i];
    if (src.startsWith("//", i)) {
      while (i < src.length && src[i] !== "\n") put(src[i++], false, false);
    } else if (src.startsWith("/*", i)) {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? src.length : end + 2;
      while (i < stop) put(src[i++], false, false);
    } else if (c === '"' || c === "'" || c === "`") {
      quoted(c), prev = c;
    } else if (c === "}" && braces.length > 0 && braces.at(-1) === 0) {
      braces.pop(), quoted("`"); // this `}` closes a `${`: carry on inside the template
      prev = "`";
    } else if (c === "/" && (OPERAND.includes(prev) || KEYWORD.test(code.slice(-12)))) {
      put(src[i++], true, false); // a regex literal, where an operand is expected
      let cls = false;
      while (i < src.length && (src[i] !== "/" || cls) && src[i] !== "\n") {
        if (src[i] === "\\") put(src[i++], true, true);
        else if (src[i] === "[") cls = true;
        else if (src[i] === "]") cls = false;
        if (i < src.length) put(src[i++], true, true);
      }
      put(src[i++] ?? "", true, false), prev = "/re";
    } else {
      if (c === "{" && braces.length > 0) braces[braces.length - 1]++;
      if (c === "}" && braces.length > 0) braces[braces.length - 1]--;
      put(src[i++], true, false);
      if (!/\s/.test(c)) prev = /[\w$]/.test(c) ? "w" : c;
    }
  }
  return { code, bare };
}

/** Lists the problems in one core file as `line N: ...` strings. */
function impurities(file: string, src: string): string[] {
  const { code, bare } = scan(src);
  const line = (at: number) => `line ${code.slice(0, at).split("\n").length}`;
  const found: string[] = [];
  for (const m of bare.matchAll(IMPORT)) {
    const open = m.index + m[0].length;
    const spec = code.slice(open, bare.indexOf(m[1], open));
    const target = resolve(dirname(file), spec);
    if (!spec.startsWith("./") && !spec.startsWith("../")) {
      found.push(`${line(m.index)}: imports "${spec}", which is not a relative path`);
    } else if (!target.startsWith(CORE) && target + sep !== CORE) {
      found.push(`${line(m.index)}: imports "${spec}", which is outside src/core/`);
    }
  }
  for (const m of bare.matchAll(DYNAMIC)) {
    found.push(`${line(m.index)}: loads a module from a computed specifier`);
  }
  for (const m of bare.matchAll(GLOBAL)) {
    found.push(`${line(m.index)}: uses the runtime global ${m[1] ?? m[2] ?? m[3]}`);
  }
  for (const m of src.matchAll(/^\/\/\/\s*<reference\b[^\n]*/gm)) {
    found.push(`${line(m.index)}: has a triple-slash directive: ${m[0]}`);
  }
  const lineOf = (s: string) => Number(s.split(/[ :]/)[1]);
  return found.sort((a, b) => lineOf(a) - lineOf(b));
}

function coreFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return coreFiles(path);
    return SOURCE.test(name) ? [path] : [];
  });
}

describe("src/core purity", () => {
  const files = coreFiles(CORE);

  it("coreFiles() finds the core modules", () => {
    assert.ok(files.length > 0, `no source files found under ${CORE}`);
  });

  for (const file of files) {
    const name = relative(join(CORE, "..", ".."), file).split(sep).join("/");
    it(`${name} imports only src/core/ and uses no runtime global`, () => {
      assert.deepEqual(impurities(file, readFileSync(file, "utf8")), []);
    });
  }
});

describe("impurities()", () => {
  const at = (src: string) => impurities(join(CORE, "x.ts"), src);

  it("impurities() accepts relative imports and ignores comments and strings", () => {
    const src = [
      `import type { A } from "./types.ts";`,
      `export { b } from "./sub/b.ts";`,
      `const lazy = () => import("./c.ts");`,
      `/** @example`,
      ` * import { node } from "@hn/core";`,
      ` * Deno.exit(1); process.exit(1);`,
      ` */`,
      `// Bun.serve() is not used here`,
      `const msg = "Cannot run as the worker process.exit()ed";`,
      'throw new Error(`Cannot use ${name}: import "@hn/core" or import("x")`);',
      "const t = `Deno.env ${1 + { a: 1 }.a} process.env`;",
      `const re = /["'\`]\\/\\/ Deno.x/g; // a regex with quotes`,
      `const o = { process: 1 }; o.process.toFixed(); this.#Deno;`,
    ].join("\n");
    assert.deepEqual(at(src), []);
  });

  it("impurities() reports packages, escaping paths and runtime globals", () => {
    const src = [
      `import { x } from "npm:x";`,
      `import "node:fs";`,
      `export * from "../../mod.ts";`,
      `const y = await import("jsr:@std/path");`,
      `import z from "https://example.com/z.ts";`,
      `import w from "hono";`,
      `const t = \`\${Deno.env.get("A")}\`;`,
      `if (typeof Bun !== "undefined") Bun.gc(true);`,
      `const env = process?.env ?? globalThis.process["env"];`,
      `const m = await import(name);`,
    ].join("\n");
    assert.deepEqual(at(src), [
      `line 1: imports "npm:x", which is not a relative path`,
      `line 2: imports "node:fs", which is not a relative path`,
      `line 3: imports "../../mod.ts", which is outside src/core/`,
      `line 4: imports "jsr:@std/path", which is not a relative path`,
      `line 5: imports "https://example.com/z.ts", which is not a relative path`,
      `line 6: imports "hono", which is not a relative path`,
      `line 7: uses the runtime global Deno`,
      `line 8: uses the runtime global Bun`,
      `line 8: uses the runtime global Bun`,
      `line 9: uses the runtime global process`,
      `line 9: uses the runtime global process`,
      `line 10: loads a module from a computed specifier`,
    ]);
  });
});
