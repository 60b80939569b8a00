import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Engine,
  type Executor,
  HyperNodesEngine,
  InputError,
  node,
  NodeExecutionError,
  Pipeline,
  PipelineDefinitionError,
  PipelineNode,
  type Task,
} from "../../mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const count = node(
  { output: "word_count" },
  ({ text }: { text: string }) => text.split(" ").length,
);
const upper = node({ output: "shout" }, ({ text }: { text: string }) => text.toUpperCase());
const inner = new Pipeline({ nodes: [count, upper], name: "doc" });
const total = node(
  { output: "total" },
  ({ counts }: { counts: number[] }) => counts.reduce((a, b) => a + b, 0),
);

/** An engine that records which pipelines it ran and delegates. */
function spyEngine(label: string, log: string[]): Engine {
  const real = new HyperNodesEngine();
  return {
    name: label,
    run: (p, i, o) => (log.push(`${label}:run:${p.name}`), real.run(p, i, o)),
    map: (p, i, o) => (log.push(`${label}:map:${p.name}`), real.map(p, i, o)),
  };
}

describe("Pipeline.asNode()", () => {
  it("Pipeline.asNode() exposes inner inputs and outputs under their own names by default", async () => {
    const n = inner.asNode();
    assert.ok(n instanceof PipelineNode);
    assert.equal(n.kind, "pipeline");
    assert.equal(n.name, "doc");
    assert.deepEqual(n.inputs, ["text"]);
    assert.deepEqual(n.outputs, ["word_count", "shout"]);
    const outer = new Pipeline({ nodes: [n] });
    assert.deepEqual(await outer.run({ text: "a b" }), { word_count: 2, shout: "A B" });
  });

  it("Pipeline.asNode() renames inputs with inputMapping { outer: inner }", async () => {
    const n = inner.asNode({ name: "per", inputMapping: { doc: "text" } });
    assert.deepEqual(n.inputs, ["doc"]);
    const outer = new Pipeline({ nodes: [n] });
    assert.deepEqual(outer.inputs, ["doc"]);
    assert.deepEqual(await outer.run({ doc: "x y z" }), { word_count: 3, shout: "X Y Z" });
  });

  it("Pipeline.asNode() exposes only mapped outputs with outputMapping { inner: outer }", async () => {
    const n = inner.asNode({ outputMapping: { word_count: "n" } });
    assert.deepEqual(n.outputs, ["n"]);
    const outer = new Pipeline({ nodes: [n] });
    assert.deepEqual(await outer.run({ text: "a b" }), { n: 2 });
  });

  it("Pipeline.asNode() with mapOver maps the inner pipeline and returns arrays", async () => {
    const perDoc = inner.asNode({
      name: "per_doc",
      inputMapping: { docs: "text" },
      outputMapping: { word_count: "counts" },
      mapOver: "docs",
    });
    const outer = new Pipeline({ nodes: [perDoc, total], name: "corpus" });
    assert.deepEqual(await outer.run({ docs: ["a b", "c", "d e f"] }), {
      counts: [2, 1, 3],
      total: 6,
    });
    assert.deepEqual(await outer.run({ docs: [] }), { counts: [], total: 0 });
  });

  it("Pipeline.asNode() with mapOver broadcasts the inputs it does not map over", async () => {
    const scale = node({ output: "y" }, ({ x, k }: { x: number; k: number }) => x * k);
    const n = new Pipeline({ nodes: [scale], name: "s" }).asNode({
      mapOver: "xs",
      inputMapping: { xs: "x" },
      outputMapping: { y: "ys" },
    });
    const outer = new Pipeline({ nodes: [n] });
    assert.deepEqual(await outer.run({ xs: [1, 2, 3], k: 10 }), { ys: [10, 20, 30] });
  });

  it("Pipeline.asNode() with mapOver and mode product combines every pair", async () => {
    const pair = node({ output: "p" }, ({ a, b }: { a: string; b: string }) => a + b);
    const n = new Pipeline({ nodes: [pair], name: "pairs" }).asNode({
      mapOver: ["a", "b"],
      mode: "product",
    });
    const out = await new Pipeline({ nodes: [n] }).run({ a: ["1", "2"], b: ["x", "y"] });
    assert.deepEqual(out, { p: ["1x", "1y", "2x", "2y"] });
  });

  it("Pipeline.asNode() computes only the inner outputs used downstream", async () => {
    const ran: string[] = [];
    const a = node({ output: "a" }, ({ x }: { x: number }) => (ran.push("a"), x + 1));
    const b = node({ output: "b" }, ({ x }: { x: number }) => (ran.push("b"), x * 2));
    const n = new Pipeline({ nodes: [a, b], name: "ab" }).asNode();
    const useA = node({ output: "c" }, ({ a }: { a: number }) => a * 10);
    const outer = new Pipeline({ nodes: [n, useA] });
    assert.deepEqual(await outer.run({ x: 1 }, { outputs: ["c"] }), { c: 20 });
    assert.deepEqual(ran, ["a"]);
    ran.length = 0;
    assert.deepEqual(await outer.run({ x: 1 }, { outputs: ["b"] }), { b: 2 });
    assert.deepEqual(ran, ["b"]);
  });

  it("Pipeline.asNode() computes only used inner outputs inside a map too", async () => {
    const ran: string[] = [];
    const a = node({ output: "a" }, ({ x }: { x: number }) => (ran.push("a"), x + 1));
    const b = node({ output: "b" }, ({ x }: { x: number }) => (ran.push("b"), x * 2));
    const n = new Pipeline({ nodes: [a, b], name: "ab" }).asNode({
      mapOver: "x",
      outputMapping: { b: "bs" },
    });
    assert.deepEqual(await new Pipeline({ nodes: [n] }).run({ x: [1, 2] }), { bs: [2, 4] });
    assert.deepEqual(ran, ["b", "b"]);
  });

  it("Pipeline.asNode() makes bound and defaulted inner inputs optional outside", async () => {
    const greet = node(
      { output: "msg" },
      ({ who, lang, end = "!" }: { who: string; lang: string; end?: string }) =>
        `${lang}:${who}${end}`,
    );
    const n = new Pipeline({ nodes: [greet], name: "g" }).bind({ lang: "en" }).asNode();
    assert.deepEqual(n.inputs, ["who", "lang", "end"]);
    assert.deepEqual(n.optionalInputs, ["lang", "end"]);
    const outer = new Pipeline({ nodes: [n] });
    assert.deepEqual(await outer.run({ who: "ann" }), { msg: "en:ann!" });
    assert.deepEqual(await outer.run({ who: "ann", lang: "de", end: "." }), { msg: "de:ann." });
    await assert.rejects(
      outer.run({} as Any),
      (e: unknown) => e instanceof InputError && JSON.stringify(e.missing) === '["who"]',
    );
  });

  it("Pipeline.asNode() does not treat inputs named like Object.prototype members as bound", () => {
    const n = node({ output: "y" }, ({ toString }: { toString: number }) => toString);
    const pn = new Pipeline({ nodes: [n], name: "proto" }).asNode();
    assert.deepEqual(pn.optionalInputs, []);
  });

  it("Pipeline.asNode() is the same node every time it is put in a pipeline", async () => {
    const n = inner.asNode({ outputMapping: { word_count: "n" } });
    const a = new Pipeline({ nodes: [n] });
    const b = new Pipeline({ nodes: [n] });
    assert.deepEqual(await a.run({ text: "a" }), await b.run({ text: "a" }));
  });
});

