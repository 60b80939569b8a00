/**
 * The value walker behind `Hasher` (internal to `hash.ts`): feeds a value into
 * a {@linkcode Hash128} as a canonical, type-tagged stream of 32-bit words.
 *
 * Every value starts with a word whose low byte is its type tag, so the stream
 * parses back one way only. Some tags carry a payload in the high 24 bits: a
 * length, a small integer, up to three Latin-1 characters. Plain objects feed
 * the digest of their sorted key list (a memoised {@linkcode Shape}, its first
 * word carrying the tag), or one word when the array element before them had
 * the same keys, and then their values in sorted-key order; arrays their length
 * and elements; Maps and Sets the sorted digests of their entries.
 *
 * Speed matters here: hashing an array of 100,000 small records is the case to
 * beat. So the hot path writes words straight into the hash buffer; reads
 * object fields inside `for…in` (V8 serves those loads from its enum cache),
 * on a guess of the object's shape checked key by key; and tracks ancestors
 * for cycle detection only past {@linkcode SHALLOW} levels. Errors unwind
 * with the path segments they cross.
 *
 * @module
 */

import { type Hash128, LIMIT as FLUSH_AT, ROOM } from "./_hash128.ts";
import { type Shape, ShapeTrie } from "./_shape.ts";

/** The `[cacheKey]()` method key (exported as `cacheKey` by `hash.ts`). */
export const CACHE_KEY: symbol = Symbol.for("@hn/core/cacheKey");

// Type tags, in the low byte of a word. Signatures are not persisted across
// versions of this library, but keep the numbers stable within one.
const T_UNDEFINED = 1, T_NULL = 2, T_TRUE = 3, T_FALSE = 4, T_FLOAT = 5, T_STRING = 6;
const T_BIGINT = 7, T_ARRAY = 8, T_OBJECT = 9, T_DATE = 10, T_REGEXP = 11, T_MAP = 12;
const T_SET = 13, T_ARRAYBUFFER = 14, T_VIEW = 15, T_INSTANCE = 16, T_KEYED = 17;
const T_ERROR = 18, T_BOXED = 19, T_INT = 20, T_SMALL_INT = 21, T_STRING8 = 22;
const T_LONG_STRING = 23, T_LONG_ARRAY = 24, T_FIELDS = 25;
/** A plain object with the same keys as the array element before it: one word, no key digest. */
const T_OBJECT_AGAIN = 26;
/** `T_TINY + n`: a string of n ≤ 3 Latin-1 characters, packed into the tag word. */
const T_TINY = 28;
/** Lengths and small integers below this are packed into their tag word. */
const PACKED = 0x1000000;
/** Strings up to this length are fed within one {@linkcode Hash128.room} check. */
const SHORT = 2 * (ROOM - 2);
/**
 * Objects nested deeper than this are tracked in a Set to catch cycles; the
 * shallower ones are not tracked at all (a cycle always nests deeper), which
 * keeps the common case free of bookkeeping.
 */
const SHALLOW = 64;
const CYCLE = "a reference to one of its own ancestors (a cycle)";

/** Write positions past this need a flush() first (a local copy: cheaper to read). */
const LIMIT = FLUSH_AT;
const f64 = new Float64Array(1);
const f64w = new Int32Array(f64.buffer);
const toTag = Object.prototype.toString;
const objectProto = Object.prototype;
const getProto = Object.getPrototypeOf;
const IDENT = /^[A-Za-z_$][\w$]*$/;
const plainShapes = new ShapeTrie(false);
const instanceShapes = new ShapeTrie(true);

/**
 * Thrown when an object fed on a wrong guess cannot be taken back (its words
 * were mixed already): the caller restores the hash state and feeds the value
 * again with guessing off.
 */
export const RESTART: Error = new Error("feed again without guessing shapes");

/** A path segment for an object key: `.name` or `["odd key"]`. */
function keySegment(key: string): string {
  return IDENT.test(key) ? "." + key : `[${JSON.stringify(key)}]`;
}

