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
import { changed, same } from "./_fixtures/reformatted.ts";

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

  it("hashValue() keeps strings apart across every string encoding", () => {
    // Strings are packed by length and width (≤ 3 Latin-1 characters in the tag word, Latin-1
    // four to a word, wider ones two to a word, long ones always two to a word).
    // Past three, the tag word also carries the first two characters.
    const strings = ["", "\0", "\0\0", "a", "ab", "abc", "abcd", "é", "€", "a€", "ab\0", "\u00ff"];
    strings.push("\0\0\0\0", "\0\0\0\0\0", "€bcd", "a€cd", "ab€d", "abc€", "abcde", "abcdef");
    strings.push("abcdefg", "abcdefgh", "abcdefghi", "bacdefghi", "abcdefgih", "\u00ff\u00ffcd");
    for (const n of [27, 28, 29, 59, 60, 61, 62, 1000]) {
      strings.push("x".repeat(n), "x".repeat(n - 1) + "\u0100", "\u00e9".repeat(n));
    }
    allDistinct(strings);
    // How a string was built does not matter (flat, concatenated, sliced).
    const long = "prefix-" + "y".repeat(100);
    assert.equal(hashValue(long), hashValue(`prefix-${"y".repeat(100)}`));
    assert.equal(hashValue(long.slice(7)), hashValue("y".repeat(100)));
  });

  it("hashValue() keeps numbers apart across every number encoding", () => {
    allDistinct([0, -0, 1, -1, 2 ** 24 - 1, 2 ** 24, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 0.5, 1e300]);
    assert.equal(hashValue(2 ** 24), hashValue(16777216.0));
  });

  it("hashValue() tells array elements apart whatever the keys of the element before", () => {
    // A record with the keys of the element before it is fed without its key list.
    allDistinct([
      [{ a: 1 }, { a: 1 }],
      [{ a: 1 }, { b: 1 }],
      [{ b: 1 }, { a: 1 }],
      [{ a: 1 }, [{ a: 1 }]],
      [{ a: 1 }, 1, { a: 1 }],
      [{ a: 1 }, { a: 1, b: undefined }],
      [{}, {}],
      [{}, { a: {} }],
      [[{ a: 1 }], [{ a: 1 }]],
      [{ a: [{ a: 1 }] }, { a: 1 }],
    ]);
    assert.equal(
      hashValue([{ a: 1, b: [{ c: 2, d: 3 }, { d: 4, c: 5 }] }, { b: [{ d: 3, c: 2 }], a: 1 }]),
      hashValue([{ b: [{ c: 2, d: 3 }, { c: 5, d: 4 }], a: 1 }, { a: 1, b: [{ c: 2, d: 3 }] }]),
    );
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

  it("hashValue() feeds plain objects the same way on every internal path", () => {
    // Plain objects are read with for…in on a guess of their shape (the last one at their
    // depth), or in two for…in passes (no guess, a wrong one, or past the untracked depth), or
    // with Object.keys (when Object.prototype has an enumerable property): all must agree.
    const record = (i: number) => ({
      name: "n" + i,
      id: i,
      tags: ["a", "ü"],
      at: { y: 1.5, x: -0 },
    });
    const sorted = (i: number) => ({
      at: { x: -0, y: 1.5 },
      id: i,
      name: "n" + i,
      tags: ["a", "ü"],
    });
    const nest = (v: unknown, depth: number): unknown => depth === 0 ? v : [nest(v, depth - 1)];
    const values = [
      record(1),
      [record(1), sorted(2), { z: record(3), a: [sorted(4)] }],
      nest(record(5), 70), // deeper than the pinning depth
      { z: new Array(70_000).fill(0.5), y: record(6), a: sorted(7) }, // too big to pin
      { b: new Float64Array([1, 2, 3]), a: new Map([[1, record(8)]]), c: new Set([sorted(9)]) },
    ];
    assert.equal(hashValue(record(1)), hashValue(sorted(1)));
    assert.equal(hashValue(nest(record(5), 70)), hashValue(nest(sorted(5), 70)));
    const digests = values.map((v) => hashValue(v));
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = true; // for…in now lists it: hashing switches to Object.keys
    try {
      assert.deepEqual(values.map((v) => hashValue(v)), digests);
    } finally {
      delete proto.polluted;
    }
    assert.deepEqual(values.map((v) => hashValue(v)), digests);
  });

  it("hashValue() can be reused after an error", () => {
    const h = new Hasher();
    assert.throws(() => h.update({ f: () => 1 }), UnhashableError);
    assert.doesNotThrow(() => h.update({ a: { b: 1 } }).digest());
  });
});

