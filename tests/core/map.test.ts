import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HyperNodesEngine, InputError, node, NodeExecutionError, Pipeline } from "../../mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const mul = node(
  { output: "y" },
  ({ a, b, k }: { a: number; b: number; k: number }) => a * b * k,
);
const p = new Pipeline({ nodes: [mul], name: "mul" });
const engines: [string, () => HyperNodesEngine][] = [
  ["sequential", () => new HyperNodesEngine()],
  ["async", () => new HyperNodesEngine({ nodeExecutor: "async", mapExecutor: "async" })],
];

for (const [label, make] of engines) {
  describe(`Pipeline.map() with ${label} executors`, () => {
    it("Pipeline.map() zips mapOver inputs and broadcasts the rest", async () => {
      const out = await p.map({ a: [1, 2, 3], b: [10, 20, 30], k: 2 }, {
        mapOver: ["a", "b"],
        engine: make(),
      });
      assert.deepEqual(out, [{ y: 20 }, { y: 80 }, { y: 180 }]);
    });

    it("Pipeline.map() defaults to zip mode and accepts one name as a string", async () => {
      const out = await p.map({ a: [1, 2], b: 10, k: 1 }, { mapOver: "a", engine: make() });
      assert.deepEqual(out, [{ y: 10 }, { y: 20 }]);
    });

    it("Pipeline.map() in product mode iterates in mapOver order, first name outermost", async () => {
      const pair = node({ output: "p" }, ({ a, b }: { a: string; b: string }) => a + b);
      const q = new Pipeline({ nodes: [pair] });
      const ab = await q.map({ a: ["1", "2"], b: ["x", "y", "z"] }, {
        mapOver: ["a", "b"],
        mode: "product",
        engine: make(),
      });
      assert.deepEqual(ab.map((r) => r.p), ["1x", "1y", "1z", "2x", "2y", "2z"]);
      // The fix: order follows mapOver, not the inputs object's key order.
      const ba = await q.map({ a: ["1", "2"], b: ["x", "y", "z"] }, {
        mapOver: ["b", "a"],
        mode: "product",
        engine: make(),
      });
      assert.deepEqual(ba.map((r) => r.p), ["1x", "2x", "1y", "2y", "1z", "2z"]);
    });

    it("Pipeline.map() in product mode allows lists of different lengths", async () => {
      const out = await p.map({ a: [1, 2], b: [1, 10, 100], k: 1 }, {
        mapOver: ["a", "b"],
        mode: "product",
        engine: make(),
      });
      assert.deepEqual(out.map((r) => r.y), [1, 10, 100, 2, 20, 200]);
    });

    it("Pipeline.map() accepts typed arrays, generators and Sets", async () => {
      function* gen(): Generator<number> {
        yield 1;
        yield 2;
      }
      const out = await p.map({ a: new Float64Array([1, 2]), b: gen(), k: 1 }, {
        mapOver: ["a", "b"],
        engine: make(),
      });
      assert.deepEqual(out, [{ y: 1 }, { y: 4 }]);
      const fromSet = await p.map({ a: new Set([3, 4]), b: 1, k: 1 }, {
        mapOver: "a",
        engine: make(),
      });
      assert.deepEqual(fromSet, [{ y: 3 }, { y: 4 }]);
      const fromMapKeys = await p.map({ a: new Map([[5, "x"]]).keys(), b: 1, k: 1 }, {
        mapOver: "a",
        engine: make(),
      });
      assert.deepEqual(fromMapKeys, [{ y: 5 }]);
    });

    it("Pipeline.map() returns [] for an empty list", async () => {
      assert.deepEqual(
        await p.map({ a: [], b: [], k: 1 }, { mapOver: ["a", "b"], engine: make() }),
        [],
      );
      assert.deepEqual(
        await p.map({ a: [], b: [1], k: 1 }, {
          mapOver: ["a", "b"],
          mode: "product",
          engine: make(),
        }),
        [],
      );
    });

    it("Pipeline.map() with outputs returns and runs only those", async () => {
      const ran: string[] = [];
      const a = node({ output: "a2" }, ({ a }: { a: number }) => (ran.push("a2"), a * 2));
      const b = node({ output: "b2" }, ({ a }: { a: number }) => (ran.push("b2"), a * 3));
      const q = new Pipeline({ nodes: [a, b] });
      const out = await q.map({ a: [1, 2] }, { mapOver: "a", outputs: ["b2"], engine: make() });
      assert.deepEqual(out, [{ b2: 3 }, { b2: 6 }]);
      assert.deepEqual(ran, ["b2", "b2"]);
    });

    it("Pipeline.map() keeps item order when items finish out of order", async () => {
      const slow = node({ output: "y" }, async ({ x }: { x: number }) => {
        for (let i = 0; i < (5 - x) * 3; i++) await Promise.resolve();
        return x;
      });
      const out = await new Pipeline({ nodes: [slow] }).map({ x: [1, 2, 3, 4] }, {
        mapOver: "x",
        engine: make(),
      });
      assert.deepEqual(out, [{ y: 1 }, { y: 2 }, { y: 3 }, { y: 4 }]);
    });

    it("Pipeline.map() rejects with the failing item's index and node", async () => {
      const ran: number[] = [];
      const boom = node({ output: "y", name: "boom" }, ({ x }: { x: number }) => {
        ran.push(x);
        if (x === 2) throw new RangeError("bad item");
        return x;
      });
      await assert.rejects(
        new Pipeline({ nodes: [boom], name: "items" }).map({ x: [0, 1, 2, 3] }, {
          mapOver: "x",
          engine: make(),
        }),
        (e: unknown) =>
          e instanceof NodeExecutionError && e.item === 2 && e.node === "boom" &&
          e.pipeline === "items" && e.cause instanceof RangeError &&
          e.message ===
            'Cannot run node "boom" of pipeline "items" for item 2 as it threw: RangeError: bad item',
      );
      if (label === "sequential") assert.deepEqual(ran, [0, 1, 2]);
    });

    it('Pipeline.map() with errors: "collect" returns each item\'s output or error', async () => {
      const boom = node({ output: "y", name: "boom" }, async ({ x }: { x: number }) => {
        await Promise.resolve();
        if (x % 2 === 1) throw new Error(`odd ${x}`);
        return x;
      });
      const out = await new Pipeline({ nodes: [boom] }).map({ x: [0, 1, 2, 3] }, {
        mapOver: "x",
        errors: "collect",
        engine: make(),
      });
      assert.equal(out.length, 4);
      assert.deepEqual(out[0], { y: 0 });
      assert.deepEqual(out[2], { y: 2 });
      for (const i of [1, 3]) {
        const e = out[i];
        assert.ok(e instanceof NodeExecutionError);
        assert.equal(e.item, i);
        assert.equal((e.cause as Error).message, `odd ${i}`);
      }
    });
  });
}