describe("Pipeline.asNode() definition errors", () => {
  it("Pipeline.asNode() rejects an inputMapping to an unknown inner input", () => {
    assert.throws(
      () => inner.asNode({ inputMapping: { doc: "txt" as Any } }),
      (e: unknown) =>
        e instanceof PipelineDefinitionError && /"txt", which is not an input/.test(e.message) &&
        /map to one of "text"/.test(e.message),
    );
  });

  it("Pipeline.asNode() rejects an outputMapping of an unknown inner output", () => {
    assert.throws(
      () => inner.asNode({ outputMapping: { nope: "x" } as Any }),
      (e: unknown) =>
        e instanceof PipelineDefinitionError && /"nope", which is not an output/.test(e.message),
    );
  });

  it("Pipeline.asNode() rejects a mapOver name that is not an outer input", () => {
    assert.throws(
      () => inner.asNode({ inputMapping: { docs: "text" }, mapOver: "text" as Any }),
      (e: unknown) =>
        e instanceof PipelineDefinitionError && /mapOver names "text"/.test(e.message),
    );
  });

  it("Pipeline.asNode() rejects a mode other than zip or product with TypeError", () => {
    assert.throws(() => inner.asNode({ mapOver: "text", mode: "x" as Any }), TypeError);
  });

  it("Pipeline.asNode() rejects an inputMapping that gives two inner inputs one outer name", () => {
    const add = node({ output: "s" }, ({ a, b }: { a: number; b: number }) => a + b);
    const p = new Pipeline({ nodes: [add], name: "add" });
    assert.throws(() => p.asNode({ inputMapping: { b: "a" } }), PipelineDefinitionError);
    assert.throws(() => p.asNode({ inputMapping: { x: "a", y: "a" } }), PipelineDefinitionError);
  });

  it("Pipeline.asNode() rejects an outputMapping that gives two outputs one outer name", () => {
    assert.throws(
      () => inner.asNode({ outputMapping: { word_count: "x", shout: "x" } }),
      PipelineDefinitionError,
    );
  });

  it("Pipeline.asNode() rejects outer names that are not valid names with TypeError", () => {
    assert.throws(() => inner.asNode({ outputMapping: { word_count: 3 as Any } }), TypeError);
    assert.throws(() => inner.asNode({ name: "has space" }), TypeError);
  });
});

