import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  HyperNodesEngine,
  InputError,
  node,
  NodeExecutionError,
  OutputError,
  Pipeline,
  PipelineDefinitionError,
} from "../../mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const clean = node(
  { output: "cleaned" },
  ({ text }: { text: string }) => text.trim().toLowerCase(),
);
const count = node(
  { output: "word_count" },
  ({ cleaned }: { cleaned: string }) => cleaned.split(" ").length,
);

describe("Pipeline construction", () => {
  it("new Pipeline() wires nodes by name and finds root inputs and outputs", () => {
    const p = new Pipeline({ nodes: [count, clean], name: "text" });
    assert.equal(p.name, "text");
    assert.deepEqual(p.inputs, ["text"]);
    assert.deepEqual(p.outputs, ["cleaned", "word_count"]);
    assert.deepEqual(p.graph.order.map((n) => n.name), ["cleaned", "word_count"]);
  });

  it('new Pipeline() defaults its name to "pipeline"', () => {
    assert.equal(new Pipeline({ nodes: [clean] }).name, "pipeline");
  });

  it("new Pipeline() accepts an empty node list", async () => {
    const p = new Pipeline({ nodes: [] });
    assert.deepEqual(await p.run({}), {});
  });

  it("new Pipeline() rejects two producers of one output, naming both", () => {
    const a = node({ output: "x", name: "a" }, ({ i }: { i: number }) => i);
    const b = node({ output: "x", name: "b" }, ({ j }: { j: number }) => j);
    assert.throws(
      () => new Pipeline({ nodes: [a, b], name: "dup" }),
      (e: unknown) =>
        e instanceof PipelineDefinitionError && e.pipeline === "dup" &&
        /output "x" is produced by both "a" and "b"/.test(e.message),
    );
  });

  it("new Pipeline() rejects two nodes with one name", () => {
    const a = node({ output: "x", name: "same" }, ({ i }: { i: number }) => i);
    const b = node({ output: "y", name: "same" }, ({ i }: { i: number }) => i);
    assert.throws(
      () => new Pipeline({ nodes: [a, b] }),
      (e: unknown) => e instanceof PipelineDefinitionError && /named "same"/.test(e.message),
    );
  });

  it("new Pipeline() rejects a cycle and shows its path", () => {
    const a = node({ output: "x", name: "a" }, ({ z }: { z: number }) => z);
    const b = node({ output: "y", name: "b" }, ({ x }: { x: number }) => x);
    const c = node({ output: "z", name: "c" }, ({ y }: { y: number }) => y);
    assert.throws(
      () => new Pipeline({ nodes: [a, b, c] as Any }),
      (e: unknown) =>
        e instanceof PipelineDefinitionError &&
        /cycle: (a -> c -> b -> a|a -> b -> c -> a)/.test(e.message),
    );
  });

  it("new Pipeline() rejects a node reading its own output", () => {
    const a = node({ output: "x", name: "self" }, ({ x }: { x: number }) => x);
    assert.throws(() => new Pipeline({ nodes: [a] as Any }), /cycle: self -> self/);
  });

  it("new Pipeline() rejects entries that are not nodes with TypeError", () => {
    assert.throws(() => new Pipeline({ nodes: [clean, null] as Any }), /nodes\[1\] is null/);
    assert.throws(() => new Pipeline({ nodes: [() => 1] as Any }), /nodes\[0\] is function/);
    assert.throws(() => new Pipeline({ nodes: [{ name: "x" }] as Any }), TypeError);
    assert.throws(() => new Pipeline({ nodes: "abc" } as Any), TypeError);
    assert.throws(() => new Pipeline(undefined as Any), TypeError);
    assert.throws(() => new Pipeline({ nodes: [clean], name: "" }), TypeError);
  });
});

