import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { after, describe, it } from "node:test";
import type { Callback } from "../../src/core/callback.ts";
import { ExecutorError, NodeExecutionError } from "../../src/core/errors.ts";
import type { Executor } from "../../src/core/executor.ts";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { MemoryCache } from "../../src/core/memory_cache.ts";
import { registerErrorClass } from "../../src/workers/_errors.ts";
import { ParallelExecutor, ThreadedExecutor } from "../../src/workers/mod.ts";
import {
  asyncMath,
  blocking,
  crashing,
  echoing,
  leaking,
  makeLocal,
  math,
  napping,
  nested,
} from "./_pipelines.ts";
import { QuotaError } from "./_quota_error.ts";

registerErrorClass(QuotaError);

const owned: AsyncDisposable[] = [];
after(() => Promise.all(owned.map((e) => e[Symbol.asyncDispose]())));
function own<T extends AsyncDisposable>(x: T): T {
  owned.push(x);
  return x;
}
const threaded = own(new ThreadedExecutor({ concurrency: 4, workers: 2 }));
const parallel = own(new ParallelExecutor({ workers: 2 }));
const sequential = new HyperNodesEngine();
const xs = [0, 1, 2, 4, 5, 6, 7, 8, 9, 11];

function isError(cls: new (...a: never[]) => Error, pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e}`);
    assert.match((e as Error).message, pattern);
    return true;
  };
}

for (const [label, executor] of [["threaded", threaded], ["parallel", parallel]] as const) {
  describe(`${label} executor`, () => {
    it("map() returns what the sequential map returns", async () => {
      const engine = new HyperNodesEngine({ mapExecutor: executor as Executor });
      const want = await math.map({ x: xs }, { mapOver: "x", engine: sequential });
      assert.deepEqual(await math.map({ x: xs }, { mapOver: "x", engine }), want);
    });

    it("run() with it as nodeExecutor returns what the sequential run returns", async () => {
      const engine = new HyperNodesEngine({ nodeExecutor: executor as Executor });
      assert.deepEqual(await math.run({ x: 4 }, { engine }), await math.run({ x: 4 }));
      assert.deepEqual(
        await nested.run({ xs: [1, 2] }, { engine }),
        await nested.run({ xs: [1, 2] }),
      );
    });

    it("map() runs nested pipelines inside worker items", async () => {
      const engine = new HyperNodesEngine({ mapExecutor: executor as Executor });
      const inputs = { xs: [[1, 2], [4], []] };
      assert.deepEqual(
        await nested.map(inputs, { mapOver: "xs", engine }),
        await nested.map(inputs, { mapOver: "xs", engine: sequential }),
      );
    });

    it("map() of thousands of items returns every value as the sequential map does", async () => {
      const engine = new HyperNodesEngine({ mapExecutor: executor as Executor });
      const numbers = Array.from({ length: 3000 }, (_, i) => i % 7 === 0 ? -i / 3 : i * 1e12);
      numbers.push(-0, NaN, Infinity, -Infinity, Number.MIN_VALUE, 2 ** 53 + 2);
      const mixed = [...numbers.slice(0, 100), "a", null, undefined, { n: 1 }, 7n];
      for (const v of [numbers, mixed]) {
        const out = await echoing.map({ v }, { mapOver: "v", engine });
        assert.deepStrictEqual(out, v.map((x) => ({ same: x })));
      }
      assert.deepStrictEqual(
        await math.map({ x: numbers.slice(0, 2000) }, { mapOver: "x", engine }),
        await math.map({ x: numbers.slice(0, 2000) }, { mapOver: "x", engine: sequential }),
      );
    });

    it("map() keeps the error class, fields, cause and item of a failing node", async () => {
      const engine = new HyperNodesEngine({ mapExecutor: executor as Executor });
      const out = await math.map({ x: [1, 3] }, { mapOver: "x", engine, errors: "collect" });
      const error = out[1] as NodeExecutionError;
      assert.ok(error instanceof NodeExecutionError, `got ${error}`);
      assert.equal(error.node, "scale");
      assert.equal(error.pipeline, "math");
      assert.equal(error.item, 1);
      assert.ok(error.cause instanceof QuotaError);
      assert.equal((error.cause as QuotaError).limit, 7);
      assert.ok((error.cause as Error).cause instanceof TypeError);
    });
  });
}

describe("Worker executors", () => {
  it("map() with nodeExecutor async and mapExecutor parallel matches sequential", async () => {
    const engine = new HyperNodesEngine({ nodeExecutor: "async", mapExecutor: parallel });
    assert.deepEqual(
      await asyncMath.map({ x: xs }, { mapOver: "x", engine }),
      await asyncMath.map({ x: xs }, { mapOver: "x", engine: sequential }),
    );
  });

  it("map() rejects the items of a crashed worker with their index; the next map works", async () => {
    const p = own(new ParallelExecutor({ workers: 1 }));
    const engine = new HyperNodesEngine({ mapExecutor: p });
    const out = await math.map({ x: [1, 2, -1, 4] }, { mapOver: "x", engine, errors: "collect" });
    assert.ok(out[2] instanceof ExecutorError, `got ${out[2]}`);
    assert.match((out[2] as Error).message, /item.* 2\b.*"math"/);
    assert.equal((out[2] as ExecutorError).item, 2);
    await assert.rejects(
      math.map({ x: [1, -1] }, { mapOver: "x", engine }),
      isError(ExecutorError, /Cannot complete item.*"math".*exited/),
    );
    assert.deepEqual(
      await math.map({ x: xs }, { mapOver: "x", engine }),
      await math.map({ x: xs }, { mapOver: "x", engine: sequential }),
    );
  });

  it("map() rejects with signal.reason when aborted while a worker blocks", async () => {
    const p = own(new ParallelExecutor({ workers: 1 }));
    const controller = new AbortController();
    const reason = new Error("stop");
    const onNodeStart = () => controller.abort(reason);
    const engine = new HyperNodesEngine({ mapExecutor: p, callbacks: [{ onNodeStart }] });
    await assert.rejects(
      blocking.map({ ms: [60_000, 1] }, { mapOver: "ms", engine, signal: controller.signal }),
      (e) => e === reason,
    );
    assert.deepEqual(await blocking.map({ ms: [1, 2] }, { mapOver: "ms", engine }), [
      { done: 1 },
      { done: 2 },
    ]);
  });

  it("map() names the node, item and type of an output that cannot be cloned", async () => {
    const engine = new HyperNodesEngine({ mapExecutor: parallel });
    const out = await leaking.map({ x: [1, 2] }, { mapOver: "x", engine, errors: "collect" });
    assert.deepEqual(out[0], { f: 1 });
    assert.ok(isError(ExecutorError, /item 1.*function/)(out[1]));
    assert.match((out[1] as Error).message, /node "leaky"/);
    assert.match((out[1] as Error).message, /function/);
  });

  it("run() names the node and type of an input that cannot be cloned", async () => {
    const engine = new HyperNodesEngine({ nodeExecutor: threaded });
    await assert.rejects(
      math.run({ x: (() => 1) as unknown as number }, { engine }),
      isError(ExecutorError, /node "(scale|shift)".*input "x" is a function/),
    );
  });

  it("a pool of N workers starts at most N workers over several maps", async () => {
    const p = own(new ParallelExecutor({ workers: 2 }));
    const engine = new HyperNodesEngine({ mapExecutor: p });
    for (let i = 0; i < 4; i++) await math.map({ x: xs }, { mapOver: "x", engine });
    assert.ok(p.started <= 2, `started ${p.started}`);
  });

  it("events of worker items reach a main-thread callback", async () => {
    const seen: string[] = [];
    const cb: Callback = {
      onMapItemStart: (e) => seen.push(`start ${e.item}`),
      onMapItemEnd: (e) => seen.push(`end ${e.item}`),
      onNodeEnd: (e) => seen.push(`${e.node} ${e.item}`),
    };
    const engine = new HyperNodesEngine({ mapExecutor: parallel, callbacks: [cb] });
    await math.map({ x: [1, 2] }, { mapOver: "x", engine });
    for (const want of ["start 0", "end 0", "start 1", "end 1", "scale 0", "square 1"]) {
      assert.ok(seen.includes(want), `missing ${want} in ${seen.join("; ")}`);
    }
  });

  it("a node defined inside a function fails with a clear error", async () => {
    const engine = new HyperNodesEngine({ mapExecutor: parallel });
    await assert.rejects(
      makeLocal().map({ x: [1] }, { mapOver: "x", engine }),
      isError(ExecutorError, /node "y".*define nodes at module top level.*import\.meta\.main/),
    );
  });

  it("the process exits by itself after close()", async () => {
    const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
    const child = new URL("./_executor_child.ts", import.meta.url).pathname;
    const [exe, args] = deno
      ? [deno.execPath(), ["run", "-A", "--no-check", child]]
      : [process.execPath, [child]];
    const { code, out } = await new Promise<{ code: number | null; out: string }>((ok, ko) => {
      const proc = spawn(exe, args, { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      proc.stdout.on("data", (chunk) => out += chunk);
      // A bound, not a timing assertion: a child that hangs must fail this test.
      const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
      proc.on("error", ko);
      proc.on("close", (code) => (clearTimeout(timer), ok({ code, out })));
    });
    assert.equal(code, 0);
    assert.match(out, /items=3/);
  });
});

describe("Worker executors: retries", () => {
  /** Shared run counters the workers write to (one slot per x). */
  const counters = () => ({
    runs: new Int32Array(new SharedArrayBuffer(64)),
    crashes: new Int32Array(new SharedArrayBuffer(4)),
  });

  for (
    const make of [
      (retries: number) => new ParallelExecutor({ workers: 2, retries }),
      (retries: number) => new ThreadedExecutor({ concurrency: 2, workers: 2, retries }),
    ]
  ) {
    it(`${make(0).name}: map() sends items whose worker died to a fresh worker up to retries times`, async () => {
      const p = own(make(1));
      const engine = new HyperNodesEngine({ mapExecutor: p });
      const shared = counters();
      assert.deepEqual(await crashing.map({ x: [1, 2, 4], ...shared }, { mapOver: "x", engine }), [
        { y: 10 },
        { y: 20 },
        { y: 40 },
      ]);
      assert.equal(Atomics.load(shared.runs, 2), 2, "item x = 2 ran twice");
      assert.equal(Atomics.load(shared.crashes, 0), 2);
    });

    it(`${make(0).name}: map() never retries by default`, async () => {
      const engine = new HyperNodesEngine({ mapExecutor: own(make(0)) });
      const shared = counters();
      const out = await crashing.map({ x: [1, 2], ...shared }, {
        mapOver: "x",
        engine,
        errors: "collect",
      });
      assert.deepEqual(out[0], { y: 10 });
      assert.ok(isError(ExecutorError, /item 1 of pipeline "crashing".*set retries/)(out[1]));
      assert.equal(Atomics.load(shared.runs, 2), 1);
    });

    it(`${make(0).name}: map() does not retry errors thrown by nodes`, async () => {
      const engine = new HyperNodesEngine({ mapExecutor: own(make(3)) });
      const shared = counters();
      const out = await crashing.map({ x: [3], ...shared }, {
        mapOver: "x",
        engine,
        errors: "collect",
      });
      assert.ok(out[0] instanceof NodeExecutionError, `got ${out[0]}`);
      assert.equal(Atomics.load(shared.runs, 3), 1);
    });

    it(`${make(0).name}: map() fails an item whose worker dies every time, after retries`, async () => {
      const engine = new HyperNodesEngine({ mapExecutor: own(make(2)) });
      const shared = counters();
      const out = await crashing.map({ x: [-1, 1], ...shared }, {
        mapOver: "x",
        engine,
        errors: "collect",
      });
      assert.ok(isError(ExecutorError, /item 0 .*exited with code 3.*sent 3 times/)(out[0]));
      assert.deepEqual(out[1], { y: 10 });
      assert.equal(Atomics.load(shared.runs, 0), 3);
    });
  }

  it("run() with a node executor retries a node whose worker died", async () => {
    const engine = new HyperNodesEngine({
      nodeExecutor: own(new ThreadedExecutor({ retries: 1 })),
    });
    const shared = counters();
    assert.deepEqual(await crashing.run({ x: 2, ...shared }, { engine }), { y: 20 });
    assert.equal(Atomics.load(shared.runs, 2), 2);
  });
});

describe("Worker executors: cancellation", () => {
  for (const cache of [undefined, new MemoryCache()]) {
    it(
      `map() in throw mode stops the other items of its workers without terminating them${
        cache ? " (with a cache)" : ""
      }`,
      async () => {
        const p = own(new ParallelExecutor({ workers: 2 }));
        const engine = new HyperNodesEngine({ mapExecutor: p, cache });
        await napping.map({ ms: [1, 1] }, { mapOver: "ms", engine }); // both workers are up
        await assert.rejects(
          napping.map({ ms: [-1, 60_000, 60_001, 60_002] }, { mapOver: "ms", engine }),
          isError(NodeExecutionError, /negative nap/),
        );
        assert.deepEqual(await napping.map({ ms: [1, 2] }, { mapOver: "ms", engine }), [
          { slept: 1 },
          { slept: 2 },
        ]);
        assert.equal(p.started, 2, "no worker was replaced");
      },
    );
  }
});
