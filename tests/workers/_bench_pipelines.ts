// Pipelines for bench/executors_bench.ts, at module top level so that workers can import them.
import { node } from "../../src/core/node.ts";
import { Pipeline } from "../../src/core/pipeline.ts";

/** Blocks the thread for `ms` (like a blocking call); returns `ms`. */
export const blocking = new Pipeline({
  nodes: [node({ output: "done", name: "wait" }, ({ ms }: { ms: number }) => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return ms;
  })],
  name: "blocking",
});

/** About `n` steps of arithmetic (n = 4e6 is ~20 ms on the bench machine). */
export const cpu = new Pipeline({
  nodes: [node({ output: "sum", name: "crunch" }, ({ n }: { n: number }) => {
    let s = 0;
    for (let i = 0; i < n; i++) s = (s + Math.sqrt(i) * 1.0001) % 1e9;
    return s;
  })],
  name: "cpu",
});

/** A trivial node, to measure per-item overhead. */
export const tiny = new Pipeline({
  nodes: [node({ output: "y", name: "inc" }, ({ x }: { x: number }) => x + 1)],
  name: "tiny",
});
