// Callback events of work done in workers are the events the sequential engine emits: same
// hooks, pipelines, nodes, items, item paths, depths, paths, and the run id of the main-thread
// call.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Engine } from "../../src/core/engine.ts";
import type { Executor } from "../../src/core/executor.ts";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { ParallelExecutor, ThreadedExecutor } from "../../src/workers/mod.ts";
import { expectedItemTrace, itemTrace, recorder } from "../core/_engine_suite.ts";
import { math, nested } from "./_pipelines.ts";

const threaded = new ThreadedExecutor({ concurrency: 4, workers: 2 });
const parallel = new ParallelExecutor({ workers: 2 });
after(() => Promise.all([threaded[Symbol.asyncDispose](), parallel[Symbol.asyncDispose]()]));

type Call = (engine: Engine) => Promise<unknown>;

/**
 * The events of `call` as sorted `hook pipeline node item itemPath depth path` lines (items of
 * a Worker executor overlap, so the order across items differs); checks that every event
 * carries the call's one non-empty run id, and an item path that ends with its item.
 */
async function events(call: Call, options: ConstructorParameters<typeof HyperNodesEngine>[0]) {
  const rec = recorder();
  await call(new HyperNodesEngine({ ...options, callbacks: [rec] }));
  const runIds = new Set(rec.events.map((e) => e.event.runId));
  assert.equal(runIds.size, 1, `one run id, got ${[...runIds].join(", ")}`);
  assert.notEqual([...runIds][0], "");
  return rec.events.map(({ hook, event: e }) => {
    const itemPath = e.itemPath as number[];
    assert.equal(itemPath.at(-1), e.item, `${hook}: the item path ends with the item`);
    const at = itemPath.length === 0 ? "-" : itemPath.join("/");
    return [
      hook,
      e.pipeline,
      e.node ?? "-",
      e.item ?? "-",
      at,
      e.depth,
      (e.path as string[])
        .join("/"),
    ].join(" ");
  }).sort();
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
    assert.deepEqual(itemTrace(rec, 1), expectedItemTrace(["scale", "shift", "square"]));
  });
});

describe("item paths of nested maps", () => {
  // 3 outer items, each mapping `inner` over 2 values: inner item indexes repeat across outer
  // items, the item paths do not.
  const grid: Call = (engine) =>
    nested.map({ xs: [[1, 2], [4, 5], [6, 7]] }, { mapOver: "xs", engine });

  it("nested.map() gives every event of a nested map the item path of its outer and inner item", async () => {
    const rec = recorder();
    await grid(new HyperNodesEngine({ callbacks: [rec] }));
    const paths = (hook: string, depth: number) =>
      rec.events.filter((e) => e.hook === hook && e.event.depth === depth).map((e) =>
        (e.event.itemPath as number[]).join("/")
      );
    assert.deepEqual(paths("onMapStart", 0), [""]);
    assert.deepEqual(paths("onMapItemStart", 0), ["0", "1", "2"]);
    assert.deepEqual(paths("onNestedPipelineStart", 0), ["0", "1", "2"]);
    assert.deepEqual(paths("onMapStart", 1), ["0", "1", "2"]);
    assert.deepEqual(paths("onMapItemStart", 1), ["0/0", "0/1", "1/0", "1/1", "2/0", "2/1"]);
    assert.deepEqual(paths("onNodeStart", 1).filter((_, k) => k % 2 === 0), [
      "0/0",
      "0/1",
      "1/0",
      "1/1",
      "2/0",
      "2/1",
    ]);
  });

  for (
    const [label, executor] of [
      ["async", "async"],
      ["threaded", threaded],
      ["parallel", parallel],
    ] as const
  ) {
    it(`nested.map() with ${label} as map executor emits the sequential engine's item paths`, async () => {
      const mapExecutor = executor as Executor | "async";
      const lines = await events(grid, { mapExecutor });
      assert.deepEqual(lines, await events(grid, {}));
      assert.ok(lines.includes("onNodeStart inner scale 1 2/1 1 nested/each"), lines.join("\n"));
    });
  }
});
