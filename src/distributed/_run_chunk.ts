/**
 * Runs one chunk's items on a worker: each item is a whole pipeline run on a local engine,
 * settled on its own; callback events are recorded per item when the producer listens.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type { Callback } from "../core/callback.ts";
import { callbackHooks } from "../core/callback.ts";
import { encodeValue } from "../core/_codec.ts";
import type { HyperNodesEngine } from "../core/hypernodes_engine.ts";
import type { AnyPipeline } from "../core/types.ts";
import { DistributedError } from "./distributed_error.ts";
import { errorToData } from "./_errors.ts";
import type { ChunkJobData, ItemOutcome } from "./_protocol.ts";

type Event = [string, Record<string, unknown>];

/** What {@linkcode runChunk} needs besides the pipeline and the items. */
export interface ChunkContext {
  /** The engine items run on. */
  readonly engine: HyperNodesEngine;
  /** The worker's name and queue, for messages. */
  readonly worker: string;
  /** The queue name. */
  readonly queue: string;
  /** Resolves true when the chunk should stop (map cancelled, worker closing). */
  readonly stop: () => Promise<boolean>;
}

function recorder(sink: Event[], depth: number): Callback {
  const cb: Record<string, unknown> = { name: "hn-worker-recorder" };
  for (const hook of callbackHooks) {
    cb[hook] = (event: Record<string, unknown>) => {
      // The worker-side run of an item exists only because the item was shipped.
      if ((hook === "onPipelineStart" || hook === "onPipelineEnd") && event.depth === depth) return;
      sink.push([hook, "error" in event ? { ...event, error: errorToData(event.error) } : event]);
    };
  }
  return cb as Callback;
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

// setImmediate, not setTimeout(0): it lets due timers (BullMQ's lock renewal) and I/O run
// without the timers' 1 ms clamp, which would cost a millisecond or more per yield.
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs the items; returns one outcome per item, in order, or `undefined` when stopped.
 * Yields to the event loop every ~20 ms so that BullMQ renews the job's lock even when
 * nodes are synchronous.
 */
export async function runChunk(
  pipeline: AnyPipeline,
  data: ChunkJobData,
  shared: Readonly<Record<string, unknown>>,
  items: readonly (readonly [number, readonly unknown[]])[],
  ctx: ChunkContext,
): Promise<ItemOutcome[] | undefined> {
  const outcomes: ItemOutcome[] = [];
  const ev = data.events;
  const outputs = data.outputs ?? undefined;
  let lastYield = performance.now();
  for (const [index, values] of items) {
    const inputs: Record<string, unknown> = { ...shared };
    for (let j = 0; j < data.names.length; j++) inputs[data.names[j]] = values[j];
    const events: Event[] | undefined = ev ? [] : undefined;
    // Producers older than itemPath send none: their maps are not nested in items.
    const itemPath = [...(ev?.itemPath ?? []), index];
    const base = ev &&
      { runId: ev.runId, pipeline: data.pipeline, depth: ev.depth, path: ev.path, itemPath };
    const start = now();
    events?.push(["onMapItemStart", { ...base, item: index, time: start }]);
    let outcome: ItemOutcome;
    try {
      const value = await ctx.engine.run(pipeline, inputs, {
        outputs,
        parent: {
          runId: ev?.runId ?? "",
          depth: ev?.depth ?? 0,
          path: ev?.path ?? [data.pipeline],
          item: index,
          itemPath,
          callbacks: events ? [recorder(events, ev!.depth)] : [],
          context: { runId: ev?.runId ?? "", data: new Map() },
        },
      });
      outcome = { ok: true, value };
    } catch (error) {
      outcome = { ok: false, error: errorToData(error) };
    }
    if (events) {
      const end = now();
      const e = { ...base, item: index, time: end, duration: end - start, cached: false };
      events.push([
        "onMapItemEnd",
        outcome.ok ? e : { ...e, error: (outcome as { error: unknown }).error },
      ]);
      outcome = { ...outcome, events };
    }
    outcomes.push(outcome);
    if (performance.now() - lastYield > 20) {
      await tick();
      lastYield = performance.now();
      if (await ctx.stop()) return undefined;
    }
  }
  return outcomes;
}

/**
 * Encodes the outcomes. An output the codec cannot store turns its item into a
 * `DistributedError` (`unstorable`) naming the output, instead of failing the chunk.
 */
export function encodeOutcomes(
  outcomes: ItemOutcome[],
  data: ChunkJobData,
  items: readonly (readonly [number, readonly unknown[]])[],
  ctx: ChunkContext,
): Uint8Array {
  try {
    return encodeValue(outcomes);
  } catch {
    // Find the culprits one by one; the common case above encodes once.
  }
  const fixed = outcomes.map((o, k): ItemOutcome => {
    try {
      encodeValue(o);
      return o;
    } catch (error) {
      if (o.events) {
        const bare = { ...o, events: undefined };
        try {
          encodeValue(bare);
          return bare; // only an event held something unstorable
        } catch { /* the value itself */ }
      }
      const item = items[k][0];
      const path = (error as { path?: string }).path ?? "value";
      const output = /^value\.value\.([^.[]+)/.exec(path)?.[1];
      const what = output ? `output "${output}"` : "its outputs";
      return {
        ok: false,
        error: errorToData(
          new DistributedError(
            `Cannot return ${what} of pipeline "${data.pipeline}" for item ${item} from worker "${ctx.worker}" as ${
              (error as Error).message.replace(/^Cannot store value as /, "").replace(/:.*$/s, "")
            }: return plain data (objects, arrays, Map, Set, Date, typed arrays…)`,
            { code: "unstorable", pipeline: data.pipeline, item, queue: ctx.queue },
          ),
        ),
      };
    }
  });
  return encodeValue(fixed);
}

/** Every outcome replaced by one error (a chunk whose results are too large). */
export function failAll(
  items: readonly (readonly [number, readonly unknown[]])[],
  error: (item: number) => Error,
): Uint8Array {
  return encodeValue(items.map(([item]) => ({ ok: false, error: errorToData(error(item)) })));
}