/** A value that cannot be hashed, with the path it unwound through. */
export class Unhashable {
  /** What the value is, e.g. `a function (f)`. */
  readonly kind: string;
  /** For a cycle: the object met again. */
  readonly repeated: object | undefined;
  /** Path segments, innermost first. */
  readonly #segments: string[] = [];
  /** The container each segment leads out of, innermost first. */
  readonly #containers: object[] = [];

  /**
   * @param kind What the value is.
   * @param repeated For a cycle, the object met again.
   */
  constructor(kind: string, repeated?: object) {
    this.kind = kind;
    this.repeated = repeated;
  }

  /** Records the segment from `container` to the failing child. */
  add(segment: string, container: object): void {
    this.#segments.push(segment);
    this.#containers.push(container);
  }

  /**
   * The path from the root. A cycle is noticed only {@linkcode SHALLOW} levels
   * down, well past where it starts: its path stops at the first object met
   * twice.
   */
  path(): string {
    const segments = this.#segments.toReversed();
    if (this.repeated === undefined) return segments.join("");
    const objects = [...this.#containers.toReversed(), this.repeated];
    const seen = new Set<object>();
    let j = 0;
    while (j < objects.length && !seen.has(objects[j])) seen.add(objects[j++]);
    return segments.slice(0, j).join("");
  }
}

function unwind(e: unknown, segment: string, container: object): void {
  if (e instanceof Unhashable) e.add(segment, container);
}

function compareWords(a: number[], b: number[]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
}

/** The keys `for…in` lists, in its order (the slow path of a shape lookup). */
function enumerated(o: object): string[] {
  const keys: string[] = [];
  for (const k in o) keys.push(k);
  return keys;
}

/** Feeds values into one {@linkcode Hash128}. */
export class ValueWalker {
  readonly #h: Hash128;
  #depth = 0;
  /** Ancestors deeper than {@linkcode SHALLOW}, created when first needed. */
  #deep: Set<object> | undefined;
  /** Values of objects whose keys are not enumerated in sorted order, waiting their turn. */
  #vals: unknown[] = [];
  #top = 0;
  /** Whether `for…in` lists exactly the own keys of plain objects. */
  #forIn = true;
  /** The shape of the last plain object met at each depth, a guess for the next one. */
  #guess: (Shape | undefined)[] = [];
  /** Whether objects are fed on a guess (off on a second attempt). */
  #speculate = true;

  /** @param h The hash state to feed. */
  constructor(h: Hash128) {
    this.#h = h;
  }

  /**
   * Feeds one value.
   *
   * @param value The value.
   * @param speculate Whether to feed objects on a guess of their shape.
   * @throws {Unhashable} If something in it cannot be hashed.
   * @throws {Error} {@linkcode RESTART} if a wrong guess cannot be taken back.
   */
  feed(value: unknown, speculate = true): void {
    this.#speculate = speculate;
    // Only an enumerable property added to Object.prototype makes `for…in`
    // list inherited keys; checking costs a few nanoseconds.
    this.#forIn = true;
    for (const _ in objectProto) this.#forIn = false;
    try {
      this.#value(value);
    } catch (e) {
      this.#depth = 0;
      this.#deep = undefined;
      this.#top = 0;
      throw e;
    } finally {
      if (this.#vals.length !== 0) this.#vals = []; // drop references to the caller's values
    }
  }

  #value(v: unknown): void {
    if (typeof v === "string") feedString(this.#h, v);
    else if (typeof v === "number") this.#number(v);
    else if (typeof v === "object" && v !== null) this.#object(v, undefined);
    else this.#primitive(v);
  }

  #string(s: string): void {
    feedString(this.#h, s);
  }

  #number(n: number): void {
    feedNumber(this.#h, n);
  }

  #primitive(v: unknown): void {
    switch (typeof v) {
      case "boolean":
        return this.#h.word(v ? T_TRUE : T_FALSE);
      case "undefined":
        return this.#h.word(T_UNDEFINED);
      case "bigint":
        this.#h.word(T_BIGINT);
        return this.#string(v.toString(16));
      case "object": // null
        return this.#h.word(T_NULL);
      case "function":
        throw new Unhashable(`a function (${v.name || "anonymous"})`);
      default:
        throw new Unhashable(`a ${typeof v}`);
    }
  }

