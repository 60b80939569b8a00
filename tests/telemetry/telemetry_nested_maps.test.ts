// TelemetryCallback on a map whose items each run a nested map: the inner items of different
// outer items share their `item` indexes, so only the events' `itemPath` keeps their spans
// apart when outer items overlap (async, Worker executors) or merely follow each other.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { Callback } from "../../src/core/callback.ts";
import type { Executor } from "../../src/core/executor.ts";
import { HyperNodesEngine } from "../../src/core/hypernodes_engine.ts";
import { recorder } from "../core/_engine_suite.ts";
import { memoryTelemetry, workerExecutors } from "./_setup.ts";
import { nested } from "../workers/_pipelines.ts";

const { threaded, parallel } = workerExecutors();

/** 3 outer items; each maps `inner` (scale → later) over its 2 values. */
const XS = [[1, 2], [4, 5], [6, 7]];

async function spansOf(mapExecutor: "sequential" | "async" | Executor, also: Callback) {
  const { telemetry, spans } = memoryTelemetry();
  await using engine = new HyperNodesEngine({ mapExecutor, callbacks: [telemetry, also] });
  const out = await nested.map({ xs: XS }, { mapOver: "xs", engine });
  assert.deepEqual(out.map((r) => r.v), [[13, 15], [19, 21], [23, 25]]);
  return spans();
}

/** A span as `kind name item item_path`, for messages and comparisons. */
function label(span: ReadableSpan): string {
  const a = span.attributes;
  return `${a["hn.kind"]} ${span.name} item=${a["hn.item"] ?? "-"} path=${
    a["hn.item_path"] ?? "-"
  }`;
}

/** The labels of `span`'s ancestors, nearest first. */
function ancestors(span: ReadableSpan, byId: Map<string, ReadableSpan>): string[] {
  const out: string[] = [];
  for (let s = span; s.parentSpanContext !== undefined;) {
    const parent = byId.get(s.parentSpanContext.spanId);
    assert.ok(parent, `the parent of ${label(s)} was exported`);
    out.push(label(parent));
    s = parent;
  }
  return out;
}

const executors = [
  ["sequential", "sequential"],
  ["async", "async"],
  ["threaded", threaded],
  ["parallel", parallel],
] as const;

describe("TelemetryCallback on nested maps", () => {
  for (const [name, executor] of executors) {
    it(`TelemetryCallback() parents every node span to its own inner item, nested map, outer item and map (${name})`, async () => {
      const rec = recorder();
      const spans = await spansOf(executor, rec);
      const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
      assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1, "one trace");
      const roots = spans.filter((s) => s.parentSpanContext === undefined);
      assert.deepEqual(roots.map(label), ["map nested.map item=- path=-"]);
      const nodes = spans.filter((s) => s.attributes["hn.kind"] === "node");
      // scale and later in each of 3 × 2 inner items, total in each outer item.
      assert.equal(nodes.length, 3 * 2 * 2 + 3);
      const seen = new Set<string>();
      for (const span of nodes) {
        const path = String(span.attributes["hn.item_path"]);
        seen.add(`${span.name} ${path}`);
        if (span.name === "total") {
          const i = span.attributes["hn.item"];
          assert.equal(path, `${i}`);
          assert.deepEqual(ancestors(span, byId), [
            `item nested[${i}] item=${i} path=${i}`,
            "map nested.map item=- path=-",
          ]);
          continue;
        }
        const [i, j] = path.split("/").map(Number);
        assert.equal(span.attributes["hn.item"], j);
        assert.deepEqual(ancestors(span, byId), [
          `item inner[${j}] item=${j} path=${i}/${j}`,
          `map inner.map item=${i} path=${i}`,
          `nested each item=${i} path=${i}`,
          `item nested[${i}] item=${i} path=${i}`,
          "map nested.map item=- path=-",
        ], `ancestors of ${label(span)}`);
      }
      const expected = ["total 0", "total 1", "total 2"];
      for (const i of [0, 1, 2]) {
        for (const j of [0, 1]) expected.push(`scale ${i}/${j}`, `later ${i}/${j}`);
      }
      assert.deepEqual([...seen].sort(), expected.sort());
      if (name === "async") {
        // The outer items really overlapped: item 1 started before item 0 ended.
        const at = (hook: string, item: number) =>
          rec.events.findIndex((e) =>
            e.hook === hook && e.event.depth === 0 && e.event.item === item
          );
        assert.ok(at("onMapItemStart", 1) < at("onMapItemEnd", 0));
      }
    });
  }
});
