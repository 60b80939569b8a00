/**
 * Internal: folds callback events into the row tree {@linkcode renderProgress}
 * draws. A plain run gets a row per pipeline and per node (a nested node's row
 * doubles as its inner pipeline's row); a map gets one bar, plus one bar per
 * node aggregated over items, so interleaved items of concurrent executors
 * simply count up.
 *
 * @module
 */

import type { BaseEvent } from "../core/callback.ts";
import type {
  ProgressRow,
  ProgressRowKind,
  ProgressState,
  ProgressStatus,
} from "./render_progress.ts";

interface Row {
  kind: ProgressRowKind;
  label: string;
  status: ProgressStatus;
  start: number;
  end?: number;
  total?: number;
  error?: string;
  readonly done: Set<string | number>;
  readonly cached: Set<string | number>;
  readonly failed: Set<string | number>;
  readonly children: Row[];
  readonly parent?: Row;
  readonly runId: string;
  readonly depth: number;
  readonly path: readonly string[];
  readonly item?: number;
  readonly node?: string;
  readonly inner?: string;
  /** Bars of the nodes inside a map row, by key. */
  readonly bars?: Map<string, Row>;
}

type Ev = BaseEvent & { node?: string; inner?: string; error?: unknown };

const pathKey = (e: BaseEvent): string => `${e.depth}|${e.path.join("\u0000")}`;
const isPrefix = (a: readonly string[], b: readonly string[]): boolean =>
  a.length <= b.length && a.every((name, i) => b[i] === name);

/** `name: message` of the first line of an error. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split("\n")[0];
}

/** Events in, row tree out. */
export class ProgressTracker {
  #roots: Row[] = [];
  #rows = new Map<string, Row>();

  /** Whether a top-level run or map is still running. */
  get active(): boolean {
    return this.#roots.some((row) => row.status === "running");
  }

  /** Whether there is anything to draw. */
  get empty(): boolean {
    return this.#roots.length === 0;
  }

