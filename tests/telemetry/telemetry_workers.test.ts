// TelemetryCallback on the main thread, with nodes run in workers: their events carry the run's
// id, depth, path and item path, so their spans sit under the right map item and nested
// pipeline.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { Executor } from "../../src/core/executor.ts";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { math, nested } from "../workers/_pipelines.ts";
import { memoryTelemetry, workerExecutors } from "./_setup.ts";

const { threaded, parallel } = workerExecutors();

function setup(options: { mapExecutor?: Executor; nodeExecutor?: Executor }) {
  const { telemetry, spans } = memoryTelemetry();
  const engine = new HyperNodesEngine({ ...options, callbacks: [telemetry] });
  return { engine, spans };
}

/** Each span as `name < parent name`, sorted; checks one trace and one root. */
function shape(spans: ReadableSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1, "one trace");
  assert.equal(spans.filter((s) => s.parentSpanContext === undefined).length, 1, "one root");
  return spans.map((s) => {
    const parent = s.parentSpanContext && byId.get(s.parentSpanContext.spanId);
    assert.ok(parent || s.parentSpanContext === undefined, `parent of ${s.name} was exported`);
    return `${s.name} < ${parent?.name ?? "-"}`;
  }).sort();
}

for (const [label, executor] of [["threaded", threaded], ["parallel", parallel]] as const) {
  describe(`TelemetryCallback with the ${label} executor`, () => {
    it("TelemetryCallback() parents nodes run in worker items to their item, under the map", async () => {
      const { engine, spans } = setup({ mapExecutor: executor as Executor });
      await math.map({ x: [1, 2] }, { mapOver: "x", engine });
      const lines = ["math[0] < math.map", "math[1] < math.map", "math.map < -"];
      for (const item of [0, 1]) {
        for (const n of ["scale", "shift", "square"]) lines.push(`${n} < math[${item}]`);
      }
      assert.deepEqual(shape(spans()), lines.sort());
      for (const s of spans().filter((s) => s.name === "scale")) {
        const item = s.attributes["hn.item"];
        const parent = spans().find((p) => p.spanContext().spanId === s.parentSpanContext?.spanId);
        assert.equal(parent?.name, `math[${item}]`);
      }
    });

    it("TelemetryCallback() parents nodes of a nested map's worker items like the sequential engine", async () => {
      // A nested map inside a run; maps nested in map items: telemetry_nested_maps.test.ts.
      const sequential = setup({});
      const workers = setup({ mapExecutor: executor as Executor });
      await nested.run({ xs: [1, 2, 4] }, { engine: sequential.engine });
      await nested.run({ xs: [1, 2, 4] }, { engine: workers.engine });
      const lines = shape(workers.spans());
      assert.deepEqual(lines, shape(sequential.spans()));
      for (const item of [0, 1, 2]) {
        assert.ok(lines.includes(`scale < inner[${item}]`), lines.join("; "));
        assert.ok(lines.includes(`inner[${item}] < inner.map`), lines.join("; "));
      }
    });

    it("TelemetryCallback() parents nodes run by a Worker node executor to their pipeline", async () => {
      const sequential = setup({});
      const workers = setup({ nodeExecutor: executor as Executor });
      await nested.run({ xs: [1, 2] }, { engine: sequential.engine });
      await nested.run({ xs: [1, 2] }, { engine: workers.engine });
      const lines = shape(workers.spans());
      assert.deepEqual(lines, shape(sequential.spans()));
      assert.ok(lines.includes("each < nested"), lines.join("; "));
    });
  });
}