  /**
   * Feeds an object; returns its shape if it is a plain object.
   *
   * @param prev The shape of the array element before `o`, if that was a plain object.
   */
  #object(o: object, prev: Shape | undefined): Shape | undefined {
    const depth = this.#depth;
    if (depth >= SHALLOW) return this.#tracked(o, prev);
    this.#depth = depth + 1;
    let shape: Shape | undefined;
    if (Array.isArray(o)) this.#array(o);
    else if (isPlain(o)) {
      // The common case inline: a record shaped like the last one at this depth.
      shape = this.#guess[depth + 1];
      if (
        shape === undefined || shape.perm !== undefined || !this.#forIn || !this.#speculate ||
        !this.#plainSorted(o as Record<string, unknown>, shape, prev)
      ) shape = this.#plain(o as Record<string, unknown>, prev);
    } else this.#special(o);
    this.#depth = depth;
    return shape;
  }

  /** An object deep enough to be part of a cycle. */
  #tracked(o: object, prev: Shape | undefined): Shape | undefined {
    const deep = (this.#deep ??= new Set());
    if (deep.has(o)) throw new Unhashable(CYCLE, o);
    deep.add(o);
    const depth = ++this.#depth;
    let shape: Shape | undefined;
    if (Array.isArray(o)) this.#array(o);
    else if (isPlain(o)) {
      shape = this.#guess[depth];
      if (
        shape === undefined || shape.perm !== undefined || !this.#forIn || !this.#speculate ||
        !this.#plainSorted(o as Record<string, unknown>, shape, prev)
      ) shape = this.#plain(o as Record<string, unknown>, prev);
    } else this.#special(o);
    this.#depth--;
    deep.delete(o);
    return shape;
  }