describe("Pipeline.run()", () => {
  it("Pipeline.run() runs a single node", async () => {
    const p = new Pipeline({ nodes: [clean] });
    assert.deepEqual(await p.run({ text: " Hi " }), { cleaned: "hi" });
  });

  it("Pipeline.run() runs a chain and returns every output", async () => {
    const p = new Pipeline({ nodes: [clean, count] });
    assert.deepEqual(await p.run({ text: " Hello World " }), {
      cleaned: "hello world",
      word_count: 2,
    });
  });

  it("Pipeline.run() runs a diamond once per node", async () => {
    const calls: string[] = [];
    const src = node({ output: "s" }, ({ x }: { x: number }) => (calls.push("s"), x + 1));
    const l = node({ output: "l" }, ({ s }: { s: number }) => (calls.push("l"), s * 2));
    const r = node({ output: "r" }, ({ s }: { s: number }) => (calls.push("r"), s * 3));
    const j = node(
      { output: "j" },
      ({ l, r }: { l: number; r: number }) => (calls.push("j"), l + r),
    );
    const p = new Pipeline({ nodes: [j, r, l, src] });
    assert.deepEqual(await p.run({ x: 1 }), { s: 2, r: 6, l: 4, j: 10 });
    assert.equal(calls.length, 4);
    assert.equal(calls[0], "s");
    assert.equal(calls[3], "j");
  });

  it("Pipeline.run() runs async nodes and promise-returning nodes", async () => {
    const a = node({ output: "a" }, async ({ x }: { x: number }) => {
      await Promise.resolve();
      return x + 1;
    });
    const b = node({ output: "b" }, ({ a }: { a: number }) => Promise.resolve(a * 10));
    const c = node({ output: "c" }, ({ b }: { b: number }) => b + 1);
    assert.deepEqual(await new Pipeline({ nodes: [a, b, c] }).run({ x: 1 }), {
      a: 2,
      b: 20,
      c: 21,
    });
  });

  it("Pipeline.run() stores a tuple of outputs in declared order", async () => {
    const stats = node(
      { output: ["lo", "hi"] },
      ({ xs }: { xs: number[] }) => [Math.min(...xs), Math.max(...xs)] as const,
    );
    const span = node({ output: "span" }, ({ lo, hi }: { lo: number; hi: number }) => hi - lo);
    assert.deepEqual(await new Pipeline({ nodes: [stats, span] }).run({ xs: [3, 1, 7] }), {
      lo: 1,
      hi: 7,
      span: 6,
    });
  });

  it("Pipeline.run() accepts an object keyed by the output names", async () => {
    const stats = node({ output: ["lo", "hi"] }, ({ xs }: { xs: number[] }) => ({
      hi: Math.max(...xs),
      lo: Math.min(...xs),
    }));
    assert.deepEqual(await new Pipeline({ nodes: [stats] }).run({ xs: [3, 1] }), { lo: 1, hi: 3 });
  });

  it("Pipeline.run() rejects a multi-output node that returns the wrong shape", async () => {
    const bad = (v: unknown) =>
      new Pipeline({
        nodes: [node({ output: ["a", "b"], name: "pair" }, ({ x }: { x: number }) => x && v)],
        name: "shape",
      });
    for (const v of [1, [1], [1, 2, 3], { a: 1 }, null, "ab"]) {
      await assert.rejects(
        bad(v).run({ x: 1 }),
        (e: unknown) =>
          e instanceof NodeExecutionError && e.node === "pair" && e.pipeline === "shape" &&
          /Cannot run node "pair" of pipeline "shape" as it returned/.test(e.message),
        `value ${JSON.stringify(v)}`,
      );
    }
  });

  it("Pipeline.run() wraps what a node throws in NodeExecutionError with cause", async () => {
    const cause = new RangeError("too big");
    const boom = node({ output: "y", name: "boom" }, ({ x }: { x: number }): number => {
      if (x > 0) throw cause;
      return x;
    });
    await assert.rejects(
      new Pipeline({ nodes: [boom], name: "p" }).run({ x: 1 }),
      (e: unknown) =>
        e instanceof NodeExecutionError && e.cause === cause && e.node === "boom" &&
        e.pipeline === "p" && e.item === undefined &&
        e.message === 'Cannot run node "boom" of pipeline "p" as it threw: RangeError: too big',
    );
    const asyncBoom = node({ output: "y", name: "aboom" }, async ({ x }: { x: number }) => {
      await Promise.resolve();
      if (x > 0) throw cause;
      return x;
    });
    await assert.rejects(
      new Pipeline({ nodes: [asyncBoom] }).run({ x: 1 }),
      (e: unknown) => e instanceof NodeExecutionError && e.cause === cause,
    );
  });

  it("Pipeline.run() does not run nodes after a failing one", async () => {
    let ran = false;
    const boom = node({ output: "a" }, ({ x }: { x: number }): number => {
      throw new Error(String(x));
    });
    const after = node({ output: "b" }, ({ a }: { a: number }) => (ran = true, a));
    await assert.rejects(new Pipeline({ nodes: [boom, after] }).run({ x: 1 }), NodeExecutionError);
    assert.equal(ran, false);
  });

  it("Pipeline.run() returns plain objects", async () => {
    const out = await new Pipeline({ nodes: [clean] }).run({ text: "a" });
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });
});

