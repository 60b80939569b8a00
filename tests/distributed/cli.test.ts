// `hn worker` argument parsing, and the code fingerprint that workers compare. No Redis needed.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseWorkerArgs } from "../../src/distributed/cli.ts";
import {
  codeFingerprint,
  QueueEngine,
  QueueWorker,
  RedisCache,
} from "../../src/distributed/mod.ts";
import type { AnyPipeline } from "../../src/core/types.ts";
import { math, slow } from "./_pipelines.ts";

const base = ["worker", "p.ts", "--queue", "q", "--connection", "redis://h:1"];

describe("parseWorkerArgs()", () => {
  it("reads the module, queue, connection and options", () => {
    const a = parseWorkerArgs([...base, "--concurrency", "4", "--lock-ms=3000", "--quiet"], "/app");
    assert.equal(a.module, "file:///app/p.ts");
    assert.equal(a.queue, "q");
    assert.equal(a.connection, "redis://h:1");
    assert.equal(a.concurrency, 4);
    assert.equal(a.lockMs, 3000);
    assert.equal(a.quiet, true);
    assert.equal(a.shutdownTimeoutMs, 30_000);
    const url = parseWorkerArgs(["worker", "https://x.test/p.ts", ...base.slice(2)], "/app");
    assert.equal(url.module, "https://x.test/p.ts");
  });

  it("rejects what it cannot use, with the usage", () => {
    for (
      const [args, why] of [
        [["serve"], /"serve" is not a command/],
        [["worker", "--queue", "q", "--connection", "c"], /no module/],
        [["worker", "p.ts", "--connection", "c"], /--queue is missing/],
        [[...base, "--concurrency", "0"], /--concurrency is 0, not a positive integer/],
        [[...base, "--bogus"], /option --bogus is unknown/],
        [[...base, "--node-executor", "parallel"], /not sequential or async/],
      ] as const
    ) {
      assert.throws(() => parseWorkerArgs(args, "/"), (e: Error) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, why);
        assert.match(e.message, /usage: hn worker <module>/);
        return true;
      });
    }
  });
});

describe("QueueWorker", () => {
  it("refuses options without pipelines or with a bad queue name", () => {
    const connection = "redis://127.0.0.1:1";
    assert.throws(
      () => new QueueWorker({ connection, queue: "q", pipelines: { nothing: 1 } }),
      /holds no Pipeline/,
    );
    assert.throws(() => new QueueWorker({ connection, queue: "a:b", pipelines: [math] }), /":"/);
  });
});

describe("QueueEngine, QueueWorker and RedisCache options", () => {
  it("the three classes refuse bad queue names and counts alike, naming class and option", () => {
    const connection = "redis://127.0.0.1:1";
    const pipelines = [math];
    for (
      const [make, error, message] of [
        [() => new QueueEngine({ connection, queue: "" }), TypeError, /QueueEngine as queue is ""/],
        [() => new QueueEngine({ connection, queue: "q", chunkSize: 0 }), RangeError, /chunkSize/],
        [
          () => new QueueWorker({ connection, queue: "q", pipelines, lockMs: 1.5 }),
          RangeError,
          /lockMs/,
        ],
        [() => new RedisCache({ connection, ttlMs: -1 }), RangeError, /RedisCache as ttlMs is -1/],
      ] as const
    ) {
      assert.throws(make, (e: Error) => {
        assert.ok(e instanceof error, String(e));
        assert.match(e.message, message);
        assert.match(e.message, /^Cannot create \w+ as .*: pass a/);
        return true;
      });
    }
  });
});

describe("codeFingerprint()", () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  /** Writes a pipeline module and imports it (a fresh URL each time). */
  async function load(source: string): Promise<AnyPipeline> {
    const dir = await mkdtemp(join(tmpdir(), "hn-fp-"));
    dirs.push(dir);
    const file = join(dir, "p.ts");
    const core = new URL("../../src/core/", import.meta.url).href;
    await writeFile(
      file,
      `import { node } from "${core}node.ts";\nimport { Pipeline } from "${core}pipeline.ts";\n${source}`,
    );
    return (await import(pathToFileURL(file).href)).p;
  }

  it("is the same for the same source, whatever its spacing and comments", async () => {
    const a = await load(
      `export const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x + 1)], name: "p" });`,
    );
    const b = await load(
      `export const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) =>   x + 1)], /* same */ name:  "p" }); // same`,
    );
    const c = await load(
      `export const p = new Pipeline({ nodes: [node({ output: "y" }, ({ x }: { x: number }) => x + 2)], name: "p" });`,
    );
    const [fa, fb, fc] = await Promise.all([a, b, c].map(codeFingerprint));
    assert.equal(fa.kind, "source");
    assert.equal(fa.value, fb.value);
    assert.notEqual(fa.value, fc.value);
  });

  it("differs between pipelines of one module", async () => {
    const [a, b] = await Promise.all([math, slow].map(codeFingerprint));
    assert.notEqual(a.value, b.value);
    assert.match(a.value, /^[0-9a-f]{32}$/);
  });
});
