import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toDot } from "../../src/viz/dot.ts";
import { corpus } from "./_fixture.ts";

const COLLAPSED = `digraph "corpus" {
  rankdir=TB;
  graph [fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=0.45];
  node [fontname="Helvetica", fontsize=11, margin="0.15,0.06"];
  edge [fontname="Helvetica", fontsize=9, color="#555555", fontcolor="#333333"];
  "i_docs" [label="docs", shape=ellipse, style=filled, fillcolor="#e8f0fe", color="#4a6fa5"];
  "i_lang" [label="lang\\nbound", shape=ellipse, style="dashed,filled", fillcolor="#f4f4f4", color="#999999", fontcolor="#555555"];
  "i_scale" [label="scale\\nbound", shape=ellipse, style="dashed,filled", fillcolor="#f4f4f4", color="#999999", fontcolor="#555555"];
  "n_per_doc" [label="per_doc (per_document)\\nmap over docs", shape=box3d, style=filled, fillcolor="#fff4e0", color="#c77d00"];
  "n_sum" [label="sum\\n→ total", shape=box, style="rounded,filled", fillcolor="#ffffff", color="#333333"];
  "i_docs" -> "n_per_doc" [label=" docs "];
  "i_lang" -> "n_per_doc" [label=" lang ", style=dashed];
  "i_scale" -> "n_sum" [label=" scale ", style=dashed];
  "n_per_doc" -> "n_sum" [label=" counts "];
}
`;

const EXPANDED = `digraph "corpus" {
  rankdir=TB;
  graph [fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=0.45];
  node [fontname="Helvetica", fontsize=11, margin="0.15,0.06"];
  edge [fontname="Helvetica", fontsize=9, color="#555555", fontcolor="#333333"];
  "i_docs" [label="docs", shape=ellipse, style=filled, fillcolor="#e8f0fe", color="#4a6fa5"];
  "i_lang" [label="lang\\nbound", shape=ellipse, style="dashed,filled", fillcolor="#f4f4f4", color="#999999", fontcolor="#555555"];
  "i_scale" [label="scale\\nbound", shape=ellipse, style="dashed,filled", fillcolor="#f4f4f4", color="#999999", fontcolor="#555555"];
  "n_sum" [label="sum\\n→ total", shape=box, style="rounded,filled", fillcolor="#ffffff", color="#333333"];
  subgraph "cluster_per_doc" {
    label="per_doc (per_document)\\lmap over docs\\l"; labeljust=l; fontsize=10; style="rounded,dashed"; color="#c77d00"; fontcolor="#8a5700";
    "n_per_doc__tokenize" [label="tokenize\\n→ tokens", shape=box, style="rounded,filled", fillcolor="#ffffff", color="#333333"];
    "n_per_doc__count" [label="count\\n→ word_count", shape=box, style="rounded,filled", fillcolor="#ffffff", color="#333333"];
  }
  "i_docs" -> "n_per_doc__tokenize" [label=" docs → text "];
  "i_lang" -> "n_per_doc__tokenize" [label=" lang ", style=dashed];
  "i_scale" -> "n_sum" [label=" scale ", style=dashed];
  "n_per_doc__tokenize" -> "n_per_doc__count" [label=" tokens "];
  "n_per_doc__count" -> "n_sum" [label=" word_count → counts "];
}
`;

describe("toDot", () => {
  it("toDot() draws a nested pipeline as one box at depth 1", () => {
    assert.equal(toDot(corpus), COLLAPSED);
  });

  it("toDot() expands nested pipelines as clusters with outer → inner names", () => {
    assert.equal(toDot(corpus, { depth: Infinity }), EXPANDED);
  });

  it("toDot() with separateOutputs draws each value as its own box", () => {
    const dot = toDot(corpus, { depth: Infinity, separateOutputs: true });
    assert.match(dot, /"v_per_doc__count__word_count" \[label="word_count", shape=note/);
    assert.match(dot, /"n_per_doc__count" -> "v_per_doc__count__word_count";/);
    assert.match(
      dot,
      /"v_per_doc__count__word_count" -> "n_sum" \[label=" word_count → counts "\];/,
    );
    assert.match(dot, /"v_per_doc__tokenize__tokens" -> "n_per_doc__count";/);
    assert.match(dot, /"v_sum__total" \[label="total"/);
  });

  it("toDot() draws an unbound input as a plain input", () => {
    const text = toDot(corpus.unbind());
    assert.match(text, /"i_scale" \[label="scale", shape=ellipse/);
    assert.doesNotMatch(text, /i_scale.*dashed/);
  });

  it("toDot() rejects a depth that is not a number", () => {
    assert.throws(
      () => toDot(corpus, { depth: Number.NaN }),
      /Cannot draw pipeline "corpus" as depth is NaN/,
    );
  });
});
