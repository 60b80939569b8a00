/**
 * Quickstart: think singular → compose → map.
 *
 * Run: `deno task demo` (or `bun examples/quickstart.ts`, `node examples/quickstart.ts` on Node 24)
 */

import { HyperNodesEngine, node, Pipeline } from "../mod.ts";

// 1. Think singular: each node is a function of ONE item with named inputs.
const clean = node(
  { output: "cleaned" },
  ({ text }: { text: string }) => text.trim().toLowerCase(),
);
const count = node(
  { output: "word_count" },
  ({ cleaned }: { cleaned: string }) => cleaned.split(/\s+/).filter(Boolean).length,
);
const stats = node(
  { output: ["longest", "shortest"] },
  ({ cleaned }: { cleaned: string }) => {
    const words = cleaned.split(/\s+/).filter(Boolean).sort((a, b) => a.length - b.length);
    return [words.at(-1) ?? "", words[0] ?? ""] as const;
  },
);
const shout = node(
  { output: "headline" },
  ({ cleaned, mark = "!" }: { cleaned: string; mark?: string }) => cleaned.toUpperCase() + mark,
);

// 2. Compose: nodes are wired by name (`cleaned` flows from clean to the others).
const textProcessor = new Pipeline({
  nodes: [clean, count, stats, shout],
  name: "text_processor",
});

if (import.meta.main) {
  console.log("inputs:", textProcessor.inputs, "outputs:", textProcessor.outputs);

  const one = await textProcessor.run({ text: "  Hello Pipelines World " });
  console.log("run:", one);

  const some = await textProcessor.run({ text: " Only what I need " }, {
    outputs: ["word_count"],
  });
  console.log("run (outputs: word_count):", some);

  // 3. Map: the same single-item logic over many items.
  const docs = ["The quick brown fox", "  jumps over ", "the lazy dog", "HyperNodes"];
  const many = await textProcessor.map({ text: docs, mark: "?" }, { mapOver: "text" });
  console.table(many);

  // Bind a value, and run items concurrently on an async engine.
  await using engine = new HyperNodesEngine({ mapExecutor: "async" });
  const polite = textProcessor.bind({ mark: "." });
  const headlines = await polite.map({ text: docs }, {
    mapOver: "text",
    outputs: ["headline"],
    engine,
  });
  console.log("headlines:", headlines.map((h) => h.headline));
}

export { textProcessor };
