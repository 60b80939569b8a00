/**
 * The Engine contract: what every engine (HyperNodesEngine with any executors, QueueEngine)
 * must do with the same fixture pipelines: the same results as the sequential engine, item
 * order, per-item errors, aborts, callback events and per-item caching. Test files call
 * {@linkcode engineContract} with a factory; `_executor_suite.ts` builds on it.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Callback, CallbackHook } from "../../src/core/callback.ts";
import { callbackHooks } from "../../src/core/callback.ts";
import type { Engine } from "../../src/core/engine.ts";
import { NodeExecutionError } from "../../src/core/errors.ts";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { diamond, failing, nestedSum, reversed, waiting } from "./_fixtures/contract_pipelines.ts";

/** What a factory is asked for: callbacks to attach, and whether to configure a cache. */
export interface EngineContractOptions {
  /** Callbacks the engine must call. */
  callbacks?: Callback[];
  /** Configure a fresh, empty cache the engine's map items can use. */
  cache?: boolean;
}

/** Makes an engine for one case; `close` (or `Symbol.asyncDispose`) runs after the suite. */
export type EngineFactory = (options: EngineContractOptions) => Engine & {
  close?(): Promise<void>;
};

const sequential = new HyperNodesEngine();
const xs = [0, 1, 2, 4, 5, 6, 7, 8, 9];

/** Checks a NodeExecutionError of the `failing` fixture (x = 3). */
export function failingCheck(item?: number): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof NodeExecutionError, `expected a NodeExecutionError, got ${e}`);
    assert.equal(e.pipeline, "failing");
    assert.equal(e.node, "check");
    assert.equal(e.item, item);
    assert.ok(e.cause instanceof RangeError, `expected a RangeError cause, got ${e.cause}`);
    assert.equal(e.cause.message, "x 3 is out of range");
    assert.ok(e.cause.cause instanceof TypeError, "the cause's own cause is kept");
    return true;
  };
}

type Recorded = { hook: CallbackHook; event: Record<string, unknown> };

/** A callback that records every event it gets. */
export function recorder(): Callback & { events: Recorded[] } {
  const events: Recorded[] = [];
  const cb: Record<string, unknown> = { name: "recorder", events };
  for (const hook of callbackHooks) {
    cb[hook] = (event: Record<string, unknown>) => events.push({ hook, event });
  }
  return cb as unknown as Callback & { events: Recorded[] };
}

/** The events `rec` recorded for map item `item`, in order, as `hook node` lines. */
export function itemTrace(rec: { events: Recorded[] }, item: number): string[] {
  return rec.events.filter((e) => e.event.item === item).map((e) =>
    e.hook + (e.event.node ? ` ${e.event.node}` : "")
  );
}

/**
 * What {@linkcode itemTrace} must give for one item of a pipeline whose nodes run in the
 * order `nodes`, wherever the item runs (Worker, queue worker, main thread).
 */
export function expectedItemTrace(nodes: readonly string[]): string[] {
  return [
    "onMapItemStart",
    ...nodes.flatMap((node) => [`onNodeStart ${node}`, `onNodeEnd ${node}`]),
    "onMapItemEnd",
  ];
}

/**
 * Registers the contract's tests for engines made by `make`.
 *
 * @param label Names the engine in test names.
 * @param make Makes a new engine per case.
 */
