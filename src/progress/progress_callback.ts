/**
 * Live progress for pipeline runs and maps, in a terminal or a log.
 *
 * @module
 */

import type {
  Callback,
  MapEndEvent,
  MapItemCachedEvent,
  MapItemEndEvent,
  MapStartEvent,
  NestedPipelineEndEvent,
  NestedPipelineStartEvent,
  NodeCachedEvent,
  NodeEndEvent,
  NodeErrorEvent,
  NodeStartEvent,
  PipelineEndEvent,
  PipelineStartEvent,
} from "../core/callback.ts";
import { ProgressTracker } from "./_progress_tracker.ts";
import { setTimer, stdout } from "./_stdout.ts";
import { renderProgress } from "./render_progress.ts";

/** Options of {@linkcode ProgressCallback}. */
export interface ProgressCallbackOptions {
  /**
   * Where text goes.
   * @default the process's stdout (`Deno.stdout` or `process.stdout`)
   */
  write?: (text: string) => void;
  /**
   * Whether `write` goes to a terminal: redraw bars in place with ANSI codes,
   * rather than print plain lines now and then.
   * @default whether stdout is a terminal
   */
  isTTY?: boolean;
  /**
   * Terminal width.
   * @default stdout's width, else 80
   */
  columns?: number;
  /**
   * The clock, in milliseconds on the same scale as the events' `time`.
   * @default () => performance.timeOrigin + performance.now()
   */
  now?: () => number;
  /**
   * Least time between redraws in a terminal, or between plain progress lines otherwise.
   * @default 100 in a terminal, 5000 otherwise
   */
  intervalMs?: number;
  /**
   * Schedules `fn` after `ms` and returns a function that cancels it.
   * @default `setTimeout` without keeping the process alive
   */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

/** How often an idle terminal view is refreshed anyway, so elapsed time and ETA move. */
const HEARTBEAT_MS = 1000;

/**
 * A {@linkcode Callback} that draws live progress: a row per pipeline and per
 * node of a run (nested pipelines indented under their node), a bar per map and
 * per node inside a map (items done/total, %, items/s, % cached, ETA), and
 * summary lines (`✓` / `↺ cached` / `✗` with durations) when the run ends.
 *
 * In a terminal it redraws in place at most once per `intervalMs` (and always
 * once at the end); elsewhere (CI, pipes) it prints the running rows as plain
 * lines every `intervalMs` and the summary at the end. Events of concurrent
 * map items and of Worker executors only count up, so their order does not
 * matter.
 *
 * @example A run drawn into a log
 * ```ts
 * import { ProgressCallback } from "./progress_callback.ts";
 * import assert from "node:assert/strict";
 *
 * let out = "";
 * const progress = new ProgressCallback({ write: (t) => void (out += t), isTTY: false });
 * const at = { runId: "r1", pipeline: "rag", depth: 0, path: ["rag"], itemPath: [] };
 * progress.onPipelineStart({ ...at, time: 0, inputs: [] });
 * progress.onNodeStart({ ...at, time: 0, node: "embed" });
 * progress.onNodeEnd({ ...at, time: 250, node: "embed", duration: 250, cached: false });
 * progress.onPipelineEnd({ ...at, time: 300, duration: 300 });
 * assert.equal(out, "✓ rag     300ms · 1 node\n  ✓ embed 250ms\n");
 * ```
 */
export class ProgressCallback implements Callback {
  /** A name for messages and logs. */
  readonly name: string = "progress";
  #write: (text: string) => void;
  #tty: boolean;
  #columns: () => number;
  #now: () => number;
  #interval: number;
  #setTimer: (fn: () => void, ms: number) => () => void;
  #tracker = new ProgressTracker();
  #cancel: (() => void) | undefined;
  #dirty = false;
  #lines = 0;
  #lastDraw = -Infinity;

  /**
   * @param options Where and how to draw; the defaults use stdout.
   */
  constructor(options: ProgressCallbackOptions = {}) {
    const out = options.write && options.isTTY !== undefined && options.columns !== undefined
      ? undefined
      : stdout();
    this.#write = options.write ?? out!.write;
    this.#tty = options.isTTY ?? out!.isTTY;
    const columns = options.columns;
    this.#columns = columns !== undefined ? () => columns : () => out?.columns() ?? 80;
    this.#now = options.now ?? (() => performance.timeOrigin + performance.now());
    this.#interval = options.intervalMs ?? (this.#tty ? 100 : 5000);
    this.#setTimer = options.setTimer ?? setTimer;
  }

