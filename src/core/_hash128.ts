/**
 * A streaming 128-bit non-cryptographic hash over 32-bit words, built on the
 * MurmurHash3 x86_128 block and finaliser. Internal: {@linkcode Hasher} in
 * `hash.ts` walks values into it and `_codec.ts` checksums payloads with it.
 *
 * Words are what is fed, so callers length-prefix variable-size data (the tail
 * of a byte run is zero-padded into one word). Byte runs are read through a
 * native-endian `Uint32Array` view: digests are stable across processes and
 * runtimes of one machine, and across machines of the same endianness (all
 * mainstream platforms are little-endian).
 *
 * @module
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const imul = Math.imul;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hex(w: number): string {
  return (w >>> 0).toString(16).padStart(8, "0");
}

/**
 * Words buffered before mixing; a multiple of 4 (the block size). 16 words
 * (64 bytes) keeps the buffer small enough for V8 to allocate it on its heap,
 * which makes a fresh hasher cheap (small signatures create several).
 */
const BUF = 16;

/** Streaming 128-bit hash state. Feed words or bytes, then read the digest. */
export class Hash128 {
  #seed: number;
  #h1 = 0;
  #h2 = 0;
  #h3 = 0;
  #h4 = 0;
  // Words are buffered and mixed in bulk: much cheaper than mixing per call.
  // A plain array: some runtimes (Deno 2.9) allocate typed arrays slowly,
  // and every signature creates a few hashers.
  #buf: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  #pos = 0;
  /** Number of words mixed so far (excluding the buffer). */
  #total = 0;

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
    this.#pos = 0;
    this.#total = 0;
  }

  /** Feeds one 32-bit word (any number; only its low 32 bits count). */
  word(k: number): void {
    this.#buf[this.#pos++] = k;
    if (this.#pos === BUF) this.#flush();
  }

  /** Feeds `tag`, the length of `s`, then its UTF-16 code units two per word. */
  string(tag: number, s: string): void {
    this.word(tag);
    this.word(s.length);
    this.chars(s);
  }

  /** Feeds the UTF-16 code units of `s` two per word (no length prefix). */
  chars(s: string): void {
    const n = s.length;
    const buf = this.#buf;
    let pos = this.#pos;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      buf[pos++] = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
      if (pos === BUF) {
        this.#pos = pos;
        this.#flush();
        pos = 0;
      }
    }
    this.#pos = pos;
    if (i < n) this.word(s.charCodeAt(i) | 0x10000);
  }

  /** Feeds `words[from..to)`. */
  words(words: Uint32Array, from: number, to: number): void {
    if (this.#pos !== 0) {
      const n = Math.min(BUF - this.#pos, to - from);
      const buf = this.#buf;
      for (let i = 0; i < n; i++) buf[this.#pos + i] = words[from + i];
      this.#pos += n;
      from += n;
      if (this.#pos < BUF) return;
      this.#flush();
    }
    const end = from + ((to - from) & ~3);
    this.#mix(words, from, end);
    for (let i = end; i < to; i++) this.#buf[i - end] = words[i];
    this.#pos = to - end;
  }

  /** Feeds the bytes of `bytes` (no length prefix; the tail is zero-padded). */
  bytes(bytes: Uint8Array): void {
    const len = bytes.byteLength;
    const whole = len & ~3;
    if ((bytes.byteOffset & 3) === 0) {
      this.words(new Uint32Array(bytes.buffer, bytes.byteOffset, whole >>> 2), 0, whole >>> 2);
    } else {
      // Uint32Array views need 4-byte alignment: copy through a scratch buffer.
      const scratch = new Uint8Array(Math.min(whole, 1 << 16));
      const scratch32 = new Uint32Array(scratch.buffer);
      for (let off = 0; off < whole; off += scratch.length) {
        const n = Math.min(scratch.length, whole - off);
        scratch.set(bytes.subarray(off, off + n));
        this.words(scratch32, 0, n >>> 2);
      }
    }
    if (whole < len) {
      let w = 0;
      for (let i = whole; i < len; i++) w |= bytes[i] << ((i - whole) * 8);
      this.word(w);
    }
  }

  #flush(): void {
    this.#mixBuffer(BUF);
    this.#pos = 0;
  }

  /** Mixes the first `count` (a multiple of 4) buffered words. */
  #mixBuffer(count: number): void {
    // Same mixing as #mix, kept separate so each loop sees one array kind.
    const words = this.#buf;
    let h1 = this.#h1, h2 = this.#h2, h3 = this.#h3, h4 = this.#h4;
    for (let i = 0; i < count; i += 4) {
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
    this.#total += count;
  }

  /** Mixes whole 4-word blocks of `words[from..to)`; `to - from` is a multiple of 4. */
  #mix(words: Uint32Array, from: number, to: number): void {
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

  /** The digest as four 32-bit words. Does not reset the state. */
  digestWords(): [number, number, number, number] {
    // Mix a copy of the buffered whole blocks so that feeding can go on.
    const s1 = this.#h1, s2 = this.#h2, s3 = this.#h3, s4 = this.#h4, sTotal = this.#total;
    const buf = this.#buf;
    const whole = this.#pos & ~3;
    this.#mixBuffer(whole);
    let h1 = this.#h1, h2 = this.#h2, h3 = this.#h3, h4 = this.#h4;
    const n = this.#pos - whole;
    const total = this.#total;
    this.#h1 = s1;
    this.#h2 = s2;
    this.#h3 = s3;
    this.#h4 = s4;
    this.#total = sTotal;
    if (n >= 3) {
      let k3 = imul(buf[whole + 2], C3);
      k3 = (k3 << 17) | (k3 >>> 15);
      h3 ^= imul(k3, C4);
    }
    if (n >= 2) {
      let k2 = imul(buf[whole + 1], C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      h2 ^= imul(k2, C3);
    }
    if (n >= 1) {
      let k1 = imul(buf[whole], C1);
      k1 = (k1 << 15) | (k1 >>> 17);
      h1 ^= imul(k1, C2);
    }
    const len = total + n;
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

  /** The digest as 32 lowercase hex characters. Does not reset the state. */
  digestHex(): string {
    const [a, b, c, d] = this.digestWords();
    return hex(a) + hex(b) + hex(c) + hex(d);
  }
}