describe("Hasher", () => {
  it("Hasher digests are stable across processes and runtimes (golden values)", () => {
    // The same on Deno, Bun and Node. If these change, every persisted DiskCache entry misses
    // once: only on purpose.
    assert.equal(
      hashValue({
        a: [1, "x", null, undefined, 2n, -0, NaN],
        m: new Map([[1, new Set([true])]]),
        f: new Float64Array([1.5]),
        d: new Date(0),
      }),
      "969c4e8f197ca56643a2fec263fc9f27",
    );
    assert.equal(hashValue("héllo"), "07bcbf192304d15c1361ecf01361ecf0");
    assert.equal(
      hashValue(new Uint8Array(37).map((_, i) => i)),
      "1a4748e6904d46651d48065134ffa098",
    );
    assert.equal(hashSource("(x) => x + 1", "1"), "4509be9f8acc24228fb7736ec3f690e0");
    assert.equal(
      hashValue([
        { id: 1, name: "item1", score: 0.5, tags: ["a", "b"] },
        { tags: [], score: 1e300, name: "wide ✓", id: -7 },
      ]),
      "7553ce4459f581d07d91f78cd2d0a8b7",
    );
    assert.equal(
      nodeSignature({
        fingerprint: "00ff",
        inputs: { b: [1], a: "x" },
        upstream: { c: "0123456789abcdef0123456789abcdef" },
      }),
      "ab8669b7154343f6f0a120b4dedb7803",
    );
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
    allDistinctSources(["() => { x\n++y }", "() => { x++\ny }"]);
  });

  it("hashSource() treats line breaks, semicolons and commas as formatters do", () => {
    const same = (a: string, b: string) =>
      assert.equal(hashSource(a), hashSource(b), `${a} | ${b}`);
    same("() => { a = 1\nb = 2 }", "() => { a = 1; b = 2; }");
    same("() => { if (x)\n  y() }", "() => { if (x) y(); }");
    same("() => { if (x) return a\nelse return b }", "() => { if (x) return a; else return b; }");
    same("() => { f()\n}", "() => { f(); }");
    same("() => { g(function () {})\nreturn 1 }", "() => { g(function () {}); return 1; }");
    same("() => { for (;;) {}\nreturn 1 }", "() => { for (;;) {}; return 1 }");
    same("(a, b,) => [a, b,]", "(a, b) => [a, b]");
    same("x => x", "(x) => x");
    same("async x => x", "async (x) => x");
    // A line break before `(`, `[` or a template continues the expression.
    allDistinctSources(["() => { a\n(b) }", "() => { a;\n(b) }"]);
    allDistinctSources(["() => { a\n[0] }", "() => { a;\n[0] }"]);
    allDistinctSources([
      "() => { x = function () {}; (g)() }",
      "() => { x = function () {} (g)() }",
    ]);
    same("() => [1,]", "() => [1]");
    allDistinctSources(["() => [1,,]", "() => [1]", "() => [,]", "() => []"]);
  });

  it("hashSource() compares string and number literals by value", () => {
    const same = (a: string, b: string) =>
      assert.equal(hashSource(a), hashSource(b), `${a} | ${b}`);
    same(`() => 'a"b'`, `() => "a\\"b"`);
    same(`() => "\\u0041\\x42\\u{43}"`, `() => "ABC"`);
    same(`() => ({ "a": 1, 'b-c': 2 })`, `() => ({ a: 1, "b-c": 2 })`);
    same("() => 0xff + 1_000 + .5 + 1.50 + 1e3", "() => 255 + 1000 + 0.5 + 1.5 + 1000");
    allDistinctSources([`(c) => c ? "a" : b`, "(c) => c ? a : b"]);
    allDistinctSources(["() => 1n", "() => 1", "() => 017", "() => 17"]);
    allDistinctSources([`() => "\\1"`, `() => "\\x01"`, `() => "1"`]);
  });

  it("hashSource() reads a regex after the head of an if as a regex", () => {
    allDistinctSources(["(s) => { if (s) /a  b/.test(s) }", "(s) => { if (s) /a b/.test(s) }"]);
  });
});

describe("hashSource() of functions as each runtime prints them", () => {
  const fingerprint = (f: (...a: never[]) => unknown) =>
    hashSource(Function.prototype.toString.call(f));
  for (const [what, [a, b]] of Object.entries(same)) {
    it(`hashSource() ignores ${what}`, () => {
      assert.equal(fingerprint(a), fingerprint(b), `${a}\n---\n${b}`);
    });
  }
  for (const [what, [a, b]] of Object.entries(changed)) {
    it(`hashSource() tells apart ${what}`, () => {
      assert.notEqual(fingerprint(a), fingerprint(b), `${a}\n---\n${b}`);
    });
  }
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
