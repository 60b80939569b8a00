// End-to-end caching through the engine (DESIGN §5, issue 4): per-node and
// per-item caching with MemoryCache and DiskCache, on Deno, Bun and Node.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  type Cache,
  cacheKey,
  type Callback,
  type Executor,
  HyperNodesEngine,
  MemoryCache,
  node,
  NodeExecutionError,
  Pipeline,
  type Task,
} from "../../mod.ts";
import { DiskCache } from "../../src/disk_cache/mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** Call counts by name. */
function counter(): { calls: Record<string, number>; tick: (n: string) => void } {
  const calls: Record<string, number> = {};
  return { calls, tick: (n) => void (calls[n] = (calls[n] ?? 0) + 1) };
}

/** A callback that records `hook:node` (or `hook:item`) lines and the raw events. */
function recorder(): { cb: Callback; log: string[]; events: Record<string, Any[]> } {
  const log: string[] = [];
  const events: Record<string, Any[]> = {};
  const hooks = [
    "onNodeStart",
    "onNodeEnd",
    "onNodeCached",
    "onMapItemStart",
    "onMapItemEnd",
    "onMapItemCached",
    "onNestedPipelineStart",
  ];
  const cb: Record<string, unknown> = { name: "recorder" };
  for (const h of hooks) {
    cb[h] = (e: Any) => {
      (events[h] ??= []).push(e);
      log.push(`${h}:${e.node ?? ""}${e.item === undefined ? "" : `#${e.item}`}`);
    };
  }
  return { cb: cb as Callback, log, events };
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "hn-caching-"));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Every entry file under a DiskCache folder. */
async function entryFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of await readdir(dir)) {
    for (const f of await readdir(join(dir, shard))) {
      if (!f.endsWith(".tmp")) out.push(join(dir, shard, f));
    }
  }
  return out.sort();
}

describe("caching: basic", () => {
  it("a second identical run calls no node and returns equal outputs", async () => {
    const { calls, tick } = counter();
    const double = node({ output: "d" }, ({ x }: { x: number }) => (tick("double"), x * 2));
    const inc = node({ output: "y" }, ({ d }: { d: number }) => (tick("inc"), d + 1));
    const p = new Pipeline({ nodes: [double, inc], name: "basic" });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), callbacks: [rec.cb] });
    assert.deepEqual(await p.run({ x: 5 }, { engine }), { d: 10, y: 11 });
    assert.deepEqual(calls, { double: 1, inc: 1 });
    rec.log.length = 0;
    assert.deepEqual(await p.run({ x: 5 }, { engine }), { d: 10, y: 11 });
    assert.deepEqual(calls, { double: 1, inc: 1 });
    assert.deepEqual(rec.log, ["onNodeCached:d", "onNodeCached:y"]);
  });

  it("onNodeCached carries the signature, the same one every run", async () => {
    const f = node({ output: "y" }, ({ x }: { x: number }) => x + 1);
    const p = new Pipeline({ nodes: [f], name: "sig" });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), callbacks: [rec.cb] });
    await p.run({ x: 1 }, { engine });
    await p.run({ x: 1 }, { engine });
    await p.run({ x: 1 }, { engine });
    const sigs = rec.events.onNodeCached.map((e) => e.signature);
    assert.equal(sigs.length, 2);
    assert.match(sigs[0], /^[0-9a-f]{32}$/);
    assert.equal(sigs[0], sigs[1]);
    assert.equal(rec.events.onNodeCached[0].node, "y");
    assert.equal(rec.events.onNodeCached[0].pipeline, "sig");
  });

  it("without a cache nothing is cached", async () => {
    const { calls, tick } = counter();
    const f = node({ output: "y" }, ({ x }: { x: number }) => (tick("f"), x + 1));
    const p = new Pipeline({ nodes: [f] });
    const engine = new HyperNodesEngine();
    await p.run({ x: 1 }, { engine });
    await p.run({ x: 1 }, { engine });
    assert.equal(calls.f, 2);
  });

  it("an input change invalidates only the nodes that depend on it", async () => {
    const { calls, tick } = counter();
    const fa = node({ output: "a2" }, ({ a }: { a: number }) => (tick("fa"), a * 2));
    const fb = node({ output: "b2" }, ({ b }: { b: number }) => (tick("fb"), b * 2));
    const sum = node({ output: "s" }, ({ a2, b2 }: { a2: number; b2: number }) => (
      tick("sum"), a2 + b2
    ));
    const p = new Pipeline({ nodes: [fa, fb, sum] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    assert.equal((await p.run({ a: 1, b: 1 }, { engine })).s, 4);
    assert.equal((await p.run({ a: 1, b: 2 }, { engine })).s, 6);
    assert.deepEqual(calls, { fa: 1, fb: 2, sum: 2 });
    assert.equal((await p.run({ a: 1, b: 1 }, { engine })).s, 4);
    assert.deepEqual(calls, { fa: 1, fb: 2, sum: 2 });
  });

  it("diamond a→b, a→c, b+c→d: every node hits on the second run", async () => {
    const { calls, tick } = counter();
    const a = node({ output: "a" }, ({ x }: { x: number }) => (tick("a"), x + 1));
    const b = node({ output: "b" }, ({ a }: { a: number }) => (tick("b"), a * 2));
    const c = node({ output: "c" }, ({ a }: { a: number }) => (tick("c"), a * 3));
    const d = node({ output: "d" }, ({ b, c }: { b: number; c: number }) => (tick("d"), b + c));
    const p = new Pipeline({ nodes: [d, c, b, a], name: "diamond" });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), callbacks: [rec.cb] });
    assert.deepEqual(await p.run({ x: 1 }, { engine }), { a: 2, b: 4, c: 6, d: 10 });
    rec.log.length = 0;
    assert.deepEqual(await p.run({ x: 1 }, { engine }), { a: 2, b: 4, c: 6, d: 10 });
    assert.deepEqual(calls, { a: 1, b: 1, c: 1, d: 1 });
    assert.deepEqual(rec.log.sort(), [
      "onNodeCached:a",
      "onNodeCached:b",
      "onNodeCached:c",
      "onNodeCached:d",
    ]);
  });

  it("requesting a subset of outputs hits entries made by a full run", async () => {
    const { calls, tick } = counter();
    const a = node({ output: "a" }, ({ x }: { x: number }) => (tick("a"), x + 1));
    const b = node({ output: "b" }, ({ a }: { a: number }) => (tick("b"), a * 2));
    const p = new Pipeline({ nodes: [a, b] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    await p.run({ x: 1 }, { engine });
    assert.deepEqual(await p.run({ x: 1 }, { engine, outputs: ["b"] }), { b: 4 });
    assert.deepEqual(calls, { a: 1, b: 1 });
  });
});

