// Only `src/distributed/` may load bullmq and ioredis, and nothing outside it imports it, so
// that `import "@hn/core"` (or any other subpath) never loads them: every static and dynamic
// import specifier of mod.ts and src/ is checked.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SPECIFIER = /(?:from|import)\s*\(?\s*["']([^"']+)["']/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("src/distributed isolation", () => {
  it("only src/distributed imports bullmq or ioredis, and only it imports src/distributed", () => {
    const offenders: string[] = [];
    for (const file of [join(ROOT, "mod.ts"), ...files(join(ROOT, "src"))]) {
      const rel = relative(ROOT, file);
      if (rel.startsWith(join("src", "distributed"))) continue;
      for (const [, spec] of readFileSync(file, "utf8").matchAll(SPECIFIER)) {
        if (/^(npm:)?(bullmq|ioredis)\b/.test(spec) || /\bdistributed\//.test(spec)) {
          offenders.push(`${rel} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });
});
