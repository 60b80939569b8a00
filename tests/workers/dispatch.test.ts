// The Dispatcher's messages: a map's shared inputs reach each worker once (not once per chunk)
// and are dropped when the map is over; number columns keep their values.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ExecutorError } from "../../src/core/errors.ts";
import type { ItemBatch, Settled } from "../../src/core/executor.ts";
import type { AnyPipeline } from "../../src/core/types.ts";
import { Dispatcher } from "../../src/workers/_dispatch.ts";
import type { CallOptions } from "../../src/workers/worker_pool.ts";
import type { CallContext, ChunkInput } from "../../src/workers/_protocol.ts";
import { describePipeline } from "../../src/workers/_registry.ts";
import { echoing, lookup } from "./_pipelines.ts";

const dispatchers: Dispatcher[] = [];
after(() => Promise.all(dispatchers.map((d) => d.close())));

interface Sent {
  worker: number;
  chunk: ChunkInput;
}

/** A dispatcher whose runChunk messages are recorded as they go to their worker. */
function recording(): { dispatcher: Dispatcher; sent: Sent[] } {
  const dispatcher = new Dispatcher({ name: "t", size: 2, maxInFlightPerWorker: 2, retries: 0 });
  dispatchers.push(dispatcher);
  const sent: Sent[] = [];
  const pool = dispatcher.pool;
  const call = pool.call.bind(pool);
  type Args = Parameters<typeof pool.call<"runChunk">>[1];
  pool.call = ((method: "runChunk", args: Args, options?: CallOptions) =>
    call(
      method,
      typeof args === "function"
        ? (worker: number) => {
          const made = args(worker);
          sent.push({ worker, chunk: made[1] });
          return made;
        }
        : args,
      options,
    )) as typeof pool.call;
  return { dispatcher, sent };
}

const run = { runId: "r", depth: 0, path: ["p"], itemPath: [] };

/** Maps `pipeline` over `column` (input `name`) with `broadcast`, through `dispatcher`. */
async function map(
  dispatcher: Dispatcher,
  pipeline: AnyPipeline,
  name: string,
  column: unknown[],
  broadcast: Record<string, unknown>,
): Promise<Settled<Record<string, unknown>>[]> {
  const batch = {
    pipeline,
    nodeExecutor: "sequential",
    count: column.length,
    firstItem: 0,
    broadcast,
    names: [name],
    columns: (from: number, to: number) => [column.slice(from, to)],
    errors: "collect",
    run,
    task: () => {
      throw new Error("not used");
    },
  } as unknown as ItemBatch<Record<string, unknown>>;
  const results: Settled<Record<string, unknown>>[] = [];
  await dispatcher.runItems(batch, (p, r) => (results[p] = r), { inFlight: 4, maxChunk: 4 });
  return results;
}

describe("Dispatcher", () => {
  it("runItems() sends a map's shared inputs to each worker with its first chunks only", async () => {
    const { dispatcher, sent } = recording();
    const table = new Float64Array(1_000).map((_, k) => k * 0.5);
    const i = Array.from({ length: 200 }, (_, k) => k * 3);
    const results = await map(dispatcher, lookup, "i", i, { table });
    assert.deepEqual(results.map((r) => r.ok && r.value.got), i.map((k) => table[k % 1_000]));
    assert.ok(sent.length >= 50, `200 items in chunks of at most 4, sent ${sent.length}`);
    const key = sent[0].chunk.shared;
    assert.ok(typeof key === "number" && sent.every((s) => s.chunk.shared === key));
    for (const worker of new Set(sent.map((s) => s.worker))) {
      const carried = sent.filter((s) => s.worker === worker && s.chunk.broadcast !== undefined);
      // Only until the worker answered a chunk: at most its calls in flight at once.
      assert.ok(carried.length >= 1 && carried.length <= 2, `worker ${worker}: ${carried.length}`);
    }

    // The map is over: its workers dropped the shared inputs.
    const orphan: ChunkInput = {
      first: 0,
      names: ["i"],
      columns: [[1]],
      nodeExecutor: "sequential",
      errors: "collect",
      shared: key,
    };
    const ctx: CallContext = { ...run, call: 1, events: false, cache: false };
    for (let k = 0; k < 2; k++) {
      await assert.rejects(
        dispatcher.pool.call("runChunk", [describePipeline(lookup), orphan, ctx]),
        (e) => e instanceof ExecutorError && /does not have the inputs they share/.test(e.message),
      );
    }
  });

  it("runItems() keeps every number of a column as it was, -0 and 2^31 included", async () => {
    const { dispatcher, sent } = recording();
    const ints = Array.from({ length: 100 }, (_, k) => k - 50);
    const odd = [...ints.slice(0, 90), -0, 2 ** 31, 0.5, NaN, -Infinity, 1e300, 7, 8, 9, 10];
    for (const values of [ints, odd]) {
      const results = await map(dispatcher, echoing, "v", values, {});
      results.forEach((r, k) => assert.ok(r.ok && Object.is(r.value.same, values[k]), `item ${k}`));
    }
    assert.ok(sent.every((s) => s.chunk.shared === undefined && s.chunk.broadcast !== undefined));
  });
});
