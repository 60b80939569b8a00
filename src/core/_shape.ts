/**
 * Memoised key shapes for object hashing (internal to `hash.ts`).
 *
 * Hashing an object means feeding its keys in sorted order, then its values
 * in that order. Sorting and hashing the key strings of every object would
 * dominate the cost of hashing an array of small records, and those records
 * almost always share a handful of key lists. So a key list, as the object
 * enumerates it, is looked up in a trie of key strings (one pointer compare
 * per key when the list was seen before) and leads to its {@linkcode Shape}:
 * the 128-bit digest of the sorted list and where each sorted key sits in the
 * enumeration order. The digest is a pure function of the sorted keys, so a
 * shape computed from scratch (for a big or new object) feeds the very same
 * words as a memoised one: the trie only saves time, it never changes a hash.
 *
 * @module
 */

import { Hash128 } from "./_hash128.ts";

/** A sorted key list, digested, with the permutation from enumeration order. */
export interface Shape {
  /** The keys, sorted by UTF-16 code units. */
  readonly sorted: readonly string[];
  /**
   * `perm[j]` is the enumeration index of `sorted[j]`; `undefined` when the
   * keys were enumerated already sorted (the common case).
   */
  readonly perm: Int32Array | undefined;
  /** The inverse of `perm`: `inv[i]` is the sorted index of the i-th enumerated key. */
  readonly inv: Int32Array | undefined;
  /** The 128-bit digest of the sorted keys, as four words (int32: no boxing in V8). */
  readonly digest: Int32Array;
}

/** Seeds the key-list digest so that it is unrelated to the digest of any value. */
const SHAPE_SEED = 0x6b657973; // "keys"
/** Key lists longer than this are not memoised (a dictionary-like object is rarely repeated). */
const MAX_DEPTH = 64;
/** Trie nodes kept before the whole trie is dropped, bounding memory. */
const MAX_NODES = 50_000;

/**
 * A trie node: the key list that leads here, read from the root. The first
 * child is kept in fields (`key`, `next`): arrays of records share one path.
 */
export class ShapeNode {
  /** The key of the first child. */
  key: string | undefined = undefined;
  /** The first child. */
  next: ShapeNode | undefined = undefined;
  /** Further children. */
  more: Map<string, ShapeNode> | undefined = undefined;
  /** The shape of the key list leading here, once computed. */
  shape: Shape | undefined = undefined;
  readonly depth: number;
  readonly trie: ShapeTrie;

  /**
   * @param trie The trie this node belongs to.
   * @param depth The number of keys leading here.
   */
  constructor(trie: ShapeTrie, depth: number) {
    this.trie = trie;
    this.depth = depth;
  }

  /** The child for `key`, created when missing (the slow path of a trie walk). */
  child(key: string): ShapeNode {
    if (this.key === key) return this.next!;
    const found = this.more?.get(key);
    if (found !== undefined) return found;
    const trie = this.trie;
    if (this.depth >= MAX_DEPTH || trie.nodes >= MAX_NODES) return trie.overflow;
    trie.nodes++;
    const node = new ShapeNode(trie, this.depth + 1);
    if (this.key === undefined) {
      this.key = key;
      this.next = node;
    } else (this.more ??= new Map()).set(key, node);
    return node;
  }
}

/** One trie of key lists (plain objects and class instances each have their own). */
export class ShapeTrie {
  /** Where a walk goes past {@linkcode MAX_DEPTH} keys or a full trie: never memoised. */
  readonly overflow: ShapeNode;
  /** The node of the empty key list. */
  root: ShapeNode;
  /** Nodes created so far. */
  nodes = 0;
  /** Whether keys starting with `_` are left out of shapes (class instances). */
  readonly publicOnly: boolean;

  /** @param publicOnly Leave out keys starting with `_`. */
  constructor(publicOnly: boolean) {
    this.publicOnly = publicOnly;
    this.root = new ShapeNode(this, 0);
    this.overflow = new ShapeNode(this, Infinity);
  }

  /**
   * The shape for `keys` (in enumeration order) reached at `node`, memoised
   * there unless `node` is the overflow node. A full trie starts over.
   */
  shapeAt(node: ShapeNode, keys: readonly string[]): Shape {
    if (node.shape !== undefined) return node.shape;
    const shape = makeShape(keys, this.publicOnly);
    if (node !== this.overflow) node.shape = shape;
    else if (this.nodes >= MAX_NODES) {
      this.root = new ShapeNode(this, 0);
      this.nodes = 0;
    }
    return shape;
  }

  /** The shape of an enumerated key array, walking (and growing) the trie. */
  shapeOf(keys: readonly string[]): Shape {
    let node = this.root;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      node = node.key === k ? node.next! : node.child(k);
    }
    return this.shapeAt(node, keys);
  }
}

function makeShape(keys: readonly string[], publicOnly: boolean): Shape {
  const kept = publicOnly ? keys.filter((k) => k.charCodeAt(0) !== 95 /* _ */) : keys;
  const sorted = kept.slice().sort();
  let identity = kept.length === keys.length;
  for (let j = 0; identity && j < sorted.length; j++) identity = sorted[j] === keys[j];
  let perm: Int32Array | undefined;
  let inv: Int32Array | undefined;
  if (!identity) {
    const at = new Map<string, number>();
    keys.forEach((k, i) => at.set(k, i));
    perm = Int32Array.from(sorted, (k) => at.get(k)!);
    inv = new Int32Array(keys.length).fill(-1);
    perm.forEach((i, j) => inv![i] = j);
  }
  const h = new Hash128(SHAPE_SEED);
  h.word(sorted.length);
  for (const k of sorted) h.string(0, k);
  const digest = Int32Array.from(h.digestWords());
  h.release();
  return { sorted, perm, inv, digest };
}