  #array(a: unknown[]): void {
    const n = a.length;
    const h = this.#h;
    feedHeader(h, T_ARRAY, T_LONG_ARRAY, n);
    let i = 0;
    // The shape of the element before, when it was a plain object (see T_OBJECT_AGAIN).
    let prev: Shape | undefined;
    try {
      for (; i < n; i++) {
        const v = a[i]; // holes read as undefined
        if (typeof v === "object" && v !== null) prev = this.#object(v, prev);
        else {
          prev = undefined;
          if (typeof v === "string") feedString(h, v);
          else if (typeof v === "number") feedNumber(h, v);
          else this.#primitive(v);
        }
      }
    } catch (e) {
      unwind(e, `[${i}]`, a);
      throw e;
    }
  }

  /**
   * A plain object. `for…in` reads its values fast (V8 serves `o[k]` inside
   * `for…in` from its enum cache, far faster than a keyed load elsewhere),
   * but the shape, which goes first, is known only once all keys are seen.
   * So the object is fed on a guess, the shape of the last object at this
   * depth (arrays of records repeat one shape), checking each key against
   * it; a wrong guess is taken back and the object fed in two passes.
   */
  #plain(o: Record<string, unknown>, prev: Shape | undefined): Shape {
    if (!this.#forIn) return this.#fields(o, plainShapes, T_OBJECT, prev);
    const depth = this.#depth;
    const guess = this.#guess[depth];
    // (A sorted guess was tried by #object already.)
    if (guess !== undefined && guess.perm !== undefined && this.#speculate) {
      if (this.#plainParked(o, guess, prev)) return guess;
    }
    const shape = this.#plainTwoPass(o, prev);
    this.#guess[depth] = shape;
    return shape;
  }

  /**
   * Feeds `o` on the guess that its keys are those of `shape`, in sorted
   * order; returns false, having fed nothing, if they are not.
   *
   * @throws {Error} {@linkcode RESTART} if words fed on a wrong guess were already mixed.
   */
  #plainSorted(o: Record<string, unknown>, shape: Shape, prev: Shape | undefined): boolean {
    const h = this.#h;
    let pos = h.pos;
    if (pos > LIMIT) pos = h.flush();
    const start = pos;
    const mixes = h.mixes;
    const buf = h.buf;
    h.pos = writeShape(buf, pos, shape, T_OBJECT, prev);
    const keys = shape.sorted;
    const n = keys.length;
    let i = 0;
    try {
      for (const k in o) {
        if (i === n || k !== keys[i]) {
          i = -1;
          break;
        }
        i++;
        const v = o[k];
        if (typeof v === "string") feedString(h, v);
        else if (typeof v === "number") feedNumber(h, v);
        else if (typeof v === "object" && v !== null) this.#object(v, undefined);
        else this.#primitive(v);
      }
    } catch (e) {
      unwind(e, keySegment(keys[i - 1]), o);
      throw e;
    }
    if (i === n) return true;
    if (h.mixes !== mixes) throw RESTART;
    h.pos = start;
    return false;
  }

  /**
   * Feeds `o` on the guess that its keys are those of `shape`, in the same
   * (unsorted) order: values are parked on a stack by sorted position while
   * the keys are checked; returns false, having fed nothing, if they differ.
   */
  #plainParked(o: Record<string, unknown>, shape: Shape, prev: Shape | undefined): boolean {
    const keys = shape.sorted;
    const inv = shape.inv!;
    const n = keys.length;
    const vals = this.#vals;
    const base = this.#top;
    let i = 0;
    for (const k in o) {
      if (i === n || k !== keys[inv[i]]) return false;
      vals[base + inv[i++]] = o[k];
    }
    if (i !== n) return false;
    this.#shape(shape, T_OBJECT, prev);
    this.#top = base + n;
    let j = 0;
    try {
      for (; j < n; j++) this.#value(vals[base + j]);
    } catch (e) {
      unwind(e, keySegment(keys[j]), o);
      throw e;
    }
    this.#top = base;
    return true;
  }

  /**
   * A plain object in two `for…in` passes: one to find the shape, one to feed
   * the values. Keys not enumerated in sorted order park their values first.
   */
  #plainTwoPass(o: Record<string, unknown>, prev: Shape | undefined): Shape {
    let node = plainShapes.root;
    for (const k in o) node = node.key === k ? node.next! : node.child(k);
    const shape = node.shape ?? plainShapes.shapeAt(node, enumerated(o));
    this.#shape(shape, T_OBJECT, prev);
    const inv = shape.inv;
    let j = 0;
    try {
      if (inv === undefined) {
        for (const k in o) {
          this.#value(o[k]);
          j++;
        }
        return shape;
      }
      const vals = this.#vals;
      const base = this.#top;
      let i = 0;
      for (const k in o) vals[base + inv[i++]] = o[k];
      this.#top = base + i;
      for (; j < i; j++) this.#value(vals[base + j]);
      this.#top = base;
    } catch (e) {
      unwind(e, keySegment(shape.sorted[j]), o);
      throw e;
    }
    return shape;
  }

  /** Own enumerable fields by `Object.keys` (class instances, or when `for…in` would mislead). */
  #fields(
    o: Record<string, unknown>,
    shapes: ShapeTrie,
    tag: number,
    prev: Shape | undefined,
  ): Shape {
    const shape = shapes.shapeOf(Object.keys(o));
    this.#shape(shape, tag, prev);
    const keys = shape.sorted;
    let j = 0;
    try {
      for (; j < keys.length; j++) this.#value(o[keys[j]]);
    } catch (e) {
      unwind(e, keySegment(keys[j]), o);
      throw e;
    }
    return shape;
  }

  /**
   * Feeds a shape as four words, the first of which carries the type tag; or, for a plain
   * object with the keys of the array element before it, the one word `T_OBJECT_AGAIN`.
   */
  #shape(shape: Shape, tag: number, prev: Shape | undefined): void {
    const h = this.#h;
    h.pos = writeShape(h.buf, h.room(), shape, tag, prev);
  }

  /** Anything but an array or a plain object. */
  #special(o: object): void {
    const h = this.#h;
    const keyed = (o as Record<symbol, unknown>)[CACHE_KEY];
    if (typeof keyed === "function") {
      h.word(T_KEYED);
      this.#string(o.constructor?.name ?? "");
      try {
        this.#value(keyed.call(o));
      } catch (e) {
        unwind(e, "[cacheKey]()", o);
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
        throw new Unhashable(`a ${tag.slice(8, -1)}`);
    }
    h.word(T_INSTANCE);
    this.#string(o.constructor?.name ?? "");
    this.#fields(o as Record<string, unknown>, instanceShapes, T_FIELDS, undefined);
  }

  /** A Map or Set: each entry hashed on its own, the entry digests sorted. */
  #unordered(tag: number, c: Map<unknown, unknown> | Set<unknown>): void {
    const h = this.#h;
    const outer = h.save();
    const digests: number[][] = [];
    const isMap = tag === T_MAP;
    for (const entry of c.entries()) {
      h.reset();
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
        unwind(e, segment, c);
        throw e;
      }
      digests.push(h.digestWords());
    }
    h.restore(outer);
    digests.sort(compareWords);
    h.word(tag);
    h.word(digests.length);
    for (const d of digests) {
      h.word(d[0]);
      h.word(d[1]);
      h.word(d[2]);
      h.word(d[3]);
    }
  }
}

