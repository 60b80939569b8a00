import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Node, node, PipelineDefinitionError } from "../../mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

describe("node() input parsing", () => {
  it("node() reads the keys of a destructured parameter", () => {
    const n = node({ output: "y" }, ({ a, b }: { a: number; b: number }) => a + b);
    assert.deepEqual(n.inputs, ["a", "b"]);
    assert.deepEqual(n.optionalInputs, []);
  });

  it("node() makes inputs with defaults optional", () => {
    const n = node(
      { output: "y" },
      ({ text, lang = "en" }: { text: string; lang?: string }) => text + lang,
    );
    assert.deepEqual(n.inputs, ["text", "lang"]);
    assert.deepEqual(n.optionalInputs, ["lang"]);
  });

  it("node() keeps the property key of a renamed binding", () => {
    const n = node(
      { output: "y" },
      ({ text: t, n: count = 2 }: { text: string; n?: number }) => t.repeat(count),
    );
    assert.deepEqual(n.inputs, ["text", "n"]);
    assert.deepEqual(n.optionalInputs, ["n"]);
  });

  it("node() reads quoted keys", () => {
    const n = node(
      { output: "y" },
      ({ "a": x, "b": y = 1 }: { a: number; b?: number }) => x + y,
    );
    assert.deepEqual(n.inputs, ["a", "b"]);
    assert.deepEqual(n.optionalInputs, ["b"]);
  });

  it("node() reads only the top-level keys of nested patterns", () => {
    const n = node(
      { output: "y" },
      ({ cfg: { depth, width = 3 }, list: [first] }: {
        cfg: { depth: number; width?: number };
        list: number[];
      }) => depth * width + first,
    );
    assert.deepEqual(n.inputs, ["cfg", "list"]);
    assert.deepEqual(n.optionalInputs, []);
    assert.equal(n.fn({ cfg: { depth: 2 }, list: [1] }), 7);
  });

  it("node() treats a nested pattern with a default as optional", () => {
    const n = node(
      { output: "y" },
      ({ cfg: { depth } = { depth: 1 } }: { cfg?: { depth: number } }) => depth,
    );
    assert.deepEqual(n.inputs, ["cfg"]);
    assert.deepEqual(n.optionalInputs, ["cfg"]);
  });

  it("node() parses async arrows and async functions", () => {
    const a = node({ output: "y" }, async ({ x }: { x: number }) => await Promise.resolve(x));
    const b = node({ output: "y" }, async function fetchIt({ url }: { url: string }) {
      return await Promise.resolve(url);
    });
    assert.deepEqual(a.inputs, ["x"]);
    assert.deepEqual(b.inputs, ["url"]);
    assert.equal(b.name, "fetchIt");
  });

  it("node() parses function declarations and methods", () => {
    function scale({ x, k = 2 }: { x: number; k?: number }): number {
      return x * k;
    }
    const obj = {
      shout({ word }: { word: string }): string {
        return word.toUpperCase();
      },
    };
    const a = node({ output: "y" }, scale);
    const b = node({ output: "z" }, obj.shout);
    assert.deepEqual(a.inputs, ["x", "k"]);
    assert.deepEqual(a.optionalInputs, ["k"]);
    assert.equal(a.name, "scale");
    assert.deepEqual(b.inputs, ["word"]);
    assert.equal(b.name, "shout");
  });

  it("node() is not confused by defaults holding commas, braces, strings and arrows", () => {
    const n = node(
      { output: "y" },
      ({
        a = { p: 1, q: [2, 3] },
        b = "x, } y: =",
        c = (u: number, v: number) => u + v,
        d = `t,${"}"}`,
        e = Math.PI >= 2 ? 3 : 4,
        f,
      }: {
        a?: { p: number; q: number[] };
        b?: string;
        c?: (u: number, v: number) => number;
        d?: string;
        e?: number;
        f: number;
      }) => [a, b, c, d, e, f],
    );
    assert.deepEqual(n.inputs, ["a", "b", "c", "d", "e", "f"]);
    assert.deepEqual(n.optionalInputs, ["a", "b", "c", "d", "e"]);
  });

  it("node() ignores comments in the pattern", () => {
    const n = node({ output: "y" }, (
      {
        // the text, with a comma, and a brace }
        text,
        /* a, b = 1 */ lang = "en", // trailing, comment
      }: { text: string; lang?: string },
    ) => text + lang);
    assert.deepEqual(n.inputs, ["text", "lang"]);
    assert.deepEqual(n.optionalInputs, ["lang"]);
  });

  it("node() accepts a function without parameters", () => {
    const n = node({ output: "now" }, () => 42);
    assert.deepEqual(n.inputs, []);
    assert.equal(n.fn({}), 42);
  });

  it("node() accepts a default for the whole object", () => {
    const n = node({ output: "y" }, ({ a = 1 }: { a?: number } = {}) => a);
    assert.deepEqual(n.inputs, ["a"]);
    assert.deepEqual(n.optionalInputs, ["a"]);
  });

  it("node() rejects a parameter that is not destructured", () => {
    assert.throws(
      () => node({ output: "y" }, (args: { x: number }) => args.x),
      (e: unknown) =>
        e instanceof PipelineDefinitionError && /Cannot define node "y"/.test(e.message) &&
        /not destructured/.test(e.message) && /inputs: \[/.test(e.message),
    );
    assert.throws(() => node({ output: "y" }, ((x: number) => x) as Any), PipelineDefinitionError);
  });

  it("node() rejects a rest element", () => {
    assert.throws(
      () => node({ output: "y" }, ({ a, ...rest }: Record<string, number>) => a + rest.b),
      (e: unknown) => e instanceof PipelineDefinitionError && /\.\.\.rest/.test(e.message),
    );
  });

  it("node() rejects several parameters", () => {
    assert.throws(
      () => node({ output: "y" }, (({ a }: { a: number }, b: number) => a + b) as Any),
      PipelineDefinitionError,
    );
  });

  it("node() rejects computed keys", () => {
    const k = "a";
    assert.throws(
      () => node({ output: "y" }, ({ [k]: v }: Record<string, number>) => v),
      (e: unknown) => e instanceof PipelineDefinitionError && /computed/.test(e.message),
    );
  });

  it("node() uses the inputs option over the parse", () => {
    const n = node(
      { output: "y", inputs: ["a", "b"] },
      (args: { a: number; b: number }) => args.a + args.b,
    );
    assert.deepEqual(n.inputs, ["a", "b"]);
    assert.equal(n.fn({ a: 1, b: 2 }), 3);
    const r = node(
      { output: "y", inputs: ["a"] },
      ({ a, ...rest }: Record<string, number>) => a + Object.keys(rest).length,
    );
    assert.deepEqual(r.inputs, ["a"]);
  });

  it("node() keeps parsed defaults when the inputs option overrides", () => {
    const n = node(
      { output: "y", inputs: ["a", "b"] },
      ({ a, b = 1 }: { a: number; b?: number }) => a + b,
    );
    assert.deepEqual(n.optionalInputs, ["b"]);
  });

  it("node() names a node after its function, else its first output", () => {
    function tokenize({ text }: { text: string }): string[] {
      return text.split(" ");
    }
    assert.equal(node({ output: "tokens" }, tokenize).name, "tokenize");
    assert.equal(node({ output: ["lo", "hi"] }, ({ x }: { x: number }) => [x, x]).name, "lo");
    assert.equal(node({ output: "t", name: "explicit" }, tokenize).name, "explicit");
  });

  it("node() records one output or a tuple of outputs", () => {
    const one = node({ output: "y" }, ({ x }: { x: number }) => x);
    const two = node({ output: ["a", "b"] }, ({ x }: { x: number }) => [x, -x] as const);
    assert.equal(one.multiOutput, false);
    assert.deepEqual(one.outputs, ["y"]);
    assert.equal(two.multiOutput, true);
    assert.deepEqual(two.outputs, ["a", "b"]);
    const single = node({ output: ["only"] }, ({ x }: { x: number }) => [x] as const);
    assert.equal(single.multiOutput, true);
  });

  it("node() returns a callable, frozen Node", () => {
    const clean = node(
      { output: "cleaned" },
      ({ text }: { text: string }) => text.trim().toLowerCase(),
    );
    assert.ok(clean instanceof Node);
    assert.equal(clean.kind, "node");
    assert.equal(clean.fn({ text: " A " }), "a");
    assert.ok(Object.isFrozen(clean));
    assert.ok(Object.isFrozen(clean.inputs));
  });

  it("node() defaults cache to true and keeps version", () => {
    const a = node({ output: "y" }, ({ x }: { x: number }) => x);
    const b = node({ output: "y", cache: false, version: "2" }, ({ x }: { x: number }) => x);
    assert.equal(a.cache, true);
    assert.equal(a.version, undefined);
    assert.equal(b.cache, false);
    assert.equal(b.version, "2");
  });

  it("node() records its definition site", () => {
    const a = node({ output: "y" }, ({ x }: { x: number }) => x);
    assert.ok(a.site);
    assert.match(a.site.url, /node\.test\.ts$/);
    assert.ok(a.site.line > 0);
  });
});

describe("node() option errors", () => {
  const fn = ({ x }: { x: number }) => x;

  it("node() rejects missing options or function with TypeError", () => {
    assert.throws(() => node(undefined as Any, fn), TypeError);
    assert.throws(() => node(null as Any, fn), TypeError);
    assert.throws(() => node({ output: "y" }, "nope" as Any), TypeError);
  });

  it("node() rejects bad output names with TypeError", () => {
    assert.throws(() => node({ output: [] as Any }, fn), /output list is empty/);
    assert.throws(() => node({ output: "" }, fn), TypeError);
    assert.throws(() => node({ output: "two words" }, fn), TypeError);
    assert.throws(() => node({ output: 3 as Any }, fn), TypeError);
    assert.throws(() => node({ output: ["a", 1 as Any] }, fn), TypeError);
  });

  it("node() rejects repeated output names", () => {
    assert.throws(() => node({ output: ["a", "a"] }, fn), PipelineDefinitionError);
  });

  it("node() rejects a bad name, cache, version or inputs with TypeError", () => {
    assert.throws(() => node({ output: "y", name: "has space" }, fn), TypeError);
    assert.throws(() => node({ output: "y", name: 5 as Any }, fn), TypeError);
    assert.throws(() => node({ output: "y", cache: "yes" as Any }, fn), TypeError);
    assert.throws(() => node({ output: "y", version: 2 as Any }, fn), TypeError);
    assert.throws(() => node({ output: "y", inputs: "x" as Any }, fn), TypeError);
    assert.throws(() => node({ output: "y", inputs: ["ok", ""] }, fn), TypeError);
  });

  it("node() rejects repeated input names", () => {
    assert.throws(() => node({ output: "y", inputs: ["x", "x"] }, fn), PipelineDefinitionError);
  });

  it("node() falls back to the output name when the function's name is not usable", () => {
    function scale({ x }: { x: number }): number {
      return x;
    }
    const bound = scale.bind(null);
    const n = node({ output: "y", inputs: ["x"] }, bound);
    assert.equal(n.name, "y");
  });
});
