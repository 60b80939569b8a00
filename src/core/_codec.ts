/**
 * Binary encoding of cacheable values, for caches that store bytes.
 *
 * Fidelity is structured-clone level: `undefined`, `null`, booleans, numbers
 * (`NaN`, `±Infinity`, `-0`), BigInt, strings (lone surrogates too), arrays,
 * plain objects, Date, RegExp, Map, Set, ArrayBuffer, typed arrays, DataView
 * and Errors (`name`, `message`, `stack`, `cause`; the built-in error classes
 * are rebuilt, an `AggregateError` without its `errors`, others come back as
 * `Error` with their `name`). Documented losses: shared references are stored
 * once per occurrence (they come back as separate copies), array holes come
 * back as `undefined`, null-prototype objects come back as plain objects,
 * typed arrays keep only the bytes they view, symbol-keyed properties are
 * dropped.
 *
 * Class instances, functions, symbols, Promises, weak collections and cycles
 * are refused with {@linkcode UnstorableError}: storing a class instance as
 * its fields would make a cache hit return an object without its methods, a
 * difference that would only show on the second run.
 *
 * Layout: `"HNC\0"`, version byte, 3 zero bytes, payload length (u32 LE),
 * 128-bit checksum of the payload, payload. {@linkcode decodeValue} throws
 * {@linkcode CorruptEntryError} for anything that does not check out.
 *
 * @module
 */

import { builtinErrorClasses, constructError } from "./_error_data.ts";
import { Hash128 } from "./_hash128.ts";
import type { CacheHit } from "./cache.ts";

/** The format version written by {@linkcode encodeValue}. */
export const CODEC_VERSION = 1;
const HEADER = 28;
const MAGIC = [0x48, 0x4e, 0x43, 0x00];

/**
 * Bytes are not a valid entry of this format (corrupt, truncated, other
 * version). Caches treat such an entry as a miss; it only surfaces from
 * decoding bytes directly.
 *
 * @example
 * ```ts
 * import { CorruptEntryError } from "@hn/core/disk-cache";
 *
 * const e = new CorruptEntryError("it ends early");
 * console.assert(e.message.startsWith("Cannot decode cache entry as it ends early"));
 * ```
 */
export class CorruptEntryError extends Error {
  /**
   * Creates the error.
   *
   * @param reason What is wrong.
   */
  constructor(reason: string) {
    super(`Cannot decode cache entry as ${reason}: treat it as a miss and rewrite it`);
    this.name = "CorruptEntryError";
  }
}

/**
 * A value cannot be stored; `path` says where (e.g. `value.model`) and `key`,
 * when a cache knows it, under which key it was to be stored.
 *
 * @example What DiskCache.set() rejects with
 * ```ts
 * import { DiskCache, UnstorableError } from "@hn/core/disk-cache";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import assert from "node:assert/strict";
 *
 * const dir = await mkdtemp(join(tmpdir(), "hn-doc-"));
 * class Model {}
 * await assert.rejects(new DiskCache(dir).set("ab12", { model: new Model() }), (e: unknown) => {
 *   assert.ok(e instanceof UnstorableError && e instanceof TypeError);
 *   assert.equal(e.key, "ab12");
 *   assert.equal(e.path, "value.model");
 *   return true;
 * });
 * await rm(dir, { recursive: true });
 * ```
 */
export class UnstorableError extends TypeError {
  /** Where the value sits. */
  readonly path: string;
  /** What the value is, e.g. `an instance of class Model`. */
  readonly kind: string;
  /** The cache key the value was to be stored under, if known. */
  readonly key: string | undefined;
  /**
   * Creates the error; the message is built from the other arguments.
   *
   * @param kind What the value is.
   * @param path Where it sits.
   * @param key The cache key, if known.
   */
  constructor(kind: string, path: string, key?: string) {
    super(
      `Cannot store ${key === undefined ? "value" : `the value of cache key "${key}"`} as ` +
        `${path} is ${kind}: return plain data (objects, arrays, Map, Set, Date, typed ` +
        `arrays…), use a MemoryCache, or turn caching off for the node (cache: false)`,
    );
    this.name = "UnstorableError";
    this.kind = kind;
    this.path = path;
    this.key = key;
  }
}

/** Payload tags. Never renumber: entries persist on disk. */
const T = {
  UNDEFINED: 0,
  NULL: 1,
  TRUE: 2,
  FALSE: 3,
  INT: 4,
  FLOAT: 5,
  STRING8: 6,
  STRING16: 7,
  BIGINT: 8,
  ARRAY: 9,
  OBJECT: 10,
  DATE: 11,
  REGEXP: 12,
  MAP: 13,
  SET: 14,
  ARRAYBUFFER: 15,
  VIEW: 16,
  ERROR: 17,
} as const;

