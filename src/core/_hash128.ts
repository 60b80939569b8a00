/**
 * A streaming 128-bit non-cryptographic hash over 32-bit words, built on the
 * MurmurHash3 x86_128 block and finaliser. Internal: {@linkcode Hasher} in
 * `hash.ts` walks values into it and `_codec.ts` checksums payloads with it.
 *
 * Words are what is fed, so callers length-prefix variable-size data (the tail
 * of a byte run is zero-padded into one word). Byte runs are read through a
 * native-endian `Int32Array` view: digests are stable across processes and
 * runtimes of one machine, and across machines of the same endianness (all
 * mainstream platforms are little-endian).
 *
 * Speed: words are written into a buffer (hot callers write `buf[pos++]`
 * themselves after making {@linkcode Hash128.room room}) and mixed in bulk,
 * four at a time, by one tight loop; byte runs are mixed straight from their
 * own memory. Buffers come from a small pool, because allocating a typed
 * array costs a few hundred nanoseconds on some runtimes and a signature of
 * small inputs takes only a couple of microseconds.
 *
 * @module
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const imul = Math.imul;

/** Words per buffer (a multiple of 4). */
const CAP = 1024;
/** Words a hot caller may write after one {@linkcode Hash128.room} check. */
export const ROOM = 32;
/** The highest `pos` at which {@linkcode ROOM} words still fit: `pos > LIMIT` needs a flush(). */
export const LIMIT: number = CAP - ROOM;
const pool: Int32Array[] = [];
/** The buffer of a released hasher (`pos === CAP` sends the next write to flush()). */
const EMPTY = new Int32Array(0);
const POOL_MAX = 8;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Two hex digits for each byte value (Number#toString(16) is slow in V8). */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(w: number): string {
  return HEX[w >>> 24] + HEX[(w >>> 16) & 0xff] + HEX[(w >>> 8) & 0xff] + HEX[w & 0xff];
}

/** A saved hash state, see {@linkcode Hash128.save}. */
export interface HashState {
  readonly h1: number;
  readonly h2: number;
  readonly h3: number;
  readonly h4: number;
  readonly total: number;
  /** Up to three words fed but not yet mixed. */
  readonly tail: readonly number[];
}

/**
 * Streaming 128-bit hash state. Feed words or bytes, then read the digest.
 * Call {@linkcode Hash128.release} when done feeding for a while, so that its
 * buffer serves the next hasher.
 */
export class Hash128 {
  /** Words fed but not mixed yet are `buf[0..pos)`. Hot callers write here directly. */
  buf: Int32Array = EMPTY;
  /** The number of words in `buf`; call {@linkcode Hash128.room} before writing. */
  pos = CAP;
  /**
   * Counts mixing steps: while it stays the same, words written since are
   * still in `buf` and may be taken back by lowering `pos`.
   */
  mixes = 0;
  #seed: number;
  #h1 = 0;
  #h2 = 0;
  #h3 = 0;
  #h4 = 0;
  /** Number of words mixed so far (excluding the buffer). */
  #total = 0;
  /** The state at the last mark(): h1-h4, total, pos, three buffered words. */
  #mark: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  /** Words kept while released (at most three); a new hasher starts released. */
  #tail: number[] | undefined = [];

  /** @param seed Seeds the four lanes. */
  constructor(seed = 0) {
    this.#seed = seed | 0;
    this.reset();
  }

