import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  cacheKey,
  Hasher,
  hashSource,
  hashValue,
  nodeSignature,
  UnhashableError,
} from "../../src/core/hash.ts";

function allDistinct(values: unknown[]): void {
  const digests = values.map((v) => hashValue(v));
  assert.equal(new Set(digests).size, values.length, `collision among ${digests.join(" ")}`);
}

describe("hashValue()", () => {
  it("hashValue() returns 32 hex chars and is deterministic", () => {
    const v = { a: [1, "x", null], b: new Map([[1, 2]]) };
    assert.match(hashValue(v), /^[0-9a-f]{32}$/);
    assert.equal(hashValue(v), hashValue(structuredClone(v)));
  });

  it("hashValue() tags primitive types apart", () => {
    allDistinct([1, "1", true, 1n, "true", 0, "", false, null, undefined, "null", "undefined", 0n]);
  });

  it("hashValue() handles NaN, -0 and infinities", () => {
    allDistinct([NaN, 0, -0, Infinity, -Infinity, "NaN"]);
    assert.equal(hashValue(NaN), hashValue(0 / 0));
    assert.equal(hashValue(NaN), hashValue(new Float64Array([NaN])[0]));
  });

  it("hashValue() ignores object key order", () => {
    assert.equal(hashValue({ a: 1, b: { c: 2, d: 3 } }), hashValue({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it("hashValue() tells arrays from index-keyed objects and nesting apart", () => {
    allDistinct([[1, 2], { 0: 1, 1: 2 }, [[1, 2]], [1, [2]], [], {}, [undefined], [null], "1,2"]);
  });

  it("hashValue() does not confuse string boundaries", () => {
    allDistinct([["ab", "c"], ["a", "bc"], ["abc"], { ab: "c" }, { a: "bc" }]);
    allDistinct(["a", "a\u0000", "\u0000a", "\ud800", "\udc00", "\u{1f600}"]);
  });

  it("hashValue() distinguishes a present undefined key from a missing one", () => {
    allDistinct([{}, { a: undefined }, { a: null }]);
  });

  it("hashValue() hashes Maps and Sets order-insensitively", () => {
    assert.equal(
      hashValue(new Map([["a", 1], ["b", 2]])),
      hashValue(new Map([["b", 2], ["a", 1]])),
    );
    assert.equal(hashValue(new Set([1, 2, 3])), hashValue(new Set([3, 1, 2])));
    allDistinct([
      new Map([["a", 1]]),
      new Map([["a", 2]]),
      new Map([[1, "a"]]),
      new Set(["a"]),
      { a: 1 },
      [["a", 1]],
      new Map(),
      new Set(),
    ]);
  });

  it("hashValue() hashes Date and RegExp by value", () => {
    assert.equal(hashValue(new Date(5)), hashValue(new Date(5)));
    assert.equal(hashValue(/a+/g), hashValue(new RegExp("a+", "g")));
    allDistinct([new Date(5), new Date(6), 5, new Date(NaN), /a+/g, /a+/, "a+", /a+/i]);
  });

  it("hashValue() tags typed arrays by type and hashes their bytes", () => {
    const bytes = new Uint8Array(new Float64Array([1.5, 2]).buffer);
    allDistinct([
      new Float64Array([1.5, 2]),
      bytes,
      new Uint8ClampedArray(bytes),
      new DataView(bytes.buffer),
      bytes.buffer,
      new Float64Array([1.5, 3]),
      new Float32Array([1.5, 2]),
      [1.5, 2],
    ]);
    assert.equal(hashValue(new Float64Array([1.5, 2])), hashValue(new Float64Array([1.5, 2])));
  });

  it("hashValue() hashes only the bytes a view sees, at any offset", () => {
    const big = new Uint8Array(64).map((_, i) => i);
    // offset 3 is unaligned for a Uint32 view
    assert.equal(hashValue(big.subarray(3, 40)), hashValue(big.slice(3, 40)));
    assert.equal(hashValue(new Uint8Array(big.buffer, 1, 7)), hashValue(big.slice(1, 8)));
    assert.notEqual(hashValue(big.subarray(3, 40)), hashValue(big.subarray(3, 41)));
  });

  it("hashValue() hashes a large typed array without strings", () => {
    const a = new Float64Array(1_000_000).map((_, i) => i * 0.5);
    const b = a.slice();
    assert.equal(hashValue(a), hashValue(b));
    b[999_999] += 1;
    assert.notEqual(hashValue(a), hashValue(b));
  });

  it("hashValue() hashes class instances by class name and public fields", () => {
    class Point {
      _cache = Math.random();
      #secret = Math.random();
      x: number;
      y: number;
      constructor(x: number, y: number) {
        this.x = x;
        this.y = y;
      }
      get secret(): number {
        return this.#secret;
      }
    }
    class Other {
      x: number;
      y: number;
      constructor(x: number, y: number) {
        this.x = x;
        this.y = y;
      }
    }
    assert.equal(hashValue(new Point(1, 2)), hashValue(new Point(1, 2)));
    allDistinct([new Point(1, 2), new Point(1, 3), new Other(1, 2), { x: 1, y: 2 }]);
  });

  it("hashValue() uses [cacheKey]() when a class has it", () => {
    class Model {
      id: string;
      weights: number[];
      constructor(id: string, weights: number[]) {
        this.id = id;
        this.weights = weights;
      }
      [cacheKey](): unknown {
        return this.id;
      }
    }
    class Twin {
      id: string;
      constructor(id: string) {
        this.id = id;
      }
      [cacheKey](): unknown {
        return this.id;
      }
    }
    assert.equal(hashValue(new Model("a", [1])), hashValue(new Model("a", [2])));
    allDistinct([new Model("a", [1]), new Model("b", [1]), new Twin("a"), "a"]);
    assert.equal(cacheKey, Symbol.for("@hn/core/cacheKey"));
  });

  it("hashValue() throws UnhashableError with a path for functions and symbols", () => {
    const check = (value: unknown, path: string, root = "inputs") =>
      assert.throws(() => hashValue(value, root), (e: unknown) => {
        assert.ok(e instanceof UnhashableError && e instanceof TypeError);
        assert.equal(e.path, path);
        assert.match(e.message, /^Cannot hash value as /);
        return true;
      });
    check({ config: { handler: () => 1 } }, "inputs.config.handler");
    check([1, [2, Symbol("s")]], "inputs[1][1]");
    check({ "a b": Promise.resolve() }, 'inputs["a b"]');
    check(new Map([["k", new WeakMap()]]), 'inputs.get("k")');
    check(new Set([() => 1]), "inputs.values()");
    check(() => 1, "inputs");
    class Bad {
      f = () => 1;
    }
    check({ x: new Bad() }, "inputs.x.f");
  });

  it("hashValue() rejects cycles but accepts shared references", () => {
    const shared = { a: 1 };
    assert.equal(hashValue([shared, shared]), hashValue([{ a: 1 }, { a: 1 }]));
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    assert.throws(() => hashValue(cyclic, "inputs"), (e: UnhashableError) => {
      assert.equal(e.path, "inputs.self.back");
      assert.match(e.message, /cycle/);
      return true;
    });
    // deep (past the shallow ancestor scan) cycles too
    const head: { next?: unknown } = {};
    let node = head;
    for (let i = 0; i < 100; i++) node = (node.next = {}) as typeof head;
    node.next = head;
    assert.throws(() => hashValue(head), UnhashableError);
  });

  it("hashValue() can be reused after an error", () => {
    const h = new Hasher();
    assert.throws(() => h.update({ f: () => 1 }), UnhashableError);
    assert.doesNotThrow(() => h.update({ a: { b: 1 } }).digest());
  });
});

describe("Hasher", () => {
  it("Hasher digests are stable across processes and runtimes (golden values)", () => {
    // If these change, every persisted DiskCache entry is invalidated: only on purpose.
    assert.equal(
      hashValue({
        a: [1, "x", null, undefined, 2n, -0, NaN],
        m: new Map([[1, new Set([true])]]),
        f: new Float64Array([1.5]),
        d: new Date(0),
      }),
      "cfc50cbca4784d7cb620e0c757b363b2",
    );
    assert.equal(hashValue("héllo"), "ee2c617435a8cb2f6b877df7bdf2fee1");
    assert.equal(
      hashValue(new Uint8Array(37).map((_, i) => i)),
      "f977a250def6aad2b677a2c5f5540ab2",
    );
    assert.equal(hashSource("(x) => x + 1", "1"), "4332ff1a7311907a04524285106df286");
  });

  it("Hasher.digest() does not disturb later updates", () => {
    const parts = ["a", new Float64Array(33), { k: "v".repeat(41) }, 7];
    const whole = new Hasher();
    const peeked = new Hasher();
    for (const p of parts) {
      whole.update(p);
      peeked.update(p).digest();
    }
    assert.equal(peeked.digest(), whole.digest());
  });

  it("Hasher.update() sequences differ from one combined value", () => {
    const ab = new Hasher().update("a").update("b").digest();
    assert.notEqual(ab, new Hasher().update("ab").digest());
    assert.notEqual(ab, new Hasher().update("b").update("a").digest());
    assert.equal(ab, new Hasher().update("a").update("b").digest());
  });
});

describe("hashSource()", () => {
  it("hashSource() ignores formatting and comments", () => {
    const a = hashSource("function f(x) {\n  return x + 1;\n}");
    assert.equal(a, hashSource("  function f(x) {\n\n      return x + 1; // one\n}\n"));
    assert.equal(a, hashSource("function f(x) { /* c */\n  return x  +  1;\r\n}"));
    assert.notEqual(a, hashSource("function f(x) {\n  return x + 2;\n}"));
    assert.notEqual(a, hashSource("function f(x) {\n  return x + 1;\n}", 2));
  });

  it("hashSource() keeps string, template and regex literals verbatim", () => {
    allDistinctSources(['(x) => "a  b"', '(x) => "a b"']);
    allDistinctSources(["(x) => `a  ${x}  b`", "(x) => `a ${x} b`", "(x) => `a  ${x} b`"]);
    allDistinctSources(["(x) => `${ {a: 1}.a }  b`", "(x) => `${ {a: 1}.a } b`"]);
    allDistinctSources(["(s) => /a  b/.test(s)", "(s) => /a b/.test(s)"]);
    allDistinctSources(["(s) => { return /a  b/.test(s) }", "(s) => { return /a b/.test(s) }"]);
    allDistinctSources(['(x) => "// not a comment" + x', '(x) => "// not" + x']);
    allDistinctSources(["(s) => /[/]  x/.test(s)", "(s) => /[/] x/.test(s)"]);
  });

  it("hashSource() keeps line breaks that change meaning", () => {
    allDistinctSources(["() => { return\nx }", "() => { return x }"]);
    allDistinctSources(["(a) => a + +b", "(a) => a ++b"]);
  });
});

function allDistinctSources(sources: string[]): void {
  const d = sources.map((s) => hashSource(s));
  assert.equal(new Set(d).size, sources.length, sources.join(" | "));
}

describe("nodeSignature()", () => {
  const fingerprint = hashSource("({ a, b }) => a + b");

  it("nodeSignature() ignores the order of names", () => {
    assert.equal(
      nodeSignature({ fingerprint, inputs: { a: 1, b: 2 }, upstream: { c: "ff", d: "ee" } }),
      nodeSignature({ fingerprint, inputs: { b: 2, a: 1 }, upstream: { d: "ee", c: "ff" } }),
    );
  });

  it("nodeSignature() changes with code, inputs and upstream signatures", () => {
    const base = { fingerprint, inputs: { a: 1 }, upstream: { b: "ff" } };
    const sigs = [
      nodeSignature(base),
      nodeSignature({ ...base, fingerprint: hashSource("({ a, b }) => a - b") }),
      nodeSignature({ ...base, inputs: { a: 2 } }),
      nodeSignature({ ...base, upstream: { b: "fe" } }),
      nodeSignature({ fingerprint, inputs: { a: 1, b: "ff" } }),
      nodeSignature({ fingerprint, inputs: { a: 1 }, upstream: { c: "ff" } }),
    ];
    assert.equal(new Set(sigs).size, sigs.length);
  });

  it("nodeSignature() names the input in UnhashableError.path", () => {
    assert.throws(
      () => nodeSignature({ fingerprint, inputs: { config: { handler: () => 1 } } }),
      (e: UnhashableError) => e.path === "inputs.config.handler",
    );
  });
});
