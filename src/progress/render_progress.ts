/**
 * The pure text renderer behind {@linkcode ProgressCallback}: a tree of rows in,
 * lines out.
 *
 * @module
 */

/** Where a row stands. */
export type ProgressStatus = "running" | "done" | "cached" | "failed";

/** What a row stands for. */
export type ProgressRowKind = "pipeline" | "node" | "nested" | "map";

/** One row of progress: a pipeline run, a node, a nested pipeline or a map. */
export interface ProgressRow {
  /** What the row stands for. */
  readonly kind: ProgressRowKind;
  /** The pipeline or node name shown. */
  readonly label: string;
  /** Where it stands. */
  readonly status: ProgressStatus;
  /** Start time in milliseconds (same clock as `ProgressState.now`). */
  readonly start: number;
  /** End time in milliseconds, once it ended. */
  readonly end?: number;
  /** Items to do when the row is a bar (a map, or a node inside a map). */
  readonly total?: number;
  /** Items (bars) or nodes (pipeline rows) finished, cached and failed ones included. */
  readonly done: number;
  /** How many of `done` came from the cache. */
  readonly cached: number;
  /** How many of `done` failed. */
  readonly failed: number;
  /** The first error's `name: message`, if any. */
  readonly error?: string;
  /** Rows inside this one (nodes of a pipeline, inner pipeline of a nested node), drawn indented. */
  readonly children: readonly ProgressRow[];
}

/** Everything to draw at one instant. */
export interface ProgressState {
  /** The current time in milliseconds (for elapsed time, items/s and ETA). */
  readonly now: number;
  /** Top-level rows. */
  readonly rows: readonly ProgressRow[];
}

/** Options of {@linkcode renderProgress}. */
export interface RenderProgressOptions {
  /**
   * Terminal width: lines are cut to fit and bars sized to it.
   * @default 80
   */
  columns?: number;
  /**
   * `"tty"` draws bars and a spinner; `"plain"` writes log-friendly lines without them.
   * @default "tty"
   */
  style?: "tty" | "plain";
}

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const GLYPH: Record<Exclude<ProgressStatus, "running">, string> = {
  done: "✓",
  cached: "↺",
  failed: "✗",
};

/**
 * Renders progress rows as text lines: one line per row, children indented by
 * two spaces; bars (`[████░░░░] 12/30 40% · 3.1 it/s · 25% cached · ETA 6s`) for
 * maps and nodes in maps; `✓` / `↺ … cached` / `✗` summary lines with durations
 * for finished rows.
 *
 * @param state What to draw.
 * @param options Width and style.
 * @returns The lines, without line breaks.
 *
 * @example A map half done
 * ```ts
 * import { renderProgress } from "./render_progress.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = renderProgress({
 *   now: 2_000,
 *   rows: [{
 *     kind: "map", label: "docs", status: "running", start: 0,
 *     total: 10, done: 5, cached: 1, failed: 0, children: [],
 *   }],
 * }, { style: "plain" });
 * assert.deepEqual(lines, ["▸ docs 5/10 50% · 2.50 it/s · 20% cached · ETA 2s"]);
 * ```
 */
export function renderProgress(
  state: ProgressState,
  options: RenderProgressOptions = {},
): string[] {
  const columns = options.columns ?? 80;
  const tty = (options.style ?? "tty") === "tty";
  const flat: [ProgressRow, number][] = [];
  const walk = (rows: readonly ProgressRow[], level: number): void => {
    for (const row of rows) flat.push([row, level]), walk(row.children, level + 1);
  };
  walk(state.rows, 0);
  const labelWidth = Math.min(
    32,
    Math.max(0, ...flat.map(([row, level]) => level * 2 + row.label.length)),
  );
  const barWidth = Math.max(8, Math.min(30, columns - labelWidth - 62));
  return flat.map(([row, level]) => {
    const glyph = row.status === "running"
      ? (tty ? SPINNER[Math.floor(state.now / 100) % SPINNER.length] : "▸")
      : GLYPH[row.status];
    const label = (" ".repeat(level * 2) + glyph + " " + row.label).padEnd(labelWidth + 2);
    const line = label + " " + describe(row, state.now, tty ? barWidth : 0);
    const text = line.trimEnd();
    return tty && text.length >= columns ? text.slice(0, Math.max(1, columns - 2)) + "…" : text;
  });
}

function describe(row: ProgressRow, now: number, barWidth: number): string {
  const elapsed = (row.end ?? now) - row.start;
  const running = row.status === "running";
  const parts: string[] = [];
  if (row.total !== undefined) {
    const rate = elapsed > 0 ? row.done / (elapsed / 1000) : 0;
    const count = `${row.done}/${row.total}`;
    if (running) {
      const pct = row.total > 0 ? Math.floor((row.done / row.total) * 100) : 100;
      const filled = Math.round(
        (Math.min(row.done, row.total) / Math.max(1, row.total)) * barWidth,
      );
      const bar = barWidth > 0 ? `[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}] ` : "";
      parts.push(`${bar}${count} ${pct}%`);
    } else parts.push(`${count} in ${duration(elapsed)}`);
    parts.push(`${rate > 0 ? rateText(rate) : "–"} it/s`);
    parts.push(`${row.done > 0 ? Math.round((row.cached / row.done) * 100) : 0}% cached`);
    if (row.failed > 0) parts.push(`${row.failed} failed`);
    if (running) {
      parts.push(`ETA ${rate > 0 ? eta(((row.total - row.done) / rate) * 1000) : "?"}`);
    }
  } else if (row.kind === "node") {
    parts.push(row.status === "cached" ? "cached" : duration(elapsed));
  } else {
    if (!running) parts.push(duration(elapsed));
    const cached = row.cached > 0 ? ` (${row.cached} cached)` : "";
    parts.push(`${row.done} node${row.done === 1 ? "" : "s"}${running ? " done" : ""}${cached}`);
    if (row.failed > 0) parts.push(`${row.failed} failed`);
    if (running) parts.push(duration(elapsed));
  }
  return parts.join(" · ") + (row.error && !running ? ` — ${row.error}` : "");
}

function rateText(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

/** `850ms`, `1.25s`, `2m05s`. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** `6s`, `1m05s`, `2h03m`. */
function eta(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
