/**
 * Live progress bars: a map over a few hundred documents, each running a
 * nested pipeline with simulated I/O (a timer) and CPU (a short busy loop).
 *
 * Run: `deno run examples/progress.ts` (also `bun examples/progress.ts`,
 * `node examples/progress.ts`). In a terminal the bars redraw in place; piped
 * into a file you get plain progress lines and the summary.
 */

import { HyperNodesEngine, node, Pipeline, ProgressCallback } from "../mod.ts";

/** Waits `ms` milliseconds, as a network call would. */
const io = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the CPU busy for about `ms` milliseconds. */
function cpu(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x * 31 + 7) % 1_000_003;
  return x;
}

const fetchDoc = node({ output: "text" }, async ({ url }: { url: string }) => {
  await io(20 + (url.length * 7) % 60);
  return `contents of ${url} `.repeat(20);
});

// Per chunk analysis, nested as its own pipeline.
const tokenize = node({ output: "tokens" }, ({ text }: { text: string }) => {
  cpu(1);
  return text.split(/\s+/).filter(Boolean);
});
const embed = node({ output: "embedding" }, async ({ tokens }: { tokens: string[] }) => {
  await io(10 + tokens.length % 30);
  return tokens.slice(0, 8).map((t) => t.length / 10);
});
const analyze = new Pipeline({ nodes: [tokenize, embed], name: "analyze" });

const score = node({ output: "score" }, ({ embedding }: { embedding: number[] }) => {
  cpu(2);
  return embedding.reduce((a, b) => a + b, 0);
});

/** One document: fetch, analyze (nested), score. */
const perDocument = new Pipeline({
  nodes: [fetchDoc, analyze.asNode({ name: "analysis" }), score],
  name: "per_document",
});

if (import.meta.main) {
  const urls = Array.from({ length: 400 }, (_, i) => `https://example.com/docs/${i}`);
  await using engine = new HyperNodesEngine({
    mapExecutor: "async",
    concurrency: 8,
    callbacks: [new ProgressCallback()],
  });
  const results = await perDocument.map({ url: urls }, { mapOver: "url", engine });
  const best = results.reduce((a, b) => (b.score > a.score ? b : a));
  console.log(`\nbest score ${best.score.toFixed(2)} of ${results.length} documents`);
}
