import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pack } from "../../src/workers/_columns.ts";

const many = (f: (i: number) => unknown) => Array.from({ length: 64 }, (_, i) => f(i));

describe("pack()", () => {
  it("pack() sends int32 columns as an Int32Array, so that workers read integers", () => {
    const ints = many((i) => (i - 32) * 65_537);
    const packed = pack(ints);
    assert.ok(packed instanceof Int32Array);
    assert.deepEqual(Array.from(packed), ints);
  });

  it("pack() sends other number columns as a Float64Array, -0 and 2^31 included", () => {
    for (const odd of [-0, 2 ** 31, -(2 ** 31) - 1, 0.5, NaN, Infinity]) {
      const values = many((i) => (i === 7 ? odd : i));
      const packed = pack(values);
      assert.ok(packed instanceof Float64Array, `with ${odd}`);
      assert.ok(Object.is(packed[7], odd), `keeps ${odd}`);
      assert.deepEqual(Array.from(packed), values);
    }
  });

  it("pack() leaves short and mixed columns as they are", () => {
    const short = [1, 2, 3];
    assert.equal(pack(short), short);
    const mixed = many((i) => (i === 5 ? "5" : i));
    assert.equal(pack(mixed), mixed);
  });
});
