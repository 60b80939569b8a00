import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AsyncExecutor,
  type Callback,
  type ExecuteAllOptions,
  type Executor,
  ExecutorError,
  executorLoader,
  HyperNodesEngine,
  type Node,
  node,
  NodeExecutionError,
  Pipeline,
  SequentialExecutor,
  type Task,
  type TaskSpec,
} from "../../mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** A promise with its resolve function exposed. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Whether `p` settles within `turns` microtask turns. Used as a bounded guard:
 * a node that waits for another node to have started gives up (instead of
 * deadlocking) when the executor runs one node at a time.
 */
async function within(p: Promise<unknown>, turns = 200): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < turns && !done; i++) await Promise.resolve();
  return done;
}

/** Two independent nodes, each waiting (boundedly) for the other to have started. */
function rendezvous(): { pipeline: Pipeline; overlapped: boolean[] } {
  const started = { a: deferred(), b: deferred() };
  const overlapped: boolean[] = [];
  const a = node({ output: "a" }, async ({ x }: { x: number }) => {
    started.a.resolve();
    overlapped.push(await within(started.b.promise));
    return x + 1;
  });
  const b = node({ output: "b" }, async ({ x }: { x: number }) => {
    started.b.resolve();
    overlapped.push(await within(started.a.promise));
    return x + 2;
  });
  const sum = node({ output: "sum" }, ({ a, b }: { a: number; b: number }) => a + b);
  return { pipeline: new Pipeline({ nodes: [a, b, sum] }), overlapped };
}

/** A node that counts how many copies of itself are in flight. */
function inFlightCounter(): { n: Node<{ x: number }, { y: number }>; max: () => number } {
  let now = 0;
  let max = 0;
  const n = node({ output: "y" }, async ({ x }: { x: number }) => {
    max = Math.max(max, ++now);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    now--;
    return x;
  });
  return { n, max: () => max };
}

