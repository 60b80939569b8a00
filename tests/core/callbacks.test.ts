import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Callback,
  type CallbackContext,
  type CallbackHook,
  callbackHooks,
  HyperNodesEngine,
  node,
  NodeExecutionError,
  Pipeline,
} from "../../mod.ts";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { ProgressCallback } from "../../src/progress/progress_callback.ts";
import { TelemetryCallback } from "../../src/telemetry/telemetry_callback.ts";

const HOOKS = callbackHooks;

interface Recorded {
  readonly hook: CallbackHook;
  readonly event: Record<string, unknown>;
  readonly context: CallbackContext;
}

/** A callback that records every hook call, and a readable line per call. */
function recorder(): { callback: Callback; calls: Recorded[]; lines: () => string[] } {
  const calls: Recorded[] = [];
  const callback: Callback = { name: "recorder" };
  for (const hook of HOOKS) {
    (callback as Record<string, unknown>)[hook] = (
      e: Record<string, unknown>,
      c: CallbackContext,
    ) => void calls.push({ hook, event: e, context: c });
  }
  const lines = () =>
    calls.map(({ hook, event: e }) => {
      const what = (e.node as string | undefined) ?? e.pipeline;
      const item = e.item === undefined ? "" : `[${e.item}]`;
      const error = e.error === undefined ? "" : " !";
      return `${hook.slice(2)} ${what}${item}${error}`;
    });
  return { callback, calls, lines };
}

/** Resolves after a few microtask turns: lets concurrent items interleave without timers. */
async function yieldTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

const inc = node({ output: "y" }, ({ x }: { x: number }) => x + 1);
const double = node({ output: "z" }, ({ y }: { y: number }) => y * 2);
const chain = new Pipeline({ nodes: [inc, double], name: "chain" });