  /** Forgets finished runs (after their summary was drawn). */
  clear(): void {
    this.#roots = this.#roots.filter((row) => row.status === "running");
    for (const [key, row] of this.#rows) {
      if (!this.#roots.includes(root(row))) this.#rows.delete(key);
    }
  }

  /** The rows as plain data; with `runningOnly`, finished rows are left out. */
  snapshot(now: number, runningOnly = false): ProgressState {
    const freeze = (rows: readonly Row[]): ProgressRow[] =>
      rows.filter((row) => !runningOnly || row.status === "running").map((row) => ({
        kind: row.kind,
        label: row.label,
        status: row.status,
        start: row.start,
        end: row.end,
        total: row.total,
        done: row.done.size,
        cached: row.cached.size,
        failed: row.failed.size,
        error: row.error,
        children: freeze(row.children),
      }));
    return { now, rows: freeze(this.#roots) };
  }

  pipelineStart(e: Ev): void {
    if (this.#mapOf(e)) return; // a map item's run counts in the map's bars
    const key = `p|${e.runId}|${e.item}|${pathKey(e)}`;
    const nested = this.#nestedOf(e);
    if (nested) this.#rows.set(key, nested);
    else this.#add(key, "pipeline", e.pipeline, e, undefined);
  }

  pipelineEnd(e: Ev): void {
    if (this.#mapOf(e)) return;
    const row = this.#rows.get(`p|${e.runId}|${e.item}|${pathKey(e)}`);
    if (row && row.kind === "pipeline") finish(row, e);
  }

  mapStart(e: Ev & { items: number }): void {
    this.#add(`m|${e.runId}|${pathKey(e)}`, "map", e.pipeline, e, this.#nestedOf(e), {
      total: e.items,
      bars: new Map(),
    });
  }

  mapItemEnd(e: Ev & { item: number; cached?: boolean }): void {
    const map = this.#rows.get(`m|${e.runId}|${pathKey(e)}`);
    if (!map) return;
    count(map, e.item, e.cached === true, e.error);
    // A wholly cached item ran none of its nodes: it counts as cached in every node's bar.
    if (e.cached) { for (const bar of map.bars!.values()) count(bar, e.item, true, undefined); }
  }

  mapEnd(e: Ev): void {
    const map = this.#rows.get(`m|${e.runId}|${pathKey(e)}`);
    if (!map) return;
    const ok = { ...e, error: undefined }; // a failed map fails only the bars that saw errors
    for (const bar of map.bars?.values() ?? []) if (bar.status === "running") finish(bar, ok, true);
    finish(map, e, true);
  }

  /** A node (or nested pipeline, with `inner`) started. */
  nodeStart(e: Ev): void {
    const kind = e.inner === undefined ? "node" : "nested";
    const label = e.inner === undefined || e.inner === e.node ? e.node! : `${e.node} (${e.inner})`;
    const map = this.#mapOf(e);
    if (map) {
      const bar = this.#bar(map, e);
      if (kind === "nested") bar.kind = kind, bar.label = label;
      return;
    }
    const key = `n|${e.runId}|${e.item}|${pathKey(e)}|${e.node}`;
    const row = this.#rows.get(key);
    if (row && row.status === "running") {
      if (kind === "nested") Object.assign(row, { kind, label, inner: e.inner });
      return;
    }
    const parent = this.#rows.get(`p|${e.runId}|${e.item}|${pathKey(e)}`) ?? this.#nestedOf(e);
    this.#add(key, kind, label, e, parent, { inner: e.inner });
  }

  /**
   * A node (or nested pipeline) ended (`ended`), came from the cache (`cached`)
   * or failed (neither: its end event follows). The first of end/cached
   * finishes the row; sets make the repeats of `start → cached → end` harmless.
   */
  nodeEnd(e: Ev, cached: boolean, ended: boolean): void {
    const map = this.#mapOf(e);
    if (map) {
      const bar = this.#bar(map, e);
      if (ended || cached) count(bar, e.item!, cached, e.error);
      else if (e.error !== undefined) bar.error ??= errorText(e.error);
      return;
    }
    const key = `n|${e.runId}|${e.item}|${pathKey(e)}|${e.node}`;
    let row = this.#rows.get(key);
    if (!row) {
      if (!cached) return; // an end without a start: nothing to show
      this.nodeStart(e), row = this.#rows.get(key)!;
    }
    if (e.error !== undefined) row.error ??= errorText(e.error);
    if (cached) row.cached.add(e.node!);
    if (!ended && !cached) return;
    // A nested row's `cached` holds its inner nodes: `finish` checks they all were.
    if (row.status === "running") finish(row, e, false, row.kind === "node" && row.cached.size > 0);
    if (row.parent) {
      count(row.parent, `${pathKey(e)}|${e.node}`, row.status === "cached", e.error);
    }
  }

  #add(
    key: string,
    kind: ProgressRowKind,
    label: string,
    e: Ev,
    parent: Row | undefined,
    extra: Partial<Row> = {},
  ): Row {
    const row: Row = {
      kind,
      label,
      status: "running",
      start: e.time,
      done: new Set(),
      cached: new Set(),
      failed: new Set(),
      children: [],
      parent,
      runId: e.runId,
      depth: e.depth,
      path: e.path,
      item: e.item,
      node: e.node,
      ...extra,
    };
    (parent ? parent.children : this.#roots).push(row);
    this.#rows.set(key, row);
    return row;
  }

  /** The running map whose items `e` belongs to. */
  #mapOf(e: Ev): Row | undefined {
    if (e.item === undefined) return undefined;
    let found: Row | undefined;
    for (const row of this.#rows.values()) {
      if (
        row.kind === "map" && row.status === "running" && row.runId === e.runId &&
        row.depth <= e.depth && isPrefix(row.path, e.path) &&
        (!found || row.path.length >= found.path.length)
      ) found = row;
    }
    return found;
  }

  /** The running nested-node row one level up whose inner pipeline `e` belongs to. */
  #nestedOf(e: Ev): Row | undefined {
    if (e.depth === 0) return undefined;
    let found: Row | undefined;
    for (const row of this.#rows.values()) {
      if (
        row.kind === "nested" && row.status === "running" && row.runId === e.runId &&
        row.item === e.item && row.depth === e.depth - 1 && row.path.length < e.path.length &&
        isPrefix(row.path, e.path)
      ) {
        // Prefer the nested node the path continues with, so concurrent nested nodes don't mix.
        if (e.path[row.path.length] === row.node || e.pipeline === row.inner) return row;
        found = row;
      }
    }
    return found;
  }

  /** The bar of `e`'s node inside `map`, nested under its nested node's bar. */
  #bar(map: Row, e: Ev): Row {
    const bars = map.bars!;
    const key = `${pathKey(e)}|${e.node}`;
    let bar = bars.get(key);
    if (bar) return bar;
    let parent = map;
    for (const other of bars.values()) {
      if (
        other.kind === "nested" && other.depth === e.depth - 1 &&
        other.path.length < e.path.length && isPrefix(other.path, e.path)
      ) parent = other;
    }
    bar = this.#add(
      `b|${map.runId}|${map.path.join("\u0000")}|${key}`,
      "node",
      e.node!,
      e,
      parent,
      {
        total: map.total,
        item: undefined,
      },
    );
    bars.set(key, bar);
    for (const item of map.cached) count(bar, item, true, undefined);
    return bar;
  }
}

function root(row: Row): Row {
  return row.parent ? root(row.parent) : row;
}

function count(row: Row, id: string | number, cached: boolean, error: unknown): void {
  row.done.add(id);
  if (cached) row.cached.add(id);
  if (error !== undefined) row.failed.add(id), row.error ??= errorText(error);
}

function finish(row: Row, e: Ev, aggregate = false, cached = false): void {
  row.end = e.time;
  if (e.error !== undefined) row.error ??= errorText(e.error);
  const allCached = row.done.size > 0 && row.cached.size === row.done.size;
  row.status = e.error !== undefined || row.failed.size > 0 || (!aggregate && row.error)
    ? "failed"
    : cached || (row.kind !== "node" || aggregate || row.total !== undefined) && allCached
    ? "cached"
    : "done";
}
