// Fixture pipelines for the distributed tests and bench: workers import this module and
// register its exported pipelines by name. Nodes sit at module top level.
import process from "node:process";
import { node } from "../../src/core/node.ts";
import { Pipeline } from "../../src/core/pipeline.ts";

const OFFSET = 10;

/** y = 2x + OFFSET; x = 13 throws a RangeError with a cause. */
export const scale = node({ output: "y", name: "scale" }, ({ x }: { x: number }) => {
  if (x === 13) throw new RangeError("unlucky", { cause: new TypeError("root cause") });
  return 2 * x + OFFSET;
});
const shift = node(
  { output: "w", name: "shift" },
  ({ x, k = 1 }: { x: number; k?: number }) => x - k,
);
const square = node(
  { output: "z", name: "square" },
  ({ y, w }: { y: number; w: number }) => y * y + w,
);
/** Values the codec must keep: Date, Map, BigInt, undefined. */
const typed = node(
  { output: ["when", "tags", "big", "none"], name: "typed" },
  ({ x }: { x: number }) => [new Date(x * 1000), new Map([["x", x]]), BigInt(x) ** 20n, undefined],
);

export const math = new Pipeline({ nodes: [scale, shift, square], name: "math" });
export const values = new Pipeline({ nodes: [typed], name: "values" });

/** Sleeps `ms` then returns 10x: slow enough to kill a worker or Redis mid-map. */
const nap = node({ output: "ten", name: "nap" }, async ({ x, ms }: { x: number; ms: number }) => {
  await new Promise((r) => setTimeout(r, ms));
  return x * 10;
});
export const slow = new Pipeline({ nodes: [nap], name: "slow" });

/** One trivial node, for the queue overhead per item. */
const inc = node({ output: "y", name: "inc" }, ({ x }: { x: number }) => x + 1);
export const trivial = new Pipeline({ nodes: [inc], name: "trivial" });

/** About `n` steps of arithmetic (n = 1.2e6 is ~20 ms here on Deno and Node); returns x. */
const burn = node({ output: "spins", name: "burn" }, ({ x, n }: { x: number; n: number }) => {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + Math.sqrt(i) * 1.0001) % 1e9;
  return s >= 0 ? x : -1;
});
export const cpu = new Pipeline({ nodes: [burn], name: "cpu" });

/** Which runtime and process ran the item (after `ms` of sleep, so chunks spread out). */
const whoami = node(
  { output: "where", name: "whoami" },
  async ({ x, ms }: { x: number; ms: number }) => {
    await new Promise((r) => setTimeout(r, ms));
    const g = globalThis as { Deno?: unknown; Bun?: unknown };
    return `${g.Deno ? "deno" : g.Bun ? "bun" : "node"}:${x}`;
  },
);
export const where = new Pipeline({ nodes: [whoami], name: "where" });

/** A result of `n` doubles (8n bytes), and the length of a large shared input. */
const fill = node(
  { output: ["data", "seen"], name: "fill" },
  ({ x, n, blob }: { x: number; n: number; blob: string }) =>
    [new Float64Array(n).fill(x), blob.length] as const,
);
export const big = new Pipeline({ nodes: [fill], name: "big" });

/** x = -1 kills the worker process running it (never the producer, which does not run it). */
const fragile = node({ output: "y", name: "fragile" }, ({ x }: { x: number }) => {
  if (x === -1 && process.argv.includes("worker")) process.exit(9);
  return x;
});
export const crash = new Pipeline({ nodes: [fragile], name: "crash" });