const VIEW_NAMES = [
  "DataView",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Float16Array",
];

const toTag = Object.prototype.toString;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const IDENT = /^[A-Za-z_$][\w$]*$/;

function seg(key: string): string {
  return IDENT.test(key) ? "." + key : `[${JSON.stringify(key)}]`;
}

class Writer {
  buf: Uint8Array = new Uint8Array(256);
  view: DataView = new DataView(this.buf.buffer);
  pos = HEADER;
  #active = new Set<object>();

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(x: number): void {
    this.ensure(1);
    this.buf[this.pos++] = x;
  }
  u32(x: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, x, true);
    this.pos += 4;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.byteLength);
    this.ensure(b.byteLength);
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
  }
  string(s: string): void {
    const n = s.length;
    if (n <= 64) {
      // Short ASCII strings (keys, names) are written by hand: encodeInto's
      // call overhead dominates at this size.
      this.ensure(5 + n);
      const buf = this.buf;
      const start = this.pos + 5;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === n) {
        buf[this.pos] = T.STRING8;
        this.view.setUint32(this.pos + 1, n, true);
        this.pos = start + n;
        return;
      }
    }
    if (s.isWellFormed()) {
      this.ensure(5 + s.length * 3);
      this.buf[this.pos] = T.STRING8;
      const { written } = encoder.encodeInto(s, this.buf.subarray(this.pos + 5));
      this.view.setUint32(this.pos + 1, written, true);
      this.pos += 5 + written;
    } else {
      this.u8(T.STRING16);
      this.u32(s.length);
      this.ensure(s.length * 2);
      for (let i = 0; i < s.length; i++) {
        this.view.setUint16(this.pos, s.charCodeAt(i), true);
        this.pos += 2;
      }
    }
  }

  value(v: unknown, path: string): void {
    switch (typeof v) {
      case "undefined":
        return this.u8(T.UNDEFINED);
      case "boolean":
        return this.u8(v ? T.TRUE : T.FALSE);
      case "number":
        if ((v | 0) === v && !Object.is(v, -0)) {
          this.u8(T.INT);
          this.ensure(4);
          this.view.setInt32(this.pos, v, true);
          this.pos += 4;
        } else {
          this.u8(T.FLOAT);
          this.ensure(8);
          this.view.setFloat64(this.pos, v, true);
          this.pos += 8;
        }
        return;
      case "string":
        return this.string(v);
      case "bigint":
        this.u8(T.BIGINT);
        return this.string(v.toString(16));
      case "object":
        if (v === null) return this.u8(T.NULL);
        if (this.#active.has(v)) {
          throw new UnstorableError("a reference to one of its own ancestors (a cycle)", path);
        }
        this.#active.add(v);
        this.#object(v, path);
        this.#active.delete(v);
        return;
      case "function":
        throw new UnstorableError(`a function (${v.name || "anonymous"})`, path);
      default:
        throw new UnstorableError(`a ${typeof v}`, path);
    }
  }

  #object(o: object, path: string): void {
    if (Array.isArray(o)) {
      this.u8(T.ARRAY);
      this.u32(o.length);
      for (let i = 0; i < o.length; i++) this.value(o[i], `${path}[${i}]`);
      return;
    }
    const proto = Object.getPrototypeOf(o);
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(o);
      this.u8(T.OBJECT);
      this.u32(keys.length);
      for (const k of keys) {
        this.string(k);
        this.value((o as Record<string, unknown>)[k], path + seg(k));
      }
      return;
    }
    if (ArrayBuffer.isView(o)) {
      const kind = VIEW_NAMES.indexOf(toTag.call(o).slice(8, -1));
      if (kind < 0) throw new UnstorableError(`an unknown ArrayBuffer view`, path);
      this.u8(T.VIEW);
      this.u8(kind);
      return this.bytes(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
    }
    const tag = toTag.call(o);
    const ctor = (o as { constructor?: { name?: string } }).constructor;
    const builtin = ctor === globalThis[tag.slice(8, -1) as keyof typeof globalThis];
    switch (builtin ? tag : "") {
      case "[object Date]":
        this.u8(T.DATE);
        this.ensure(8);
        this.view.setFloat64(this.pos, (o as Date).getTime(), true);
        this.pos += 8;
        return;
      case "[object RegExp]":
        this.u8(T.REGEXP);
        this.string((o as RegExp).source);
        return this.string((o as RegExp).flags);
      case "[object Map]":
        this.u8(T.MAP);
        this.u32((o as Map<unknown, unknown>).size);
        for (const [k, v] of o as Map<unknown, unknown>) {
          this.value(k, `${path}.keys()`);
          this.value(v, `${path}.get(${typeof k === "string" ? JSON.stringify(k) : "…"})`);
        }
        return;
      case "[object Set]":
        this.u8(T.SET);
        this.u32((o as Set<unknown>).size);
        for (const v of o as Set<unknown>) this.value(v, `${path}.values()`);
        return;
      case "[object ArrayBuffer]":
        this.u8(T.ARRAYBUFFER);
        return this.bytes(new Uint8Array(o as ArrayBuffer));
    }
    if (o instanceof Error || tag === "[object Error]") {
      const e = o as Error;
      this.u8(T.ERROR);
      this.string(String(e.name));
      this.string(String(e.message));
      this.value(typeof e.stack === "string" ? e.stack : undefined, path + ".stack");
      return this.value("cause" in e ? e.cause : undefined, path + ".cause");
    }
    const name = ctor?.name ? `an instance of class ${ctor.name}` : `a ${tag.slice(8, -1)}`;
    throw new UnstorableError(name, path);
  }
}

