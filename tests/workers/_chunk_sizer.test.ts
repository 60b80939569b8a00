import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChunkSizer } from "../../src/workers/_chunk_sizer.ts";

describe("ChunkSizer", () => {
  it("next() probes with small messages before any item was timed", () => {
    assert.equal(new ChunkSizer(100_000, { inFlight: 4, maxChunk: 16_384 }).next(100_000), 64);
    assert.equal(new ChunkSizer(48, { inFlight: 4, maxChunk: 16_384 }).next(48), 1);
    assert.equal(new ChunkSizer(1, { inFlight: 4, maxChunk: 16_384 }).next(1), 1);
  });

  it("next() aims at targetMs of work per message once items were timed", () => {
    const slow = new ChunkSizer(48, { inFlight: 4, maxChunk: 16_384, targetMs: 8 });
    slow.record(2, 40); // 20 ms per item: one item per message
    assert.equal(slow.next(46), 1);
    const quick = new ChunkSizer(1_000_000, { inFlight: 4, maxChunk: 1_000_000, targetMs: 8 });
    quick.record(1_000, 1); // 1 µs per item: 8,000 items make 8 ms
    assert.equal(quick.next(999_000), 8_000);
  });

  it("next() spreads the remaining items over every message slot and respects maxChunk", () => {
    const sizer = new ChunkSizer(100_000, { inFlight: 4, maxChunk: 16_384 });
    sizer.record(64, 0.01); // trivial items
    assert.equal(sizer.next(99_000), 16_384);
    assert.equal(sizer.next(20_000), 5_000);
    assert.equal(sizer.next(3), 1);
  });
});
