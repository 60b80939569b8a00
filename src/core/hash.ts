/**
 * Canonical, type-tagged hashing of values: what node signatures are made of.
 *
 * Rules: every value is fed with a type tag, so `1`, `"1"`, `true` and `1n`
 * differ, as do `[1]` and `{ 0: 1 }`. Object keys are sorted (key order is
 * ignored); `undefined`, `null`, `NaN` (all NaNs are one), `-0` (differs from
 * `0`) have their own encodings. Maps and Sets are order-insensitive: each
 * entry is hashed on its own and the entry digests are sorted, so two Maps with
 * the same entries inserted in a different order hash the same. Typed arrays
 * hash their viewed bytes, tagged with their type (a `Float64Array` differs
 * from a `Uint8Array` of the same bytes). Array holes hash like `undefined`;
 * symbol-keyed properties are ignored. Shared references are hashed once per
 * occurrence; a cycle is an error.
 *
 * Class instances hash by their `[cacheKey]()` method when they have one,
 * else by class name plus own enumerable fields whose names do not start with
 * `_` (`#private` fields are invisible). Functions, symbols, Promises and weak
 * collections cannot be hashed: {@linkcode UnhashableError} names where.
 *
 * Digests are 128-bit (32 hex chars, MurmurHash3-style, not cryptographic) and
 * stable across processes and runtimes on machines of the same endianness.
 *
 * @module
 */

import { Hash128 } from "./_hash128.ts";
import { normaliseSource } from "./_source.ts";

/**
 * The method key a class implements to choose how its instances are hashed;
 * the return value is hashed instead of the instance's fields (tagged with
 * the class name). It is `Symbol.for("@hn/core/cacheKey")`, so copies of the
 * library in other bundles or Workers agree on it.
 *
 * @example Hashing a class by an id
 * ```ts
 * import { cacheKey, hashValue } from "./hash.ts";
 *
 * class Model {
 *   id: string;
 *   weights: Float64Array;
 *   constructor(id: string, weights: Float64Array) {
 *     this.id = id;
 *     this.weights = weights;
 *   }
 *   [cacheKey](): unknown {
 *     return this.id;
 *   }
 * }
 * const a = hashValue(new Model("v1", new Float64Array(3)));
 * const b = hashValue(new Model("v1", new Float64Array([1, 2, 3])));
 * console.assert(a === b);
 * ```
 */
export const cacheKey: unique symbol = Symbol.for("@hn/core/cacheKey") as never;

/** An object that chooses its own hash input. See {@linkcode cacheKey}. */
export interface CacheKeyed {
  /** Returns the (hashable) value that stands for this object in hashes. */
  [cacheKey](): unknown;
}

/**
 * A value could not be hashed (a function, a symbol, a Promise, a weak
 * collection, a cyclic structure). `path` says where, e.g.
 * `inputs.config.handler`; the engine adds the node and input names.
 *
 * @example
 * ```ts
 * import { hashValue, UnhashableError } from "./hash.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => hashValue({ config: { handler: () => 1 } }, "inputs"), (e: UnhashableError) => {
 *   assert.equal(e.path, "inputs.config.handler");
 *   return true;
 * });
 * ```
 */
export class UnhashableError extends TypeError {
  /** Where the unhashable value sits, from the root label given to the hasher. */
  path: string;
  /** What the value is, e.g. `a function`. */
  readonly kind: string;

  /**
   * @param kind What the value is, e.g. `a function`.
   * @param path Where it sits.
   */
  constructor(kind: string, path: string) {
    super("");
    this.name = "UnhashableError";
    this.kind = kind;
    this.path = path;
    this.message = UnhashableError.#message(kind, path);
  }

  /** Prepends a path segment (used while the error unwinds). @internal */
  prepend(segment: string): void {
    this.path = segment + this.path;
    this.message = UnhashableError.#message(this.kind, this.path);
  }

  static #message(kind: string, path: string): string {
    return `Cannot hash value as ${path || "the value"} is ${kind}: pass plain data, ` +
      `give its class a [cacheKey]() method, or turn caching off for the node (cache: false)`;
  }
}

