/**
 * How many items the next message of a map carries. The first messages are small probes;
 * then each message aims at `targetMs` of work, measured from the items' time in the
 * workers, capped so that the remaining items still spread over every message slot (each
 * worker keeps its next message queued while it works, and the last messages shrink so the
 * workers finish together).
 *
 * @module
 */

/** Options of {@linkcode ChunkSizer}. */
export interface ChunkSizerOptions {
  /** How many messages are in flight at once (workers × messages per worker). */
  inFlight: number;
  /** The most items per message. */
  maxChunk: number;
  /**
   * Milliseconds of work a message aims at.
   * @default 8
   */
  targetMs?: number;
}

/** The most items a probe message carries, before any item was timed. */
const PROBE = 64;

/**
 * Sizes the messages of one map.
 *
 * @example
 * ```ts
 * import { ChunkSizer } from "./_chunk_sizer.ts";
 * const sizer = new ChunkSizer(100_000, { inFlight: 4, maxChunk: 16_384 });
 * console.assert(sizer.next(100_000) === 64); // a probe
 * sizer.record(64, 0.02); // 64 trivial items took 0.02 ms
 * console.assert(sizer.next(99_936) === 16_384);
 * ```
 */
export class ChunkSizer {
  readonly #count: number;
  readonly #inFlight: number;
  readonly #maxChunk: number;
  readonly #targetMs: number;
  #items = 0;
  #ms = 0;

  /**
   * @param count How many items the map has.
   * @param options Message slots, the cap and the work per message.
   */
  constructor(count: number, options: ChunkSizerOptions) {
    this.#count = count;
    this.#inFlight = options.inFlight;
    this.#maxChunk = options.maxChunk;
    this.#targetMs = options.targetMs ?? 8;
  }

  /**
   * The size of the next message.
   *
   * @param remaining Items not sent yet.
   * @returns How many to send (at least 1, at most `remaining`).
   */
  next(remaining: number): number {
    const spread = Math.ceil(remaining / this.#inFlight);
    let size: number;
    if (this.#items === 0) {
      size = Math.min(PROBE, Math.floor(this.#count / (this.#inFlight * 8)));
    } else {
      const perItem = this.#ms / this.#items;
      size = perItem > 0 ? Math.floor(this.#targetMs / perItem) : this.#maxChunk;
      size = Math.min(size, spread);
    }
    return Math.max(1, Math.min(size, this.#maxChunk, remaining));
  }

  /**
   * Records how long a message's items took in a worker.
   *
   * @param items How many items the message carried.
   * @param ms The milliseconds they took.
   */
  record(items: number, ms: number): void {
    this.#items += items;
    this.#ms += ms;
  }
}