/**
 * Writes a shape at `pos` (room made): four words, the first of which carries the type tag, or
 * the one word `T_OBJECT_AGAIN` when `prev` (the array element before) had the same keys.
 *
 * @returns The position after it.
 */
function writeShape(
  buf: Int32Array,
  pos: number,
  shape: Shape,
  tag: number,
  prev: Shape | undefined,
): number {
  if (prev !== undefined && (prev === shape || sameKeys(prev, shape))) {
    buf[pos] = T_OBJECT_AGAIN;
    return pos + 1;
  }
  const d = shape.digest;
  buf[pos] = (d[0] & ~0xff) | tag;
  buf[pos + 1] = d[1];
  buf[pos + 2] = d[2];
  buf[pos + 3] = d[3];
  return pos + 4;
}

/**
 * Whether two shapes have the same keys: their digests are equal (a shape of a full trie is
 * computed again, so equal keys may come as two objects).
 */
function sameKeys(a: Shape, b: Shape): boolean {
  const x = a.digest, y = b.digest;
  return x[0] === y[0] && x[1] === y[1] && x[2] === y[2] && x[3] === y[3];
}

/**
 * Feeds a string: up to three Latin-1 characters in the tag word; longer short Latin-1
 * strings with their length and first two characters in the tag word and the rest four
 * characters a word; others as UTF-16 two units a word.
 */
function feedString(h: Hash128, s: string): void {
  const n = s.length;
  if (n > 3) return feedLonger(h, s);
  // Packed into the tag word when Latin-1 (one-character strings are common); this part is
  // small enough to be inlined into the hot loops.
  let pos = h.pos;
  if (pos > LIMIT) pos = h.flush();
  const a = n > 0 ? s.charCodeAt(0) : 0;
  const b = n > 1 ? s.charCodeAt(1) : 0;
  const c = n > 2 ? s.charCodeAt(2) : 0;
  if ((a | b | c) > 0xff) return wideString(h, s, pos);
  h.buf[pos] = (T_TINY + n) | (a << 8) | (b << 16) | (c << 24);
  h.pos = pos + 1;
}