describe("HyperNodesEngine executors", () => {
  it("HyperNodesEngine() with nodeExecutor async overlaps independent nodes", async () => {
    const { pipeline, overlapped } = rendezvous();
    const engine = new HyperNodesEngine({ nodeExecutor: "async" });
    assert.deepEqual(await pipeline.run({ x: 1 }, { engine }), { a: 2, b: 3, sum: 5 });
    assert.deepEqual(overlapped, [true, true]);
  });

  it("HyperNodesEngine() with nodeExecutor sequential runs one node at a time", async () => {
    const { pipeline, overlapped } = rendezvous();
    assert.deepEqual(await pipeline.run({ x: 1 }, { engine: new HyperNodesEngine() }), {
      a: 2,
      b: 3,
      sum: 5,
    });
    assert.deepEqual(overlapped, [false, true]);
  });

  it("HyperNodesEngine() with mapExecutor async overlaps map items", async () => {
    const starts = [deferred(), deferred()];
    const overlapped: boolean[] = [];
    const n = node({ output: "y" }, async ({ i }: { i: number }) => {
      starts[i].resolve();
      overlapped[i] = await within(starts[1 - i].promise);
      return i;
    });
    const engine = new HyperNodesEngine({ mapExecutor: "async" });
    const out = await new Pipeline({ nodes: [n] }).map({ i: [0, 1] }, { mapOver: "i", engine });
    assert.deepEqual(out, [{ y: 0 }, { y: 1 }]);
    assert.deepEqual(overlapped, [true, true]);
  });

  it("HyperNodesEngine() honours the concurrency limit for map items", async () => {
    const { n, max } = inFlightCounter();
    const engine = new HyperNodesEngine({ mapExecutor: "async", concurrency: 3 });
    const out = await new Pipeline({ nodes: [n] }).map({ x: [1, 2, 3, 4, 5, 6, 7, 8] }, {
      mapOver: "x",
      engine,
    });
    assert.equal(out.length, 8);
    assert.equal(max(), 3);
  });

  it("HyperNodesEngine() honours an AsyncExecutor's concurrency for nodes", async () => {
    let now = 0;
    let max = 0;
    const mk = (o: string) =>
      node({ output: o }, async ({ x }: { x: number }) => {
        max = Math.max(max, ++now);
        for (let i = 0; i < 20; i++) await Promise.resolve();
        now--;
        return x;
      });
    const p = new Pipeline({ nodes: [mk("a"), mk("b"), mk("c"), mk("d")] });
    const engine = new HyperNodesEngine({ nodeExecutor: new AsyncExecutor({ concurrency: 2 }) });
    assert.deepEqual(await p.run({ x: 1 }, { engine }), { a: 1, b: 1, c: 1, d: 1 });
    assert.equal(max, 2);
  });

  it("HyperNodesEngine() runs sync pipelines with async executors too", async () => {
    const a = node({ output: "a" }, ({ x }: { x: number }) => x + 1);
    const b = node({ output: "b" }, ({ a }: { a: number }) => a * 2);
    const engine = new HyperNodesEngine({ nodeExecutor: "async", mapExecutor: "async" });
    const p = new Pipeline({ nodes: [a, b] });
    assert.deepEqual(await p.run({ x: 1 }, { engine }), { a: 2, b: 4 });
    assert.deepEqual(await p.map({ x: [1, 2] }, { mapOver: "x", engine, outputs: ["b"] }), [
      { b: 4 },
      { b: 6 },
    ]);
  });

  it("HyperNodesEngine() with nodeExecutor async stops starting nodes after a failure", async () => {
    let ran = false;
    const boom = node(
      { output: "a", name: "boom" },
      async ({ x }: { x: number }): Promise<number> => {
        await Promise.resolve();
        throw new Error(`bad ${x}`);
      },
    );
    const after = node({ output: "b" }, ({ a }: { a: number }) => (ran = true, a));
    const engine = new HyperNodesEngine({ nodeExecutor: "async" });
    await assert.rejects(
      new Pipeline({ nodes: [boom, after] }).run({ x: 1 }, { engine }),
      (e: unknown) => e instanceof NodeExecutionError && e.node === "boom",
    );
    assert.equal(ran, false);
  });
});

