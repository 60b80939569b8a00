// Fixture pipelines of the Executor and Engine contract suites. They sit at module top level and
// import nothing but the core, so Worker executors and queue workers can import them by reference.
import { node } from "../../../src/core/node.ts";
import { Pipeline } from "../../../src/core/pipeline.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** a → (b, c) → d: two independent middle nodes. */
export const diamond = new Pipeline({
  nodes: [
    node({ output: "a", name: "start" }, ({ x }: { x: number }) => x + 1),
    node({ output: "b", name: "left" }, async ({ a }: { a: number }) => (await sleep(1), a * 2)),
    node({ output: "c", name: "right" }, ({ a, k = 3 }: { a: number; k?: number }) => a * k),
    node(
      { output: ["d", "e"], name: "join" },
      ({ b, c }: { b: number; c: number }) => [b + c, b - c],
    ),
  ],
  name: "diamond",
});

/** Item `x` finishes after `(10 - x) * 2` ms, so later items finish first. */
export const reversed = new Pipeline({
  nodes: [
    node({ output: "y", name: "slow_first" }, async ({ x }: { x: number }) => {
      await sleep(Math.max(0, 10 - x) * 2);
      return x * x;
    }),
  ],
  name: "reversed",
});

/** Fails for x = 3 with a RangeError whose cause is a TypeError. */
export const failing = new Pipeline({
  nodes: [
    node({ output: "y", name: "check" }, ({ x }: { x: number }) => {
      if (x === 3) throw new RangeError(`x ${x} is out of range`, { cause: new TypeError("root") });
      return x;
    }),
  ],
  name: "failing",
});

/** Waits `ms` on a timer: long enough for an abort to land mid-run. */
export const waiting = new Pipeline({
  nodes: [
    node({ output: "done", name: "wait" }, async ({ ms }: { ms: number }) => {
      await sleep(ms);
      return ms;
    }),
  ],
  name: "waiting",
});

const inner = new Pipeline({
  nodes: [node({ output: "sq", name: "square" }, ({ v }: { v: number }) => v * v)],
  name: "inner",
});

/** A nested pipeline mapped over `xs` inside each run, plus a bound input. */
export const nestedSum = new Pipeline({
  nodes: [
    inner.asNode({
      name: "each",
      inputMapping: { xs: "v" },
      outputMapping: { sq: "sqs" },
      mapOver: "xs",
    }),
    node(
      { output: "total", name: "sum" },
      ({ sqs, bias }: { sqs: number[]; bias: number }) => sqs.reduce((s, v) => s + v, bias),
    ),
  ],
  name: "nested_sum",
}).bind({ bias: 100 });