/** A string of four characters or more (see {@linkcode feedString}). */
function feedLonger(h: Hash128, s: string): void {
  const n = s.length;
  if (n > SHORT) return longString(h, s);
  let pos = h.pos;
  if (pos > LIMIT) pos = h.flush();
  const buf = h.buf;
  // Optimistically packed as Latin-1, four characters a word after the tag word's two;
  // redone as UTF-16 (two a word) if a character is wider.
  const c0 = s.charCodeAt(0), c1 = s.charCodeAt(1);
  let units = c0 | c1;
  const start = pos++;
  let i = 2;
  for (; i + 3 < n; i += 4) {
    const a = s.charCodeAt(i), b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2), d = s.charCodeAt(i + 3);
    units |= a | b | c | d;
    buf[pos++] = a | (b << 8) | (c << 16) | (d << 24);
  }
  let w = 0, shift = 0;
  for (; i < n; i++, shift += 8) {
    const a = s.charCodeAt(i);
    units |= a;
    w |= a << shift;
  }
  if (units > 0xff) return wideString(h, s, start);
  if (shift !== 0) buf[pos++] = w;
  buf[start] = T_STRING8 | (n << 8) | (c0 << 16) | (c1 << 24);
  h.pos = pos;
}

/** A short string with a character above U+00FF, written from `start`. */
function wideString(h: Hash128, s: string, start: number): void {
  const buf = h.buf;
  const n = s.length;
  let pos = start;
  buf[pos++] = T_STRING | (n << 8);
  let i = 0;
  for (; i + 1 < n; i += 2) buf[pos++] = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
  if (i < n) buf[pos++] = s.charCodeAt(i);
  h.pos = pos;
}

/** Strings longer than {@linkcode SHORT} are always fed as UTF-16, two units a word. */
function longString(h: Hash128, s: string): void {
  feedHeader(h, T_STRING, T_LONG_STRING, s.length);
  h.chars(s);
}

/** A tag with a length: in the tag word when it fits in 24 bits, else `longTag` then the length. */
function feedHeader(h: Hash128, tag: number, longTag: number, n: number): void {
  const pos = h.room();
  if (n < PACKED) {
    h.buf[pos] = tag | (n << 8);
    h.pos = pos + 1;
  } else {
    h.buf[pos] = longTag;
    h.buf[pos + 1] = n;
    h.pos = pos + 2;
  }
}

/**
 * Feeds a number: a non-negative int below {@linkcode PACKED} in its tag word,
 * other int32s in two words, the rest (and -0) as float64 bits. A function
 * small enough to be inlined into the hot loops, where it saves boxing; the
 * int32 is computed once (JavaScriptCore converts `n | 0` anew each time).
 */
function feedNumber(h: Hash128, n: number): void {
  let pos = h.pos;
  if (pos > LIMIT) pos = h.flush();
  const buf = h.buf;
  const i = n | 0;
  if (i === n && (i !== 0 || 1 / n > 0)) {
    if (i >= 0 && i < PACKED) {
      buf[pos] = T_SMALL_INT | (i << 8);
      h.pos = pos + 1;
    } else {
      buf[pos] = T_INT;
      buf[pos + 1] = i;
      h.pos = pos + 2;
    }
    return;
  }
  feedFloat(h, buf, pos, n);
}

/** A number that is not an int32 (or is -0), as its float64 bits, from `pos`. */
function feedFloat(h: Hash128, buf: Int32Array, pos: number, n: number): void {
  f64[0] = n === n ? n : NaN; // one NaN whatever the payload
  buf[pos] = T_FLOAT;
  buf[pos + 1] = f64w[0];
  buf[pos + 2] = f64w[1];
  h.pos = pos + 3;
}

/**
 * Whether `o` is a plain object (its prototype is `Object.prototype` or
 * null). `Object.getPrototypeOf` alone costs ~30 ns on Deno, whose
 * `__proto__` getter returns undefined; after a `constructor` load (a map
 * check in V8) it is folded to a constant. The `constructor` test only picks
 * the fast path: the prototype check is exact either way.
 */
function isPlain(o: object): boolean {
  if ((o as { constructor?: unknown }).constructor === Object && getProto(o) === objectProto) {
    return true;
  }
  const proto = getProto(o);
  return proto === objectProto || proto === null;
}
