import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Callback, MapItemStartEvent } from "../../src/core/callback.ts";
import { ProgressCallback } from "../../src/progress/progress_callback.ts";
import { renderProgress } from "../../src/progress/render_progress.ts";

/** A ProgressCallback writing into an array, with a hand-driven clock and timer. */
function harness(isTTY: boolean, columns = 100) {
  let time = 0;
  const writes: string[] = [];
  let timers: (() => void)[] = [];
  const progress = new ProgressCallback({
    write: (text) => void writes.push(text),
    isTTY,
    columns,
    now: () => time,
    setTimer: (fn) => {
      timers.push(fn);
      return () => void (timers = timers.filter((t) => t !== fn));
    },
  });
  return {
    progress,
    writes,
    /** Sends `onMapItemStart` as an engine would (ProgressCallback has no use for it). */
    itemStart(e: MapItemStartEvent) {
      (progress as Callback).onMapItemStart?.(e, { runId: e.runId, data: new Map() });
    },
    /** Sets the clock. */
    at(ms: number) {
      time = ms;
      return ms;
    },
    /** Runs the pending timers, as if their delay passed. */
    fire() {
      const due = timers;
      timers = [];
      for (const fn of due) fn();
    },
    get pending() {
      return timers.length;
    },
  };
}

/** What a terminal shows for one write: ANSI codes and carriage returns removed. */
const screen = (text: string): string =>
  // deno-lint-ignore no-control-regex -- ANSI escape sequences start with ESC
  text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

const at = (pipeline: string, path: string[], depth = 0, item?: number) => ({
  runId: "r1",
  pipeline,
  path,
  depth,
  ...(item === undefined ? { itemPath: [] } : { item, itemPath: [item] }),
});

describe("renderProgress", () => {
  it("renderProgress() draws a bar with counts, %, items/s, cached % and ETA", () => {
    const rows = [{
      kind: "map" as const,
      label: "docs",
      status: "running" as const,
      start: 0,
      total: 30,
      done: 15,
      cached: 3,
      failed: 0,
      children: [],
    }];
    assert.deepEqual(renderProgress({ now: 5000, rows }, { columns: 100 }), [
      `⠋ docs [${"█".repeat(15)}${"░".repeat(15)}] 15/30 50% · 3.00 it/s · 20% cached · ETA 5s`,
    ]);
    const [cut] = renderProgress({ now: 5000, rows }, { columns: 40 });
    assert.equal(cut.length, 39);
    assert.ok(cut.endsWith("…"));
  });
});