describe("Executor contract", () => {
  /** An executor that records the spec of every task and runs it here. */
  function recording(concurrency = 1): Executor & { specs: TaskSpec[] } {
    const specs: TaskSpec[] = [];
    return {
      name: "recording",
      concurrency,
      specs,
      execute<R>(task: Task<R>): Promise<R> {
        specs.push(task.spec);
        return Promise.resolve(task.run());
      },
    };
  }

  it("Executor.execute() receives node tasks described as plain data", async () => {
    const ex = recording();
    const a = node({ output: "a" }, ({ x }: { x: number }) => x + 1);
    const b = node({ output: "b" }, ({ a, k = 2 }: { a: number; k?: number }) => a * k);
    const p = new Pipeline({ nodes: [a, b], name: "plain" });
    assert.deepEqual(
      await p.run({ x: 1 }, { engine: new HyperNodesEngine({ nodeExecutor: ex }) }),
      {
        a: 2,
        b: 4,
      },
    );
    assert.equal(ex.specs.length, 2);
    const [s0, s1] = ex.specs;
    assert.equal(s0.kind, "node");
    assert.equal(s0.pipeline, p);
    assert.equal(s0.kind === "node" && s0.node, "a");
    assert.deepEqual({ ...s0.inputs }, { x: 1 });
    assert.deepEqual({ ...s1.inputs }, { a: 2 });
    // Everything but the pipeline reference survives structured cloning (a Worker boundary).
    for (const s of ex.specs) {
      const { pipeline, ...rest } = s;
      assert.deepEqual(structuredClone(rest), { ...rest, inputs: { ...rest.inputs } });
      assert.equal(pipeline.name, "plain");
    }
  });

  it("Executor.execute() receives map item tasks described as plain data", async () => {
    const ex = recording(2);
    const a = node({ output: "a" }, ({ x, k }: { x: number; k: number }) => x * k);
    const p = new Pipeline({ nodes: [a], name: "items" });
    const engine = new HyperNodesEngine({ mapExecutor: ex });
    const out = await p.map({ x: [1, 2], k: 3 }, { mapOver: "x", engine, outputs: ["a"] });
    assert.deepEqual(out, [{ a: 3 }, { a: 6 }]);
    assert.equal(ex.specs.length, 2);
    ex.specs.forEach((s, i) => {
      assert.equal(s.kind, "item");
      if (s.kind !== "item") return;
      assert.equal(s.index, i);
      assert.equal(s.pipeline, p);
      assert.deepEqual({ ...s.inputs }, { x: i + 1, k: 3 });
      assert.deepEqual(s.outputs, ["a"]);
      assert.equal(s.nodeExecutor, "sequential");
      const { pipeline: _, ...rest } = s;
      assert.doesNotThrow(() => structuredClone(rest));
    });
  });

  it("Executor.executeAll() is used for map items when present", async () => {
    const calls: number[] = [];
    let executeCalls = 0;
    const batching: Executor = {
      name: "batching",
      concurrency: 4,
      execute<R>(task: Task<R>): Promise<R> {
        executeCalls++;
        return Promise.resolve(task.run());
      },
      async executeAll<R>(tasks: readonly Task<R>[], options: ExecuteAllOptions<R>) {
        calls.push(tasks.length);
        // Settle in reverse order: results must still come back in item order.
        for (let i = tasks.length - 1; i >= 0; i--) {
          try {
            options.onSettled(i, { ok: true, value: await tasks[i].run() });
          } catch (error) {
            options.onSettled(i, { ok: false, error });
          }
        }
      },
    };
    const n = node({ output: "y" }, ({ x }: { x: number }) => x * 10);
    const engine = new HyperNodesEngine({ mapExecutor: batching });
    const out = await new Pipeline({ nodes: [n] }).map({ x: [1, 2, 3] }, { mapOver: "x", engine });
    assert.deepEqual(out, [{ y: 10 }, { y: 20 }, { y: 30 }]);
    assert.deepEqual(calls, [3]);
    assert.equal(executeCalls, 0);
  });

  it("Executor.executeAll() failures reject map with the item's error, or are collected", async () => {
    const all: Executor = {
      name: "all",
      concurrency: 2,
      execute: <R>(t: Task<R>) => Promise.resolve(t.run()),
      async executeAll<R>(tasks: readonly Task<R>[], options: ExecuteAllOptions<R>) {
        for (let i = 0; i < tasks.length; i++) {
          try {
            options.onSettled(i, { ok: true, value: await tasks[i].run() });
          } catch (error) {
            options.onSettled(i, { ok: false, error });
          }
        }
      },
    };
    const n = node({ output: "y", name: "odd" }, ({ x }: { x: number }) => {
      if (x % 2) throw new Error("odd");
      return x;
    });
    const engine = new HyperNodesEngine({ mapExecutor: all });
    const p = new Pipeline({ nodes: [n] });
    await assert.rejects(
      p.map({ x: [0, 1, 2] }, { mapOver: "x", engine }),
      (e: unknown) => e instanceof NodeExecutionError && e.item === 1,
    );
    const out = await p.map({ x: [0, 1, 2] }, { mapOver: "x", engine, errors: "collect" });
    assert.deepEqual(out[0], { y: 0 });
    assert.ok(out[1] instanceof NodeExecutionError);
    assert.deepEqual(out[2], { y: 2 });
  });

  it("HyperNodesEngine() rejects bad executor options with TypeError", () => {
    assert.throws(
      () => new HyperNodesEngine({ nodeExecutor: "fast" as Any }),
      /nodeExecutor is "fast"/,
    );
    assert.throws(() => new HyperNodesEngine({ mapExecutor: {} as Any }), TypeError);
    assert.throws(() => new HyperNodesEngine({ mapExecutor: null as Any }), TypeError);
    assert.throws(
      () =>
        new HyperNodesEngine({ mapExecutor: { name: "x", concurrency: 0, execute() {} } as Any }),
      TypeError,
    );
    assert.throws(() => new AsyncExecutor({ concurrency: 0 }), RangeError);
    assert.throws(() => new AsyncExecutor({ concurrency: 1.5 }), RangeError);
    assert.throws(
      () => new HyperNodesEngine({ mapExecutor: "async", concurrency: -1 }),
      RangeError,
    );
  });

  it("HyperNodesEngine() reports an unregistered Worker executor alias as ExecutorError", async (t) => {
    if (executorLoader("threaded")) return t.skip("a Worker executor is registered");
    const engine = new HyperNodesEngine({ mapExecutor: "threaded" });
    const n = node({ output: "y" }, ({ x }: { x: number }) => x);
    await assert.rejects(
      new Pipeline({ nodes: [n] }).map({ x: [1] }, { mapOver: "x", engine }),
      ExecutorError,
    );
  });

  it("SequentialExecutor and AsyncExecutor run tasks and reject aborted ones", async () => {
    for (const ex of [new SequentialExecutor(), new AsyncExecutor()]) {
      const task = (v: number): Task<number> => ({
        spec: { kind: "node", pipeline: undefined as Any, node: "n", inputs: {} },
        run: () => v,
      });
      assert.equal(await ex.execute(task(3)), 3);
      const c = new AbortController();
      const reason = new Error("stop");
      c.abort(reason);
      await assert.rejects(ex.execute(task(1), { signal: c.signal }), (e) => e === reason);
      const throwing: Task<number> = {
        ...task(0),
        run: () => {
          throw new Error("sync");
        },
      };
      await assert.rejects(ex.execute(throwing), /sync/);
    }
  });
});

