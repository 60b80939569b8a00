import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DiskCache } from "../../src/disk_cache/disk_cache.ts";
import { UnstorableError } from "../../src/core/_codec.ts";
import { entryKey, entryValue } from "./fixtures/values.ts";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, "fixtures", "entries.ts");
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hn-disk-cache-"));
  dirs.push(dir);
  return dir;
}

after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface ChildResult {
  hits: number;
  misses: number;
  wrong: number;
}

/** Runs the fixture in a child process of the runtime running this test. */
function child(...args: string[]): Promise<ChildResult> {
  const g = globalThis as { Deno?: { execPath(): string } };
  const [cmd, pre] = g.Deno
    ? [g.Deno.execPath(), ["run", "-A", "--no-check"]]
    : [process.execPath, []];
  return new Promise((resolve, reject) => {
    execFile(cmd, [...pre, fixture, ...args], (err, stdout, stderr) => {
      if (err) reject(new Error(`child failed: ${stderr}`, { cause: err }));
      else resolve(JSON.parse(stdout.trim().split("\n").pop()!));
    });
  });
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of await readdir(dir)) {
    for (const f of await readdir(join(dir, shard))) out.push(join(dir, shard, f));
  }
  return out;
}

describe("DiskCache", () => {
  it("DiskCache round-trips typed values and tells undefined from a miss", async () => {
    const dir = await tempDir();
    const c = new DiskCache(join(dir, "lazy", "nested"));
    assert.equal(await c.get("ab12"), undefined); // the folder does not exist yet
    await c.set("ab12", undefined);
    await c.set("cd34", entryValue(7));
    assert.deepEqual(await c.get("ab12"), { value: undefined });
    assert.deepEqual(await new DiskCache(c.dir).get("cd34"), { value: entryValue(7) });
    assert.equal(c.name, "disk");
  });

  it("DiskCache shards entries as dir/ab/abcd… and leaves no temp files", async () => {
    const dir = await tempDir();
    const c = new DiskCache(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.set(entryKey(i), i)));
    await c.set(entryKey(0), "again");
    const all = await files(dir);
    assert.equal(all.length, 20);
    for (const f of all) {
      const name = f.slice(dir.length + 1);
      assert.match(name, /^([0-9a-f]{2})[/\\]\1[0-9a-f]{30}$/);
    }
  });

  it("DiskCache.get() reads a corrupt entry as a miss and set() rewrites it", async () => {
    const dir = await tempDir();
    const c = new DiskCache(dir);
    const key = entryKey(1);
    await c.set(key, entryValue(1));
    const [file] = await files(dir);
    const bytes = await readFile(file);
    bytes[bytes.length - 3] ^= 0xff;
    await writeFile(file, bytes);
    assert.equal(await c.get(key), undefined);
    await writeFile(file, "not a cache entry");
    assert.equal(await c.get(key), undefined);
    await c.set(key, entryValue(1));
    assert.deepEqual(await c.get(key), { value: entryValue(1) });
  });

  it("DiskCache.get() reads a truncated entry as a miss", async () => {
    const dir = await tempDir();
    const c = new DiskCache(dir);
    await c.set("ab12", new Float64Array(1000));
    const [file] = await files(dir);
    await truncate(file, 100);
    assert.equal(await c.get("ab12"), undefined);
    await truncate(file, 0);
    assert.equal(await c.get("ab12"), undefined);
  });

  it("DiskCache.delete() and clear() remove entries and only entries", async () => {
    const dir = await tempDir();
    const c = new DiskCache(dir);
    await c.set("ab12", 1);
    await c.set("cd34", 2);
    await writeFile(join(dir, "README.txt"), "keep me");
    await writeFile(join(dir, "ab", "ab12.dead.tmp"), "left by a crash");
    assert.equal(await c.delete("ab12"), true);
    assert.equal(await c.delete("ab12"), false);
    assert.equal(await c.get("ab12"), undefined);
    await c.clear();
    assert.equal(await c.get("cd34"), undefined);
    assert.deepEqual(await readdir(dir), ["README.txt"]);
    await c.set("cd34", 3); // usable after clear
    assert.deepEqual(await c.get("cd34"), { value: 3 });
    await new DiskCache(join(dir, "never-created")).clear();
  });

  it("DiskCache.set() names the folder when it cannot write", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "file"), "");
    const c = new DiskCache(join(dir, "file", "cache"));
    await assert.rejects(c.set("ab12", 1), (e: Error) => {
      assert.match(e.message, /^Cannot write cache entry/);
      assert.ok(e.message.includes(join(dir, "file", "cache")));
      return true;
    });
  });

  it("DiskCache rejects bad keys and unstorable values", async () => {
    const c = new DiskCache(await tempDir());
    await assert.rejects(c.get("../../etc/passwd"), TypeError);
    await assert.rejects(c.set("a", 1), TypeError);
    await assert.rejects(c.set("ab12", { f: () => 1 }), UnstorableError);
    assert.equal(await c.get("ab12"), undefined);
  });

  it("DiskCache entries written by one process are all hits in another", async () => {
    const dir = await tempDir();
    assert.deepEqual(await child(dir, "write", "0", "50"), { hits: 0, misses: 0, wrong: 0 });
    assert.deepEqual(await child(dir, "read", "0", "50"), { hits: 50, misses: 0, wrong: 0 });
    const c = new DiskCache(dir);
    assert.deepEqual(await c.get(entryKey(49)), { value: entryValue(49) });
  });

  it("DiskCache concurrent writer processes lose nothing and leave no temp files", async () => {
    const dir = await tempDir();
    // Four writers: all write entries 0-59 (contended), each also writes 40 of its own.
    await Promise.all([0, 1, 2, 3].map(async (w) => {
      await Promise.all([
        child(dir, "write", "0", "60"),
        child(dir, "write", `${100 + w * 40}`, "40"),
      ]);
    }));
    assert.deepEqual(await child(dir, "read", "0", "60"), { hits: 60, misses: 0, wrong: 0 });
    assert.deepEqual(await child(dir, "read", "100", "160"), { hits: 160, misses: 0, wrong: 0 });
    const all = await files(dir);
    assert.equal(all.length, 220);
    assert.equal(all.filter((f) => f.endsWith(".tmp")).length, 0);
  });
});