// Type tags. Never renumber: digests persist in disk caches.
const T_UNDEFINED = 1, T_NULL = 2, T_TRUE = 3, T_FALSE = 4, T_NUMBER = 5, T_STRING = 6;
const T_BIGINT = 7, T_ARRAY = 8, T_OBJECT = 9, T_DATE = 10, T_REGEXP = 11, T_MAP = 12;
const T_SET = 13, T_ARRAYBUFFER = 14, T_VIEW = 15, T_INSTANCE = 16, T_KEYED = 17;
const T_ERROR = 18, T_BOXED = 19, T_SOURCE = 20, T_SIGNATURE = 21, T_INPUT = 22, T_UPSTREAM = 23;

const f64 = new Float64Array(1);
const f64w = new Uint32Array(f64.buffer);
const toTag = Object.prototype.toString;
const objectProto = Object.prototype;
const IDENT = /^[A-Za-z_$][\w$]*$/;
/** Ancestors deeper than this are tracked in a Set instead of scanned. */
const SHALLOW = 32;
const CYCLE = "a reference to one of its own ancestors (a cycle)";

function keySegment(key: string): string {
  return IDENT.test(key) ? "." + key : `[${JSON.stringify(key)}]`;
}

function compareWords(a: number[], b: number[]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
}

/**
 * Incremental canonical hasher: feed values (each type-tagged) in a fixed
 * order, then read the digest. Used to build signatures without building big
 * strings.
 *
 * @example Hashing parts in sequence
 * ```ts
 * import { Hasher } from "./hash.ts";
 *
 * const a = new Hasher().update("add").update({ x: 1, y: 2 }).digest();
 * const b = new Hasher().update("add").update({ y: 2, x: 1 }).digest();
 * console.assert(a === b && a.length === 32);
 * ```
 */
export class Hasher {
  #h: Hash128 = new Hash128();
  #stack: object[] = [];
  /** Ancestors deeper than {@linkcode SHALLOW}, created when first needed. */
  #deep: Set<object> | undefined;

  /**
   * Feeds one value.
   *
   * @param value Any hashable value.
   * @param path Label of the value in error paths, e.g. `inputs.config`.
   * @returns This hasher.
   * @throws {UnhashableError} If the value (or something inside it) cannot be hashed.
   */
  update(value: unknown, path = ""): this {
    try {
      this.#value(value);
    } catch (e) {
      this.#stack.length = 0;
      this.#deep = undefined;
      if (e instanceof UnhashableError) e.prepend(path);
      throw e;
    }
    return this;
  }

  /**
   * The digest of everything fed so far; more values may still be fed.
   *
   * @returns 32 lowercase hex characters.
   */
  digest(): string {
    return this.#h.digestHex();
  }