describe("cancellation", () => {
  const engines: [string, () => HyperNodesEngine][] = [
    ["sequential", () => new HyperNodesEngine()],
    ["async", () => new HyperNodesEngine({ nodeExecutor: "async", mapExecutor: "async" })],
  ];
  for (const [label, make] of engines) {
    it(`Pipeline.run() rejects with signal.reason and starts no further node (${label})`, async () => {
      const c = new AbortController();
      const reason = new Error("cancelled");
      const ran: string[] = [];
      const a = node({ output: "a" }, ({ x }: { x: number }) => {
        ran.push("a");
        c.abort(reason);
        return x;
      });
      const b = node({ output: "b" }, ({ a }: { a: number }) => (ran.push("b"), a));
      await assert.rejects(
        new Pipeline({ nodes: [a, b] }).run({ x: 1 }, { engine: make(), signal: c.signal }),
        (e) => e === reason,
      );
      assert.deepEqual(ran, ["a"]);
    });

    it(`Pipeline.run() rejects while a node is pending when aborted (${label})`, async () => {
      const c = new AbortController();
      const reason = new Error("cancelled");
      const started = deferred();
      const hang = node({ output: "a" }, async ({ x }: { x: number }) => {
        started.resolve();
        await new Promise(() => {});
        return x;
      });
      const run = new Pipeline({ nodes: [hang] }).run({ x: 1 }, {
        engine: make(),
        signal: c.signal,
      });
      await started.promise;
      c.abort(reason);
      await assert.rejects(run, (e) => e === reason);
    });

    it(`Pipeline.run() with an already aborted signal runs nothing (${label})`, async () => {
      let ran = false;
      const a = node({ output: "a" }, ({ x }: { x: number }) => (ran = true, x));
      const reason = new Error("early");
      await assert.rejects(
        new Pipeline({ nodes: [a] }).run({ x: 1 }, {
          engine: make(),
          signal: AbortSignal.abort(reason),
        }),
        (e) => e === reason,
      );
      await assert.rejects(
        new Pipeline({ nodes: [a] }).map({ x: [1] }, {
          mapOver: "x",
          engine: make(),
          signal: AbortSignal.abort(reason),
        }),
        (e) => e === reason,
      );
      assert.equal(ran, false);
    });

    it(`Pipeline.map() rejects with signal.reason and starts no further item (${label})`, async () => {
      const c = new AbortController();
      const reason = new Error("stop map");
      const ran: number[] = [];
      const n = node({ output: "y" }, ({ x }: { x: number }) => {
        ran.push(x);
        if (x === 1) c.abort(reason);
        return x;
      });
      const engine = label === "async"
        ? new HyperNodesEngine({ mapExecutor: "async", concurrency: 1 })
        : make();
      await assert.rejects(
        new Pipeline({ nodes: [n] }).map({ x: [0, 1, 2, 3] }, {
          mapOver: "x",
          engine,
          signal: c.signal,
          errors: "collect",
        }),
        (e) => e === reason,
      );
      assert.deepEqual(ran, [0, 1]);
    });
  }

  it("Pipeline.run() aborts nested pipelines too", async () => {
    const c = new AbortController();
    const reason = new Error("nested stop");
    const ran: number[] = [];
    const n = node({ output: "y" }, ({ x }: { x: number }) => {
      ran.push(x);
      if (x === 0) c.abort(reason);
      return x;
    });
    const inner = new Pipeline({ nodes: [n], name: "inner" }).asNode({ mapOver: "x" });
    await assert.rejects(
      new Pipeline({ nodes: [inner] }).run({ x: [0, 1, 2] }, { signal: c.signal }),
      (e) => e === reason,
    );
    assert.deepEqual(ran, [0]);
  });
});

