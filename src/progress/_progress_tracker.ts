/**
 * Internal: folds callback events into the row tree {@linkcode renderProgress}
 * draws. A plain run gets a row per pipeline and per node (a nested node's row
 * doubles as its inner pipeline's row); a map gets one bar, plus one bar per
 * node aggregated over items, so interleaved items of concurrent executors
 * simply count up. A map nested in a map item is folded into the outer map's
 * bars: its nodes' bars count every inner item of every outer item, told apart
 * by item path (inner item indexes repeat across outer items).
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
  /** The item path of the row's events as a key (see {@linkcode scopeOf}). */
  readonly scope: string;
  readonly node?: string;
  readonly inner?: string;
  /** Bars of the nodes inside a map row, by key. */
  readonly bars?: Map<string, Row>;
  /** In a map row: the maps nested in its items, by `pathKey`. */
  readonly folded?: Map<string, Folded>;
  /** In a bar of a node inside a folded map: that map (its items are the bar's total). */
  readonly foldedIn?: Folded;
}

/** A map nested in the items of a map row: where it runs, and its items over all its runs. */
interface Folded {
  readonly depth: number;
  readonly path: readonly string[];
  total: number;
}

type Ev = Omit<BaseEvent, "itemPath"> & {
  /** Absent in the events of engines that predate it (see `scopeOf`). */
  itemPath?: readonly number[];
  node?: string;
  inner?: string;
  error?: unknown;
};

const pathKey = (e: Pick<BaseEvent, "depth" | "path">): string =>
  `${e.depth}|${e.path.join("\u0000")}`;
/** The item path of `e` as a key: `"2/0"`, `""` outside maps; from `item` when it is not set. */
const scopeOf = (e: Ev): string =>
  e.itemPath !== undefined ? e.itemPath.join("/") : e.item === undefined ? "" : String(e.item);
/** The scope of the map an item with scope `scope` belongs to. */
const outerScope = (scope: string): string => scope.slice(0, Math.max(0, scope.lastIndexOf("/")));
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
    const key = `p|${e.runId}|${scopeOf(e)}|${pathKey(e)}`;
    const nested = this.#nestedOf(e);
    if (nested) this.#rows.set(key, nested);
    else this.#add(key, "pipeline", e.pipeline, e, undefined);
  }

  pipelineEnd(e: Ev): void {
    if (this.#mapOf(e)) return;
    const row = this.#rows.get(`p|${e.runId}|${scopeOf(e)}|${pathKey(e)}`);
    if (row && row.kind === "pipeline") finish(row, e);
  }

  mapStart(e: Ev & { items: number }): void {
    const outer = this.#mapOf(e);
    if (outer) {
      // A map inside a map item: its items add to the total of its nodes' bars in `outer`.
      const at = pathKey(e);
      let folded = outer.folded!.get(at);
      if (!folded) outer.folded!.set(at, folded = { depth: e.depth, path: e.path, total: 0 });
      folded.total += e.items;
      for (const bar of outer.bars!.values()) if (bar.foldedIn === folded) bar.total = folded.total;
      return;
    }
    this.#add(`m|${e.runId}|${scopeOf(e)}|${pathKey(e)}`, "map", e.pipeline, e, this.#nestedOf(e), {
      total: e.items,
      bars: new Map(),
      folded: new Map(),
    });
  }

  mapItemEnd(e: Ev & { item: number; cached?: boolean }): void {
    const scope = scopeOf(e);
    const map = this.#rows.get(`m|${e.runId}|${outerScope(scope)}|${pathKey(e)}`);
    if (!map) return; // an item of a folded map: its nodes count in the bars
    count(map, scope, e.cached === true, e.error);
    // A wholly cached item ran none of its nodes: it counts as cached in every node's bar
    // (but those of maps nested in it, which never started).
    if (e.cached) {
      for (const bar of map.bars!.values()) {
        if (bar.foldedIn === undefined) count(bar, scope, true, undefined);
      }
    }
  }

  mapEnd(e: Ev): void {
    const map = this.#rows.get(`m|${e.runId}|${scopeOf(e)}|${pathKey(e)}`);
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
    const key = `n|${e.runId}|${scopeOf(e)}|${pathKey(e)}|${e.node}`;
    const row = this.#rows.get(key);
    if (row && row.status === "running") {
      if (kind === "nested") Object.assign(row, { kind, label, inner: e.inner });
      return;
    }
    const parent = this.#rows.get(`p|${e.runId}|${scopeOf(e)}|${pathKey(e)}`) ??
      this.#nestedOf(e);
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
      if (ended || cached) count(bar, scopeOf(e), cached, e.error);
      else if (e.error !== undefined) bar.error ??= errorText(e.error);
      return;
    }
    const key = `n|${e.runId}|${scopeOf(e)}|${pathKey(e)}|${e.node}`;
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
      scope: scopeOf(e),
      node: e.node,
      ...extra,
    };
    (parent ? parent.children : this.#roots).push(row);
    this.#rows.set(key, row);
    return row;
  }

  /** The running map row whose items `e` belongs to (maps nested in items have no row). */
  #mapOf(e: Ev): Row | undefined {
    if (e.item === undefined && !e.itemPath?.length) return undefined;
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
        row.scope === scopeOf(e) && row.depth === e.depth - 1 &&
        row.path.length < e.path.length &&
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
    // Inside a map folded into `map`, the bar counts that map's items: the innermost one
    // whose path leads to the node.
    let foldedIn: Folded | undefined;
    if (outerScope(scopeOf(e)) !== map.scope) {
      for (const f of map.folded!.values()) {
        if (
          f.depth <= e.depth && isPrefix(f.path, e.path) &&
          (!foldedIn || f.path.length > foldedIn.path.length)
        ) foldedIn = f;
      }
    }
    bar = this.#add(
      `b|${map.runId}|${map.path.join("\u0000")}|${key}`,
      "node",
      e.node!,
      e,
      parent,
      {
        total: foldedIn === undefined ? map.total : foldedIn.total,
        scope: "",
        foldedIn,
      },
    );
    bars.set(key, bar);
    if (foldedIn === undefined) {
      for (const item of map.cached) {
        count(bar, item, true, undefined);
      }
    }
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