describe("Pipeline.run() selective outputs", () => {
  it("Pipeline.run() with outputs runs only the needed sub-graph", async () => {
    const ran: string[] = [];
    const a = node({ output: "a" }, ({ x }: { x: number }) => (ran.push("a"), x + 1));
    const b = node({ output: "b" }, ({ a }: { a: number }) => (ran.push("b"), a * 2));
    const c = node({ output: "c" }, ({ y }: { y: number }) => (ran.push("c"), y));
    const p = new Pipeline({ nodes: [a, b, c] });
    // `as Any`: the types require every root input even when outputs prune the graph.
    assert.deepEqual(await p.run({ x: 1 } as Any, { outputs: ["a"] }), { a: 2 });
    assert.deepEqual(ran, ["a"]);
    ran.length = 0;
    assert.deepEqual(await p.run({ x: 1 } as Any, { outputs: ["b"] }), { b: 4 });
    assert.deepEqual(ran, ["a", "b"]);
  });

  it("Pipeline.run() with outputs needs only the sub-graph's inputs", async () => {
    const a = node({ output: "a" }, ({ x }: { x: number }) => x + 1);
    const c = node({ output: "c" }, ({ y }: { y: number }) => y);
    const p = new Pipeline({ nodes: [a, c] });
    assert.deepEqual(await p.run({ x: 1 } as Any, { outputs: ["a"] }), { a: 2 });
  });

  it("Pipeline.run() with an unknown output throws OutputError listing the choices", async () => {
    const p = new Pipeline({ nodes: [clean, count], name: "t" });
    await assert.rejects(
      p.run({ text: "a" }, { outputs: ["nope" as Any] }),
      (e: unknown) =>
        e instanceof OutputError && e.pipeline === "t" &&
        e.message ===
          'Cannot run pipeline "t" as output "nope" is not produced: choose from "cleaned", "word_count"',
    );
  });

  it("Pipeline.run() with outputs of a multi-output node returns only those", async () => {
    let calls = 0;
    const stats = node({ output: ["lo", "hi"] }, ({ xs }: { xs: number[] }) => {
      calls++;
      return [Math.min(...xs), Math.max(...xs)] as const;
    });
    const p = new Pipeline({ nodes: [stats] });
    assert.deepEqual(await p.run({ xs: [2, 5] }, { outputs: ["hi"] }), { hi: 5 });
    assert.equal(calls, 1);
  });

  it("Pipeline.plan() caches plans per output list", () => {
    const p = new Pipeline({ nodes: [clean, count] });
    assert.equal(p.plan(["cleaned"]), p.plan(["cleaned"]));
    assert.equal(p.plan(["cleaned"]).steps.length, 1);
    assert.equal(p.plan().steps.length, 2);
  });
});

