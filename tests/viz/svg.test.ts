import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderSvg } from "../../src/viz/svg.ts";
import { corpus } from "./_fixture.ts";

/** The text of every `<text>` element, entities decoded. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1].replace(/&#45;/g, "-").replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&amp;/g, "&")
      .trim()
  );
}

describe("renderSvg", () => {
  it("renderSvg() draws every node's label, collapsed", async () => {
    const svg = await renderSvg(corpus);
    assert.match(svg, /^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    const shown = texts(svg);
    for (const label of ["docs", "lang", "scale", "per_doc (per_document)", "sum", "counts"]) {
      assert.ok(shown.includes(label), `${label} in ${shown.join(" | ")}`);
    }
  });

  it("renderSvg() draws every node's label, expanded", async () => {
    const shown = texts(await renderSvg(corpus, { depth: Infinity }));
    for (
      const label of ["docs", "tokenize", "count", "sum", "docs → text", "word_count → counts"]
    ) {
      assert.ok(shown.includes(label), `${label} in ${shown.join(" | ")}`);
    }
  });
});
