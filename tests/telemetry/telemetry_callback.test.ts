import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { SpanStatusCode } from "@opentelemetry/api";
import { TelemetryCallback } from "../../src/telemetry/telemetry_callback.ts";

const T0 = 1_700_000_000_000;

function setup() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const telemetry = new TelemetryCallback({ tracerProvider });
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  return { telemetry, spans };
}

const ms = (t: [number, number]): number => t[0] * 1e3 + t[1] / 1e6;
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
const idOf = (s: ReadableSpan): string => s.spanContext().spanId;

/** Finds the one span named `name` whose attributes include `attrs`. */
function one(spans: ReadableSpan[], name: string, attrs: Record<string, unknown> = {}) {
  const found = spans.filter((s) =>
    s.name === name && Object.entries(attrs).every(([k, v]) => s.attributes[k] === v)
  );
  assert.equal(found.length, 1, `one span ${name} ${JSON.stringify(attrs)}`);
  return found[0];
}

const at = (pipeline: string, path: string[], extra: { depth?: number; item?: number } = {}) => ({
  runId: "r1",
  pipeline,
  path,
  depth: extra.depth ?? 0,
  ...(extra.item === undefined ? { itemPath: [] } : { item: extra.item, itemPath: [extra.item] }),
});

describe("TelemetryCallback", () => {
  it("TelemetryCallback() creates a pipeline span with node children and event times", () => {
    const { telemetry, spans } = setup();
    const p = at("rag", ["rag"]);
    telemetry.onPipelineStart({ ...p, time: T0, inputs: ["q"] });
    telemetry.onNodeStart({ ...p, time: T0 + 1, node: "embed" });
    telemetry.onNodeEnd({ ...p, time: T0 + 4, node: "embed", duration: 3, cached: false });
    telemetry.onNodeStart({ ...p, time: T0 + 4, node: "answer" });
    telemetry.onNodeEnd({ ...p, time: T0 + 9, node: "answer", duration: 5, cached: false });
    telemetry.onPipelineEnd({ ...p, time: T0 + 10, duration: 10 });

    const all = spans();
    assert.equal(all.length, 3);
    const root = one(all, "rag");
    const embed = one(all, "embed");
    assert.equal(parentOf(root), undefined);
    assert.equal(parentOf(embed), idOf(root));
    assert.equal(parentOf(one(all, "answer")), idOf(root));
    assert.equal(embed.spanContext().traceId, root.spanContext().traceId);
    assert.equal(ms(root.startTime), T0);
    assert.equal(ms(root.endTime), T0 + 10);
    assert.equal(ms(embed.startTime), T0 + 1);
    assert.equal(ms(embed.endTime), T0 + 4);
    assert.equal(embed.attributes["hn.pipeline"], "rag");
    assert.equal(embed.attributes["hn.node"], "embed");
    assert.equal(embed.attributes["hn.depth"], 0);
    assert.equal(embed.attributes["hn.cached"], false);
    assert.equal(embed.attributes["hn.duration_ms"], 3);
    assert.equal(root.status.code, SpanStatusCode.UNSET);
  });

  it("TelemetryCallback() parents interleaved map items to their own item span", () => {
    const { telemetry, spans } = setup();
    const m = at("doc", ["doc"]);
    const i0 = at("doc", ["doc"], { item: 0 });
    const i1 = at("doc", ["doc"], { item: 1 });
    const t = (n: number) => T0 + n;
    telemetry.onMapStart({ ...m, time: t(0), items: 2 });
    telemetry.onMapItemStart({ ...i0, item: 0, time: t(1) });
    telemetry.onMapItemStart({ ...i1, item: 1, time: t(1) });
    telemetry.onPipelineStart({ ...i1, time: t(2), inputs: ["x"] });
    telemetry.onPipelineStart({ ...i0, time: t(2), inputs: ["x"] });
    telemetry.onNodeStart({ ...i1, time: t(3), node: "parse" });
    telemetry.onNodeStart({ ...i0, time: t(3), node: "parse" });
    telemetry.onNodeEnd({ ...i0, time: t(5), node: "parse", duration: 2, cached: false });
    telemetry.onNodeEnd({ ...i1, time: t(6), node: "parse", duration: 3, cached: false });
    telemetry.onPipelineEnd({ ...i1, time: t(7), duration: 5 });
    telemetry.onMapItemEnd({ ...i1, item: 1, time: t(7), duration: 6, cached: false });
    telemetry.onPipelineEnd({ ...i0, time: t(8), duration: 6 });
    telemetry.onMapItemEnd({ ...i0, item: 0, time: t(8), duration: 7, cached: false });
    telemetry.onMapEnd({ ...m, time: t(9), items: 2, duration: 9 });

    const all = spans();
    assert.equal(all.length, 1 + 2 * 3);
    const map = one(all, "doc.map");
    assert.equal(parentOf(map), undefined);
    assert.equal(map.attributes["hn.items"], 2);
    for (const item of [0, 1]) {
      const itemSpan = one(all, `doc[${item}]`);
      const pipeline = one(all, "doc", { "hn.item": item });
      const node = one(all, "parse", { "hn.item": item });
      assert.equal(parentOf(itemSpan), idOf(map));
      assert.equal(parentOf(pipeline), idOf(itemSpan));
      assert.equal(parentOf(node), idOf(pipeline));
      assert.equal(itemSpan.attributes["hn.item"], item);
    }
    assert.equal(ms(one(all, "parse", { "hn.item": 1 }).endTime), t(6));
  });

  it("TelemetryCallback() parents by item for events without itemPath (engines that predate it)", () => {
    const { telemetry, spans } = setup();
    const old = (e: Record<string, unknown>) => e as never;
    const m = { runId: "r1", pipeline: "doc", depth: 0, path: ["doc"] };
    telemetry.onMapStart(old({ ...m, time: T0, items: 2 }));
    for (const item of [0, 1]) telemetry.onMapItemStart(old({ ...m, item, time: T0 + 1 }));
    for (const item of [1, 0]) {
      telemetry.onNodeStart(old({ ...m, item, time: T0 + 2, node: "parse" }));
      telemetry.onNodeEnd(old({ ...m, item, time: T0 + 3, node: "parse", cached: false }));
      telemetry.onMapItemEnd(old({ ...m, item, time: T0 + 4, duration: 3, cached: false }));
    }
    telemetry.onMapEnd(old({ ...m, time: T0 + 5, items: 2, duration: 5 }));
    const all = spans();
    assert.equal(all.length, 5);
    for (const item of [0, 1]) {
      const itemSpan = one(all, `doc[${item}]`);
      assert.equal(parentOf(itemSpan), idOf(one(all, "doc.map")));
      assert.equal(parentOf(one(all, "parse", { "hn.item": item })), idOf(itemSpan));
      assert.equal(itemSpan.attributes["hn.item_path"], `${item}`);
    }
  });

  it("TelemetryCallback() parents a nested pipeline to the outer node", () => {
    const { telemetry, spans } = setup();
    const outer = at("rag", ["rag"]);
    const inner = at("search", ["rag", "retrieve", "search"], { depth: 1 });
    telemetry.onPipelineStart({ ...outer, time: T0, inputs: ["q"] });
    telemetry.onNestedPipelineStart(
      { ...outer, time: T0 + 1, node: "retrieve", inner: "search" },
    );
    telemetry.onPipelineStart({ ...inner, time: T0 + 1, inputs: ["q"] });
    telemetry.onNodeStart({ ...inner, time: T0 + 2, node: "bm25" });
    telemetry.onNodeEnd({ ...inner, time: T0 + 3, node: "bm25", duration: 1, cached: false });
    telemetry.onPipelineEnd({ ...inner, time: T0 + 4, duration: 3 });
    telemetry.onNestedPipelineEnd(
      { ...outer, time: T0 + 4, node: "retrieve", inner: "search", duration: 3 },
    );
    telemetry.onPipelineEnd({ ...outer, time: T0 + 5, duration: 5 });

    const all = spans();
    const root = one(all, "rag");
    const nested = one(all, "retrieve");
    const innerSpan = one(all, "search");
    const bm25 = one(all, "bm25");
    assert.equal(parentOf(nested), idOf(root));
    assert.equal(parentOf(innerSpan), idOf(nested));
    assert.equal(parentOf(bm25), idOf(innerSpan));
    assert.equal(nested.attributes["hn.inner"], "search");
    assert.equal(innerSpan.attributes["hn.depth"], 1);
    assert.equal(bm25.attributes["hn.depth"], 1);
    assert.deepEqual(
      telemetry.trace()?.spans.map((s) => [s.name, s.kind, s.parentId, s.depth]),
      [
        ["rag", "pipeline", null, 0],
        ["retrieve", "nested", "1", 0],
        ["search", "pipeline", "2", 1],
        ["bm25", "node", "3", 1],
      ],
    );
  });

  it("TelemetryCallback() marks cached nodes and map items", () => {
    const { telemetry, spans } = setup();
    const p = at("rag", ["rag"]);
    telemetry.onPipelineStart({ ...p, time: T0, inputs: [] });
    // A cache hit reported without a start: a zero-length span.
    telemetry.onNodeCached({ ...p, time: T0 + 1, node: "embed", signature: "abc" });
    // A cache hit between start and end: attributes on the open span.
    telemetry.onNodeStart({ ...p, time: T0 + 1, node: "answer" });
    telemetry.onNodeCached({ ...p, time: T0 + 2, node: "answer", signature: "def" });
    telemetry.onNodeEnd({ ...p, time: T0 + 2, node: "answer", duration: 1, cached: true });
    telemetry.onPipelineEnd({ ...p, time: T0 + 3, duration: 3 });

    const all = spans();
    assert.equal(all.length, 3);
    const embed = one(all, "embed");
    assert.equal(embed.attributes["hn.cached"], true);
    assert.equal(embed.attributes["hn.signature"], "abc");
    assert.equal(ms(embed.startTime), ms(embed.endTime));
    const answer = one(all, "answer");
    assert.equal(answer.attributes["hn.cached"], true);
    assert.equal(answer.attributes["hn.signature"], "def");
    assert.equal(parentOf(answer), idOf(one(all, "rag")));

    const { telemetry: t2, spans: spans2 } = setup();
    const m = at("doc", ["doc"]);
    t2.onMapStart({ ...m, time: T0, items: 1 });
    t2.onMapItemCached({ ...m, item: 0, itemPath: [0], time: T0 + 1 });
    t2.onMapEnd({ ...m, time: T0 + 2, items: 1, duration: 2 });
    const item = one(spans2(), "doc[0]");
    assert.equal(item.attributes["hn.cached"], true);
    assert.equal(parentOf(item), idOf(one(spans2(), "doc.map")));
  });

  it("TelemetryCallback() records errors with status ERROR up the tree", () => {
    const { telemetry, spans } = setup();
    const p = at("rag", ["rag"]);
    const error = new TypeError("boom");
    telemetry.onPipelineStart({ ...p, time: T0, inputs: [] });
    telemetry.onNodeStart({ ...p, time: T0 + 1, node: "answer" });
    telemetry.onNodeError({ ...p, time: T0 + 2, node: "answer", error });
    telemetry.onNodeEnd(
      { ...p, time: T0 + 2, node: "answer", duration: 1, cached: false, error },
    );
    telemetry.onPipelineEnd({ ...p, time: T0 + 3, duration: 3, error });

    const answer = one(spans(), "answer");
    assert.equal(answer.status.code, SpanStatusCode.ERROR);
    assert.equal(answer.status.message, "boom");
    assert.equal(answer.attributes["hn.error"], "boom");
    assert.equal(answer.events.filter((e) => e.name === "exception").length, 1);
    assert.equal(answer.events[0].attributes?.["exception.type"], "TypeError");
    assert.equal(one(spans(), "rag").status.code, SpanStatusCode.ERROR);
  });

  it("trace() returns the last run as data without an OpenTelemetry SDK", () => {
    const telemetry = new TelemetryCallback(); // global no-op provider
    assert.equal(telemetry.trace(), undefined);
    for (const runId of ["r1", "r2"]) {
      const p = { ...at("rag", ["rag"]), runId };
      telemetry.onPipelineStart({ ...p, time: 100, inputs: [] });
      telemetry.onNodeStart({ ...p, time: 110, node: "embed" });
      telemetry.onNodeEnd({ ...p, time: 150, node: "embed", duration: 40, cached: false });
      telemetry.onPipelineEnd({ ...p, time: 160, duration: 60 });
    }
    assert.deepEqual(telemetry.trace(), {
      runId: "r2",
      spans: [
        {
          id: "1",
          parentId: null,
          name: "rag",
          kind: "pipeline",
          start: 100,
          end: 160,
          depth: 0,
          attributes: {
            "hn.kind": "pipeline",
            "hn.run_id": "r2",
            "hn.pipeline": "rag",
            "hn.path": "rag",
            "hn.depth": 0,
            "hn.duration_ms": 60,
          },
        },
        {
          id: "2",
          parentId: "1",
          name: "embed",
          kind: "node",
          start: 110,
          end: 150,
          depth: 0,
          attributes: {
            "hn.kind": "node",
            "hn.run_id": "r2",
            "hn.pipeline": "rag",
            "hn.path": "rag",
            "hn.depth": 0,
            "hn.node": "embed",
            "hn.duration_ms": 40,
            "hn.cached": false,
          },
        },
      ],
    });
  });
});
