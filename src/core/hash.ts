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
 * Plain objects (prototype `Object.prototype` or `null`) hash by their own
 * enumerable string keys. A value is fed as a stream of type-tagged 32-bit
 * words, fast enough for bulk data: an array of 100,000 small records hashes
 * in about 13 ms, a 1M-element `Float64Array` in about 3 ms (its bytes are
 * read in place, never copied).
 *
 * Digests are 128-bit (32 hex chars, MurmurHash3-style, not cryptographic) and
 * the same in every process and runtime (Deno, Bun, Node, browsers) on
 * machines of the same endianness. They may change between versions of this
 * library.
 *
 * @module
 */

import { Hash128 } from "./_hash128.ts";
import { normaliseSource } from "./_source.ts";
import { RESTART, Unhashable, ValueWalker } from "./_walk.ts";

// Tags of signatures and fingerprints (fed as numbers).
const T_SOURCE = 1, T_SIGNATURE = 2;

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
   * Creates the error; the message is built from `kind` and `path`.
   *
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
  #walker: ValueWalker = new ValueWalker(this.#h);

  /**
   * Feeds one value.
   *
   * @param value Any hashable value.
   * @param path Label of the value in error paths, e.g. `inputs.config`.
   * @returns This hasher.
   * @throws {UnhashableError} If the value (or something inside it) cannot be hashed; the
   *   hasher is then as it was before the call.
   */
  update(value: unknown, path = ""): this {
    const h = this.#h;
    h.mark();
    try {
      try {
        this.#walker.feed(value);
      } catch (e) {
        if (e !== RESTART) throw e;
        h.rollback();
        this.#walker.feed(value, false);
      }
    } catch (e) {
      h.rollback();
      if (e instanceof Unhashable) throw new UnhashableError(e.kind, path + e.path());
      if (e instanceof UnhashableError) e.prepend(path); // from a nested hashValue() in [cacheKey]()
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
    const h = this.#h;
    h.release(); // its buffer serves the next hasher; a later update() takes one again
    return h.digestHex();
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
 * Fingerprints a node's code: its source text, normalised, plus an optional
 * `version` the user bumps to invalidate on purpose.
 *
 * The source is read as tokens, so what formatters change does not count:
 * comments, indentation, line breaks, semicolons left to automatic
 * insertion, trailing commas, quote style, number spelling (`0.50`, `.5`),
 * parentheses around a lone arrow parameter, quotes around object keys. A
 * different literal, operator or name does count, and so do the contents of
 * string, template and regex literals.
 *
 * Each runtime hands out the source it ran: Node as written (types blanked
 * out), Deno and Bun printed again from their parse. Deno and Node mostly
 * agree after normalisation; Bun also rewrites code (`undefined` as
 * `void 0`, `"a" + "b"` folded), so one function may fingerprint differently
 * on Bun. A disk cache is meant for the processes of one runtime.
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
 * const b = hashSource("x =>\n  x + 1 // add one");
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
  const { fingerprint, inputs = {}, upstream = {} } = parts;
  try {
    return new Hasher().update(T_SIGNATURE).update({ fingerprint, inputs, upstream }).digest();
  } catch (e) {
    // The path reads `.inputs.<name>…`: drop the leading dot.
    if (e instanceof UnhashableError) throw new UnhashableError(e.kind, e.path.slice(1));
    throw e;
  }
}
