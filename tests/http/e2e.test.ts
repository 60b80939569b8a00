// End-to-end: Debian's chromium, driven by playwright-core, opens the page served by a real
// server, fills the generated form, runs a pipeline and sees live progress and the outputs.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { createApp } from "../../src/http/app.ts";
import { serve } from "../../src/http/serve.ts";
import { corpus } from "../../examples/nested.ts";
import { textProcessor } from "../../examples/quickstart.ts";

const CHROMIUM = "/usr/bin/chromium";
// Skipped, not failed, where the browser is absent: `.ci/run` installs it with
// `apt-get install -y chromium`; a developer machine may not have it.
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install -y chromium)`;

describe("web page in chromium", () => {
  it(
    "the page at / runs a pipeline from its form and shows progress and outputs",
    { skip },
    async () => {
      const { chromium } = await import("playwright-core");
      await using server = await serve(createApp({ pipelines: [textProcessor, corpus] }), {
        port: 0,
      });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on("pageerror", (e) => problems.push(e.message));
        await page.goto(`http://127.0.0.1:${server.port}/`);
        const card = page.locator("#pipeline-text_processor");
        await card.locator("svg").first().waitFor(); // the graph is drawn
        await card.locator('input[name="text"]').fill("  Hello Browser World ");
        await card.locator('input[name="mark"]').fill("?");
        await card.locator('button[type="submit"]').click();
        await card.locator(".outputs", { hasText: "word_count" }).waitFor();
        const outputs = JSON.parse(await card.locator(".outputs").textContent() ?? "{}");
        assert.deepEqual(outputs, {
          cleaned: "hello browser world",
          word_count: 3,
          longest: "browser",
          shortest: "hello",
          headline: "HELLO BROWSER WORLD?",
        });
        const progress = await card.locator(".progress li").allTextContents();
        assert.ok(progress.some((l) => l.startsWith("node_start cleaned")), progress.join("\n"));
        assert.ok(progress.some((l) => l.startsWith("node_end headline")), progress.join("\n"));
        assert.ok(progress.at(-1)?.startsWith("pipeline_end"), progress.join("\n"));

        // A JSON-looking value is parsed: corpus takes a list of documents.
        const nested = page.locator("#pipeline-corpus");
        await nested.locator('input[name="docs"]').fill('["a b c", "b c d"]');
        await nested.locator('button[type="submit"]').click();
        await nested.locator(".outputs", { hasText: "total_words" }).waitFor();
        const result = JSON.parse(await nested.locator(".outputs").textContent() ?? "{}");
        assert.equal(result.total_words, 6);
        assert.deepEqual(result.shared_words, ["b", "c"]);
        assert.deepEqual(problems, []);
      } finally {
        await browser.close();
      }
    },
  );
});