/**
 * Encodes a value to bytes (header + checksum + payload).
 *
 * @param value The value to store.
 * @param path Label of the value in error paths.
 * @returns The encoded bytes.
 * @throws {UnstorableError} If the value (or something inside it) cannot be stored.
 */
export function encodeValue(value: unknown, path = "value"): Uint8Array {
  const w = new Writer();
  w.value(value, path);
  const out = w.buf.subarray(0, w.pos);
  const payload = out.subarray(HEADER);
  out.set(MAGIC, 0);
  out[4] = CODEC_VERSION;
  w.view.setUint32(8, payload.byteLength, true);
  const sum = checksum(payload);
  for (let i = 0; i < 4; i++) w.view.setUint32(12 + i * 4, sum[i], true);
  return out;
}

function checksum(payload: Uint8Array): number[] {
  const h = new Hash128(0x484e43);
  h.word(payload.byteLength);
  h.bytes(payload);
  const sum = h.digestWords();
  h.release();
  return sum;
}

class Reader {
  pos = HEADER;
  readonly buf: Uint8Array;
  readonly view: DataView;
  constructor(buf: Uint8Array, view: DataView) {
    this.buf = buf;
    this.view = view;
  }

  need(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.byteLength) throw new CorruptEntryError("it ends early");
    this.pos += n;
    return at;
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  string(): string {
    const tag = this.buf[this.need(1)];
    const len = this.u32();
    if (tag === T.STRING8) {
      const at = this.need(len);
      const buf = this.buf;
      if (len <= 64) {
        let s = "";
        let i = at;
        for (; i < at + len && buf[i] < 0x80; i++) s += String.fromCharCode(buf[i]);
        if (i === at + len) return s;
      }
      return decoder.decode(buf.subarray(at, at + len));
    }
    if (tag !== T.STRING16) throw new CorruptEntryError(`a string has tag ${tag}`);
    const at = this.need(len * 2);
    const units = new Array<number>(len);
    for (let i = 0; i < len; i++) units[i] = this.view.getUint16(at + i * 2, true);
    let s = "";
    for (let i = 0; i < len; i += 4096) s += String.fromCharCode(...units.slice(i, i + 4096));
    return s;
  }
  bytes(): Uint8Array {
    const len = this.u32();
    const at = this.need(len);
    // A copy in a fresh, aligned buffer (`slice` would be a view on a Node Buffer).
    const copy = new Uint8Array(len);
    copy.set(this.buf.subarray(at, at + len));
    return copy;
  }