  #string(s: string): void {
    this.#h.string(T_STRING, s);
  }

  #number(n: number): void {
    const h = this.#h;
    h.word(T_NUMBER);
    if (n !== n) n = NaN; // one NaN whatever the payload
    f64[0] = n;
    h.word(f64w[0]);
    h.word(f64w[1]);
  }

  #value(v: unknown): void {
    switch (typeof v) {
      case "number":
        return this.#number(v);
      case "string":
        return this.#string(v);
      case "boolean":
        return this.#h.word(v ? T_TRUE : T_FALSE);
      case "undefined":
        return this.#h.word(T_UNDEFINED);
      case "bigint": {
        const s = v.toString(16);
        return this.#h.string(T_BIGINT, s);
      }
      case "object":
        if (v === null) return this.#h.word(T_NULL);
        return this.#object(v);
      case "function":
        throw new UnhashableError(`a function (${v.name || "anonymous"})`, "");
      default:
        throw new UnhashableError(`a ${typeof v}`, "");
    }
  }

  #object(o: object): void {
    const stack = this.#stack;
    const depth = stack.length;
    if (depth < SHALLOW) {
      if (stack.includes(o)) throw new UnhashableError(CYCLE, "");
      stack.push(o);
      this.#dispatch(o);
      stack.pop();
      return;
    }
    const deep = (this.#deep ??= new Set());
    if (deep.has(o)) throw new UnhashableError(CYCLE, "");
    deep.add(o);
    this.#dispatch(o);
    deep.delete(o);
  }

  #dispatch(o: object): void {
    const h = this.#h;
    if (Array.isArray(o)) {
      h.word(T_ARRAY);
      h.word(o.length);
      for (let i = 0; i < o.length; i++) {
        try {
          this.#value(o[i]);
        } catch (e) {
          if (e instanceof UnhashableError) e.prepend(`[${i}]`);
          throw e;
        }
      }
      return;
    }
    const proto = Object.getPrototypeOf(o);
    if (proto === objectProto || proto === null) {
      h.word(T_OBJECT);
      return this.#fields(o as Record<string, unknown>, false);
    }
    const keyed = (o as Partial<CacheKeyed>)[cacheKey];
    if (typeof keyed === "function") {
      h.word(T_KEYED);
      this.#string(o.constructor?.name ?? "");
      let key: unknown;
      try {
        key = keyed.call(o);
        this.#value(key);
      } catch (e) {
        if (e instanceof UnhashableError) e.prepend("[cacheKey]()");
        throw e;
      }
      return;
    }
    if (ArrayBuffer.isView(o)) {
      h.word(T_VIEW);
      this.#string(toTag.call(o));
      h.word(o.byteLength);
      return h.bytes(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
    }
    const tag = toTag.call(o);
    switch (tag) {
      case "[object Date]":
        h.word(T_DATE);
        return this.#number((o as Date).getTime());
      case "[object RegExp]":
        h.word(T_REGEXP);
        this.#string((o as RegExp).source);
        return this.#string((o as RegExp).flags);
      case "[object Map]":
        return this.#unordered(T_MAP, o as Map<unknown, unknown>);
      case "[object Set]":
        return this.#unordered(T_SET, o as Set<unknown>);
      case "[object ArrayBuffer]":
      case "[object SharedArrayBuffer]": {
        const bytes = new Uint8Array(o as ArrayBuffer);
        h.word(T_ARRAYBUFFER);
        h.word(bytes.byteLength);
        return h.bytes(bytes);
      }
      case "[object Error]":
        h.word(T_ERROR);
        this.#string((o as Error).name);
        return this.#string((o as Error).message);
      case "[object Number]":
      case "[object String]":
      case "[object Boolean]":
      case "[object BigInt]":
        h.word(T_BOXED);
        return this.#value((o as { valueOf(): unknown }).valueOf());
      case "[object Promise]":
      case "[object WeakMap]":
      case "[object WeakSet]":
      case "[object WeakRef]":
      case "[object Symbol]":
        throw new UnhashableError(`a ${tag.slice(8, -1)}`, "");
    }
    h.word(T_INSTANCE);
    this.#string(o.constructor?.name ?? "");
    this.#fields(o as Record<string, unknown>, true);
  }

  #fields(o: Record<string, unknown>, publicOnly: boolean): void {
    let keys = Object.keys(o);
    if (publicOnly) keys = keys.filter((k) => k.charCodeAt(0) !== 95 /* _ */);
    // Usually already sorted; checking is cheaper than sorting.
    for (let i = 1; i < keys.length; i++) {
      if (keys[i - 1] > keys[i]) {
        keys.sort();
        break;
      }
    }
    this.#h.word(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      this.#string(k);
      try {
        this.#value(o[k]);
      } catch (e) {
        if (e instanceof UnhashableError) e.prepend(keySegment(k));
        throw e;
      }
    }
  }

  #unordered(tag: number, c: Map<unknown, unknown> | Set<unknown>): void {
    const outer = this.#h;
    const digests: number[][] = [];
    const isMap = tag === T_MAP;
    const inner = new Hash128();
    this.#h = inner;
    try {
      for (const entry of c.entries()) {
        inner.reset();
        let segment = ".values()";
        try {
          if (isMap) {
            segment = ".keys()";
            this.#value(entry[0]);
            segment = typeof entry[0] === "string" || typeof entry[0] === "number"
              ? `.get(${JSON.stringify(entry[0])})`
              : ".values()";
          }
          this.#value(entry[1]);
        } catch (e) {
          if (e instanceof UnhashableError) e.prepend(segment);
          throw e;
        }
        digests.push(inner.digestWords());
      }
    } finally {
      this.#h = outer;
    }
    digests.sort(compareWords);
    outer.word(tag);
    outer.word(digests.length);
    for (const d of digests) {
      outer.word(d[0]);
      outer.word(d[1]);
      outer.word(d[2]);
      outer.word(d[3]);
    }
  }
}

