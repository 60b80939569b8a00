import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DiskCache } from "../../src/disk_cache/disk_cache.ts";
import { UnstorableError } from "../../src/core/_codec.ts";
import { bigValue, entryKey, entryValue } from "./fixtures/values.ts";
import { cacheContract } from "../core/_cache_suite.ts";

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

cacheContract("DiskCache", {
  create: async () => new DiskCache(await mkdtemp(join(tmpdir(), "hn-disk-contract-"))),
  destroy: (cache) => rm((cache as DiskCache).dir, { recursive: true, force: true }),
});

interface ChildResult {
  hits: number;
  misses: number;
  wrong: number;
}

/** Runs the fixture in a child process of the runtime running this test. */
function child(...args: string[]): Promise<ChildResult> {
  return spawnChild(args).done;
}

/** Like child(), also telling when the process has exited. */
function spawnChild(args: string[]): { done: Promise<ChildResult>; exited: () => boolean } {
  let exited = false;
  const done = runChild(args).finally(() => exited = true);
  return { done, exited: () => exited };
}

function runChild(args: string[]): Promise<ChildResult> {
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

/** Every file in the shard folders of a DiskCache folder. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of (await readdir(dir)).filter((n) => /^[0-9a-z_-]{2}$/.test(n))) {
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
    const uuid = crypto.randomUUID();
    const old = (Date.now() - 11 * 60_000).toString(36);
    const young = `ab12.${Date.now().toString(36)}-${uuid}.tmp`; // a writer at work
    await writeFile(join(dir, "ab", "ab12.dead.tmp"), "left by a crash");
    await writeFile(join(dir, "ab", `ab12.${old}-${uuid}.tmp`), "left by a crash");
    await writeFile(join(dir, "ab", young), "being written");
    assert.equal(await c.delete("ab12"), true);
    assert.equal(await c.delete("ab12"), false);
    assert.equal(await c.get("ab12"), undefined);
    await c.clear();
    assert.equal(await c.get("cd34"), undefined);
    assert.deepEqual((await readdir(dir)).sort(), ["README.txt", "ab", "cd"]);
    assert.deepEqual(await files(dir), [join(dir, "ab", young)]);
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

  it("DiskCache.set() of an unstorable value names the key and where the value fails", async () => {
    const c = new DiskCache(await tempDir());
    class Model {
      weights = [1];
    }
    await assert.rejects(c.set("ab12", { model: new Model() }), (e: unknown) => {
      assert.ok(e instanceof UnstorableError && e instanceof TypeError);
      assert.equal(e.key, "ab12");
      assert.equal(e.path, "value.model");
      assert.match(
        e.message,
        /^Cannot store the value of cache key "ab12" as value\.model is an instance of class Model: /,
      );
      return true;
    });
  });

  it("DiskCache.set() removes its temp file when the write fails", async () => {
    const dir = await tempDir();
    const c = new DiskCache(dir);
    // A non-empty folder where the entry should go: the final rename fails.
    await mkdir(join(dir, "ab", "ab12", "blocker"), { recursive: true });
    await assert.rejects(c.set("ab12", 1), /^Error: Cannot write cache entry/);
    assert.deepEqual(await readdir(join(dir, "ab")), ["ab12"]);
    assert.equal(await c.get("ab12"), undefined);
  });

  it("DiskCache.clear() while writers write: no error, no temp file, every entry left is whole", async () => {
    const dir = await tempDir();
    const c = new DiskCache(dir);
    const other = new DiskCache(dir); // another cache object: its own shard bookkeeping
    const writer = spawnChild([dir, "write", "0", "150"]);
    const sets = Array.from({ length: 150 }, (_, i) => other.set(entryKey(1000 + i), i));
    let clears = 0;
    while (!writer.exited() || clears < 3) {
      await c.clear();
      clears++;
    }
    await Promise.all(sets);
    assert.deepEqual(await writer.done, { hits: 0, misses: 0, wrong: 0 });
    const left = await files(dir).catch(() => []);
    assert.equal(left.filter((f) => f.endsWith(".tmp")).length, 0);
    const read = await child(dir, "read", "0", "150");
    assert.equal(read.wrong, 0); // each entry is either cleared or whole
    for (let i = 0; i < 150; i++) {
      const hit = await c.get(entryKey(1000 + i));
      assert.ok(hit === undefined || hit.value === i);
    }
    await c.clear();
    assert.deepEqual(await files(dir), []);
  });

  it("DiskCache readers never see a half-written entry while another process rewrites it", async () => {
    const dir = await tempDir();
    const c = new DiskCache(dir);
    const key = entryKey(7);
    await c.set(key, bigValue(0));
    const writer = spawnChild([dir, "churn", "7", "40"]);
    let reads = 0, misses = 0, wrong = 0;
    while (!writer.exited() || reads < 10) {
      const hit = await c.get(key);
      reads++;
      if (hit === undefined) misses++;
      else {
        const v = hit.value as Float64Array;
        const first = v[0];
        if (
          !(v.length === 200_000 && (first === 1.5 || first === -2.5) &&
            v.every((x) => x === first))
        ) wrong++;
      }
    }
    await writer.done;
    assert.deepEqual({ misses, wrong }, { misses: 0, wrong: 0 }, `${reads} reads`);
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