  value(): unknown {
    const tag = this.buf[this.pos];
    switch (tag) {
      case T.STRING8:
      case T.STRING16:
        return this.string();
    }
    this.need(1);
    switch (tag) {
      case T.UNDEFINED:
        return undefined;
      case T.NULL:
        return null;
      case T.TRUE:
        return true;
      case T.FALSE:
        return false;
      case T.INT:
        return this.view.getInt32(this.need(4), true);
      case T.FLOAT:
        return this.view.getFloat64(this.need(8), true);
      case T.BIGINT: {
        const s = this.string();
        return s[0] === "-" ? -BigInt("0x" + s.slice(1)) : BigInt("0x" + s);
      }
      case T.ARRAY: {
        const n = this.u32();
        if (n > this.buf.byteLength) throw new CorruptEntryError("an array length is too large");
        const a = new Array(n);
        for (let i = 0; i < n; i++) a[i] = this.value();
        return a;
      }
      case T.OBJECT: {
        const n = this.u32();
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.string();
          const v = this.value();
          // defineProperty for "__proto__" only, so it stays an own property
          // (plain assignment keeps objects fast; defineProperty does not).
          if (k === "__proto__") {
            Object.defineProperty(o, k, {
              value: v,
              writable: true,
              enumerable: true,
              configurable: true,
            });
          } else o[k] = v;
        }
        return o;
      }
      case T.DATE:
        return new Date(this.view.getFloat64(this.need(8), true));
      case T.REGEXP: {
        const source = this.string();
        return new RegExp(source, this.string());
      }
      case T.MAP: {
        const n = this.u32();
        const m = new Map();
        for (let i = 0; i < n; i++) {
          const k = this.value();
          m.set(k, this.value());
        }
        return m;
      }
      case T.SET: {
        const n = this.u32();
        const s = new Set();
        for (let i = 0; i < n; i++) s.add(this.value());
        return s;
      }
      case T.ARRAYBUFFER:
        return this.bytes().buffer;
      case T.VIEW: {
        const name = VIEW_NAMES[this.buf[this.need(1)]];
        const bytes = this.bytes();
        const Ctor = globalThis[name as keyof typeof globalThis] as
          | (new (b: ArrayBuffer) => unknown)
          | undefined;
        if (!Ctor) throw new CorruptEntryError(`${name ?? "a view type"} is not available here`);
        return new Ctor(bytes.buffer as ArrayBuffer);
      }
      case T.ERROR: {
        const name = this.string();
        const message = this.string();
        const stack = this.value();
        const cause = this.value();
        const e = constructError(
          Object.hasOwn(builtinErrorClasses, name) ? builtinErrorClasses[name] : Error,
          message,
          cause === undefined ? undefined : { cause },
        );
        if (e.name !== name) e.name = name;
        if (typeof stack === "string") e.stack = stack;
        else delete e.stack;
        return e;
      }
      default:
        throw new CorruptEntryError(`it holds an unknown tag ${tag}`);
    }
  }
}

/**
 * Decodes bytes written by {@linkcode encodeValue}.
 *
 * @param bytes The encoded bytes.
 * @returns The value.
 * @throws {CorruptEntryError} If the bytes are corrupt, truncated or of another version.
 */
export function decodeValue(bytes: Uint8Array): unknown {
  if (bytes.byteLength < HEADER) throw new CorruptEntryError("it is shorter than its header");
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new CorruptEntryError("it lacks the HNC header");
  }
  if (bytes[4] !== CODEC_VERSION) {
    throw new CorruptEntryError(`it has format version ${bytes[4]}, not ${CODEC_VERSION}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(8, true);
  if (len !== bytes.byteLength - HEADER) {
    throw new CorruptEntryError(`its payload has ${bytes.byteLength - HEADER} bytes, not ${len}`);
  }
  const sum = checksum(bytes.subarray(HEADER));
  for (let i = 0; i < 4; i++) {
    if (view.getUint32(12 + i * 4, true) !== sum[i]) {
      throw new CorruptEntryError("its checksum does not match");
    }
  }
  const r = new Reader(bytes, view);
  let value: unknown;
  try {
    value = r.value();
  } catch (e) {
    if (e instanceof CorruptEntryError) throw e;
    throw new CorruptEntryError(`its payload is malformed (${(e as Error).message})`);
  }
  if (r.pos !== bytes.byteLength) throw new CorruptEntryError("it has trailing bytes");
  return value;
}

/**
 * Encodes a cache entry: {@linkcode encodeValue}, naming `key` when the value cannot be stored.
 *
 * @param key The cache key.
 * @param value The value to store.
 * @returns The encoded bytes.
 * @throws {UnstorableError} If the value cannot be stored, with `key` set.
 *
 * @example
 * ```ts
 * import { encodeEntry, UnstorableError } from "./_codec.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => encodeEntry("ab12", { f: () => 1 }),
 *   (e) => e instanceof UnstorableError && e.key === "ab12" && e.path === "value.f",
 * );
 * ```
 */
export function encodeEntry(key: string, value: unknown): Uint8Array {
  try {
    return encodeValue(value);
  } catch (e) {
    if (e instanceof UnstorableError) throw new UnstorableError(e.kind, e.path, key);
    throw e;
  }
}

/**
 * Decodes a cache entry: `{ value }`, or `undefined` (a miss) when the bytes are not a valid
 * entry (corrupt, truncated, of another version).
 *
 * @param bytes The stored bytes.
 * @returns The hit, or `undefined`.
 *
 * @example
 * ```ts
 * import { decodeEntry, encodeEntry } from "./_codec.ts";
 * console.assert(decodeEntry(encodeEntry("k", 1))?.value === 1);
 * console.assert(decodeEntry(new Uint8Array(3)) === undefined);
 * ```
 */
export function decodeEntry(bytes: Uint8Array): CacheHit | undefined {
  try {
    return { value: decodeValue(bytes) };
  } catch (e) {
    if (e instanceof CorruptEntryError) return undefined;
    throw e;
  }
}