describe("HyperNodesEngine lifecycle", () => {
  it("HyperNodesEngine.close() releases executors and leaves the engine usable", async () => {
    const engine = new HyperNodesEngine({ nodeExecutor: "async", mapExecutor: "async" });
    const n = node({ output: "y" }, ({ x }: { x: number }) => x);
    const p = new Pipeline({ nodes: [n] });
    assert.deepEqual(await p.run({ x: 1 }, { engine }), { y: 1 });
    await engine.close();
    await engine.close();
    assert.deepEqual(await p.map({ x: [2] }, { mapOver: "x", engine }), [{ y: 2 }]);
  });

  it("HyperNodesEngine.close() leaves executors passed in as objects open", async () => {
    let disposed = 0;
    const mine: Executor = {
      name: "mine",
      concurrency: 1,
      execute: <R>(t: Task<R>) => Promise.resolve(t.run()),
      [Symbol.asyncDispose]: () => (disposed++, Promise.resolve()),
    };
    const engine = new HyperNodesEngine({ mapExecutor: mine });
    await engine.close();
    assert.equal(disposed, 0);
  });

  it("HyperNodesEngine supports await using", async () => {
    let engineRef: HyperNodesEngine | undefined;
    {
      await using engine = new HyperNodesEngine({ mapExecutor: "async" });
      engineRef = engine;
      const n = node({ output: "y" }, ({ x }: { x: number }) => x + 1);
      assert.deepEqual(
        await new Pipeline({ nodes: [n], engine }).map({ x: [1] }, { mapOver: "x" }),
        [
          { y: 2 },
        ],
      );
    }
    assert.equal(typeof engineRef[Symbol.asyncDispose], "function");
  });
});

