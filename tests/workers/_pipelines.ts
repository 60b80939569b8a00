// Fixture pipelines for executors.test.ts: nodes at module top level that call an imported
// helper and close over a module constant, so workers must import this module to find them.
import { appendFileSync } from "node:fs";
import process from "node:process";
import { node } from "../../src/core/node.ts";
import { Pipeline } from "../../src/core/pipeline.ts";
import { isInsideWorker } from "../../src/workers/_serve.ts";
import { double } from "./_helper.ts";
import { QuotaError } from "./_quota_error.ts";

const OFFSET = 10;

/** y = 2x + OFFSET; x = 3 throws a QuotaError with a cause; x = -1 kills a worker. */
export const scale = node({ output: "y", name: "scale" }, ({ x }: { x: number }) => {
  if (x === 3) throw new QuotaError("over quota", 7, { cause: new TypeError("root cause") });
  if (x === -1 && isInsideWorker()) process.exit(3);
  return double(x) + OFFSET;
});
/** Independent of `scale`, so node executors can run both at once. */
export const shift = node({ output: "w", name: "shift" }, ({ x }: { x: number }) => x - OFFSET);
export const square = node(
  { output: "z", name: "square" },
  ({ y, w }: { y: number; w: number }) => y * y + w,
);
/** Returns a function for x = 2: an output that cannot be cloned. */
export const leaky = node(
  { output: "f", name: "leaky" },
  ({ x }: { x: number }) => (x === 2 ? () => x : x),
);
/** Blocks its thread (uninterruptible) for `ms`. */
export const block = node({ output: "done", name: "block" }, ({ ms }: { ms: number }) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
});
/** An async node, for async nodes inside worker items. */
export const later = node({ output: "v", name: "later" }, async ({ y }: { y: number }) => {
  await new Promise((r) => setTimeout(r, 1));
  return y + 1;
});

export const math = new Pipeline({ nodes: [scale, shift, square], name: "math" });
export const asyncMath = new Pipeline({ nodes: [scale, later], name: "async_math" });
export const leaking = new Pipeline({ nodes: [leaky], name: "leaking" });
export const blocking = new Pipeline({ nodes: [block], name: "blocking" });

const inner = new Pipeline({ nodes: [scale, later], name: "inner" });
const sum = node(
  { output: "total" },
  ({ v, bias }: { v: number[]; bias: number }) => v.reduce((a, b) => a + b, 0) + bias,
);
/** A nested pipeline mapped over `xs` inside each item, with a bound input. */
export const nested = new Pipeline({
  nodes: [inner.asNode({ name: "each", inputMapping: { xs: "x" }, mapOver: "xs" }), sum],
  name: "nested",
}).bind({ bias: 100 });

/** Creates a pipeline whose node is defined inside this function: workers cannot find it. */
// deno-lint-ignore explicit-module-boundary-types
export function makeLocal() {
  const local = node({ output: "y" }, ({ x }: { x: number }) => x + 1);
  return new Pipeline({ nodes: [local], name: "local" });
}

/** x² and x² + 1; appends one line per run of `logged` to the file `log` (a side channel). */
const logged = node(
  { output: "sq", name: "logged" },
  ({ x, log }: { x: number; log: string }) => {
    appendFileSync(log, `${x}\n`);
    return x * x;
  },
);
const plusOne = node({ output: "next", name: "plus_one" }, ({ sq }: { sq: number }) => sq + 1);
export const counted = new Pipeline({ nodes: [logged, plusOne], name: "counted" });

/**
 * Counts its runs per x in `runs` (shared memory, so runs in any worker count), throws for
 * x = 3, and makes its worker exit on the first run of x = 2 while `crashes[0]` is 0 (or on
 * every run of x = -1).
 */
const flaky = node(
  { output: "y", name: "flaky" },
  ({ x, runs, crashes }: { x: number; runs: Int32Array; crashes: Int32Array }) => {
    Atomics.add(runs, Math.max(0, x), 1);
    if (x === 3) throw new RangeError("three");
    if (isInsideWorker() && (x === -1 || (x === 2 && Atomics.add(crashes, 0, 1) === 0))) {
      process.exit(3);
    }
    return x * 10;
  },
);
export const crashing = new Pipeline({ nodes: [flaky], name: "crashing" });

/** Waits `ms` on a timer (an await the engine can abandon); throws for ms < 0. */
const nap = node({ output: "slept", name: "nap" }, async ({ ms }: { ms: number }) => {
  if (ms < 0) throw new RangeError("negative nap");
  await new Promise((r) => setTimeout(r, ms));
  return ms;
});
export const napping = new Pipeline({ nodes: [nap], name: "napping" });

/** Returns its input as it is. */
export const echoing = new Pipeline({
  nodes: [node({ output: "same", name: "same" }, ({ v }: { v: unknown }) => v)],
  name: "echoing",
});

/** Reads `table` (an input every item shares) at `i`, modulo its length. */
export const lookup = new Pipeline({
  nodes: [
    node(
      { output: "got", name: "look_up" },
      ({ table, i }: { table: Float64Array; i: number }) => table[i % table.length],
    ),
  ],
  name: "lookup",
});