describe("callback events from HyperNodesEngine", () => {
  it("run() emits pipeline start, node start/end per node in order, pipeline end", async () => {
    const rec = recorder();
    const engine = new HyperNodesEngine({ callbacks: [rec.callback] });
    assert.deepEqual(await chain.run({ x: 1 }, { engine }), { y: 2, z: 4 });
    assert.deepEqual(rec.lines(), [
      "PipelineStart chain",
      "NodeStart y",
      "NodeEnd y",
      "NodeStart z",
      "NodeEnd z",
      "PipelineEnd chain",
    ]);
    const [start, , end] = rec.calls;
    assert.deepEqual(start.event.inputs, ["x"]);
    assert.equal(start.event.depth, 0);
    assert.deepEqual(start.event.path, ["chain"]);
    assert.equal(end.event.cached, false);
    assert.ok((end.event.duration as number) >= 0);
    // One run id and one shared context for the whole call.
    const runIds = new Set(rec.calls.map((c) => c.event.runId));
    assert.equal(runIds.size, 1);
    assert.equal(new Set(rec.calls.map((c) => c.context)).size, 1);
    assert.equal(rec.calls[0].context.runId, [...runIds][0]);
  });

  it("map() with the sequential executor emits item by item", async () => {
    const rec = recorder();
    const engine = new HyperNodesEngine({ callbacks: [rec.callback] });
    await chain.map({ x: [1, 2] }, { mapOver: "x", engine });
    assert.deepEqual(rec.lines(), [
      "MapStart chain",
      "MapItemStart chain[0]",
      "NodeStart y[0]",
      "NodeEnd y[0]",
      "NodeStart z[0]",
      "NodeEnd z[0]",
      "MapItemEnd chain[0]",
      "MapItemStart chain[1]",
      "NodeStart y[1]",
      "NodeEnd y[1]",
      "NodeStart z[1]",
      "NodeEnd z[1]",
      "MapItemEnd chain[1]",
      "MapEnd chain",
    ]);
    assert.equal(rec.calls[0].event.items, 2);
    assert.equal(rec.calls.at(-1)!.event.items, 2);
  });

  it("map() with the async executor keeps each item's events inside its start and end", async () => {
    const rec = recorder();
    const slow = node({ output: "y" }, async ({ x }: { x: number }) => {
      await yieldTurns(x % 2 === 0 ? 5 : 1); // even items finish later than odd ones
      return x + 1;
    });
    const p = new Pipeline({ nodes: [slow, double], name: "chain" });
    await using engine = new HyperNodesEngine({ mapExecutor: "async", callbacks: [rec.callback] });
    const out = await p.map({ x: [0, 1, 2, 3] }, { mapOver: "x", engine });
    assert.deepEqual(out.map((r) => r.z), [2, 4, 6, 8]);
    const lines = rec.lines();
    assert.equal(lines[0], "MapStart chain");
    assert.equal(lines.at(-1), "MapEnd chain");
    assert.equal(lines.length, 2 + 4 * 6);
    for (let i = 0; i < 4; i++) {
      const own = lines.filter((l) => l.endsWith(`[${i}]`));
      assert.deepEqual(own, [
        `MapItemStart chain[${i}]`,
        `NodeStart y[${i}]`,
        `NodeEnd y[${i}]`,
        `NodeStart z[${i}]`,
        `NodeEnd z[${i}]`,
        `MapItemEnd chain[${i}]`,
      ]);
    }
    // The items really overlapped: item 1 ended before item 0 did.
    assert.ok(lines.indexOf("MapItemEnd chain[1]") < lines.indexOf("MapItemEnd chain[0]"));
  });

  it("nested pipelines carry depth and path, inside the outer node's nested events", async () => {
    const rec = recorder();
    const inner = new Pipeline({ nodes: [inc], name: "inner" });
    const engine = new HyperNodesEngine({ callbacks: [rec.callback] });
    const sum = node({ output: "z" }, ({ y }: { y: number[] }) => y.reduce((a, b) => a + b, 0));
    const p = new Pipeline({
      nodes: [inner.asNode({ name: "step", inputMapping: { xs: "x" }, mapOver: "xs" }), sum],
      name: "outer",
    });
    assert.deepEqual(await p.run({ xs: [1, 2] }, { engine }), { y: [2, 3], z: 5 });
    assert.deepEqual(rec.lines(), [
      "PipelineStart outer",
      "NestedPipelineStart step",
      "MapStart inner",
      "MapItemStart inner[0]",
      "NodeStart y[0]",
      "NodeEnd y[0]",
      "MapItemEnd inner[0]",
      "MapItemStart inner[1]",
      "NodeStart y[1]",
      "NodeEnd y[1]",
      "MapItemEnd inner[1]",
      "MapEnd inner",
      "NestedPipelineEnd step",
      "NodeStart z",
      "NodeEnd z",
      "PipelineEnd outer",
    ]);
    const byLine = (line: string) => rec.calls[rec.lines().indexOf(line)].event;
    assert.deepEqual(
      [byLine("NestedPipelineStart step").depth, byLine("NestedPipelineStart step").path],
      [0, ["outer"]],
    );
    assert.equal(byLine("NestedPipelineStart step").inner, "inner");
    assert.deepEqual([byLine("NodeStart y[1]").depth, byLine("NodeStart y[1]").path], [
      1,
      ["outer", "step"],
    ]);
    assert.equal(byLine("NodeStart y[1]").pipeline, "inner");
    assert.deepEqual(byLine("NodeStart y[1]").itemPath, [1]);
    assert.deepEqual(byLine("MapStart inner").itemPath, []);
    assert.deepEqual(byLine("NodeStart z").itemPath, []);
    assert.deepEqual([byLine("NodeStart z").depth, byLine("NodeStart z").path], [0, ["outer"]]);
    assert.equal(new Set(rec.calls.map((c) => c.event.runId)).size, 1);
    assert.equal(new Set(rec.calls.map((c) => c.context)).size, 1);
  });

  it("a failing node fires onNodeError, then end events with the error, outward", async () => {
    const rec = recorder();
    const boom = node({ output: "z" }, ({ y }: { y: number }) => {
      if (y > 2) throw new Error(`too big: ${y}`);
      return y;
    });
    const p = new Pipeline({ nodes: [inc, boom], name: "fails" });
    const engine = new HyperNodesEngine({ callbacks: [rec.callback] });
    await assert.rejects(p.run({ x: 5 }, { engine }), NodeExecutionError);
    assert.deepEqual(rec.lines(), [
      "PipelineStart fails",
      "NodeStart y",
      "NodeEnd y",
      "NodeStart z",
      "NodeError z !",
      "NodeEnd z !",
      "PipelineEnd fails !",
    ]);
    const [error, end, pipelineEnd] = rec.calls.slice(-3).map((c) => c.event.error);
    assert.ok(error instanceof NodeExecutionError);
    assert.equal(error.node, "z");
    assert.equal(end, error);
    assert.equal(pipelineEnd, error);
  });

  it("a failing map item ends its item and the map with the error", async () => {
    const rec = recorder();
    const boom = node({ output: "z" }, ({ y }: { y: number }) => {
      if (y === 3) throw new Error("three");
      return y;
    });
    const p = new Pipeline({ nodes: [inc, boom], name: "fails" });
    const engine = new HyperNodesEngine({ callbacks: [rec.callback] });
    await assert.rejects(p.map({ x: [1, 2, 3] }, { mapOver: "x", engine }), NodeExecutionError);
    assert.deepEqual(rec.lines().slice(-5), [
      "NodeStart z[1]",
      "NodeError z[1] !",
      "NodeEnd z[1] !",
      "MapItemEnd fails[1] !",
      "MapEnd fails !",
    ]);
    assert.ok(!rec.lines().includes("MapItemStart fails[2]"));
    // With errors: "collect" the map goes on and ends without an error.
    const collected = recorder();
    const engine2 = new HyperNodesEngine({ callbacks: [collected.callback] });
    const out = await p.map({ x: [2, 1] }, { mapOver: "x", errors: "collect", engine: engine2 });
    assert.ok(out[0] instanceof NodeExecutionError);
    assert.deepEqual(collected.lines().filter((l) => l.startsWith("Map")), [
      "MapStart fails",
      "MapItemStart fails[0]",
      "MapItemEnd fails[0] !",
      "MapItemStart fails[1]",
      "MapItemEnd fails[1]",
      "MapEnd fails",
    ]);
  });

  it("a throwing callback is reported and neither breaks the run nor the other callbacks", async () => {
    const rec = recorder();
    const thrower: Callback = {
      name: "thrower",
      onNodeStart() {
        throw new Error("callback bug");
      },
      onPipelineEnd() {
        throw new Error("callback bug at the end");
      },
    };
    const reported: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void reported.push(args);
    try {
      const engine = new HyperNodesEngine({ callbacks: [thrower, rec.callback] });
      assert.deepEqual(await chain.run({ x: 1 }, { engine }), { y: 2, z: 4 });
    } finally {
      console.error = original;
    }
    assert.equal(rec.lines().length, 6);
    assert.equal(reported.length, 3);
    assert.match(String(reported[0][0]), /Callback thrower threw in onNodeStart; the run goes on/);
    assert.match(String(reported[2][0]), /thrower threw in onPipelineEnd/);
    assert.equal((reported[0][1] as Error).message, "callback bug");
  });

  it("a callback with no hooks sees nothing and changes nothing", async () => {
    const engine = new HyperNodesEngine({ callbacks: [{}] });
    assert.deepEqual(await chain.map({ x: [1, 2] }, { mapOver: "x", engine }), [
      { y: 2, z: 4 },
      { y: 3, z: 6 },
    ]);
  });
});