  /** Forgets everything fed, for reuse. */
  reset(): void {
    this.#h1 =
      this.#h2 =
      this.#h3 =
      this.#h4 =
        this.#seed;
    this.#total = 0;
    if (this.#tail !== undefined) this.#tail = [];
    else this.pos = 0;
  }

  /**
   * Makes room for {@linkcode ROOM} more words and returns where to write
   * them: `pos`, or 0 to 3 after mixing the buffered words.
   */
  room(): number {
    const pos = this.pos;
    return pos <= LIMIT ? pos : this.flush();
  }

  /** Mixes the whole blocks of the buffer; returns the new `pos` (0 to 3). */
  flush(): number {
    const tail = this.#tail;
    if (tail !== undefined) {
      // Released: take a buffer again.
      this.#tail = undefined;
      const buf = (this.buf = pool.pop() ?? new Int32Array(CAP));
      for (let i = 0; i < tail.length; i++) buf[i] = tail[i];
      return (this.pos = tail.length);
    }
    const buf = this.buf;
    const whole = this.pos & ~3;
    this.#mix(buf, 0, whole);
    const rest = this.pos - whole;
    for (let i = 0; i < rest; i++) buf[i] = buf[whole + i];
    return (this.pos = rest);
  }

  /** Hands the buffer back to the pool; the next write takes one again. */
  release(): void {
    if (this.#tail !== undefined) return;
    const rest = this.flush();
    const tail: number[] = [];
    for (let i = 0; i < rest; i++) tail.push(this.buf[i]);
    this.#tail = tail;
    if (pool.length < POOL_MAX) pool.push(this.buf);
    this.buf = EMPTY;
    this.pos = CAP; // so that room() calls flush(), which takes a buffer
  }

  /** Saves the state (mixing what is buffered), to {@linkcode Hash128.restore} later. */
  save(): HashState {
    const rest = this.flush();
    const tail: number[] = [];
    for (let i = 0; i < rest; i++) tail.push(this.buf[i]);
    return { h1: this.#h1, h2: this.#h2, h3: this.#h3, h4: this.#h4, total: this.#total, tail };
  }

  /**
   * Remembers the state (mixing what is buffered) for {@linkcode Hash128.rollback};
   * like {@linkcode Hash128.save}, without allocating. One mark at a time.
   */
  mark(): void {
    const n = this.flush();
    const buf = this.buf;
    const m = this.#mark;
    m[0] = this.#h1;
    m[1] = this.#h2;
    m[2] = this.#h3;
    m[3] = this.#h4;
    m[4] = this.#total;
    m[5] = n;
    m[6] = buf[0];
    m[7] = buf[1];
    m[8] = buf[2];
  }

  /** Goes back to the state of the last {@linkcode Hash128.mark}. */
  rollback(): void {
    const m = this.#mark;
    this.flush();
    this.#h1 = m[0];
    this.#h2 = m[1];
    this.#h3 = m[2];
    this.#h4 = m[3];
    this.#total = m[4];
    const buf = this.buf;
    buf[0] = m[6];
    buf[1] = m[7];
    buf[2] = m[8];
    this.pos = m[5];
  }

  /** Goes back to a state from {@linkcode Hash128.save}. */
  restore(state: HashState): void {
    this.flush();
    this.#h1 = state.h1;
    this.#h2 = state.h2;
    this.#h3 = state.h3;
    this.#h4 = state.h4;
    this.#total = state.total;
    const tail = state.tail;
    for (let i = 0; i < tail.length; i++) this.buf[i] = tail[i];
    this.pos = tail.length;
  }

  /** Feeds one 32-bit word (any number; only its low 32 bits count). */
  word(k: number): void {
    const pos = this.room();
    this.buf[pos] = k;
    this.pos = pos + 1;
  }

  /** Feeds `tag`, the length of `s`, then its UTF-16 code units two per word. */
  string(tag: number, s: string): void {
    const pos = this.room();
    this.buf[pos] = tag;
    this.buf[pos + 1] = s.length;
    this.pos = pos + 2;
    this.chars(s);
  }

  /** Feeds the UTF-16 code units of `s` two per word (no length prefix). */
  chars(s: string): void {
    const n = s.length;
    let i = 0;
    while (i < n) {
      let pos = this.room();
      const buf = this.buf;
      // Whole pairs that fit before the next room() check.
      const end = Math.min(n & ~1, i + 2 * (CAP - 1 - pos));
      for (; i < end; i += 2) buf[pos++] = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
      if (i === n - 1) {
        buf[pos++] = s.charCodeAt(i) | 0x10000;
        i++;
      }
      this.pos = pos;
    }
  }

  /** Feeds the bytes of `bytes` (no length prefix; the tail is zero-padded). */
  bytes(bytes: Uint8Array): void {
    const len = bytes.byteLength;
    const whole = len & ~3;
    let pos = this.flush();
    const buf = this.buf;
    if ((bytes.byteOffset & 3) === 0) {
      // Mixed straight from the caller's memory: no copy for large arrays.
      const words = new Int32Array(bytes.buffer, bytes.byteOffset, whole >>> 2);
      let i = 0;
      while (pos !== 0 && i < words.length) {
        buf[pos++] = words[i++];
        if (pos === 4) pos = this.#mixBlock();
      }
      const end = i + ((words.length - i) & ~3);
      this.#mix(words, i, end);
      for (i = end; i < words.length; i++) buf[pos++] = words[i];
      this.pos = pos;
    } else {
      // Int32Array views need 4-byte alignment: copy through the buffer.
      const view = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      for (let off = 0; off < whole;) {
        const n = Math.min(whole - off, (CAP - pos) * 4);
        view.set(bytes.subarray(off, off + n), pos * 4);
        this.pos = pos + n / 4;
        off += n;
        pos = this.flush();
      }
    }
    if (whole < len) {
      let w = 0;
      for (let i = whole; i < len; i++) w |= bytes[i] << ((i - whole) * 8);
      this.word(w);
    }
  }

  /** Mixes the four words at the start of the buffer; returns 0. */
  #mixBlock(): number {
    this.#mix(this.buf, 0, 4);
    return 0;
  }

  /** Mixes whole 4-word blocks of `words[from..to)`; `to - from` is a multiple of 4. */
  #mix(words: Int32Array, from: number, to: number): void {
    this.mixes++;
    let h1 = this.#h1, h2 = this.#h2, h3 = this.#h3, h4 = this.#h4;
    for (let i = from; i < to; i += 4) {
      let k1 = words[i], k2 = words[i + 1], k3 = words[i + 2], k4 = words[i + 3];
      k1 = imul(k1, C1);
      k1 = (k1 << 15) | (k1 >>> 17);
      h1 ^= imul(k1, C2);
      h1 = (h1 << 19) | (h1 >>> 13);
      h1 = (imul(h1 + h2, 5) + 0x561ccd1b) | 0;
      k2 = imul(k2, C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      h2 ^= imul(k2, C3);
      h2 = (h2 << 17) | (h2 >>> 15);
      h2 = (imul(h2 + h3, 5) + 0x0bcaa747) | 0;
      k3 = imul(k3, C3);
      k3 = (k3 << 17) | (k3 >>> 15);
      h3 ^= imul(k3, C4);
      h3 = (h3 << 15) | (h3 >>> 17);
      h3 = (imul(h3 + h4, 5) + 0x96cd1c35) | 0;
      k4 = imul(k4, C4);
      k4 = (k4 << 18) | (k4 >>> 14);
      h4 ^= imul(k4, C1);
      h4 = (h4 << 13) | (h4 >>> 19);
      h4 = (imul(h4 + h1, 5) + 0x32ac3b17) | 0;
    }
    this.#h1 = h1;
    this.#h2 = h2;
    this.#h3 = h3;
    this.#h4 = h4;
    this.#total += to - from;
  }

  /** The digest as four 32-bit words. Does not change the state. */
  digestWords(): [number, number, number, number] {
    // Mix the buffered whole blocks into the state (that changes nothing the
    // digest depends on), then finalise copies of the lanes.
    const tail = this.#tail;
    const n = tail !== undefined ? tail.length : this.flush();
    const buf = tail ?? this.buf;
    let h1 = this.#h1, h2 = this.#h2, h3 = this.#h3, h4 = this.#h4;
    if (n >= 3) {
      let k3 = imul(buf[2], C3);
      k3 = (k3 << 17) | (k3 >>> 15);
      h3 ^= imul(k3, C4);
    }
    if (n >= 2) {
      let k2 = imul(buf[1], C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      h2 ^= imul(k2, C3);
    }
    if (n >= 1) {
      let k1 = imul(buf[0], C1);
      k1 = (k1 << 15) | (k1 >>> 17);
      h1 ^= imul(k1, C2);
    }
    const len = this.#total + n;
    h1 ^= len;
    h2 ^= len;
    h3 ^= len;
    h4 ^= len;
    h1 = (h1 + h2 + h3 + h4) | 0;
    h2 = (h2 + h1) | 0;
    h3 = (h3 + h1) | 0;
    h4 = (h4 + h1) | 0;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h3 = fmix(h3);
    h4 = fmix(h4);
    h1 = (h1 + h2 + h3 + h4) | 0;
    h2 = (h2 + h1) | 0;
    h3 = (h3 + h1) | 0;
    h4 = (h4 + h1) | 0;
    return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
  }

  /** The digest as 32 lowercase hex characters. Does not change the state. */
  digestHex(): string {
    const [a, b, c, d] = this.digestWords();
    return hex(a) + hex(b) + hex(c) + hex(d);
  }
}
