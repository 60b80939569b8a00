// deno-fmt-ignore-file
// Functions for hash.test.ts: each pair is one function written two ways, as
// by hand and as `deno fmt` or prettier would print it (`same`), or two
// functions that differ in one real detail (`changed`). Each runtime reads
// these through Function.prototype.toString, so the test sees what a node
// fingerprint sees: Node's source as written, Deno's and Bun's as reprinted.
// deno-lint-ignore-file

type Fn = (...args: any[]) => unknown;

export const same: Record<string, [Fn, Fn]> = {
  "indentation, line breaks, trailing commas, comments": [
    ({ docs, k }: { docs: string[]; k: number }) => {
        // keep the k best
        const ranked = docs.map((d, i) => ({ d, score: d.length * i })).sort((a, b) => b.score - a.score)
        return ranked.slice(0, k).map((r) => r.d)
    },
    ({ docs, k }: { docs: string[]; k: number }) => {
      /* keep the k best */
      const ranked = docs
        .map((d, i) => ({
          d,
          score: d.length * i,
        }))
        .sort((a, b) => b.score - a.score);
      return ranked.slice(0, k).map((r) => r.d);
    },
  ],
  "semicolons left to ASI": [
    (x: number) => {
      let total = x
      total += 1
      const label = "n"
      return label + total
    },
    (x: number) => {
      let total = x;
      total += 1;
      const label = "n";
      return label + total;
    },
  ],
  "quotes and escapes": [
    (name: string) => 'it\'s ' + name + '\x21',
    (name: string) => "it's " + name + "!",
  ],
  "arrow parameter parentheses": [
    (xs: number[]) => xs.map(x => x * 2).filter(x=>x>2),
    (xs: number[]) => xs.map((x) => x * 2).filter((x) => x > 2),
  ],
  "object literals: quoted keys, trailing commas, line breaks": [
    (q: string) => ({ 'query': q, "top-k": 5, options: { rerank: true, }, }),
    (q: string) => ({
      query: q,
      "top-k": 5,
      options: { rerank: true },
    }),
  ],
  "function declarations with wrapped parameters": [
    function score(a: number, b: number, weights: { a: number; b: number }): number {
      if (a > b) return a * weights.a
      else return b * weights.b
    },
    function score(
      a: number,
      b: number,
      weights: { a: number; b: number },
    ): number {
      if (a > b) return a * weights.a;
      else return b * weights.b;
    },
  ],
  "numbers written differently": [
    (x: number) => x * 1.50 + .5 + 1_000 + 0XFF,
    (x: number) => x * 1.5 + 0.5 + 1000 + 0xff,
  ],
  "braceless if on its own line, template spacing": [
    (x: number, unit: string) => {
      if (x < 0)
        return `${ unit }: negative`
      return `${unit}: ${ x.toFixed(2) }`
    },
    (x: number, unit: string) => {
      if (x < 0) return `${unit}: negative`;
      return `${unit}: ${x.toFixed(2)}`;
    },
  ],
  "blocks and loops": [
    (n: number) => { let t = 0; for (let i = 0; i < n; i++) { t += i } return t },
    (n: number) => {
      let t = 0;
      for (let i = 0; i < n; i++) {
        t += i;
      }
      return t;
    },
  ],
};

export const changed: Record<string, [Fn, Fn]> = {
  "a string literal": [(x: string) => x + "-a", (x: string) => x + "-b"],
  "a number": [(x: number) => x * 2, (x: number) => x * 3],
  "an operator": [(a: number, b: number) => a + b, (a: number, b: number) => a - b],
  "an identifier": [(a: number, b: number) => a * a, (a: number, b: number) => a * b],
  "a method": [(s: string) => s.trim(), (s: string) => s.trimEnd()],
  "an equality operator": [(a: unknown, b: unknown) => a === b, (a: unknown, b: unknown) => a == b],
  "spaces inside a string": [(x: string) => x + "a b", (x: string) => x + "a  b"],
  "spaces inside a regex": [(s: string) => /a b/.test(s), (s: string) => /a  b/.test(s)],
  "spaces inside a template": [(x: string) => `${x} b`, (x: string) => `${x}  b`],
  "a unary plus": [(a: number, b: number) => a + +b, (a: number, b: number) => a + b],
  "the order of statements": [
    (xs: number[]) => { xs.push(1); xs.sort(); return xs },
    (xs: number[]) => { xs.sort(); xs.push(1); return xs },
  ],
};