describe("ProgressCallback", () => {
  it("ProgressCallback() prints ✓ / cached summary lines of a run when not a TTY", () => {
    const h = harness(false);
    const p = at("rag", ["rag"]);
    h.progress.onPipelineStart({ ...p, time: h.at(0), inputs: ["q"] });
    h.progress.onNodeStart({ ...p, time: h.at(0), node: "embed" });
    h.progress.onNodeEnd({ ...p, time: h.at(1200), node: "embed", duration: 1200, cached: false });
    h.progress.onNodeCached({ ...p, time: h.at(1200), node: "search", signature: "s" });
    h.progress.onNodeStart({ ...p, time: h.at(1200), node: "answer" });
    h.progress.onNodeEnd({ ...p, time: h.at(1500), node: "answer", duration: 300, cached: false });
    assert.deepEqual(h.writes, []); // nothing before the period or the end
    h.progress.onPipelineEnd({ ...p, time: h.at(1600), duration: 1600 });
    assert.deepEqual(h.writes, [
      [
        "✓ rag      1.60s · 3 nodes (1 cached)",
        "  ✓ embed  1.20s",
        "  ↺ search cached",
        "  ✓ answer 300ms",
        "",
      ].join("\n"),
    ]);
    assert.equal(h.pending, 0);
  });

  it("ProgressCallback() draws map and per-node bars with cached % in a TTY", () => {
    const h = harness(true);
    const m = at("docs", ["docs"]);
    h.progress.onMapStart({ ...m, time: h.at(0), items: 4 });
    h.itemStart({ ...m, item: 0, itemPath: [0], time: 0 });
    h.progress.onMapItemCached({ ...m, item: 0, itemPath: [0], time: 0 });
    // Items 1 and 2 interleave, as with a concurrent executor.
    for (const item of [1, 2]) {
      h.itemStart({ ...m, item, itemPath: [item], time: h.at(0) });
      h.progress.onPipelineStart({ ...at("docs", ["docs"], 0, item), time: 0, inputs: ["x"] });
      h.progress.onNodeStart({ ...at("docs", ["docs"], 0, item), time: 0, node: "parse" });
    }
    for (const item of [2, 1]) {
      const i = at("docs", ["docs"], 0, item);
      h.progress.onNodeEnd({
        ...i,
        time: h.at(1000),
        node: "parse",
        duration: 1000,
        cached: false,
      });
      h.progress.onPipelineEnd({ ...i, time: 1000, duration: 1000 });
      h.progress.onMapItemEnd({
        ...m,
        item,
        itemPath: [item],
        time: 1000,
        duration: 1000,
        cached: false,
      });
    }
    assert.equal(h.writes.length, 0);
    h.at(1500);
    h.fire();
    assert.equal(h.writes.length, 1);
    assert.equal(
      screen(h.writes[0]),
      [
        `⠴ docs    [${"█".repeat(23)}${"░".repeat(7)}] 3/4 75% · 2.00 it/s · 33% cached · ETA 1s`,
        `  ⠴ parse [${"█".repeat(23)}${"░".repeat(7)}] 3/4 75% · 2.00 it/s · 33% cached · ETA 1s`,
        "",
      ].join("\n"),
    );
    const i3 = at("docs", ["docs"], 0, 3);
    h.itemStart({ ...m, item: 3, itemPath: [3], time: h.at(1500) });
    h.progress.onNodeStart({ ...i3, time: 1500, node: "parse" });
    h.progress.onNodeCached({ ...i3, time: 1500, node: "parse", signature: "p" });
    h.progress.onNodeEnd({ ...i3, time: 1500, node: "parse", duration: 0, cached: true });
    h.progress.onMapItemEnd({
      ...m,
      item: 3,
      itemPath: [3],
      time: h.at(2000),
      duration: 500,
      cached: false,
    });
    h.progress.onMapEnd({ ...m, time: h.at(2000), items: 4, duration: 2000 });
    assert.equal(h.writes.length, 2);
    assert.ok(h.writes[1].startsWith("\x1b[2A"), "redraws over the 2 previous lines");
    assert.equal(
      screen(h.writes[1]),
      [
        "✓ docs    4/4 in 2.00s · 2.00 it/s · 25% cached",
        "  ✓ parse 4/4 in 2.00s · 2.00 it/s · 50% cached",
        "",
      ].join("\n"),
    );
    assert.equal(h.pending, 0);
  });

  it("ProgressCallback() indents a nested pipeline under its node", () => {
    const h = harness(false);
    const outer = at("rag", ["rag"]);
    const inner = at("search", ["rag", "retrieve", "search"], 1);
    h.progress.onPipelineStart({ ...outer, time: h.at(0), inputs: ["q"] });
    h.progress.onNestedPipelineStart({ ...outer, time: 0, node: "retrieve", inner: "search" });
    h.progress.onPipelineStart({ ...inner, time: 0, inputs: ["q"] });
    h.progress.onNodeStart({ ...inner, time: 0, node: "bm25" });
    h.progress.onNodeEnd({ ...inner, time: 2000, node: "bm25", duration: 2000, cached: false });
    h.progress.onNodeCached({ ...inner, time: 2000, node: "rerank", signature: "r" });
    h.progress.onPipelineEnd({ ...inner, time: 2000, duration: 2000 });
    h.progress.onNestedPipelineEnd({
      ...outer,
      time: 2000,
      node: "retrieve",
      inner: "search",
      duration: 2000,
    });
    h.progress.onNodeStart({ ...outer, time: 2000, node: "answer" });
    h.progress.onNodeEnd({ ...outer, time: 2500, node: "answer", duration: 500, cached: false });
    h.progress.onPipelineEnd({ ...outer, time: h.at(2500), duration: 2500 });
    assert.deepEqual(h.writes, [
      [
        "✓ rag                 2.50s · 2 nodes",
        "  ✓ retrieve (search) 2.00s · 2 nodes (1 cached)",
        "    ✓ bm25            2.00s",
        "    ↺ rerank          cached",
        "  ✓ answer            500ms",
        "",
      ].join("\n"),
    ]);
  });

  it("ProgressCallback() marks a failing node and its pipeline with ✗ and the error", () => {
    const h = harness(false);
    const p = at("rag", ["rag"]);
    const error = new TypeError("boom\nstack line");
    h.progress.onPipelineStart({ ...p, time: h.at(0), inputs: [] });
    h.progress.onNodeStart({ ...p, time: 0, node: "answer" });
    h.progress.onNodeError({ ...p, time: 1000, node: "answer", error });
    h.progress.onNodeEnd({
      ...p,
      time: 1000,
      node: "answer",
      duration: 1000,
      cached: false,
      error,
    });
    h.progress.onPipelineEnd({ ...p, time: h.at(1000), duration: 1000, error });
    assert.deepEqual(h.writes, [
      [
        "✗ rag      1.00s · 1 node · 1 failed — TypeError: boom",
        "  ✗ answer 1.00s — TypeError: boom",
        "",
      ].join("\n"),
    ]);
  });

  it("ProgressCallback() redraws at most once per interval in a TTY", () => {
    const h = harness(true);
    const p = at("rag", ["rag"]);
    h.progress.onPipelineStart({ ...p, time: h.at(0), inputs: [] });
    for (let i = 0; i < 50; i++) {
      h.progress.onNodeStart({ ...p, time: h.at(i), node: `n${i}` });
      h.progress.onNodeEnd({ ...p, time: h.at(i + 1), node: `n${i}`, duration: 1, cached: false });
    }
    assert.equal(h.writes.length, 0);
    assert.equal(h.pending, 1, "one timer for the whole burst");
    h.at(100);
    h.fire();
    assert.equal(h.writes.length, 1);
    assert.equal(screen(h.writes[0]).split("\n").length, 52); // pipeline + 50 nodes + ""
    assert.ok(screen(h.writes[0]).startsWith("⠙ rag   50 nodes done · 100ms\n"));
    // Nothing new and under a second since the draw: the heartbeat does not redraw.
    h.at(200);
    h.fire();
    assert.equal(h.writes.length, 1);
    // The end always draws, at once.
    h.progress.onPipelineEnd({ ...p, time: h.at(250), duration: 250 });
    assert.equal(h.writes.length, 2);
    assert.ok(h.writes[1].startsWith("\x1b[51A"));
    assert.ok(screen(h.writes[1]).startsWith("✓ rag   250ms · 50 nodes\n"));
    assert.equal(h.pending, 0);
    // The next run draws below the finished block instead of over it.
    h.progress.onPipelineStart({ ...p, runId: "r2", time: h.at(300), inputs: [] });
    h.progress.onPipelineEnd({ ...p, runId: "r2", time: h.at(310), duration: 10 });
    assert.equal(screen(h.writes[2]), "✓ rag 10ms · 0 nodes\n");
    assert.ok(!h.writes[2].includes("\x1b[1A"));
  });

  it("ProgressCallback() prints plain periodic lines of running rows when not a TTY", () => {
    const h = harness(false);
    const m = at("docs", ["docs"]);
    h.progress.onMapStart({ ...m, time: h.at(0), items: 10 });
    for (let item = 0; item < 4; item++) {
      h.itemStart({ ...m, item, itemPath: [item], time: h.at(item * 1000) });
      h.progress.onMapItemEnd({
        ...m,
        item,
        itemPath: [item],
        time: h.at(item * 1000 + 1000),
        duration: 1000,
        cached: false,
      });
    }
    assert.equal(h.writes.length, 0);
    h.fire();
    assert.deepEqual(h.writes, ["▸ docs 4/10 40% · 1.00 it/s · 0% cached · ETA 6s\n"]);
    assert.equal(h.pending, 1, "keeps printing while the map runs");
    h.progress.onMapEnd({ ...m, time: h.at(5000), items: 10, duration: 5000 });
    assert.equal(h.writes[1], "✓ docs 4/10 in 5.00s · 0.80 it/s · 0% cached\n");
    assert.ok(!h.writes.join("").includes("\x1b"), "no ANSI codes in a log");
  });
});
