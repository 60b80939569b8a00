/**
 * Nested pipelines: a per-document pipeline used as one node of a corpus
 * pipeline, mapped over the documents (a "fractal" map).
 *
 * Run: `deno run examples/nested.ts`
 */

import { node, Pipeline } from "../mod.ts";

// Per document (think singular).
const tokenize = node(
  { output: "tokens" },
  ({ text }: { text: string }) => text.toLowerCase().match(/[a-z]+/g) ?? [],
);
const countWords = node(
  { output: "word_count" },
  ({ tokens }: { tokens: string[] }) => tokens.length,
);
const vocabulary = node({ output: "vocab" }, ({ tokens }: { tokens: string[] }) => new Set(tokens));
const perDocument = new Pipeline({
  nodes: [tokenize, countWords, vocabulary],
  name: "per_document",
});

// The per-document pipeline as a node that maps over `docs`:
// outer `docs` feeds inner `text`; inner `word_count` / `vocab` come out as arrays.
const perDoc = perDocument.asNode({
  name: "per_doc",
  inputMapping: { docs: "text" },
  outputMapping: { word_count: "counts", vocab: "vocabs" },
  mapOver: "docs",
});

// Corpus level.
const total = node(
  { output: "total_words" },
  ({ counts }: { counts: number[] }) => counts.reduce((a, b) => a + b, 0),
);
const shared = node(
  { output: "shared_words" },
  ({ vocabs }: { vocabs: Set<string>[] }) =>
    [...vocabs[0] ?? []].filter((w) => vocabs.every((v) => v.has(w))).sort(),
);

const corpus = new Pipeline({ nodes: [perDoc, total, shared], name: "corpus" });

if (import.meta.main) {
  const docs = [
    "The cat sat on the mat.",
    "The dog sat on the log.",
    "On the hill the bird sat and sang.",
  ];
  const result = await corpus.run({ docs });
  console.log("counts per document:", result.counts);
  console.log("total words:", result.total_words);
  console.log("words every document shares:", result.shared_words);

  // Only what is needed runs: asking for total_words skips the vocabularies.
  console.log(await corpus.run({ docs }, { outputs: ["total_words"] }));
}

export { corpus, perDocument };