describe("caching: cache: false", () => {
  it("a cache: false node always runs; its downstream hits while its value is unchanged", async () => {
    const { calls, tick } = counter();
    const state = { offset: 0 };
    const a = node({ output: "a" }, ({ x }: { x: number }) => (tick("a"), x + 1));
    const b = node(
      { output: "b", cache: false },
      ({ a }: { a: number }) => (tick("b"), a + state.offset),
    );
    const c = node({ output: "c" }, ({ b }: { b: number }) => (tick("c"), b * 10));
    const p = new Pipeline({ nodes: [a, b, c] });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), callbacks: [rec.cb] });
    assert.equal((await p.run({ x: 1 }, { engine })).c, 20);
    rec.log.length = 0;
    assert.equal((await p.run({ x: 1 }, { engine })).c, 20);
    assert.deepEqual(calls, { a: 1, b: 2, c: 1 });
    assert.deepEqual(rec.log, [
      "onNodeCached:a",
      "onNodeStart:b",
      "onNodeEnd:b",
      "onNodeCached:c",
    ]);
    state.offset = 5;
    assert.equal((await p.run({ x: 1 }, { engine })).c, 70);
    assert.deepEqual(calls, { a: 1, b: 3, c: 2 });
  });

  it("a nested pipeline node with cache: false reruns, its inner nodes still cache", async () => {
    const { calls, tick } = counter();
    const f = node({ output: "y" }, ({ x }: { x: number }) => (tick("f"), x + 1));
    const inner = new Pipeline({ nodes: [f], name: "inner" });
    const outer = new Pipeline({ nodes: [inner.asNode({ name: "nest", cache: false })] });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), callbacks: [rec.cb] });
    await outer.run({ x: 1 }, { engine });
    rec.log.length = 0;
    assert.deepEqual(await outer.run({ x: 1 }, { engine }), { y: 2 });
    assert.equal(calls.f, 1);
    assert.deepEqual(rec.log, ["onNestedPipelineStart:nest", "onNodeCached:y"]);
  });
});