/**
 * Hashes one value canonically (see the module docs for the rules).
 *
 * @param value Any hashable value.
 * @param path Label of the value in error paths, e.g. `inputs.config`.
 * @returns 32 lowercase hex characters.
 * @throws {UnhashableError} If the value (or something inside it) cannot be hashed.
 *
 * @example Type tags and key order
 * ```ts
 * import { hashValue } from "./hash.ts";
 *
 * console.assert(hashValue(1) !== hashValue("1"));
 * console.assert(hashValue({ a: 1, b: 2 }) === hashValue({ b: 2, a: 1 }));
 * ```
 */
export function hashValue(value: unknown, path = ""): string {
  return new Hasher().update(value, path).digest();
}

/**
 * Fingerprints a node's code: its source text (normalised so that comments,
 * indentation and other formatting-only edits do not change it) plus an
 * optional `version` the user bumps to invalidate on purpose.
 *
 * Note that each runtime hands out the source it ran (Node strips types in
 * place, Deno and Bun transpile), so fingerprints of one function may differ
 * between runtimes; a disk cache is shared between processes of one runtime.
 *
 * @param source A function's source text (`fn.toString()`).
 * @param version The node's `version` option, if any.
 * @returns 32 lowercase hex characters.
 *
 * @example Formatting does not matter, code does
 * ```ts
 * import { hashSource } from "./hash.ts";
 *
 * const a = hashSource("(x) => x + 1");
 * const b = hashSource("(x) =>   x + 1 // add one");
 * const c = hashSource("(x) => x + 2");
 * console.assert(a === b && a !== c);
 * console.assert(hashSource("(x) => x + 1", "2") !== a);
 * ```
 */
export function hashSource(source: string, version?: string | number): string {
  return new Hasher().update(T_SOURCE).update(normaliseSource(source.trim())).update(version)
    .digest();
}

/** What a node signature is made of. */
export interface SignatureParts {
  /** The node's code fingerprint, from {@linkcode hashSource} (or a nested pipeline's). */
  readonly fingerprint: string;
  /** Input values by input name (pipeline inputs and bound values). */
  readonly inputs?: Readonly<Record<string, unknown>>;
  /** Signatures of upstream nodes by the input name they feed (their values are not hashed). */
  readonly upstream?: Readonly<Record<string, string>>;
}

/**
 * Computes a node signature: hash(code fingerprint, inputs by name, upstream
 * signatures by name). Names are sorted, so the order of keys does not
 * matter; an input given as a value and the same input given as an upstream
 * signature differ.
 *
 * @param parts The fingerprint, input values and upstream signatures.
 * @returns 32 lowercase hex characters, usable as a {@linkcode Cache} key.
 * @throws {UnhashableError} With `path` `inputs.<name>…` if an input cannot be hashed.
 *
 * @example
 * ```ts
 * import { hashSource, nodeSignature } from "./hash.ts";
 *
 * const fingerprint = hashSource("({ x, y }) => x + y");
 * const a = nodeSignature({ fingerprint, inputs: { x: 1 }, upstream: { y: "00ff" } });
 * const b = nodeSignature({ fingerprint, inputs: { x: 2 }, upstream: { y: "00ff" } });
 * console.assert(a !== b);
 * ```
 */
export function nodeSignature(parts: SignatureParts): string {
  const h = new Hasher().update(T_SIGNATURE).update(parts.fingerprint);
  const feed = (tag: number, record: Readonly<Record<string, unknown>> | undefined) => {
    if (record === undefined) return;
    for (const name of Object.keys(record).sort()) {
      h.update(tag).update(name);
      try {
        h.update(record[name]);
      } catch (e) {
        if (e instanceof UnhashableError) e.prepend("inputs" + keySegment(name));
        throw e;
      }
    }
  };
  feed(T_INPUT, parts.inputs);
  feed(T_UPSTREAM, parts.upstream);
  return h.digest();
}
