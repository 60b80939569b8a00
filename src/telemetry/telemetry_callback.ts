/**
 * OpenTelemetry spans for pipeline runs, plus the last run as waterfall data.
 *
 * @module
 */

import {
  type Context,
  context as otelContext,
  type Span,
  SpanStatusCode,
  trace,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import type {
  BaseEvent,
  Callback,
  MapEndEvent,
  MapItemCachedEvent,
  MapItemEndEvent,
  MapItemStartEvent,
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
import {
  container,
  latest,
  type Located,
  outerScope,
  samePath,
  scopeOf,
  type SpanKind,
} from "./_span_index.ts";

export type { SpanKind } from "./_span_index.ts";

/** One span of a {@linkcode TraceData} waterfall, as plain data. */
export interface TraceSpan {
  /** Id unique within the run (`"1"`, `"2"`, … in start order). */
  readonly id: string;
  /** The parent span's id, or `null` for the run's root. */
  readonly parentId: string | null;
  /** The span name (pipeline, node, `<pipeline>.map` or `<pipeline>[<item>]`). */
  readonly name: string;
  /** What the span stands for. */
  readonly kind: SpanKind;
  /** Start time in epoch milliseconds (the start event's `time`). */
  readonly start: number;
  /** End time in epoch milliseconds (the end event's `time`). */
  readonly end: number;
  /** Nesting depth (the events' `depth`). */
  readonly depth: number;
  /** The same `hn.*` attributes the OpenTelemetry span carries. */
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

/** The spans of one top-level `run`/`map` call, in start order. */
export interface TraceData {
  /** The call's run id. */
  readonly runId: string;
  /** Its spans, root first. */
  readonly spans: readonly TraceSpan[];
}

/** Options of {@linkcode TelemetryCallback}. */
export interface TelemetryCallbackOptions {
  /**
   * The tracer spans are created with.
   * @default tracerProvider.getTracer("@hn/core")
   */
  tracer?: Tracer;
  /**
   * Where the tracer comes from when `tracer` is not given.
   * @default the global provider (`trace.getTracerProvider()`)
   */
  tracerProvider?: TracerProvider;
}

interface SpanRecord extends Omit<TraceSpan, "end" | "attributes"> {
  end: number;
  readonly attributes: Record<string, string | number | boolean>;
}

interface Open extends Located {
  readonly key: string;
  readonly record: SpanRecord;
  readonly span: Span;
  readonly ctx: Context;
  /** The run's top-level span: its end publishes the run. */
  readonly root: boolean;
  errored: boolean;
}

interface Run {
  readonly runId: string;
  seq: number;
  readonly spans: SpanRecord[];
  readonly open: Open[];
}

type AnyEvent = Omit<BaseEvent, "itemPath"> & {
  /** Absent in the events of engines that predate it (see `scopeOf`). */
  itemPath?: readonly number[];
  node?: string;
  inner?: string;
  items?: number;
  error?: unknown;
  duration?: number;
  cached?: boolean;
  signature?: string;
};

/** What identifies a span among the open ones of a run: its kind, place and node. */
const key = (kind: SpanKind, e: AnyEvent, scope: string): string =>
  `${kind}|${scope}|${e.depth}|${e.path.join("\u0000")}|${e.node ?? ""}`;

/**
 * A {@linkcode Callback} that turns a run into OpenTelemetry spans: pipeline →
 * node, map → map item → (the item's pipeline → node), and a nested pipeline
 * under the span of the node that runs it.
 *
 * Spans are parented by explicit context and keyed by run id, depth, path,
 * item path and node, so the interleaved events of concurrent map items, of
 * nested maps inside them (whose inner items share their `item` indexes) and of
 * Worker executors (replayed on the main thread) never cross-parent. Start and
 * end times are the events' `time`. Attributes: `hn.run_id`, `hn.pipeline`,
 * `hn.path`, `hn.depth`, `hn.node`, `hn.inner`, `hn.item`, `hn.item_path`
 * (the event's `itemPath` joined by `/`, as `"2/0"`, inside maps only),
 * `hn.items`, `hn.cached`, `hn.signature`, `hn.duration_ms`, `hn.error`; errors are also
 * recorded with `recordException` and status `ERROR`. Without an OpenTelemetry
 * SDK the API does nothing, but {@linkcode TelemetryCallback.trace} still
 * returns the last run.
 *
 * @example The waterfall of a run
 * ```ts
 * import { TelemetryCallback } from "./telemetry_callback.ts";
 * import assert from "node:assert/strict";
 *
 * const telemetry = new TelemetryCallback();
 * const at = { runId: "r1", pipeline: "rag", depth: 0, path: ["rag"], itemPath: [] };
 * telemetry.onPipelineStart({ ...at, time: 0, inputs: ["query"] });
 * telemetry.onNodeStart({ ...at, time: 1, node: "embed" });
 * telemetry.onNodeEnd({ ...at, time: 5, node: "embed", duration: 4, cached: false });
 * telemetry.onPipelineEnd({ ...at, time: 6, duration: 6 });
 *
 * const data = telemetry.trace();
 * assert.deepEqual(data?.spans.map((s) => [s.name, s.kind, s.parentId]), [
 *   ["rag", "pipeline", null],
 *   ["embed", "node", "1"],
 * ]);
 * ```
 */
export class TelemetryCallback implements Callback {
  /** A name for messages and logs. */
  readonly name: string = "telemetry";
  #tracer: Tracer;
  #runs = new Map<string, Run>();
  #last: TraceData | undefined;

  /**
   * @param options Which tracer to use.
   */
  constructor(options: TelemetryCallbackOptions = {}) {
    this.#tracer = options.tracer ??
      (options.tracerProvider ?? trace.getTracerProvider()).getTracer("@hn/core");
  }

  /**
   * The last top-level run that ended, as waterfall data.
   *
   * @returns Its spans in start order, or `undefined` before any run ended.
   */
  trace(): TraceData | undefined {
    return this.#last;
  }

  /** Opens the pipeline span. */
  onPipelineStart(e: PipelineStartEvent): void {
    const run = this.#run(e.runId);
    const scope = scopeOf(e);
    const parent = container(run.open, { ...e, kind: "pipeline", scope });
    this.#start(run, "pipeline", e.pipeline, e, scope, parent);
  }
  /** Closes the pipeline span. */
  onPipelineEnd(e: PipelineEndEvent): void {
    this.#end("pipeline", e);
  }
  /** Opens a node span. */
  onNodeStart(e: NodeStartEvent): void {
    const run = this.#run(e.runId);
    const scope = scopeOf(e);
    this.#start(run, "node", e.node, e, scope, this.#pipelineOf(run, e, scope));
  }
  /** Closes a node span. */
  onNodeEnd(e: NodeEndEvent): void {
    this.#end("node", e);
  }
  /** Marks a node span cached (a zero-length span when the node never started). */
  onNodeCached(e: NodeCachedEvent): void {
    this.#cached("node", e.node, e, { "hn.signature": e.signature });
  }
  /** Records a node's error on its span. */
  onNodeError(e: NodeErrorEvent): void {
    const open = this.#find("node", e);
    if (open) this.#fail(open, e.error, e.time);
  }
  /** Opens a nested-pipeline span under the node that runs it. */
  onNestedPipelineStart(e: NestedPipelineStartEvent): void {
    const run = this.#run(e.runId);
    const scope = scopeOf(e);
    const k = key("node", e, scope);
    const parent = latest(run.open, (s) => s.key === k) ?? this.#pipelineOf(run, e, scope);
    this.#start(run, "nested", e.node, e, scope, parent, { "hn.inner": e.inner });
  }
  /** Closes a nested-pipeline span. */
  onNestedPipelineEnd(e: NestedPipelineEndEvent): void {
    this.#end("nested", e);
  }
  /** Opens a map span. */
  onMapStart(e: MapStartEvent): void {
    const run = this.#run(e.runId);
    const scope = scopeOf(e);
    const parent = container(run.open, { ...e, kind: "map", scope });
    this.#start(run, "map", `${e.pipeline}.map`, e, scope, parent, { "hn.items": e.items });
  }
  /** Closes a map span. */
  onMapEnd(e: MapEndEvent): void {
    this.#end("map", e);
  }
  /** Opens a map item span. */
  onMapItemStart(e: MapItemStartEvent): void {
    const run = this.#run(e.runId);
    const scope = scopeOf(e);
    this.#start(run, "item", `${e.pipeline}[${e.item}]`, e, scope, this.#mapOf(run, e, scope));
  }
  /** Closes a map item span. */
  onMapItemEnd(e: MapItemEndEvent): void {
    this.#end("item", e);
  }
  /** Marks a map item span cached (a zero-length span when the item never started). */
  onMapItemCached(e: MapItemCachedEvent): void {
    this.#cached("item", `${e.pipeline}[${e.item}]`, e, {});
  }

  #run(runId: string): Run {
    let run = this.#runs.get(runId);
    if (!run) this.#runs.set(runId, run = { runId, seq: 0, spans: [], open: [] });
    return run;
  }

  /** The span a node (or nested pipeline) with scope `scope` runs in. */
  #pipelineOf(run: Run, e: AnyEvent, scope: string): Open | undefined {
    return latest(
      run.open,
      (s) =>
        s.kind === "pipeline" && s.scope === scope && s.depth === e.depth &&
        samePath(s.path, e.path),
    ) ?? container(run.open, { ...e, kind: "node", scope });
  }

  /** The map of an item with scope `scope`: the map whose scope is the item's less its index. */
  #mapOf(run: Run, e: AnyEvent, scope: string): Open | undefined {
    const outer = outerScope(scope);
    const here = (s: Open): boolean =>
      s.kind === "map" && s.depth === e.depth && samePath(s.path, e.path);
    // Without `itemPath` (older engines), a nested map's items cannot tell their map's scope.
    return latest(run.open, (s) => here(s) && s.scope === outer) ??
      (e.itemPath === undefined ? latest(run.open, here) : undefined);
  }

  #find(kind: SpanKind, e: AnyEvent): Open | undefined {
    const run = this.#runs.get(e.runId);
    const k = key(kind, e, scopeOf(e));
    return run && latest(run.open, (s) => s.key === k);
  }

  #start(
    run: Run,
    kind: SpanKind,
    name: string,
    e: AnyEvent,
    scope: string,
    parent: Open | undefined,
    extra: Readonly<Record<string, string | number | boolean>> = {},
  ): Open {
    const attributes: Record<string, string | number | boolean> = {
      "hn.kind": kind,
      "hn.run_id": e.runId,
      "hn.pipeline": e.pipeline,
      "hn.path": e.path.join("/"),
      "hn.depth": e.depth,
    };
    if (e.node !== undefined && kind !== "pipeline") attributes["hn.node"] = e.node;
    if (e.item !== undefined) attributes["hn.item"] = e.item;
    if (scope !== "") attributes["hn.item_path"] = scope;
    Object.assign(attributes, extra);
    const parentCtx = parent ? parent.ctx : otelContext.active();
    const span = this.#tracer.startSpan(name, { startTime: e.time, attributes }, parentCtx);
    const record: SpanRecord = {
      id: String(++run.seq),
      parentId: parent ? parent.record.id : null,
      name,
      kind,
      start: e.time,
      end: e.time,
      depth: e.depth,
      attributes,
    };
    run.spans.push(record);
    const open: Open = {
      key: key(kind, e, scope),
      kind,
      depth: e.depth,
      path: e.path,
      scope,
      node: e.node,
      inner: e.inner,
      record,
      span,
      ctx: trace.setSpan(parentCtx, span),
      root: !parent && e.depth === 0 && scope === "",
      errored: false,
    };
    run.open.push(open);
    return open;
  }

  #set(open: Open, name: string, value: string | number | boolean): void {
    open.record.attributes[name] = value;
    open.span.setAttribute(name, value);
  }

  #fail(open: Open, error: unknown, time: number): void {
    if (open.errored) return;
    open.errored = true;
    const message = error instanceof Error ? error.message : String(error);
    open.span.recordException(error instanceof Error ? error : { message }, time);
    open.span.setStatus({ code: SpanStatusCode.ERROR, message });
    this.#set(open, "hn.error", message);
  }

  #cached(
    kind: "node" | "item",
    name: string,
    e: AnyEvent,
    extra: Record<string, string>,
  ): void {
    const run = this.#run(e.runId);
    let open = this.#find(kind, e);
    if (!open) {
      const scope = scopeOf(e);
      const parent = kind === "node" ? this.#pipelineOf(run, e, scope) : this.#mapOf(run, e, scope);
      open = this.#start(run, kind, name, e, scope, parent, extra);
      this.#set(open, "hn.cached", true);
      this.#close(run, open, e.time);
      return;
    }
    for (const [k, v] of Object.entries(extra)) this.#set(open, k, v);
    this.#set(open, "hn.cached", true);
  }

  #end(kind: SpanKind, e: AnyEvent): void {
    const run = this.#runs.get(e.runId);
    const open = this.#find(kind, e);
    if (!run || !open) return;
    if (e.duration !== undefined) this.#set(open, "hn.duration_ms", e.duration);
    if (e.cached !== undefined) {
      this.#set(open, "hn.cached", e.cached || open.record.attributes["hn.cached"] === true);
    }
    if (e.error !== undefined) this.#fail(open, e.error, e.time);
    this.#close(run, open, e.time);
  }

  #close(run: Run, open: Open, time: number): void {
    run.open.splice(run.open.indexOf(open), 1);
    open.record.end = time;
    open.span.end(time);
    if (!open.root) return;
    // The root ended: close what the engine left open so no span leaks, then publish.
    for (const left of run.open.splice(0)) left.record.end = time, left.span.end(time);
    this.#runs.delete(run.runId);
    this.#last = { runId: run.runId, spans: run.spans };
  }
}