export function engineContract(label: string, make: EngineFactory): void {
  const engines: ReturnType<EngineFactory>[] = [];
  after(() => Promise.all(engines.map((e) => e.close?.())));
  const engineWith = (options: EngineContractOptions = {}): Engine => {
    const engine = make(options);
    engines.push(engine);
    return engine;
  };

  describe(`Engine contract: ${label}`, () => {
    it("run() returns what the sequential engine returns", async () => {
      const engine = engineWith();
      for (const inputs of [{ x: 1 }, { x: 2, k: 5 }]) {
        assert.deepEqual(
          await diamond.run(inputs, { engine }),
          await diamond.run(inputs, { engine: sequential }),
        );
      }
      assert.deepEqual(await diamond.run({ x: 4 }, { engine, outputs: ["c"] }), { c: 15 });
      assert.deepEqual(
        await nestedSum.run({ xs: [1, 2, 3] }, { engine, outputs: ["total"] }),
        { total: 114 },
      );
    });

    it("map() returns every item in item order", async () => {
      const engine = engineWith();
      // Later items finish first: order must come from the item index, not completion.
      assert.deepEqual(
        await reversed.map({ x: xs }, { mapOver: "x", engine }),
        xs.map((x) => ({ y: x * x })),
      );
      const zip = { x: [1, 2, 3], k: 5 };
      assert.deepEqual(
        await diamond.map(zip, { mapOver: "x", engine }),
        await diamond.map(zip, { mapOver: "x", engine: sequential }),
      );
      const product = { x: [1, 2], k: [10, 20, 30] };
      assert.deepEqual(
        await diamond.map(product, { mapOver: ["x", "k"], mode: "product", engine }),
        await diamond.map(product, { mapOver: ["x", "k"], mode: "product", engine: sequential }),
      );
      // e = b - c = 2a - 5a
      assert.deepEqual(
        await diamond.map(zip, { mapOver: "x", engine, outputs: ["e"] }),
        [{ e: -6 }, { e: -9 }, { e: -12 }],
      );
    });

    it("map() runs nested maps inside items", async () => {
      const engine = engineWith();
      const inputs = { xs: [[1, 2], [], [3]] };
      assert.deepEqual(
        await nestedSum.map(inputs, { mapOver: "xs", engine, outputs: ["total"] }),
        [{ total: 105 }, { total: 100 }, { total: 109 }],
      );
    });

    it("map() of no items returns an empty array", async () => {
      assert.deepEqual(await reversed.map({ x: [] }, { mapOver: "x", engine: engineWith() }), []);
    });

    it("map() with errors: collect keeps the error class, cause, node and item", async () => {
      const engine = engineWith();
      const out = await failing.map({ x: [1, 3, 5] }, { mapOver: "x", engine, errors: "collect" });
      assert.deepEqual(out[0], { y: 1 });
      assert.ok(failingCheck(1)(out[1]));
      assert.deepEqual(out[2], { y: 5 });
    });

    it("map() in throw mode rejects with the failing item's error; the engine works after", async () => {
      const engine = engineWith();
      await assert.rejects(
        failing.map({ x: [1, 3, 5] }, { mapOver: "x", engine }),
        failingCheck(1),
      );
      assert.deepEqual(await failing.map({ x: [4, 5] }, { mapOver: "x", engine }), [
        { y: 4 },
        { y: 5 },
      ]);
    });

    it("run() rejects with the node's NodeExecutionError", async () => {
      await assert.rejects(failing.run({ x: 3 }, { engine: engineWith() }), failingCheck());
    });

    it("run() and map() reject with signal.reason when aborted before or during the work", async () => {
      const engine = engineWith();
      const reason = new Error("stop now");
      await assert.rejects(
        waiting.run({ ms: 1 }, { engine, signal: AbortSignal.abort(reason) }),
        (e) => e === reason,
      );
      for (
        const run of [
          (signal: AbortSignal) => waiting.run({ ms: 300 }, { engine, signal }),
          (signal: AbortSignal) =>
            waiting.map({ ms: [300, 300, 300] }, { mapOver: "ms", engine, signal }),
        ]
      ) {
        const controller = new AbortController();
        const pending = run(controller.signal);
        setTimeout(() => controller.abort(reason), 20);
        await assert.rejects(pending, (e) => e === reason);
      }
    });

    it("map() reports the map and each item once to callbacks, start before end", async () => {
      const rec = recorder();
      const engine = engineWith({ callbacks: [rec] });
      await reversed.map({ x: [3, 1, 2] }, { mapOver: "x", engine });
      const events = rec.events.filter((e) => e.hook.startsWith("onMap"));
      assert.equal(events[0].hook, "onMapStart");
      assert.equal(events.at(-1)!.hook, "onMapEnd");
      for (const item of [0, 1, 2]) {
        const mine = events.filter((e) => e.event.item === item).map((e) => e.hook);
        assert.deepEqual(mine, ["onMapItemStart", "onMapItemEnd"], `item ${item}`);
      }
      assert.equal(events.length, 8);
      for (const { hook, event } of rec.events) {
        const want = event.item === undefined ? [] : [event.item];
        assert.deepEqual(event.itemPath, want, `itemPath of ${hook} for item ${event.item}`);
      }
    });

    it("events of nested maps carry the item index at each level in itemPath", async () => {
      const rec = recorder();
      const engine = engineWith({ callbacks: [rec] });
      await nestedSum.map({ xs: [[1, 2], [3]] }, { mapOver: "xs", engine, outputs: ["total"] });
      const squares = rec.events
        .filter((e) => e.hook === "onNodeEnd" && e.event.node === "square")
        .map((e) => (e.event.itemPath as number[]).join("/"))
        .sort();
      assert.deepEqual(squares, ["0/0", "0/1", "1/0"]);
    });

    it("map() with a cache computes only the items it has not seen", async () => {
      const rec = recorder();
      const engine = engineWith({ callbacks: [rec], cache: true });
      assert.deepEqual(await reversed.map({ x: [1, 2] }, { mapOver: "x", engine }), [
        { y: 1 },
        { y: 4 },
      ]);
      rec.events.length = 0;
      assert.deepEqual(await reversed.map({ x: [1, 2, 7] }, { mapOver: "x", engine }), [
        { y: 1 },
        { y: 4 },
        { y: 49 },
      ]);
      const cached = rec.events.filter((e) => e.hook === "onMapItemCached").map((e) =>
        e.event.item
      );
      const computed = rec.events.filter((e) => e.hook === "onMapItemEnd").map((e) => e.event.item);
      assert.deepEqual(cached.sort(), [0, 1]);
      assert.deepEqual(computed, [2]);
    });
  });
}