  /** Adds a pipeline row (a map item's run only counts in the map's bars). */
  onPipelineStart(e: PipelineStartEvent): void {
    this.#update(() => this.#tracker.pipelineStart(e));
  }
  /** Finishes a pipeline row; the end of a top-level run draws the summary. */
  onPipelineEnd(e: PipelineEndEvent): void {
    this.#update(() => this.#tracker.pipelineEnd(e));
  }
  /** Adds a node row. */
  onNodeStart(e: NodeStartEvent): void {
    this.#update(() => this.#tracker.nodeStart(e));
  }
  /** Finishes a node row. */
  onNodeEnd(e: NodeEndEvent): void {
    this.#update(() => this.#tracker.nodeEnd(e, e.cached, true));
  }
  /** Marks a node cached. */
  onNodeCached(e: NodeCachedEvent): void {
    this.#update(() => this.#tracker.nodeEnd(e, true, false));
  }
  /** Notes a node's error (shown with its summary line). */
  onNodeError(e: NodeErrorEvent): void {
    this.#update(() => this.#tracker.nodeEnd(e, false, false));
  }
  /** Turns the node's row into a nested pipeline whose rows are indented under it. */
  onNestedPipelineStart(e: NestedPipelineStartEvent): void {
    this.#update(() => this.#tracker.nodeStart(e));
  }
  /** Finishes a nested pipeline's row. */
  onNestedPipelineEnd(e: NestedPipelineEndEvent): void {
    this.#update(() => this.#tracker.nodeEnd(e, false, true));
  }
  /** Adds a map bar. */
  onMapStart(e: MapStartEvent): void {
    this.#update(() => this.#tracker.mapStart(e));
  }
  /** Counts a map item. */
  onMapItemEnd(e: MapItemEndEvent): void {
    this.#update(() => this.#tracker.mapItemEnd(e));
  }
  /** Counts a map item as cached. */
  onMapItemCached(e: MapItemCachedEvent): void {
    this.#update(() => this.#tracker.mapItemEnd({ ...e, cached: true }));
  }
  /** Finishes a map bar; the end of a top-level map draws the summary. */
  onMapEnd(e: MapEndEvent): void {
    this.#update(() => this.#tracker.mapEnd(e));
  }

  #update(apply: () => void): void {
    const wasActive = this.#tracker.active;
    apply();
    if (wasActive && !this.#tracker.active) return this.#final();
    this.#dirty = true;
    this.#arm();
  }

  #arm(): void {
    if (this.#cancel || !this.#tracker.active) return;
    this.#cancel = this.#setTimer(() => this.#tick(), this.#interval);
  }

  #tick(): void {
    this.#cancel = undefined;
    if (!this.#tracker.active) return;
    if (!this.#tty) {
      const state = this.#tracker.snapshot(this.#now(), true);
      const lines = renderProgress(state, { style: "plain", columns: this.#columns() });
      this.#write(lines.map((line) => line + "\n").join(""));
    } else if (this.#dirty || this.#now() - this.#lastDraw >= HEARTBEAT_MS) this.#draw();
    this.#arm(); // keep elapsed time and ETA moving while nothing happens
  }

  #draw(): void {
    const now = this.#now();
    const lines = renderProgress(this.#tracker.snapshot(now), { columns: this.#columns() });
    const up = this.#lines > 0 ? `\x1b[${this.#lines}A` : "";
    const rest = lines.length < this.#lines ? "\x1b[J" : "";
    this.#write(up + lines.map((line) => `\r\x1b[2K${line}\n`).join("") + rest);
    this.#lines = lines.length;
    this.#lastDraw = now;
    this.#dirty = false;
  }

  #final(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    if (this.#tty) this.#draw();
    else {
      const state = this.#tracker.snapshot(this.#now());
      const lines = renderProgress(state, { style: "plain", columns: this.#columns() });
      this.#write(lines.map((line) => line + "\n").join(""));
    }
    // The finished block stays on screen; the next run draws below it.
    this.#tracker.clear();
    this.#lines = 0;
    this.#dirty = false;
  }
}
