// Pipelines for bench/executors_bench.ts, at module top level so that workers can import them.
import { node } from "../../src/core/node.ts";
import { Pipeline } from "../../src/core/pipeline.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Blocks the thread for `ms` (like a blocking call); returns `ms`. */
export const blocking = new Pipeline({
  nodes: [node({ output: "done", name: "wait" }, ({ ms }: { ms: number }) => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return ms;
  })],
  name: "blocking",
});

/** About `n` steps of arithmetic; returns a number that depends on all of them. */
function crunch(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + Math.sqrt(i) * 1.0001) % 1e9;
  return s;
}

/**
 * About `n` steps of arithmetic: n = 1.2e6 is ~20 ms on V8 (Deno, Node) on the bench machine;
 * JavaScriptCore (Bun) runs it about 4× faster.
 */
export const cpu = new Pipeline({
  nodes: [node({ output: "sum", name: "crunch" }, ({ n }: { n: number }) => crunch(n))],
  name: "cpu",
});

/** A trivial node, to measure per-item overhead. */
export const tiny = new Pipeline({
  nodes: [node({ output: "y", name: "inc" }, ({ x }: { x: number }) => x + 1)],
  name: "tiny",
});

/** One awaited timer of `ms` per item (I/O-bound items). */
export const io = new Pipeline({
  nodes: [node({ output: "got", name: "fetch" }, async ({ ms }: { ms: number }) => {
    await sleep(ms);
    return ms;
  })],
  name: "io",
});

/** Four independent awaited timers of `ms` and a join: independent async nodes. */
export const fanout = new Pipeline({
  nodes: [
    node({ output: "a", name: "get_a" }, async ({ ms }: { ms: number }) => (await sleep(ms), 1)),
    node({ output: "b", name: "get_b" }, async ({ ms }: { ms: number }) => (await sleep(ms), 2)),
    node({ output: "c", name: "get_c" }, async ({ ms }: { ms: number }) => (await sleep(ms), 3)),
    node({ output: "d", name: "get_d" }, async ({ ms }: { ms: number }) => (await sleep(ms), 4)),
    node(
      { output: "sum", name: "join" },
      ({ a, b, c, d }: { a: number; b: number; c: number; d: number }) => a + b + c + d,
    ),
  ],
  name: "fanout",
});

/** Per item: two independent awaited timers of `ms`, then `n` steps of arithmetic. */
export const mixed = new Pipeline({
  nodes: [
    node({ output: "a", name: "load_a" }, async ({ ms }: { ms: number }) => (await sleep(ms), 1)),
    node({ output: "b", name: "load_b" }, async ({ ms }: { ms: number }) => (await sleep(ms), 2)),
    node(
      { output: "score", name: "score" },
      ({ a, b, n }: { a: number; b: number; n: number }) => a + b + crunch(n),
    ),
  ],
  name: "mixed",
});

/**
 * Sums 100,000 entries of `table`, an input every item shares, from an offset that depends on
 * `i` (integer arithmetic, ~0.25 ms on V8).
 */
export const lookups = new Pipeline({
  nodes: [
    node(
      { output: "sum", name: "sum_entries" },
      ({ table, i }: { table: Float64Array; i: number }) => {
        let s = 0;
        for (let k = 0; k < 100_000; k++) s += table[(i * 7919 + k) % table.length];
        return s;
      },
    ),
  ],
  name: "lookups",
});