/** Per outer item, a nested map of `squarer` over the item's `ys`, then their sum. */
function rowsMap() {
  const square = node({ output: "sq" }, async ({ y }: { y: number }) => {
    await yieldTurns(y % 3); // items finish out of order
    return y * y;
  });
  const inner = new Pipeline({ nodes: [square], name: "squarer" });
  const sum = node(
    { output: "total" },
    ({ sq }: { sq: number[] }) => sq.reduce((a, b) => a + b, 0),
  );
  return new Pipeline({
    nodes: [inner.asNode({ name: "each", inputMapping: { ys: "y" }, mapOver: "ys" }), sum],
    name: "row",
  });
}
const ROWS = [[1, 2], [3, 4], [5, 6]];

describe("item paths", () => {
  it("map() gives the events of a map nested in map items their outer and inner item (sequential)", async () => {
    const rec = recorder();
    const engine = new HyperNodesEngine({ callbacks: [rec.callback] });
    const out = await rowsMap().map({ ys: ROWS }, { mapOver: "ys", engine });
    assert.deepEqual(out.map((r) => r.total), [5, 25, 61]);
    const sq = rec.calls.filter((c) => c.hook === "onNodeEnd" && c.event.node === "sq");
    assert.deepEqual(sq.map((c) => [c.event.item, c.event.itemPath]), [
      [0, [0, 0]],
      [1, [0, 1]],
      [0, [1, 0]],
      [1, [1, 1]],
      [0, [2, 0]],
      [1, [2, 1]],
    ]);
    const maps = rec.calls.filter((c) => c.hook === "onMapStart");
    assert.deepEqual(maps.map((c) => [c.event.pipeline, c.event.itemPath]), [
      ["row", []],
      ["squarer", [0]],
      ["squarer", [1]],
      ["squarer", [2]],
    ]);
  });
});

