import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { node, Pipeline } from "../../mod.ts";
import { toMermaid } from "../../src/viz/mermaid.ts";
import { corpus } from "./_fixture.ts";

const COLLAPSED = `---
title: "corpus"
---
flowchart TB
  classDef input fill:#e8f0fe,stroke:#4a6fa5
  classDef bound fill:#f4f4f4,stroke:#999,stroke-dasharray:4 3,color:#555
  classDef node fill:#fff,stroke:#333
  classDef pipeline fill:#fff4e0,stroke:#c77d00
  classDef output fill:#f7fff0,stroke:#6a9f3a
  i_docs(["docs"]):::input
  i_lang(["lang<br/>bound"]):::bound
  i_scale(["scale<br/>bound"]):::bound
  n_per_doc[["per_doc (per_document)<br/>map over docs"]]:::pipeline
  n_sum["sum<br/>→ total"]:::node
  i_docs -->|"docs"| n_per_doc
  i_lang -.->|"lang"| n_per_doc
  i_scale -.->|"scale"| n_sum
  n_per_doc -->|"counts"| n_sum
`;

const EXPANDED = `---
title: "corpus"
---
flowchart TB
  classDef input fill:#e8f0fe,stroke:#4a6fa5
  classDef bound fill:#f4f4f4,stroke:#999,stroke-dasharray:4 3,color:#555
  classDef node fill:#fff,stroke:#333
  classDef pipeline fill:#fff4e0,stroke:#c77d00
  classDef output fill:#f7fff0,stroke:#6a9f3a
  i_docs(["docs"]):::input
  i_lang(["lang<br/>bound"]):::bound
  i_scale(["scale<br/>bound"]):::bound
  n_sum["sum<br/>→ total"]:::node
  subgraph cluster_per_doc["per_doc (per_document)<br/>map over docs"]
    n_per_doc__tokenize["tokenize<br/>→ tokens"]:::node
    n_per_doc__count["count<br/>→ word_count"]:::node
  end
  i_docs -->|"docs → text"| n_per_doc__tokenize
  i_lang -.->|"lang"| n_per_doc__tokenize
  i_scale -.->|"scale"| n_sum
  n_per_doc__tokenize -->|"tokens"| n_per_doc__count
  n_per_doc__count -->|"word_count → counts"| n_sum
`;

describe("toMermaid", () => {
  it("toMermaid() draws a nested pipeline as one box at depth 1", () => {
    assert.equal(toMermaid(corpus), COLLAPSED);
    assert.equal(toMermaid(corpus, { depth: 1 }), COLLAPSED);
  });

  it("toMermaid() expands nested pipelines as subgraphs with outer → inner names", () => {
    assert.equal(toMermaid(corpus, { depth: Infinity }), EXPANDED);
    assert.equal(toMermaid(corpus, { depth: 2 }), EXPANDED);
  });

  it("toMermaid() derives readable unique ids from names", () => {
    const a = node({ output: "x", name: "load-file" }, ({ path }: { path: string }) => path);
    const b = node({ output: "y", name: "load_file" }, ({ x }: { x: string }) => x);
    const text = toMermaid(new Pipeline({ nodes: [a, b], name: "ids" }));
    assert.match(text, /n_load_file\["load-file<br\/>→ x"\]/);
    assert.match(text, /n_load_file_2\["load_file<br\/>→ y"\]/);
    assert.match(text, /n_load_file -->\|"x"\| n_load_file_2/);
  });

  it("toMermaid() escapes markup in labels", () => {
    const a = node({ output: "y", name: "a<b>&#c" }, ({ x }: { x: string }) => x);
    assert.match(
      toMermaid(new Pipeline({ nodes: [a] })),
      /n_a_b___c\["a#60;b#62;#38;#35;c<br\/>→ y"\]/,
    );
  });

  it("toMermaid() rejects a depth below 1", () => {
    assert.throws(() => toMermaid(corpus, { depth: 0 }), RangeError);
  });
});