describe("Pipeline.map() argument errors", () => {
  it("Pipeline.map() rejects unequal zip lengths and shows them", async () => {
    await assert.rejects(
      p.map({ a: [1, 2, 3], b: [1, 2], k: 1 }, { mapOver: ["a", "b"] }),
      (e: unknown) =>
        e instanceof InputError && /differ in length: a=3, b=2/.test(e.message) &&
        /mode: "product"/.test(e.message),
    );
  });

  it("Pipeline.map() rejects a mode other than zip or product with TypeError", async () => {
    await assert.rejects(
      p.map({ a: [1], b: [1], k: 1 }, { mapOver: ["a", "b"], mode: "cartesian" as Any }),
      (e: unknown) => e instanceof TypeError && /mode is "cartesian"/.test(e.message),
    );
  });

  it("Pipeline.map() rejects a string as a mapOver value with TypeError", async () => {
    await assert.rejects(
      p.map({ a: "abc" as Any, b: 1, k: 1 }, { mapOver: "a" }),
      (e: unknown) => e instanceof TypeError && /"a" as it is a string/.test(e.message),
    );
  });

  it("Pipeline.map() rejects a non-iterable mapOver value with TypeError", async () => {
    for (const v of [5, null, undefined, { length: 2 }]) {
      await assert.rejects(p.map({ a: v as Any, b: 1, k: 1 }, { mapOver: "a" }), TypeError);
    }
  });

  it("Pipeline.map() rejects a bad mapOver option with TypeError", async () => {
    for (const m of [undefined, [], [1], 7]) {
      await assert.rejects(p.map({ a: [1], b: 1, k: 1 } as Any, { mapOver: m as Any }), TypeError);
    }
    await assert.rejects(p.map({ a: [1], b: 1, k: 1 } as Any, undefined as Any), TypeError);
  });

  it("Pipeline.map() rejects a mapOver name missing from inputs", async () => {
    await assert.rejects(
      p.map({ b: 1, k: 1 } as Any, { mapOver: "a" as Any }),
      (e: unknown) => e instanceof InputError && JSON.stringify(e.missing) === '["a"]',
    );
  });

  it("Pipeline.map() rejects missing and unknown inputs before running an item", async () => {
    let ran = false;
    const q = new Pipeline({
      nodes: [node({ output: "y" }, ({ a, b }: { a: number; b: number }) => (ran = true, a + b))],
    });
    await assert.rejects(q.map({ a: [1] } as Any, { mapOver: "a" }), InputError);
    await assert.rejects(q.map({ a: [1], b: 1, c: 2 } as Any, { mapOver: "a" }), InputError);
    assert.equal(ran, false);
  });

  it("Pipeline.map() rejects an errors option other than throw or collect", async () => {
    await assert.rejects(
      p.map({ a: [1], b: 1, k: 1 }, { mapOver: "a", errors: "ignore" as Any }),
      TypeError,
    );
  });
});
