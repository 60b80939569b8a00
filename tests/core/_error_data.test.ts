import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  builtinErrorClasses,
  constructError,
  type ErrorDataOptions,
  fromErrorData,
  isErrorData,
  registerErrorClass,
  toErrorData,
} from "../../src/core/_error_data.ts";
import { ExecutorError } from "../../src/core/errors.ts";

class SideError extends ExecutorError {
  override name = "SideError";
}

/** A channel that carries numbers and strings only, with its own class. */
const SIDE: ErrorDataOptions = {
  check: (v) => {
    if (v !== undefined && typeof v !== "number" && typeof v !== "string") throw new TypeError();
  },
  refused: "unsendable here",
  classes: { SideError },
};

describe("toErrorData() / fromErrorData()", () => {
  it("fromErrorData() rebuilds the cause chain and errors held in fields", () => {
    const cause = new RangeError("r", { cause: new TypeError("t") });
    const e = Object.assign(new ExecutorError("x", { node: "n", cause }), {
      inner: new URIError("u"),
    });
    const back = fromErrorData(structuredClone(toErrorData(e))) as typeof e;
    assert.ok(back instanceof ExecutorError && back.node === "n" && back.stack === e.stack);
    assert.ok(back.cause instanceof RangeError && back.cause.cause instanceof TypeError);
    assert.ok(back.inner instanceof URIError && back.inner.message === "u");
  });

  it("fromErrorData() rebuilds a side's own classes only on that side", () => {
    const data = toErrorData(new SideError("s", { node: "n" }), SIDE);
    const mine = fromErrorData(data, SIDE) as SideError;
    assert.ok(mine instanceof SideError && mine.node === "n");
    const other = fromErrorData(data) as Error;
    assert.ok(!(other instanceof SideError));
    assert.equal(other.name, "SideError");
  });

  it("registerErrorClass() classes win over every table", () => {
    class Late extends Error {
      override name = "Late";
    }
    assert.ok(!(fromErrorData(toErrorData(new Late("x"))) instanceof Late));
    registerErrorClass(Late);
    assert.ok(fromErrorData(toErrorData(new Late("x"))) instanceof Late);
  });

  it("toErrorData() describes what the channel refuses, with the side's word", () => {
    const e = Object.assign(new Error("f"), { n: 1, map: new Map(), f: function g() {} });
    const data = toErrorData(e, SIDE) as Record<string, unknown>;
    assert.deepEqual([data.n, data.map, data.f], [
      1,
      "[unsendable here Map]",
      '[unsendable here function "g"]',
    ]);
    assert.equal(toErrorData(Symbol("s"), SIDE), "[unsendable here symbol]");
    assert.equal(toErrorData(Symbol.iterator), Symbol.iterator); // no check: kept
  });

  it("toErrorData() keeps an AggregateError's errors and stops nesting at depth 8", () => {
    let deep: Error = new Error("bottom");
    for (let i = 0; i < 12; i++) deep = new Error(`level ${i}`, { cause: deep });
    const agg = new AggregateError([deep, "plain"], "many");
    const back = fromErrorData(toErrorData(agg)) as AggregateError;
    assert.ok(back instanceof AggregateError);
    assert.equal(back.errors[1], "plain");
    let depth = 1;
    for (let e = back.errors[0] as Error; e.cause !== undefined; e = e.cause as Error) depth++;
    assert.equal(depth, 9); // levels 11..3 kept; deeper ones are gone
  });

  it("fromErrorData() treats names of Object.prototype members as unknown classes", () => {
    for (const name of ["toString", "constructor", "__proto__"]) {
      const back = fromErrorData({ $error: true, name, message: "m" }) as Error;
      assert.ok(back instanceof Error && back.name === name && back.message === "m");
    }
  });

  it("fromErrorData() keeps a field named __proto__ as a field", () => {
    const data = JSON.parse('{"$error": true, "name": "Error", "message": "m", "__proto__": 1}');
    const back = fromErrorData(data) as Error;
    assert.equal(Object.getPrototypeOf(back), Error.prototype);
    assert.equal((back as unknown as Record<string, unknown>)["__proto__"], 1);
  });

  it("isErrorData() needs the brand; other values pass through unchanged", () => {
    assert.ok(isErrorData(toErrorData(new Error("x"))));
    assert.ok(!isErrorData({ name: "Error", message: "x" }));
    const plain = { code: 7 };
    assert.equal(fromErrorData(plain), plain);
  });

  it("constructError() makes built-in and AggregateError subclasses without their constructor", () => {
    let ran = false;
    class Picky extends AggregateError {
      constructor() {
        super([]);
        ran = true;
      }
    }
    const e = constructError(Picky, "m", { cause: 1 }, ["a"]);
    assert.ok(e instanceof Picky && !ran);
    assert.deepEqual([(e as Picky).errors, e.message, e.cause], [["a"], "m", 1]);
    assert.ok(constructError(builtinErrorClasses.URIError, "u") instanceof URIError);
  });
});