describe("caching: nested pipelines", () => {
  it("a whole nested pipeline node hits: no inner node runs", async () => {
    const { calls, tick } = counter();
    const dbl = node({ output: "d" }, ({ v }: { v: number }) => (tick("dbl"), v * 2));
    const inc = node({ output: "e" }, ({ d }: { d: number }) => (tick("inc"), d + 1));
    const inner = new Pipeline({ nodes: [dbl, inc], name: "inner" });
    const prep = node({ output: "v" }, ({ x }: { x: number }) => (tick("prep"), x + 100));
    const fin = node({ output: "out" }, ({ e }: { e: number }) => (tick("fin"), -e));
    const outer = new Pipeline({
      nodes: [prep, inner.asNode({ name: "nest", outputMapping: { e: "e" } }), fin],
      name: "outer",
    });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), callbacks: [rec.cb] });
    assert.deepEqual(await outer.run({ x: 1 }, { engine }), { v: 101, e: 203, out: -203 });
    rec.log.length = 0;
    assert.deepEqual(await outer.run({ x: 1 }, { engine }), { v: 101, e: 203, out: -203 });
    assert.deepEqual(calls, { prep: 1, dbl: 1, inc: 1, fin: 1 });
    assert.deepEqual(rec.log, ["onNodeCached:v", "onNodeCached:nest", "onNodeCached:out"]);
  });

  it("when outer inputs change partially, inner nodes hit or miss one by one", async () => {
    const { calls, tick } = counter();
    const na = node({ output: "a2" }, ({ a }: { a: number }) => (tick("na"), a * 2));
    const nb = node({ output: "b2" }, ({ b }: { b: number }) => (tick("nb"), b * 2));
    const inner = new Pipeline({ nodes: [na, nb], name: "inner2" });
    const outer = new Pipeline({ nodes: [inner.asNode({ name: "nest" })], name: "outer2" });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), callbacks: [rec.cb] });
    assert.deepEqual(await outer.run({ a: 1, b: 1 }, { engine }), { a2: 2, b2: 2 });
    rec.log.length = 0;
    assert.deepEqual(await outer.run({ a: 1, b: 2 }, { engine }), { a2: 2, b2: 4 });
    assert.deepEqual(calls, { na: 1, nb: 2 });
    assert.deepEqual(rec.log, [
      "onNestedPipelineStart:nest",
      "onNodeCached:a2",
      "onNodeStart:b2",
      "onNodeEnd:b2",
    ]);
    // The inner pipeline run on its own shares the inner entries.
    assert.deepEqual(await inner.run({ a: 1, b: 2 }, { engine }), { a2: 2, b2: 4 });
    assert.deepEqual(calls, { na: 1, nb: 2 });
  });

  it("a nested node with mapOver caches per item inside", async () => {
    const { calls, tick } = counter();
    const sq = node({ output: "sq" }, ({ n }: { n: number }) => (tick("sq"), n * n));
    const inner = new Pipeline({ nodes: [sq], name: "sq" });
    const sum = node({ output: "total" }, ({ sqs }: { sqs: number[] }) => (
      tick("sum"), sqs.reduce((a, b) => a + b, 0)
    ));
    const per = inner.asNode({
      name: "per",
      inputMapping: { ns: "n" },
      outputMapping: { sq: "sqs" },
      mapOver: "ns",
    });
    const outer = new Pipeline({ nodes: [per, sum], name: "sum_sq" });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    assert.equal((await outer.run({ ns: [1, 2, 3] }, { engine })).total, 14);
    assert.equal((await outer.run({ ns: [1, 2, 3] }, { engine })).total, 14);
    assert.deepEqual(calls, { sq: 3, sum: 1 });
    assert.equal((await outer.run({ ns: [1, 2, 3, 4] }, { engine })).total, 30);
    assert.deepEqual(calls, { sq: 4, sum: 2 });
  });

  it("two nested pipelines differing only in an inner node do not share entries", async () => {
    const i1 = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x + 1)] });
    const i2 = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x + 2)] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    const o1 = new Pipeline({ nodes: [i1.asNode({ name: "n" })] });
    const o2 = new Pipeline({ nodes: [i2.asNode({ name: "n" })] });
    assert.deepEqual(await o1.run({ x: 1 }, { engine }), { y: 2 });
    assert.deepEqual(await o2.run({ x: 1 }, { engine }), { y: 3 });
  });

  it("two nested pipelines differing only in bound values do not share entries", async () => {
    const f = node({ output: "y" }, ({ x, k }: { x: number; k: number }) => x * k);
    const base = new Pipeline({ nodes: [f], name: "scaled" });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    const o1 = new Pipeline({ nodes: [base.bind({ k: 2 }).asNode({ name: "n" })] });
    const o2 = new Pipeline({ nodes: [base.bind({ k: 3 }).asNode({ name: "n" })] });
    assert.deepEqual(await o1.run({ x: 5 }, { engine }), { y: 10 });
    assert.deepEqual(await o2.run({ x: 5 }, { engine }), { y: 15 });
  });
});

