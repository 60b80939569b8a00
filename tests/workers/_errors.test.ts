import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExecutorError, NodeExecutionError } from "../../src/core/errors.ts";
import {
  describeType,
  deserializeError,
  registerErrorClass,
  serializeError,
} from "../../src/workers/_errors.ts";
import { findUncloneable } from "../../src/workers/_errors.ts";
import { QuotaError } from "./_quota_error.ts";

/** Serialises, clones as postMessage would, and rebuilds. */
function roundTrip(value: unknown): unknown {
  return deserializeError(structuredClone(serializeError(value)));
}

describe("serializeError()", () => {
  it("serializeError() keeps a library error's class, fields and cause", () => {
    const e = new NodeExecutionError("Cannot run node", {
      pipeline: "p",
      node: "n",
      item: 3,
      cause: new RangeError("too big"),
    });
    const back = roundTrip(e) as NodeExecutionError;
    assert.ok(back instanceof NodeExecutionError);
    assert.equal(back.name, "NodeExecutionError");
    assert.equal(back.message, e.message);
    assert.equal(back.stack, e.stack);
    assert.deepEqual([back.pipeline, back.node, back.item], ["p", "n", 3]);
    assert.ok(back.cause instanceof RangeError);
    assert.equal((back.cause as Error).message, "too big");
  });

  it("serializeError() rebuilds registered, built-in and unknown classes", () => {
    registerErrorClass(QuotaError);
    const quota = roundTrip(new QuotaError("q", 5)) as QuotaError;
    assert.ok(quota instanceof QuotaError);
    assert.equal(quota.limit, 5);
    assert.ok(roundTrip(new TypeError("t")) instanceof TypeError);
    class Strange extends Error {
      override name = "Strange";
    }
    const strange = roundTrip(new Strange("s")) as Error;
    assert.ok(strange instanceof Error);
    assert.equal(strange.name, "Strange");
    assert.equal(strange.message, "s");
  });

  it("serializeError() keeps an AggregateError's errors and nested causes", () => {
    const e = new AggregateError([new TypeError("a"), "b"], "many", {
      cause: new ExecutorError("x", { cause: new Error("root") }),
    });
    const back = roundTrip(e) as AggregateError;
    assert.ok(back instanceof AggregateError);
    assert.ok(back.errors[0] instanceof TypeError);
    assert.equal(back.errors[1], "b");
    assert.ok(back.cause instanceof ExecutorError);
    assert.equal(((back.cause as Error).cause as Error).message, "root");
  });

  it("serializeError() describes fields that cannot be cloned and passes plain values", () => {
    const e = Object.assign(new Error("f"), { callback: () => 1, ok: { a: 1 } });
    const back = roundTrip(e) as Error & { callback: unknown; ok: unknown };
    assert.equal(back.callback, '[uncloneable function "callback"]');
    assert.deepEqual(back.ok, { a: 1 });
    assert.deepEqual(roundTrip({ code: 7 }), { code: 7 });
    assert.equal(roundTrip("plain"), "plain");
  });

  it("describeType() and findUncloneable() name values for messages", () => {
    assert.equal(describeType(null), "null");
    assert.equal(describeType(Object.create(null)), "object");
    assert.equal(describeType(new (class Point {})()), "Point");
    assert.equal(findUncloneable({ a: [1, { b: Symbol("s") }] }, "v"), "symbol at v.a[1].b");
    assert.equal(findUncloneable(new Map([[1, Promise.resolve()]]), "v"), "Promise at v.get(…)");
    assert.equal(findUncloneable({ ok: [1, "2"] }, "v"), undefined);
  });
});
