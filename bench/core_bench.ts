/**
 * Core overhead and async scheduling benchmarks.
 *
 * Run: `deno bench -A bench/core_bench.ts`
 */

import { HyperNodesEngine, node, Pipeline } from "../mod.ts";

// --- framework overhead per node: a 100-node chain of trivial sync nodes -------------------
const CHAIN = 100;
const chainFns: ((inputs: Record<string, number>) => number)[] = [];
const chainInputs: string[] = [];
const chainOutputs: string[] = [];
const chainNodes = [];
for (let i = 0; i < CHAIN; i++) {
  const input = i === 0 ? "x" : `v${i - 1}`;
  chainInputs.push(input);
  chainOutputs.push(`v${i}`);
  const fn = (inputs: Record<string, number>) => inputs[input] + 1;
  chainFns.push(fn);
  chainNodes.push(node({ output: `v${i}`, inputs: [input], name: `n${i}` }, fn));
}
const chain = new Pipeline({ nodes: chainNodes, name: "chain" });

Deno.bench({
  name: "hand-written loop, 100 functions",
  group: "overhead: 100-node chain",
  baseline: true,
  fn() {
    // The same work without a framework: look inputs up by name, call, store by name.
    const values: Record<string, number> = { x: 0 };
    for (let i = 0; i < CHAIN; i++) {
      const input = chainInputs[i];
      values[chainOutputs[i]] = chainFns[i]({ [input]: values[input] });
    }
    if (values.v99 !== 100) throw new Error("wrong");
  },
});

Deno.bench({
  name: "pipeline.run, 100 nodes (sequential)",
  group: "overhead: 100-node chain",
  async fn() {
    const out = await chain.run({ x: 0 } as never, { outputs: ["v99"] } as never) as Record<
      string,
      number
    >;
    if (out.v99 !== 100) throw new Error("wrong");
  },
});

// --- map throughput: 10,000 items through a 3-node text pipeline -----------------------------
const clean = node(
  { output: "cleaned" },
  ({ text }: { text: string }) => text.trim().toLowerCase(),
);
const words = node({ output: "words" }, ({ cleaned }: { cleaned: string }) => cleaned.split(" "));
const count = node({ output: "count" }, ({ words }: { words: string[] }) => words.length);
const text = new Pipeline({ nodes: [clean, words, count], name: "text" });
const texts = Array.from({ length: 10_000 }, (_, i) => ` Item ${i} Of The List `);

Deno.bench({
  name: "hand-written loop, 10,000 items",
  group: "map: 10,000 items × 3 nodes",
  baseline: true,
  fn() {
    const out = texts.map((t) => {
      const c = clean.fn({ text: t }) as string;
      const w = words.fn({ cleaned: c }) as string[];
      return { cleaned: c, words: w, count: count.fn({ words: w }) };
    });
    if (out.length !== texts.length) throw new Error("wrong");
  },
});

Deno.bench({
  name: "pipeline.map, 10,000 items (sequential)",
  group: "map: 10,000 items × 3 nodes",
  async fn() {
    const out = await text.map({ text: texts }, { mapOver: "text" });
    if (out.length !== texts.length) throw new Error("wrong");
  },
});

// --- async map: 200 items × a 20 ms timer ----------------------------------------------------
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const io = node({ output: "y" }, async ({ x }: { x: number }) => (await sleep(20), x));
const ioPipeline = new Pipeline({ nodes: [io], name: "io" });
const ids = Array.from({ length: 200 }, (_, i) => i);
const asyncEngine = new HyperNodesEngine({ mapExecutor: "async", nodeExecutor: "async" });

Deno.bench({
  name: "sequential map",
  group: "async map: 200 items × 20 ms I/O",
  baseline: true,
  n: 1,
  warmup: 0,
  async fn() {
    await ioPipeline.map({ x: ids }, { mapOver: "x" });
  },
});

Deno.bench({
  name: "async map",
  group: "async map: 200 items × 20 ms I/O",
  n: 20,
  async fn() {
    await ioPipeline.map({ x: ids }, { mapOver: "x", engine: asyncEngine });
  },
});

// --- async nodes: 3 independent 50 ms nodes ---------------------------------------------------
const slow = (name: string) =>
  node({ output: name, name }, async ({ x }: { x: number }) => (await sleep(50), x));
const fanOut = new Pipeline({ nodes: [slow("a"), slow("b"), slow("c")], name: "fan_out" });

Deno.bench({
  name: "sequential nodes",
  group: "async nodes: 3 independent × 50 ms",
  baseline: true,
  n: 5,
  async fn() {
    await fanOut.run({ x: 1 });
  },
});

Deno.bench({
  name: "async nodes",
  group: "async nodes: 3 independent × 50 ms",
  n: 10,
  async fn() {
    await fanOut.run({ x: 1 }, { engine: asyncEngine });
  },
});
