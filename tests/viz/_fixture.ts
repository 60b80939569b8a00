/** A nested pipeline for the drawing tests: a map, renames and bound inputs at two levels. */

import { node, Pipeline } from "../../mod.ts";

const tokenize = node(
  { output: "tokens", name: "tokenize" },
  ({ text, lang }: { text: string; lang: string }) => `${lang}:${text}`.split(" "),
);
const count = node(
  { output: "word_count", name: "count" },
  ({ tokens }: { tokens: string[] }) => tokens.length,
);
/** Per document; `lang` is bound. */
export const perDocument = new Pipeline({ nodes: [tokenize, count], name: "per_document" })
  .bind({ lang: "en" });

const sum = node(
  { output: "total", name: "sum" },
  ({ counts, scale }: { counts: number[]; scale: number }) =>
    scale * counts.reduce((a, b) => a + b, 0),
);
/** The corpus: `per_doc` maps `per_document` over `docs` (→ `text`), `word_count` comes out as `counts`. */
export const corpus = new Pipeline({
  nodes: [
    perDocument.asNode({
      name: "per_doc",
      inputMapping: { docs: "text" },
      outputMapping: { word_count: "counts" },
      mapOver: "docs",
    }),
    sum,
  ],
  name: "corpus",
}).bind({ scale: 1 });