describe("nested pipeline execution", () => {
  it("new Pipeline() wraps pipelines given directly in nodes", async () => {
    const outer = new Pipeline({
      nodes: [
        inner,
        node({ output: "twice" }, ({ word_count }: { word_count: number }) => word_count * 2),
      ],
    });
    assert.equal(outer.nodes[0].kind, "pipeline");
    assert.equal(outer.nodes[0].name, "doc");
    assert.deepEqual(await outer.run({ text: "a b c" }), {
      word_count: 3,
      shout: "A B C",
      twice: 6,
    });
  });

  it("nested pipelines nest several levels deep", async () => {
    const lvl1 = new Pipeline({ nodes: [count], name: "l1" });
    const lvl2 = new Pipeline({
      nodes: [lvl1.asNode({ outputMapping: { word_count: "n" } })],
      name: "l2",
    });
    const lvl3 = new Pipeline({
      nodes: [lvl2.asNode({ mapOver: "text", outputMapping: { n: "ns" } })],
      name: "l3",
    });
    assert.deepEqual(await lvl3.run({ text: ["a", "b c"] }), { ns: [1, 2] });
  });

  it("a nested pipeline keeps its own engine", async () => {
    const log: string[] = [];
    const own = new Pipeline({ nodes: [count], name: "own", engine: spyEngine("inner", log) });
    const outer = new Pipeline({ nodes: [own.asNode()], name: "outer" });
    await outer.run({ text: "a" }, { engine: spyEngine("outer", log) });
    assert.deepEqual(log, ["outer:run:outer", "inner:run:own"]);
  });

  it("a nested pipeline without an engine inherits the parent's executors", async () => {
    const outerSpecs: string[] = [];
    const innerSpecs: string[] = [];
    const recording = (log: string[]): Executor => ({
      name: "recording",
      concurrency: 4,
      execute<R>(task: Task<R>): Promise<R> {
        const s = task.spec;
        log.push(
          s.kind === "item" ? `${s.pipeline.name}#${s.index}` : `${s.pipeline.name}.${s.node}`,
        );
        return Promise.resolve(task.run());
      },
    });
    const bare = new Pipeline({ nodes: [count], name: "bare" });
    const outer = new Pipeline({ nodes: [bare.asNode({ mapOver: "text" })], name: "outer" });
    const parent = new HyperNodesEngine({ mapExecutor: recording(outerSpecs) });
    assert.deepEqual(await outer.run({ text: ["a", "b c"] }, { engine: parent }), {
      word_count: [1, 2],
    });
    assert.deepEqual(outerSpecs, ["bare#0", "bare#1"]);

    // With its own engine, the inner map goes through the inner engine's executor instead.
    outerSpecs.length = 0;
    const own = bare.withEngine(new HyperNodesEngine({ mapExecutor: recording(innerSpecs) }));
    const outer2 = new Pipeline({ nodes: [own.asNode({ mapOver: "text" })], name: "outer2" });
    assert.deepEqual(await outer2.run({ text: ["a"] }, { engine: parent }), { word_count: [1] });
    assert.deepEqual(outerSpecs, []);
    assert.deepEqual(innerSpecs, ["bare#0"]);
  });

  it("a failing inner node rejects the outer run with the inner node's error", async () => {
    const boom = node({ output: "y", name: "boom" }, ({ x }: { x: number }): number => {
      throw new Error(`bad ${x}`);
    });
    const n = new Pipeline({ nodes: [boom], name: "innerp" }).asNode({ mapOver: "x" });
    await assert.rejects(
      new Pipeline({ nodes: [n], name: "outer" }).run({ x: [1, 2] }),
      (e: unknown) =>
        e instanceof NodeExecutionError && e.node === "boom" && e.pipeline === "innerp" &&
        e.item === 0,
    );
  });

  it("a nested map inside an outer map runs per outer item", async () => {
    const n = inner.asNode({ mapOver: "text", outputMapping: { word_count: "counts" } });
    const outer = new Pipeline({ nodes: [n, total] });
    const out = await outer.map({ text: [["a", "b c"], ["d e f"]] }, { mapOver: "text" });
    assert.deepEqual(out, [{ counts: [1, 2], total: 3 }, { counts: [3], total: 3 }]);
  });
});