describe("Pipeline.run() inputs", () => {
  it("Pipeline.run() lists every missing input at once, before running anything", async () => {
    let ran = false;
    const a = node({ output: "a" }, ({ x }: { x: number }) => (ran = true, x));
    const b = node(
      { output: "b" },
      ({ a, y, z }: { a: number; y: number; z: number }) => a + y + z,
    );
    const p = new Pipeline({ nodes: [a, b], name: "m" });
    await assert.rejects(
      p.run({ y: 1 } as Any),
      (e: unknown) =>
        e instanceof InputError && e.pipeline === "m" &&
        JSON.stringify(e.missing) === '["x","z"]' &&
        e.message ===
          'Cannot run pipeline "m" as inputs "x", "z" are missing: pass them in inputs or bind them',
    );
    assert.equal(ran, false);
  });

  it("Pipeline.run() names one missing input in the singular", async () => {
    const p = new Pipeline({ nodes: [clean], name: "c" });
    await assert.rejects(
      p.run({} as Any),
      {
        name: "InputError",
        message: 'Cannot run pipeline "c" as input "text" is missing: pass it in inputs or bind it',
      },
    );
  });

  it("Pipeline.run() rejects inputs no node reads", async () => {
    const p = new Pipeline({ nodes: [clean], name: "c" });
    await assert.rejects(
      p.run({ text: "a", txet: "b" } as Any),
      (e: unknown) =>
        e instanceof InputError && JSON.stringify(e.unknown) === '["txet"]' &&
        /no node reads "txet": pass only "text"/.test(e.message),
    );
  });

  it("Pipeline.run() rejects a value for an output, naming its producer", async () => {
    const p = new Pipeline({ nodes: [clean, count], name: "c" });
    await assert.rejects(
      p.run({ text: "a", cleaned: "b" } as Any),
      (e: unknown) =>
        e instanceof InputError && /"cleaned" is an output of node "cleaned"/.test(e.message),
    );
  });

  it("Pipeline.run() rejects inputs that are not an object with TypeError", async () => {
    const p = new Pipeline({ nodes: [clean] });
    await assert.rejects(p.run(null as Any), TypeError);
    await assert.rejects(p.run([] as Any), TypeError);
    await assert.rejects(p.run("text" as Any), TypeError);
  });

  it("Pipeline.run() lets defaults apply when optional inputs are left out", async () => {
    const greet = node(
      { output: "msg" },
      ({ who, lang = "en" }: { who: string; lang?: string }) => `${lang}:${who}`,
    );
    const p = new Pipeline({ nodes: [greet] });
    assert.deepEqual(await p.run({ who: "ann" }), { msg: "en:ann" });
    assert.deepEqual(await p.run({ who: "ann", lang: "de" }), { msg: "de:ann" });
  });

  it("Pipeline.run() requires an input when one reader has no default for it", async () => {
    const a = node({ output: "a" }, ({ k = 1 }: { k?: number }) => k);
    const b = node({ output: "b" }, ({ k }: { k: number }) => k);
    const p = new Pipeline({ nodes: [a, b], name: "d" });
    assert.deepEqual(p.graph.requiredInputs, ["k"]);
    await assert.rejects(p.run({} as Any), InputError);
    assert.deepEqual(await p.run({} as Any, { outputs: ["a"] }), { a: 1 });
  });

  it("Pipeline.run() passes an explicit undefined through to the node", async () => {
    const a = node({ output: "a" }, ({ k = 1 }: { k?: number }) => k);
    const b = node({ output: "b" }, ({ v }: { v: unknown }) => v === undefined);
    const p = new Pipeline({ nodes: [a, b] });
    assert.deepEqual(await p.run({ k: undefined, v: undefined }), { a: 1, b: true });
  });

  it("Pipeline.run() handles inputs and outputs named like Object.prototype members", async () => {
    const n = node(
      { output: ["valueOf", "hasOwnProperty"] },
      ({ constructor, toString }: { constructor: number; toString: number }) =>
        [constructor + toString, constructor * toString] as const,
    );
    const p = new Pipeline({ nodes: [n], name: "proto" });
    assert.deepEqual(p.inputs, ["constructor", "toString"]);
    assert.deepEqual(await p.run({ constructor: 2, toString: 3 }), {
      valueOf: 5,
      hasOwnProperty: 6,
    });
    await assert.rejects(
      p.run({ constructor: 2 } as Any),
      (e: unknown) => e instanceof InputError && JSON.stringify(e.missing) === '["toString"]',
    );
    const bound = p.bind({ toString: 4 });
    // `as Any`: TypeScript sees Object.prototype.toString on the literal.
    assert.deepEqual(await bound.run({ constructor: 1 } as Any), { valueOf: 5, hasOwnProperty: 4 });
  });
});

