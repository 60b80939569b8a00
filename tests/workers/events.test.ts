// Callback events of work done in workers are the events the sequential engine emits: same
// hooks, pipelines, nodes, items, depths, paths, and the run id of the main-thread call.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Engine } from "../../src/core/engine.ts";
import type { Executor } from "../../src/core/executor.ts";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { ParallelExecutor, ThreadedExecutor } from "../../src/workers/mod.ts";
import { recorder } from "../core/_engine_suite.ts";
import { math, nested } from "./_pipelines.ts";

const threaded = new ThreadedExecutor({ concurrency: 4, workers: 2 });
const parallel = new ParallelExecutor({ workers: 2 });
after(() => Promise.all([threaded[Symbol.asyncDispose](), parallel[Symbol.asyncDispose]()]));

type Call = (engine: Engine) => Promise<unknown>;

/**
 * The events of `call` as sorted `hook pipeline node item depth path` lines (items of a
 * Worker executor overlap, so the order across items differs); checks that every event
 * carries the call's one non-empty run id.
 */
async function events(call: Call, options: ConstructorParameters<typeof HyperNodesEngine>[0]) {
  const rec = recorder();
  await call(new HyperNodesEngine({ ...options, callbacks: [rec] }));
  const runIds = new Set(rec.events.map((e) => e.event.runId));
  assert.equal(runIds.size, 1, `one run id, got ${[...runIds].join(", ")}`);
  assert.notEqual([...runIds][0], "");
  return rec.events.map(({ hook, event: e }) =>
    [hook, e.pipeline, e.node ?? "-", e.item ?? "-", e.depth, (e.path as string[]).join("/")]
      .join(" ")
  ).sort();
}

const calls: [string, Call][] = [
  ["nested.map()", (engine) => nested.map({ xs: [[1, 2], [4], []] }, { mapOver: "xs", engine })],
  ["nested.run()", (engine) => nested.run({ xs: [1, 2, 4] }, { engine })],
  ["math.map()", (engine) => math.map({ x: [1, 2, 4] }, { mapOver: "x", engine })],
];
// With a failing node: a concurrent node executor may start the failing node's independent
// neighbours, which the sequential one never reaches, so only map executors compare here.
const failing: Call = (engine) =>
  math.map({ x: [1, 2, 3] }, { mapOver: "x", engine, errors: "collect" });

describe("events of work run in workers", () => {
  for (const [label, executor] of [["threaded", threaded], ["parallel", parallel]] as const) {
    for (const [name, call] of calls) {
      it(`${name} with ${label} as map executor emits the sequential engine's events`, async () => {
        assert.deepEqual(
          await events(call, { mapExecutor: executor as Executor }),
          await events(call, {}),
        );
      });

      it(`${name} with ${label} as node executor emits the sequential engine's events`, async () => {
        assert.deepEqual(
          await events(call, { nodeExecutor: executor as Executor }),
          await events(call, {}),
        );
      });
    }

    it(`a map with a failing item and ${label} as map executor emits the sequential engine's events`, async () => {
      assert.deepEqual(
        await events(failing, { mapExecutor: executor as Executor }),
        await events(failing, {}),
      );
    });
  }

  it("the events of one worker item come in the sequential engine's order", async () => {
    const rec = recorder();
    await math.map({ x: [1, 2] }, {
      mapOver: "x",
      engine: new HyperNodesEngine({ mapExecutor: parallel, callbacks: [rec] }),
    });
    const item1 = rec.events.filter((e) => e.event.item === 1).map((e) =>
      `${e.hook} ${e.event.node ?? ""}`.trim()
    );
    assert.deepEqual(item1, [
      "onMapItemStart",
      "onNodeStart scale",
      "onNodeEnd scale",
      "onNodeStart shift",
      "onNodeEnd shift",
      "onNodeStart square",
      "onNodeEnd square",
      "onMapItemEnd",
    ]);
  });
});
