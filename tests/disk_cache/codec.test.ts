// Tests of src/core/_codec.ts, the byte format DiskCache stores.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CorruptEntryError,
  decodeValue,
  encodeValue,
  UnstorableError,
} from "../../src/core/_codec.ts";

function roundTrip<T>(v: T): T {
  return decodeValue(encodeValue(v)) as T;
}

describe("encodeValue() / decodeValue()", () => {
  it("decodeValue() round-trips primitives", () => {
    for (
      const v of [
        undefined,
        null,
        true,
        false,
        0,
        1,
        -1,
        2 ** 31,
        -(2 ** 31),
        1.5,
        NaN,
        Infinity,
        -Infinity,
        Number.MAX_VALUE,
        Number.MIN_VALUE,
        "",
        "héllo 😀",
        0n,
        123n,
        -(2n ** 100n),
      ]
    ) {
      assert.ok(Object.is(roundTrip(v), v), String(v));
    }
    assert.ok(Object.is(roundTrip(-0), -0));
    assert.equal(roundTrip("\ud800x\udc00"), "\ud800x\udc00"); // lone surrogates survive
  });

  it("decodeValue() round-trips structures and built-ins", () => {
    const v = {
      arr: [1, "a", [null, undefined], { deep: { deeper: [NaN] } }],
      date: new Date(1_700_000_000_000),
      bad: new Date(NaN),
      re: /a+\/b/gi,
      map: new Map<unknown, unknown>([["k", 1], [2, new Set([1, "x"])], [{ o: 1 }, [1]]]),
      set: new Set([1, "1", 1n]),
      f64: new Float64Array([1.5, -0, NaN]),
      u8: new Uint8Array([1, 2, 3]),
      i16: new Int16Array([-1, 300]),
      big: new BigInt64Array([-5n]),
      clamped: new Uint8ClampedArray([255]),
      buf: new Uint8Array([9, 8]).buffer,
      dv: new DataView(new Uint8Array([7, 6, 5]).buffer, 1, 2),
      "__proto__ key": 1,
      nul: Object.assign(Object.create(null), { a: 1 }),
    };
    const back = roundTrip(v);
    assert.deepEqual(back, { ...v, nul: { a: 1 } });
    assert.ok(back.f64 instanceof Float64Array && Object.is(back.f64[1], -0));
    assert.ok(back.dv instanceof DataView && back.dv.byteLength === 2 && back.dv.getUint8(0) === 6);
    assert.equal(back.re.flags, "gi");
  });

  it("decodeValue() round-trips a view at an offset as its own bytes", () => {
    const whole = new Float64Array([1, 2, 3, 4]);
    const back = roundTrip(whole.subarray(1, 3));
    assert.deepEqual([...back], [2, 3]);
    assert.equal(back.buffer.byteLength, 16);
  });

  it("decodeValue() keeps a key named __proto__ as an own property", () => {
    const v = JSON.parse('{"__proto__": {"polluted": 1}}');
    const back = roundTrip(v) as Record<string, unknown>;
    assert.ok(Object.hasOwn(back, "__proto__"));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
  });

  it("decodeValue() rebuilds errors with name, message, stack and cause", () => {
    const e = new RangeError("too big", { cause: new Error("inner") });
    const back = roundTrip(e);
    assert.ok(back instanceof RangeError);
    assert.equal(back.message, "too big");
    assert.equal(back.stack, e.stack);
    assert.ok(back.cause instanceof Error && back.cause.message === "inner");
    class MyError extends Error {
      override name = "MyError";
    }
    const mine = roundTrip(new MyError("x"));
    assert.ok(mine instanceof Error);
    assert.equal(mine.name, "MyError");
    const many = roundTrip(new AggregateError([new Error("a")], "many"));
    assert.ok(many instanceof AggregateError && many.message === "many");
    assert.deepEqual(many.errors, []); // errors are not stored
  });

  it("decodeValue() duplicates shared references", () => {
    const shared = { a: 1 };
    const back = roundTrip([shared, shared]);
    assert.deepEqual(back, [{ a: 1 }, { a: 1 }]);
    assert.notEqual(back[0], back[1]);
  });

  it("encodeValue() refuses unstorable values with a path", () => {
    const check = (v: unknown, path: string) =>
      assert.throws(() => encodeValue(v), (e: unknown) => {
        assert.ok(e instanceof UnstorableError && e instanceof TypeError);
        assert.equal(e.path, path);
        assert.match(e.message, /^Cannot store value as /);
        return true;
      });
    check({ f: () => 1 }, "value.f");
    check([1, Symbol("s")], "value[1]");
    class Point {
      x = 1;
    }
    check({ p: new Point() }, "value.p");
    check(new Map([["k", Promise.resolve()]]), 'value.get("k")');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    check(cyclic, "value.self");
    class MyMap extends Map {}
    check(new MyMap(), "value");
  });

  it("decodeValue() detects corrupt, truncated and foreign bytes", () => {
    const bytes = encodeValue({ a: [1, 2, 3], s: "text" });
    const bad = (b: Uint8Array) => assert.throws(() => decodeValue(b), CorruptEntryError);
    bad(bytes.subarray(0, bytes.length - 1));
    bad(bytes.subarray(0, 10));
    bad(new Uint8Array(0));
    bad(new TextEncoder().encode('{"a":1}'));
    for (const at of [0, 4, 8, 12, 30, bytes.length - 1]) {
      const flipped = bytes.slice();
      flipped[at] ^= 0x40;
      bad(flipped);
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    bad(longer);
    assert.deepEqual(decodeValue(bytes), { a: [1, 2, 3], s: "text" });
  });
});