describe("caching: map", () => {
  it("adding items recomputes only the new ones; old items end with onMapItemCached", async () => {
    const { calls, tick } = counter();
    const sq = node({ output: "sq" }, ({ x }: { x: number }) => (tick("sq"), x * x));
    const neg = node({ output: "neg" }, ({ sq }: { sq: number }) => (tick("neg"), -sq));
    const p = new Pipeline({ nodes: [sq, neg], name: "items" });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), callbacks: [rec.cb] });
    await p.map({ x: [1, 2, 3] }, { mapOver: "x", engine });
    assert.deepEqual(calls, { sq: 3, neg: 3 });
    rec.log.length = 0;
    const out = await p.map({ x: [1, 2, 3, 4, 5] }, { mapOver: "x", engine });
    assert.deepEqual(out.map((r: Any) => r.neg), [-1, -4, -9, -16, -25]);
    assert.deepEqual(calls, { sq: 5, neg: 5 });
    const ends = rec.log.filter((l) => l.startsWith("onMapItem") && !l.includes("Start"));
    assert.deepEqual(ends, [
      "onMapItemCached:#0",
      "onMapItemCached:#1",
      "onMapItemCached:#2",
      "onMapItemEnd:#3",
      "onMapItemEnd:#4",
    ]);
    assert.equal(rec.events.onNodeCached.length, 6);
    assert.deepEqual(rec.events.onNodeCached.map((e) => e.item), [0, 0, 1, 1, 2, 2]);
  });

  it("an item with a cache: false node ends with onMapItemEnd even when the others hit", async () => {
    const a = node({ output: "a" }, ({ x }: { x: number }) => x + 1);
    const b = node({ output: "b", cache: false }, ({ a }: { a: number }) => a + 1);
    const p = new Pipeline({ nodes: [a, b] });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), callbacks: [rec.cb] });
    await p.map({ x: [1] }, { mapOver: "x", engine });
    rec.log.length = 0;
    await p.map({ x: [1] }, { mapOver: "x", engine });
    assert.ok(rec.log.includes("onMapItemEnd:#0"));
    assert.ok(!rec.log.includes("onMapItemCached:#0"));
  });

  it("items that succeeded before a failure stay cached (errors: throw, then rerun)", async () => {
    const { calls, tick } = counter();
    const state = { fail: true };
    const f = node({ output: "y" }, ({ x }: { x: number }) => {
      tick(`f${x}`);
      if (state.fail && x === 3) throw new Error("boom");
      return x * 10;
    });
    const p = new Pipeline({ nodes: [f], name: "flaky" });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    await assert.rejects(
      p.map({ x: [1, 2, 3, 4] }, { mapOver: "x", engine }),
      NodeExecutionError,
    );
    assert.deepEqual(calls, { f1: 1, f2: 1, f3: 1 });
    state.fail = false;
    const out = await p.map({ x: [1, 2, 3, 4] }, { mapOver: "x", engine });
    assert.deepEqual(out, [{ y: 10 }, { y: 20 }, { y: 30 }, { y: 40 }]);
    assert.deepEqual(calls, { f1: 1, f2: 1, f3: 2, f4: 1 });
  });

  it("errors: collect — failed items are not cached, good ones are", async () => {
    const { calls, tick } = counter();
    const state = { fail: true };
    const f = node({ output: "y" }, ({ x }: { x: number }) => {
      tick(`f${x}`);
      if (state.fail && x === 2) throw new Error("boom");
      return x;
    });
    const p = new Pipeline({ nodes: [f] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache(), mapExecutor: "async" });
    const first = await p.map({ x: [1, 2, 3] }, { mapOver: "x", engine, errors: "collect" });
    assert.ok(first[1] instanceof NodeExecutionError);
    state.fail = false;
    const second = await p.map({ x: [1, 2, 3] }, { mapOver: "x", engine, errors: "collect" });
    assert.deepEqual(second, [{ y: 1 }, { y: 2 }, { y: 3 }]);
    assert.deepEqual(calls, { f1: 1, f2: 2, f3: 1 });
    await engine.close();
  });

  it("a cache filled by the sequential executors is hit by async executors, and back", async () => {
    const { calls, tick } = counter();
    const a = node({ output: "a" }, ({ x }: { x: number }) => (tick("a"), x + 1));
    const b = node({ output: "b" }, ({ a }: { a: number }) => Promise.resolve((tick("b"), a * 2)));
    const c = node({ output: "c" }, ({ a }: { a: number }) => (tick("c"), a * 3));
    const d = node({ output: "d" }, ({ b, c }: { b: number; c: number }) => (tick("d"), b + c));
    const p = new Pipeline({ nodes: [a, b, c, d], name: "shared" });
    const cache = new MemoryCache();
    const seq = new HyperNodesEngine({ cache });
    const rec = recorder();
    const asy = new HyperNodesEngine({
      cache,
      nodeExecutor: "async",
      mapExecutor: "async",
      callbacks: [rec.cb],
    });
    try {
      const one = await p.run({ x: 1 }, { engine: seq });
      const many = await p.map({ x: [1, 2, 3] }, { mapOver: "x", engine: seq });
      assert.deepEqual(calls, { a: 3, b: 3, c: 3, d: 3 });
      assert.deepEqual(await p.run({ x: 1 }, { engine: asy }), one);
      assert.deepEqual(await p.map({ x: [1, 2, 3] }, { mapOver: "x", engine: asy }), many);
      assert.deepEqual(calls, { a: 3, b: 3, c: 3, d: 3 });
      assert.equal(rec.events.onNodeCached.length, 16);
      assert.equal(rec.events.onMapItemCached.length, 3);
      // New work through async is then hit by sequential.
      await p.map({ x: [7, 8] }, { mapOver: "x", engine: asy });
      assert.deepEqual(calls, { a: 5, b: 5, c: 5, d: 5 });
      await p.map({ x: [7, 8] }, { mapOver: "x", engine: seq });
      assert.deepEqual(calls, { a: 5, b: 5, c: 5, d: 5 });
    } finally {
      await asy.close();
      await seq.close();
    }
  });
});