/** A nested map pipeline: per item, `inc` then a nested `square` pipeline. */
function nestedMap() {
  const square = node({ output: "sq" }, async ({ y }: { y: number }) => {
    await yieldTurns(2);
    return y * y;
  });
  const inner = new Pipeline({ nodes: [square], name: "squarer" });
  return new Pipeline({ nodes: [inc, inner.asNode({ name: "square" })], name: "item" });
}

describe("ProgressCallback and TelemetryCallback on a real run", () => {
  it("ProgressCallback() prints the summary of a nested map run", async () => {
    let out = "";
    let t = 0;
    const progress = new ProgressCallback({
      write: (text) => void (out += text),
      isTTY: false,
      columns: 100,
      now: () => (t += 1), // a fake clock: every reading is 1ms later
      setTimer: () => () => {},
    });
    await using engine = new HyperNodesEngine({ mapExecutor: "async", callbacks: [progress] });
    const result = await nestedMap().map({ x: [1, 2, 3] }, { mapOver: "x", engine });
    assert.deepEqual(result.map((r) => r.sq), [4, 9, 16]);
    // Durations and rates come from the real clock of the engine's events.
    const normalized = out.replace(/ in \S+ · \S+ it\/s/g, " in T · R it/s");
    assert.equal(
      normalized,
      [
        "✓ item               3/3 in T · R it/s · 0% cached",
        "  ✓ y                3/3 in T · R it/s · 0% cached",
        "  ✓ square (squarer) 3/3 in T · R it/s · 0% cached",
        "    ✓ sq             3/3 in T · R it/s · 0% cached",
        "",
      ].join("\n"),
    );
  });

  it("ProgressCallback() counts a map nested in overlapping map items in the outer map's bars", async () => {
    let out = "";
    const progress = new ProgressCallback({
      write: (text) => void (out += text),
      isTTY: false,
      columns: 100,
      setTimer: () => () => {},
    });
    await using engine = new HyperNodesEngine({ mapExecutor: "async", callbacks: [progress] });
    await rowsMap().map({ ys: ROWS }, { mapOver: "ys", engine });
    // One summary when the outer map ends (no inner map row left running), the inner map's
    // node counting all 3 × 2 inner items.
    assert.equal(
      out.replace(/ in \S+ · \S+ it\/s/g, " in T · R it/s"),
      [
        "✓ row              3/3 in T · R it/s · 0% cached",
        "  ✓ each (squarer) 3/3 in T · R it/s · 0% cached",
        "    ✓ sq           6/6 in T · R it/s · 0% cached",
        "  ✓ total          3/3 in T · R it/s · 0% cached",
        "",
      ].join("\n"),
    );
  });

  it("TelemetryCallback() builds map → item → node / nested → pipeline → node spans", async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const telemetry = new TelemetryCallback({ tracerProvider });
    await using engine = new HyperNodesEngine({ mapExecutor: "async", callbacks: [telemetry] });
    await nestedMap().map({ x: [1, 2] }, { mapOver: "x", engine });

    const trace = telemetry.trace()!;
    const byId = new Map(trace.spans.map((s) => [s.id, s]));
    const shape = trace.spans.map((s) => {
      const parent = s.parentId === null ? "-" : byId.get(s.parentId)!.name;
      return `${s.kind} ${s.name} < ${parent}`;
    });
    assert.deepEqual(
      shape.sort(),
      [
        "item item[0] < item.map",
        "item item[1] < item.map",
        "map item.map < -",
        "nested square < item[0]",
        "nested square < item[1]",
        "node sq < squarer",
        "node sq < squarer",
        "node y < item[0]",
        "node y < item[1]",
        "pipeline squarer < square",
        "pipeline squarer < square",
      ].sort(),
    );
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, trace.spans.length);
    const roots = spans.filter((s) => s.parentSpanContext === undefined);
    assert.deepEqual(roots.map((s) => s.name), ["item.map"]);
    const sq = spans.filter((s) => s.name === "sq");
    assert.deepEqual(sq.map((s) => s.attributes["hn.item"]).sort(), [0, 1]);
    assert.deepEqual(sq.map((s) => s.attributes["hn.depth"]), [1, 1]);
  });
});
