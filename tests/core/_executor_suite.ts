/**
 * The Executor contract: what every executor (the built-in aliases and custom objects) must do
 * when an engine drives it. Each case runs fixture pipelines through engines that use the
 * executor under test and compares with the sequential engine. `executors_contract.test.ts`
 * (core) and `tests/workers/executors_contract.test.ts` (Worker executors) apply it.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { NodeExecutionError } from "../../src/core/errors.ts";
import type { Executor, ExecutorName } from "../../src/core/executor.ts";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { diamond, failing, nestedSum, reversed, waiting } from "./_fixtures/contract_pipelines.ts";

/** What the suite needs: the executor to plug into engines. */
export type ExecutorUnderTest = Executor | ExecutorName;

const sequential = new HyperNodesEngine();
const xs = [0, 1, 2, 4, 5, 6, 7, 8, 9];

function nodeExecutionError(node: string, item?: number): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof NodeExecutionError, `expected a NodeExecutionError, got ${e}`);
    assert.equal(e.pipeline, "failing");
    assert.equal(e.node, node);
    assert.equal(e.item, item);
    assert.ok(e.cause instanceof RangeError, `expected a RangeError cause, got ${e.cause}`);
    assert.equal(e.cause.message, "x 3 is out of range");
    assert.ok(e.cause.cause instanceof TypeError, "the cause's own cause is kept");
    return true;
  };
}

/**
 * Registers the contract's tests for one executor.
 *
 * @param label Names the executor in test names.
 * @param executor The executor (an alias makes each engine own its executor; an object is
 *   shared and the caller closes it).
 */
export function executorContract(label: string, executor: ExecutorUnderTest): void {
  const engines: HyperNodesEngine[] = [];
  after(() => Promise.all(engines.map((e) => e.close())));
  const engineWith = (role: "node" | "map" | "both"): HyperNodesEngine => {
    const engine = new HyperNodesEngine({
      nodeExecutor: role === "map" ? undefined : executor,
      mapExecutor: role === "node" ? undefined : executor,
    });
    engines.push(engine);
    return engine;
  };

  describe(`Executor contract: ${label}`, () => {
    it("run() with it as nodeExecutor returns what the sequential engine returns", async () => {
      const engine = engineWith("node");
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

    it("map() with it as mapExecutor returns every item in item order", async () => {
      const engine = engineWith("map");
      // Later items finish first: order must come from the item index, not completion.
      assert.deepEqual(
        await reversed.map({ x: xs }, { mapOver: "x", engine }),
        xs.map((x) => ({ y: x * x })),
      );
      const zip = { x: [1, 2, 3], k: 2 };
      assert.deepEqual(
        await diamond.map(zip, { mapOver: "x", engine }),
        await diamond.map(zip, { mapOver: "x", engine: sequential }),
      );
      const product = { x: [1, 2], k: [10, 20, 30] };
      assert.deepEqual(
        await diamond.map(product, { mapOver: ["x", "k"], mode: "product", engine }),
        await diamond.map(product, { mapOver: ["x", "k"], mode: "product", engine: sequential }),
      );
      assert.deepEqual(
        await diamond.map(zip, { mapOver: "x", engine, outputs: ["e"] }),
        [{ e: 0 }, { e: 0 }, { e: 0 }], // b = 2a and c = ka with k = 2
      );
    });

    it("map() with it as both executors runs nested maps inside items", async () => {
      const engine = engineWith("both");
      const inputs = { xs: [[1, 2], [], [3]] };
      assert.deepEqual(await nestedSum.map(inputs, { mapOver: "xs", engine, outputs: ["total"] }), [
        { total: 105 },
        { total: 100 },
        { total: 109 },
      ]);
    });

    it("map() of no items returns an empty array", async () => {
      assert.deepEqual(
        await reversed.map({ x: [] }, { mapOver: "x", engine: engineWith("map") }),
        [],
      );
    });

    it("map() with errors: collect keeps the error class, cause, node and item", async () => {
      const engine = engineWith("map");
      const out = await failing.map({ x: [1, 3, 5] }, { mapOver: "x", engine, errors: "collect" });
      assert.deepEqual(out[0], { y: 1 });
      assert.ok(nodeExecutionError("check", 1)(out[1]));
      assert.deepEqual(out[2], { y: 5 });
    });

    it("map() in throw mode rejects with the failing item's error; the engine works after", async () => {
      const engine = engineWith("map");
      await assert.rejects(
        failing.map({ x: [1, 3, 5] }, { mapOver: "x", engine }),
        nodeExecutionError("check", 1),
      );
      assert.deepEqual(await failing.map({ x: [4, 5] }, { mapOver: "x", engine }), [
        { y: 4 },
        { y: 5 },
      ]);
    });

    it("run() with it as nodeExecutor rejects with the node's NodeExecutionError", async () => {
      await assert.rejects(
        failing.run({ x: 3 }, { engine: engineWith("node") }),
        nodeExecutionError("check"),
      );
    });

    it("run() and map() reject with signal.reason when aborted before or during the work", async () => {
      const engine = engineWith("both");
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
  });
}