/** Runs node tasks from their `spec` only, as a Worker executor does (never calls `run`). */
function specOnlyExecutor(): Executor & { ran: string[] } {
  const ran: string[] = [];
  return {
    name: "spec-only",
    concurrency: 4,
    ran,
    execute(task: Task): Promise<unknown> {
      const spec = task.spec;
      if (spec.kind !== "node") return Promise.resolve(task.run());
      const n = spec.pipeline.graph.order.find((g: Any) => g.name === spec.node) as Any;
      if (n.kind !== "node") return Promise.resolve(task.run());
      ran.push(spec.node);
      return Promise.resolve(n.fn(spec.inputs));
    },
  } as Executor & { ran: string[] };
}

describe("caching: executors that run the spec elsewhere", () => {
  it("a node executor that never calls run() still reads and fills the cache", async () => {
    const { calls, tick } = counter();
    const a = node({ output: "a" }, ({ x }: { x: number }) => (tick("a"), x + 1));
    const b = node({ output: "b" }, ({ a }: { a: number }) => (tick("b"), a * 2));
    const p = new Pipeline({ nodes: [a, b], name: "remote" });
    const cache = new MemoryCache();
    const remote = specOnlyExecutor();
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache, nodeExecutor: remote, callbacks: [rec.cb] });
    assert.deepEqual(await p.run({ x: 1 }, { engine }), { a: 2, b: 4 });
    assert.deepEqual(remote.ran, ["a", "b"]);
    assert.deepEqual(await p.run({ x: 1 }, { engine }), { a: 2, b: 4 });
    assert.deepEqual(remote.ran, ["a", "b"]);
    assert.deepEqual(calls, { a: 1, b: 1 });
    assert.equal(rec.events.onNodeCached.length, 2);
    // …and what it filled is hit by the sequential executor.
    await p.run({ x: 1 }, { engine: new HyperNodesEngine({ cache }) });
    assert.deepEqual(calls, { a: 1, b: 1 });
  });
});

describe("caching: code fingerprints", () => {
  it("two nodes with the same name and outputs but different bodies do not share entries", async () => {
    const { calls, tick } = counter();
    const f1 = node({ output: "y", name: "f" }, ({ x }: { x: number }) => (tick("f"), x + 1));
    const f2 = node({ output: "y", name: "f" }, ({ x }: { x: number }) => (tick("f"), x + 2));
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    assert.deepEqual(await new Pipeline({ nodes: [f1] }).run({ x: 1 }, { engine }), { y: 2 });
    assert.deepEqual(await new Pipeline({ nodes: [f2] }).run({ x: 1 }, { engine }), { y: 3 });
    assert.equal(calls.f, 2);
  });

  it("a version bump invalidates; the same version of the same function hits", async () => {
    const { calls, tick } = counter();
    const fn = ({ x }: { x: number }) => (tick("fn"), x + 1);
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    const v1 = new Pipeline({ nodes: [node({ output: "y", version: "1" }, fn)] });
    const v1b = new Pipeline({ nodes: [node({ output: "y", version: "1" }, fn)] });
    const v2 = new Pipeline({ nodes: [node({ output: "y", version: "2" }, fn)] });
    const none = new Pipeline({ nodes: [node({ output: "y" }, fn)] });
    await v1.run({ x: 1 }, { engine });
    await v1b.run({ x: 1 }, { engine });
    assert.equal(calls.fn, 1);
    await v2.run({ x: 1 }, { engine });
    assert.equal(calls.fn, 2);
    await none.run({ x: 1 }, { engine });
    assert.equal(calls.fn, 3);
  });

  it("a formatting-only change (spaces, line breaks, semicolons, quotes, comments) keeps the entries", async () => {
    const { calls, tick } = counter();
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    // deno-fmt-ignore
    const f1 = node({ output: "y" }, ({ x }: { x: number }) => { tick('f'); return [x + 1, 'one',][0] });
    // deno-fmt-ignore
    const f2 = node({ output: "y" }, ({ x }: { x: number }) => {
      tick("f"); // count the call
      /* add one */
      return [
        x + 1,
        "one",
      ][0];
    });
    assert.deepEqual(await new Pipeline({ nodes: [f1] }).run({ x: 1 }, { engine }), { y: 2 });
    assert.deepEqual(await new Pipeline({ nodes: [f2] }).run({ x: 1 }, { engine }), { y: 2 });
    assert.equal(calls.f, 1);
  });

  it("a different output name does not share entries", async () => {
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    const fn = ({ x }: { x: number }) => x + 1;
    const p1 = new Pipeline({ nodes: [node({ output: "y" }, fn)] });
    const p2 = new Pipeline({ nodes: [node({ output: ["y", "z"] }, fn)] });
    assert.deepEqual(await p1.run({ x: 1 }, { engine }), { y: 2 });
    await assert.rejects(p2.run({ x: 1 }, { engine }), NodeExecutionError);
  });
});

