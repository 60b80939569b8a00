/**
 * The Executor contract: what every executor (the built-in aliases and custom objects) must do
 * when an engine drives it. It is the Engine contract (`_engine_suite.ts`) run by engines that
 * use the executor for nodes and map items, plus the roles one at a time.
 * `executors_contract.test.ts` (core) and `tests/workers/executors_contract.test.ts` (Worker
 * executors) apply it.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Executor, ExecutorName } from "../../src/core/executor.ts";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { MemoryCache } from "../../src/core/memory_cache.ts";
import { engineContract, failingCheck } from "./_engine_suite.ts";
import { diamond, failing, reversed } from "./_fixtures/contract_pipelines.ts";

/** What the suite needs: the executor to plug into engines. */
export type ExecutorUnderTest = Executor | ExecutorName;

/**
 * Registers the contract's tests for one executor.
 *
 * @param label Names the executor in test names.
 * @param executor The executor (an alias makes each engine own its executor; an object is
 *   shared and the caller closes it).
 */
export function executorContract(label: string, executor: ExecutorUnderTest): void {
  engineContract(
    `${label} as node and map executor`,
    ({ callbacks, cache }) =>
      new HyperNodesEngine({
        nodeExecutor: executor,
        mapExecutor: executor,
        callbacks,
        cache: cache ? new MemoryCache() : undefined,
      }),
  );

  const engines: HyperNodesEngine[] = [];
  after(() => Promise.all(engines.map((e) => e.close())));
  const own = (engine: HyperNodesEngine): HyperNodesEngine => (engines.push(engine), engine);

  describe(`Executor contract: ${label} in one role`, () => {
    it("as nodeExecutor alone, run() matches the sequential engine and keeps errors", async () => {
      const engine = own(new HyperNodesEngine({ nodeExecutor: executor }));
      assert.deepEqual(
        await diamond.run({ x: 2, k: 5 }, { engine }),
        await diamond.run({ x: 2, k: 5 }),
      );
      await assert.rejects(failing.run({ x: 3 }, { engine }), failingCheck());
    });

    it("as mapExecutor alone, map() keeps item order and per-item errors", async () => {
      const engine = own(new HyperNodesEngine({ mapExecutor: executor }));
      assert.deepEqual(
        await reversed.map({ x: [9, 1, 5] }, { mapOver: "x", engine }),
        [{ y: 81 }, { y: 1 }, { y: 25 }],
      );
      const out = await failing.map({ x: [3, 4] }, { mapOver: "x", engine, errors: "collect" });
      assert.ok(failingCheck(0)(out[0]));
      assert.deepEqual(out[1], { y: 4 });
    });
  });
}
