/**
 * A {@linkcode Cache} of files in a folder, shared by processes and Workers.
 *
 * @module
 */

import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Cache, CacheHit } from "../core/cache.ts";
import { decodeEntry, encodeEntry } from "../core/_codec.ts";

/** Options of {@linkcode DiskCache}. */
export interface DiskCacheOptions {
  /**
   * A name for messages and logs.
   *
   * @default {"disk"}
   */
  name?: string;
}

const KEY = /^[0-9a-z_-]{2,200}$/;
const SHARD = /^[0-9a-z_-]{2}$/;
const MISSING = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);
const BUSY = new Set(["EPERM", "EBUSY", "EACCES"]);
/** How often a write starts over when its folder or temp file vanished (someone removed them). */
const WRITE_ATTEMPTS = 4;
/** A temp file is `<entry>.<ms since epoch, base 36>-<uuid>.tmp`. */
const TEMP = /\.([0-9a-z]+)-[0-9a-f-]{36}\.tmp$/;
/** Temp files older than this are left over by a crash; younger ones belong to a writer. */
const STALE_MS = 10 * 60_000;

function code(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/**
 * A cache that keeps one file per entry in a folder: `dir/ab/abcdef…` for key
 * `abcdef…` (the first two characters shard the folder). There is no index
 * file, so writers never contend on one file.
 *
 * Entries are written to a uniquely named temporary file next to their final
 * name and then renamed over it, which is atomic: readers in any process see
 * either the old entry, the new one or none, never half a file. Several
 * processes may read and write one folder at once; for one key, the last
 * rename wins, and since a key is a signature both writers store the same
 * value. A corrupt or truncated entry (checksummed by the codec) reads as a
 * miss, and the next `set` replaces it. A process killed mid-write may leave
 * a `*.tmp` file behind; reads ignore it and `clear()` removes it once stale.
 *
 * Values round-trip with their types (Date, Map, Set, typed arrays, BigInt,
 * `undefined`, `NaN`, `-0`, Errors…). Class instances, functions and symbols
 * cannot be stored: `set` rejects with a `TypeError` (`UnstorableError`)
 * naming where the value sits. The folder is created on the first `set`.
 *
 * @example Entries survive the cache object
 * ```ts
 * import { DiskCache } from "./disk_cache.ts";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import assert from "node:assert/strict";
 *
 * const dir = await mkdtemp(join(tmpdir(), "hn-doc-"));
 * await new DiskCache(dir).set("ab12", new Map([["when", new Date(0)]]));
 * assert.deepEqual(await new DiskCache(dir).get("ab12"), {
 *   value: new Map([["when", new Date(0)]]),
 * });
 * await rm(dir, { recursive: true });
 * ```
 */
export class DiskCache implements Cache {
  /** A name for messages and logs. */
  readonly name: string;
  /** The absolute folder the entries live in. */
  readonly dir: string;
  #shards = new Set<string>();

  /**
   * Creates a cache on a folder; nothing is read or written until first used.
   *
   * @param dir The folder (created when first written).
   * @param options A name.
   * @throws {TypeError} If `dir` is not a non-empty string.
   */
  constructor(dir: string, options: DiskCacheOptions = {}) {
    if (typeof dir !== "string" || dir === "") {
      throw new TypeError(`Cannot create DiskCache as dir is ${String(dir)}: pass a folder path`);
    }
    this.dir = resolve(dir);
    this.name = options.name ?? "disk";
  }

  /**
   * Reads the entry for `key`; missing, corrupt and truncated entries are misses.
   *
   * @param key A signature (lowercase hex).
   * @returns `{ value }` on a hit, `undefined` on a miss.
   * @throws {TypeError} If `key` is not a valid key.
   * @throws {Error} If the file exists but cannot be read (permissions).
   */
  async get(key: string): Promise<CacheHit | undefined> {
    const file = this.#file(key);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      if (MISSING.has(code(e) ?? "")) return undefined;
      throw this.#error("read", file, e);
    }
    return decodeEntry(bytes);
  }

  /**
   * Stores `value` under `key` atomically (temp file + rename). The temp file
   * is removed if anything fails. A `clear()` running at the same time (in
   * any process) leaves the write alone: the entry may land just after it.
   *
   * @param key A signature (lowercase hex).
   * @param value A storable value.
   * @throws {UnstorableError} A `TypeError` naming the key and where in the
   *   value something cannot be stored (a class instance, a function…).
   * @throws {TypeError} If `key` is not a valid key.
   * @throws {Error} If the folder cannot be written, naming the path.
   */
  async set(key: string, value: unknown): Promise<void> {
    const file = this.#file(key);
    const bytes = encodeEntry(key, value);
    const shard = join(this.dir, key.slice(0, 2));
    const tmp = `${file}.${Date.now().toString(36)}-${crypto.randomUUID()}.tmp`;
    for (let attempt = 1;; attempt++) {
      try {
        if (!this.#shards.has(shard)) {
          await mkdir(shard, { recursive: true });
          this.#shards.add(shard);
        }
        await writeFile(tmp, bytes);
        await this.#rename(tmp, file);
        return;
      } catch (e) {
        await unlink(tmp).catch(() => {});
        this.#shards.delete(shard);
        // ENOENT: someone removed the folder (or our temp file) meanwhile.
        if (attempt < WRITE_ATTEMPTS && code(e) === "ENOENT") continue;
        throw this.#error("write", file, e);
      }
    }
  }

  /**
   * Removes the entry for `key`.
   *
   * @param key A signature.
   * @returns Whether there was an entry.
   */
  async delete(key: string): Promise<boolean> {
    const file = this.#file(key);
    try {
      await unlink(file);
      return true;
    } catch (e) {
      if (MISSING.has(code(e) ?? "")) return false;
      throw this.#error("delete", file, e);
    }
  }

  /**
   * Removes every entry, and temp files left over by crashed writers (older
   * than ten minutes); the shard folders stay, and other files in the folder
   * are kept. Safe while other processes read and write: it never touches
   * what a writer is working on, so an entry written during the clear may
   * survive it, and no writer fails because of it.
   */
  async clear(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if (MISSING.has(code(e) ?? "")) return;
      throw this.#error("clear", this.dir, e);
    }
    await Promise.all(names.filter((n) => SHARD.test(n)).map((n) => this.#clearShard(n)));
  }

  async #clearShard(name: string): Promise<void> {
    const shard = join(this.dir, name);
    let files: string[];
    try {
      files = await readdir(shard);
    } catch (e) {
      if (MISSING.has(code(e) ?? "")) return; // not a folder, or removed meanwhile
      throw this.#error("clear", shard, e);
    }
    const now = Date.now();
    await Promise.all(files.map(async (f) => {
      const born = TEMP.exec(f)?.[1];
      if (born !== undefined && now - parseInt(born, 36) < STALE_MS) return; // a writer's
      try {
        await unlink(join(shard, f));
      } catch (e) {
        if (!MISSING.has(code(e) ?? "")) throw this.#error("clear", join(shard, f), e);
      }
    }));
  }

  #file(key: string): string {
    if (typeof key !== "string" || !KEY.test(key)) {
      throw new TypeError(
        `Cannot use cache key ${JSON.stringify(key)} as it is not 2-200 characters of ` +
          `[0-9a-z_-]: pass a signature`,
      );
    }
    return join(this.dir, key.slice(0, 2), key);
  }

  async #rename(from: string, to: string): Promise<void> {
    // Windows refuses to replace a file another process has open: retry briefly.
    for (let attempt = 0;; attempt++) {
      try {
        return await rename(from, to);
      } catch (e) {
        if (attempt >= 5 || !BUSY.has(code(e) ?? "")) throw e;
        await new Promise((r) => setTimeout(r, 10 * (attempt + 1)));
      }
    }
  }

  #error(action: string, path: string, cause: unknown): Error {
    return new Error(
      `Cannot ${action} cache entry "${path}" as the cache folder "${this.dir}" is not ` +
        `accessible (${code(cause) ?? cause}): pass DiskCache a folder this process can write`,
      { cause },
    );
  }
}