describe("caching: input hashing through the engine", () => {
  it('x: 1, "1" and true are three misses, then three hits', async () => {
    const { calls, tick } = counter();
    const f = node({ output: "t" }, ({ x }: { x: unknown }) => (tick("f"), typeof x));
    const p = new Pipeline({ nodes: [f] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    const xs = [1, "1", true, 1n];
    const first = [];
    for (const x of xs) first.push((await p.run({ x }, { engine })).t);
    assert.deepEqual(first, ["number", "string", "boolean", "bigint"]);
    assert.equal(calls.f, 4);
    const second = [];
    for (const x of xs) second.push((await p.run({ x }, { engine })).t);
    assert.deepEqual(second, first);
    assert.equal(calls.f, 4);
  });

  it("undefined and null results are cached and hit", async () => {
    const { calls, tick } = counter();
    const u = node({ output: "u" }, ({ x }: { x: number }) => {
      tick("u");
      return x > 100 ? x : undefined;
    });
    const n = node({ output: "n" }, ({ u }: { u: Any }) => (tick("n"), u ?? null));
    const p = new Pipeline({ nodes: [u, n] });
    for (const cache of [new MemoryCache(), new DiskCache(await tempDir())] as Cache[]) {
      const engine = new HyperNodesEngine({ cache });
      const before = { ...calls };
      assert.deepEqual(await p.run({ x: 1 }, { engine }), { u: undefined, n: null });
      const out = await p.run({ x: 1 }, { engine });
      assert.deepEqual(out, { u: undefined, n: null });
      assert.ok(Object.hasOwn(out, "u"));
      assert.equal(calls.u - (before.u ?? 0), 1, cache.name);
      assert.equal(calls.n - (before.n ?? 0), 1, cache.name);
    }
  });

  it("object key order of an input is ignored", async () => {
    const { calls, tick } = counter();
    const f = node({ output: "y" }, ({ cfg }: { cfg: Any }) => (
      tick("f"), cfg.a + cfg.b
    ));
    const p = new Pipeline({ nodes: [f] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    await p.run({ cfg: { a: 1, b: 2, nested: { p: 1, q: [1, 2] } } }, { engine });
    await p.run({ cfg: { nested: { q: [1, 2], p: 1 }, b: 2, a: 1 } }, { engine });
    assert.equal(calls.f, 1);
    await p.run({ cfg: { nested: { q: [2, 1], p: 1 }, b: 2, a: 1 } }, { engine });
    assert.equal(calls.f, 2);
  });

  it("class instances hash by public fields; _private and #private fields are ignored", async () => {
    class Point {
      x: number;
      y: number;
      _memo: unknown;
      #secret: number;
      constructor(x: number, y: number, memo: unknown, secret: number) {
        this.x = x;
        this.y = y;
        this._memo = memo;
        this.#secret = secret;
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
    const { calls, tick } = counter();
    const f = node({ output: "s" }, ({ p }: { p: { x: number; y: number } }) => (
      tick("f"), p.x + p.y
    ));
    const pipe = new Pipeline({ nodes: [f] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    await pipe.run({ p: new Point(1, 2, "a", 1) }, { engine });
    await pipe.run({ p: new Point(1, 2, { big: [1, 2, 3] }, 99) }, { engine });
    assert.equal(calls.f, 1);
    await pipe.run({ p: new Point(1, 3, "a", 1) }, { engine });
    assert.equal(calls.f, 2);
    // Same fields, other class: a different value.
    await pipe.run({ p: new Other(1, 2) }, { engine });
    assert.equal(calls.f, 3);
    // A plain object is not an instance either.
    await pipe.run({ p: { x: 1, y: 2 } }, { engine });
    assert.equal(calls.f, 4);
  });

  it("a [cacheKey]() method decides what an instance hashes as", async () => {
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
    const { calls, tick } = counter();
    const f = node({ output: "y" }, ({ model, x }: { model: Model; x: number }) => (
      tick("f"), `${model.id}:${x}`
    ));
    const p = new Pipeline({ nodes: [f] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    await p.run({ model: new Model("v1", [1, 2]), x: 1 }, { engine });
    assert.deepEqual(await p.run({ model: new Model("v1", [9, 9, 9]), x: 1 }, { engine }), {
      y: "v1:1",
    });
    assert.equal(calls.f, 1);
    await p.run({ model: new Model("v2", [1, 2]), x: 1 }, { engine });
    assert.equal(calls.f, 2);
    // A key holding a function is unhashable too: an error, not a silent hit.
    class Bad {
      [cacheKey](): unknown {
        return () => 1;
      }
    }
    await assert.rejects(p.run({ model: new Bad() as Any, x: 1 }, { engine }), NodeExecutionError);
  });

  it("Map, Set, Date and typed array inputs hash by content", async () => {
    const { calls, tick } = counter();
    const f = node({ output: "y" }, ({ v }: { v: unknown }) => (tick("f"), v !== undefined));
    const p = new Pipeline({ nodes: [f] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    const mk = () => ({
      m: new Map<unknown, unknown>([["a", 1], [2, new Set([1, 2])]]),
      d: new Date(5),
      t: new Float64Array([1, 2, 3]),
    });
    await p.run({ v: mk() }, { engine });
    await p.run({ v: mk() }, { engine });
    assert.equal(calls.f, 1);
    const changed = mk();
    changed.t[2] = 4;
    await p.run({ v: changed }, { engine });
    assert.equal(calls.f, 2);
  });

  it("an unhashable input (a function) is a NodeExecutionError naming node and input", async () => {
    const { calls, tick } = counter();
    const f = node(
      { output: "y", name: "apply" },
      ({ cb, x }: { cb: (n: number) => number; x: number }) => (tick("f"), cb(x)),
    );
    const p = new Pipeline({ nodes: [f], name: "unhashable" });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    await assert.rejects(p.run({ cb: (n: number) => n + 1, x: 1 }, { engine }), (e: Any) => {
      assert.ok(e instanceof NodeExecutionError);
      assert.match(e.message, /"apply"/);
      assert.match(e.message, /"cb"/);
      assert.match(e.message, /function/);
      assert.equal(e.node, "apply");
      return true;
    });
    assert.equal(calls.f, undefined);
    // In a map, the message names the item too; with cache: false it runs.
    await assert.rejects(
      p.map({ cb: (n: number) => n, x: [1, 2] }, { mapOver: "x", engine }),
      /item 0/,
    );
    const off = node(
      { output: "y", name: "apply", cache: false },
      ({ cb, x }: { cb: (n: number) => number; x: number }) => cb(x),
    );
    assert.deepEqual(
      await new Pipeline({ nodes: [off] }).run({ cb: (n: number) => n + 1, x: 1 }, { engine }),
      { y: 2 },
    );
  });

  it("an unhashable nested input deep inside an object names the input", async () => {
    const f = node({ output: "y" }, ({ opts }: { opts: Any }) => opts.k);
    const p = new Pipeline({ nodes: [f] });
    const engine = new HyperNodesEngine({ cache: new MemoryCache() });
    await assert.rejects(
      p.run({ opts: { k: 1, on: { done: () => 0 } } }, { engine }),
      (e: Any) =>
        e instanceof NodeExecutionError && /"opts"/.test(e.message) &&
        /opts\.on\.done/.test(e.message),
    );
  });
});

describe("caching: DiskCache through the engine", () => {
  it("an unstorable output warns and the node runs again next time (no crash)", async () => {
    class Box {
      v: number;
      constructor(v: number) {
        this.v = v;
      }
    }
    const { calls, tick } = counter();
    const mk = node({ output: "box", name: "make_box" }, ({ x }: { x: number }) => (
      tick("mk"), new Box(x)
    ));
    const use = node({ output: "y" }, ({ box }: { box: Box }) => (tick("use"), box.v + 1));
    const p = new Pipeline({ nodes: [mk, use] });
    const engine = new HyperNodesEngine({ cache: new DiskCache(await tempDir()) });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
    try {
      assert.equal((await p.run({ x: 1 }, { engine })).y, 2);
      assert.equal((await p.run({ x: 1 }, { engine })).y, 2);
    } finally {
      console.warn = warn;
    }
    assert.equal(calls.mk, 2);
    // The downstream node's result was storable: it hits, keyed by the upstream signature.
    assert.equal(calls.use, 1);
    assert.ok(warnings.length >= 1);
    assert.match(warnings[0], /"make_box"/);
  });

  it("values round-trip with their types through a DiskCache hit", async () => {
    const value = {
      when: new Date(Date.UTC(2020, 1, 2)),
      m: new Map([["k", new Set([1, 2])]]),
      t: new Float32Array([1.5, 2.5]),
      big: 12345678901234567890n,
      nan: NaN,
      u: undefined,
    };
    const f = node({ output: "v" }, ({ x }: { x: number }) => (x > 0 ? value : value));
    const p = new Pipeline({ nodes: [f] });
    const dir = await tempDir();
    await p.run({ x: 1 }, { engine: new HyperNodesEngine({ cache: new DiskCache(dir) }) });
    const rec = recorder();
    const engine = new HyperNodesEngine({ cache: new DiskCache(dir), callbacks: [rec.cb] });
    const out = await p.run({ x: 1 }, { engine });
    assert.equal(rec.events.onNodeCached.length, 1);
    assert.deepEqual(out.v, value);
    assert.notEqual(out.v, value);
  });

  it("a corrupt entry is a miss, the node runs, the entry is rewritten and then hits", async () => {
    const { calls, tick } = counter();
    const f = node({ output: "y" }, ({ x }: { x: number }) => (tick("f"), { list: [x, x] }));
    const p = new Pipeline({ nodes: [f] });
    const dir = await tempDir();
    const engine = new HyperNodesEngine({ cache: new DiskCache(dir) });
    await p.run({ x: 3 }, { engine });
    const files = await entryFiles(dir);
    assert.equal(files.length, 1);
    const good = await readFile(files[0]);
    for (const bad of [new Uint8Array([1, 2, 3]), good.subarray(0, good.length - 2)]) {
      await writeFile(files[0], bad);
      const before = calls.f;
      assert.deepEqual(await p.run({ x: 3 }, { engine }), { y: { list: [3, 3] } });
      assert.equal(calls.f, before + 1);
      assert.deepEqual(await readFile(files[0]), good);
      assert.deepEqual(await p.run({ x: 3 }, { engine }), { y: { list: [3, 3] } });
      assert.equal(calls.f, before + 1);
    }
    assert.deepEqual(await entryFiles(dir), files);
  });

  it("a map re-run with a fresh DiskCache object on the same folder hits every item", async () => {
    const { calls, tick } = counter();
    const f = node({ output: "y" }, ({ x }: { x: number }) => (tick("f"), x * 2));
    const p = new Pipeline({ nodes: [f] });
    const dir = await tempDir();
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const e1 = new HyperNodesEngine({ cache: new DiskCache(dir), mapExecutor: "async" });
    await p.map({ x: xs }, { mapOver: "x", engine: e1 });
    await e1.close();
    const rec = recorder();
    const e2 = new HyperNodesEngine({ cache: new DiskCache(dir), callbacks: [rec.cb] });
    const out = await p.map({ x: xs }, { mapOver: "x", engine: e2 });
    assert.deepEqual(out.map((r: Any) => r.y), xs.map((x) => x * 2));
    assert.equal(calls.f, 50);
    assert.equal(rec.events.onMapItemCached.length, 50);
  });
});

describe("caching: DiskCache across processes", () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const script = join(here, "_fixtures", "cache_child.ts");
  const Deno = (globalThis as Any).Deno;
  const exe: string = Deno ? Deno.execPath() : process.execPath;
  const pre: string[] = Deno ? ["run", "-A", "--quiet"] : [];

  function child(dir: string): Promise<{ results: Any; calls: Record<string, number> }> {
    return new Promise((resolve, reject) => {
      execFile(exe, [...pre, script, dir], { timeout: 120_000 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`child failed: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(String(stdout).trim().split("\n").pop()!));
        } catch (e) {
          reject(new Error(`bad child output: ${stdout}\n${stderr}\n${e}`));
        }
      });
    });
  }

  const expected = {
    plain: {
      cleaned: "hello big world",
      words: ["hello", "big", "world"],
      count: 3,
      when: "2024-01-03T00:00:00.000Z",
    },
    nested: { count: 3, scaled: { map: [["n", 30]] } },
    map: [
      { cleaned: "x", words: ["x"], count: 1, when: "2024-01-01T00:00:00.000Z" },
      { cleaned: "x y", words: ["x", "y"], count: 2, when: "2024-01-02T00:00:00.000Z" },
      { cleaned: "x y z", words: ["x", "y", "z"], count: 3, when: "2024-01-03T00:00:00.000Z" },
    ],
    nestedMap: { counts: [2, 1], total: 3 },
  };

  it("the first process computes, the second gets only hits (plain and nested fingerprints stable)", async () => {
    const dir = await tempDir();
    const first = await child(dir);
    assert.deepEqual(first.results, expected);
    assert.ok(first.calls.clean >= 1 && first.calls.total === 1 && first.calls.scale === 1);
    const second = await child(dir);
    assert.deepEqual(second.results, expected);
    assert.deepEqual(second.calls, {});
  });

  it("two processes writing one folder at once lose nothing: a third gets only hits", async () => {
    const dir = await tempDir();
    const [a, b] = await Promise.all([child(dir), child(dir)]);
    assert.deepEqual(a.results, expected);
    assert.deepEqual(b.results, expected);
    const third = await child(dir);
    assert.deepEqual(third.results, expected);
    assert.deepEqual(third.calls, {});
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith(".tmp")), []);
  });
});
