// Shared setup of the telemetry tests: a TelemetryCallback exporting to memory, and Worker
// executors closed after the file's tests.
import { after } from "node:test";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { TelemetryCallback } from "../../src/telemetry/telemetry_callback.ts";
import { ParallelExecutor, ThreadedExecutor } from "../../src/workers/mod.ts";

/** A TelemetryCallback whose spans go to memory, and a reader of the finished spans. */
export function memoryTelemetry(): {
  telemetry: TelemetryCallback;
  spans: () => ReadableSpan[];
} {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const telemetry = new TelemetryCallback({ tracerProvider });
  return { telemetry, spans: () => exporter.getFinishedSpans() };
}

/** Two-worker threaded and parallel executors, closed after the calling file's tests. */
export function workerExecutors(): { threaded: ThreadedExecutor; parallel: ParallelExecutor } {
  const threaded = new ThreadedExecutor({ concurrency: 4, workers: 2 });
  const parallel = new ParallelExecutor({ workers: 2 });
  after(() => Promise.all([threaded[Symbol.asyncDispose](), parallel[Symbol.asyncDispose]()]));
  return { threaded, parallel };
}