describe("callbacks", () => {
  type Rec = { hook: string; e: Any; runId: string };
  function recorder(): { cb: Callback; log: Rec[]; short: () => string[] } {
    const log: Rec[] = [];
    const hooks = [
      "onPipelineStart",
      "onPipelineEnd",
      "onNodeStart",
      "onNodeEnd",
      "onNodeError",
      "onNestedPipelineStart",
      "onNestedPipelineEnd",
      "onMapStart",
      "onMapItemStart",
      "onMapItemEnd",
      "onMapEnd",
    ];
    const cb: Any = { name: "recorder" };
    for (const h of hooks) cb[h] = (e: Any, ctx: Any) => log.push({ hook: h, e, runId: ctx.runId });
    const short = () =>
      log.map(({ hook, e }) =>
        `${hook}${e.node ? `:${e.node}` : ""}${e.item !== undefined ? `#${e.item}` : ""}${
          e.error ? "!" : ""
        }`
      );
    return { cb, log, short };
  }

  const a = node({ output: "a" }, ({ x }: { x: number }) => x + 1);
  const b = node({ output: "b" }, ({ a }: { a: number }) => a * 2);

  it("Callback hooks fire in order for run", async () => {
    const { cb, log, short } = recorder();
    await new Pipeline({ nodes: [a, b], name: "p" }).run({ x: 1 }, {
      engine: new HyperNodesEngine({ callbacks: [cb] }),
    });
    assert.deepEqual(short(), [
      "onPipelineStart",
      "onNodeStart:a",
      "onNodeEnd:a",
      "onNodeStart:b",
      "onNodeEnd:b",
      "onPipelineEnd",
    ]);
    const first = log[0].e;
    assert.equal(first.pipeline, "p");
    assert.equal(first.depth, 0);
    assert.deepEqual(first.path, ["p"]);
    assert.deepEqual(first.inputs, ["x"]);
    assert.ok(first.runId.length > 0);
    assert.ok(log.every((r) => r.e.runId === first.runId && r.runId === first.runId));
    assert.equal(typeof log[2].e.duration, "number");
    assert.equal(log[2].e.cached, false);
    // Events are plain data (they cross Worker boundaries).
    for (const r of log) assert.doesNotThrow(() => structuredClone(r.e));
  });

  it("Callback hooks fire in order for map, with item indices", async () => {
    const { cb, short } = recorder();
    await new Pipeline({ nodes: [a], name: "p" }).map({ x: [1, 2] }, {
      mapOver: "x",
      engine: new HyperNodesEngine({ callbacks: [cb] }),
    });
    assert.deepEqual(short(), [
      "onMapStart",
      "onMapItemStart#0",
      "onNodeStart:a#0",
      "onNodeEnd:a#0",
      "onMapItemEnd#0",
      "onMapItemStart#1",
      "onNodeStart:a#1",
      "onNodeEnd:a#1",
      "onMapItemEnd#1",
      "onMapEnd",
    ]);
  });

  it("Callback hooks see every item with async executors", async () => {
    const { cb, short } = recorder();
    await new Pipeline({ nodes: [a, b], name: "p" }).map({ x: [1, 2, 3] }, {
      mapOver: "x",
      engine: new HyperNodesEngine({
        callbacks: [cb],
        nodeExecutor: "async",
        mapExecutor: "async",
      }),
    });
    const s = short();
    assert.equal(s[0], "onMapStart");
    assert.equal(s.at(-1), "onMapEnd");
    for (const i of [0, 1, 2]) {
      const mine = s.filter((x) => x.endsWith(`#${i}`));
      assert.deepEqual(mine, [
        `onMapItemStart#${i}`,
        `onNodeStart:a#${i}`,
        `onNodeEnd:a#${i}`,
        `onNodeStart:b#${i}`,
        `onNodeEnd:b#${i}`,
        `onMapItemEnd#${i}`,
      ]);
    }
  });

  it("Callback hooks record depth and path in nested pipelines", async () => {
    const { cb, log, short } = recorder();
    const inner = new Pipeline({ nodes: [a], name: "inner" });
    const outer = new Pipeline({
      nodes: [inner.asNode({ name: "nest" }), b],
      name: "outer",
    });
    await outer.run({ x: 1 }, { engine: new HyperNodesEngine({ callbacks: [cb] }) });
    assert.deepEqual(short(), [
      "onPipelineStart",
      "onNestedPipelineStart:nest",
      "onPipelineStart",
      "onNodeStart:a",
      "onNodeEnd:a",
      "onPipelineEnd",
      "onNestedPipelineEnd:nest",
      "onNodeStart:b",
      "onNodeEnd:b",
      "onPipelineEnd",
    ]);
    const innerStart = log[2].e;
    assert.equal(innerStart.pipeline, "inner");
    assert.equal(innerStart.depth, 1);
    assert.deepEqual(innerStart.path, ["outer", "nest"]);
    assert.equal(log[3].e.depth, 1);
    assert.equal(log[1].e.depth, 0);
    assert.equal(log[1].e.inner, "inner");
    assert.ok(log.every((r) => r.e.runId === log[0].e.runId));
  });

  it("Callback hooks reach a nested pipeline that has its own engine", async () => {
    const { cb, log } = recorder();
    const inner = new Pipeline({ nodes: [a], name: "inner", engine: new HyperNodesEngine() });
    await new Pipeline({ nodes: [inner], name: "outer" }).run({ x: 1 }, {
      engine: new HyperNodesEngine({ callbacks: [cb] }),
    });
    const nodeStart = log.find((r) => r.hook === "onNodeStart");
    assert.equal(nodeStart?.e.depth, 1);
    assert.deepEqual(nodeStart?.e.path, ["outer", "inner"]);
  });

  it("Callback end hooks fire with the error when a node fails", async () => {
    const { cb, log, short } = recorder();
    const boom = node({ output: "a", name: "boom" }, ({ x }: { x: number }): number => {
      throw new Error(`bad ${x}`);
    });
    await assert.rejects(
      new Pipeline({ nodes: [boom, b] }).run({ x: 1 }, {
        engine: new HyperNodesEngine({ callbacks: [cb] }),
      }),
      NodeExecutionError,
    );
    assert.deepEqual(short(), [
      "onPipelineStart",
      "onNodeStart:boom",
      "onNodeError:boom!",
      "onNodeEnd:boom!",
      "onPipelineEnd!",
    ]);
    assert.ok(log[2].e.error instanceof NodeExecutionError);
  });

  it("Callback end hooks fire with the error for a failing map item", async () => {
    const { cb, short } = recorder();
    const boom = node({ output: "a", name: "boom" }, ({ x }: { x: number }): number => {
      if (x === 2) throw new Error("two");
      return x;
    });
    await assert.rejects(
      new Pipeline({ nodes: [boom] }).map({ x: [1, 2] }, {
        mapOver: "x",
        engine: new HyperNodesEngine({ callbacks: [cb] }),
      }),
      NodeExecutionError,
    );
    assert.deepEqual(short(), [
      "onMapStart",
      "onMapItemStart#0",
      "onNodeStart:boom#0",
      "onNodeEnd:boom#0",
      "onMapItemEnd#0",
      "onMapItemStart#1",
      "onNodeStart:boom#1",
      "onNodeError:boom#1!",
      "onNodeEnd:boom#1!",
      "onMapItemEnd#1!",
      "onMapEnd!",
    ]);
  });

  it("Callback that throws does not break the run", async () => {
    const { cb, short } = recorder();
    const bad: Callback = {
      name: "bad",
      onNodeStart() {
        throw new Error("callback bug");
      },
    };
    const original = console.error;
    const reported: unknown[][] = [];
    console.error = (...args: unknown[]) => void reported.push(args);
    try {
      const out = await new Pipeline({ nodes: [a, b] }).run({ x: 1 }, {
        engine: new HyperNodesEngine({ callbacks: [bad, cb] }),
      });
      assert.deepEqual(out, { a: 2, b: 4 });
    } finally {
      console.error = original;
    }
    assert.equal(reported.length, 2);
    assert.match(String(reported[0][0]), /bad threw in onNodeStart/);
    assert.equal(short().length, 6);
  });
});
