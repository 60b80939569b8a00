/**
 * OpenTelemetry for @hn/core: {@linkcode TelemetryCallback} turns pipeline
 * runs into spans through `@opentelemetry/api` and keeps the last run as
 * waterfall data. A separate entry point so the main import never loads
 * `@opentelemetry/api`.
 *
 * @example Spans of a run, with or without an OpenTelemetry SDK
 * ```ts
 * import { TelemetryCallback } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const telemetry = new TelemetryCallback();
 * const at = { runId: "r1", pipeline: "p", depth: 0, path: ["p"], itemPath: [] };
 * telemetry.onPipelineStart({ ...at, time: 0, inputs: [] });
 * telemetry.onPipelineEnd({ ...at, time: 3, duration: 3 });
 * assert.equal(telemetry.trace()?.spans[0].end, 3);
 * ```
 *
 * @module
 */

export {
  type SpanKind,
  TelemetryCallback,
  type TelemetryCallbackOptions,
  type TraceData,
  type TraceSpan,
} from "./telemetry_callback.ts";