describe("Pipeline.bind() / unbind()", () => {
  const greet = node(
    { output: "msg" },
    ({ who, lang }: { who: string; lang: string }) => `${lang}:${who}`,
  );
  const p = new Pipeline({ nodes: [greet], name: "greet" });

  it("Pipeline.bind() returns a new pipeline and leaves the original unchanged", async () => {
    const q = p.bind({ lang: "en" });
    assert.notEqual(q, p);
    assert.deepEqual(q.bound, { lang: "en" });
    assert.deepEqual(p.bound, {});
    assert.ok(Object.isFrozen(q.bound));
    assert.deepEqual(await q.run({ who: "ann" }), { msg: "en:ann" });
    await assert.rejects(p.run({ who: "ann" } as Any), InputError);
  });

  it("Pipeline.bind() values are overridden by run inputs", async () => {
    assert.deepEqual(await p.bind({ lang: "en" }).run({ who: "b", lang: "fr" }), { msg: "fr:b" });
  });

  it("Pipeline.bind() merges with earlier bindings", async () => {
    const q = p.bind({ lang: "en" }).bind({ who: "x" });
    assert.deepEqual(q.bound, { lang: "en", who: "x" });
    assert.deepEqual(await q.run({}), { msg: "en:x" });
    assert.deepEqual(q.bind({ lang: "de" }).bound, { lang: "de", who: "x" });
  });

  it("Pipeline.bind() rejects names that are not root inputs", () => {
    assert.throws(() => p.bind({ nope: 1 } as Any), InputError);
  });

  it("Pipeline.unbind() drops named bindings, or all without names", async () => {
    const q = p.bind({ lang: "en", who: "x" });
    const r = q.unbind("lang");
    assert.deepEqual(r.bound, { who: "x" });
    assert.deepEqual(q.bound, { lang: "en", who: "x" });
    assert.deepEqual(q.unbind().bound, {});
    await assert.rejects(
      r.run({} as Any),
      (e: unknown) => e instanceof InputError && JSON.stringify(e.missing) === '["lang"]',
    );
  });

  it("Pipeline.bind() keeps name and engine", () => {
    const engine = new HyperNodesEngine();
    const q = new Pipeline({ nodes: [greet], name: "g", engine }).bind({ lang: "en" });
    assert.equal(q.name, "g");
    assert.equal(q.engine, engine);
    assert.equal(q.unbind().engine, engine);
  });

  it("Pipeline.withEngine() returns a new pipeline with that engine and the same bindings", () => {
    const engine = new HyperNodesEngine();
    const q = p.bind({ lang: "en" }).withEngine(engine);
    assert.equal(q.engine, engine);
    assert.deepEqual(q.bound, { lang: "en" });
    assert.equal(p.engine, undefined);
  });

  it("Pipeline.bind() values are used by map too", async () => {
    const out = await p.bind({ lang: "en" }).map({ who: ["a", "b"] }, { mapOver: "who" });
    assert.deepEqual(out, [{ msg: "en:a" }, { msg: "en:b" }]);
  });
});

describe("Pipeline.run() engine choice", () => {
  it("Pipeline.run() uses the call's engine over the pipeline's", async () => {
    const used: string[] = [];
    const spy = (label: string): Any => {
      const inner = new HyperNodesEngine();
      return {
        name: label,
        run: (p: Any, i: Any, o: Any) => (used.push(label), inner.run(p, i, o)),
        map: (p: Any, i: Any, o: Any) => (used.push(label), inner.map(p, i, o)),
      };
    };
    const p = new Pipeline({ nodes: [clean], engine: spy("own") });
    await p.run({ text: "a" });
    await p.run({ text: "a" }, { engine: spy("call") });
    await p.map({ text: ["a"] }, { mapOver: "text" });
    assert.deepEqual(used, ["own", "call", "own"]);
  });
});
