import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createApp } from "../../src/http/app.ts";
import { serve } from "../../src/http/serve.ts";
import { adder, parseSse, post } from "./_fixture.ts";

const app = createApp({ pipelines: [adder] });

describe("serve()", () => {
  it("serve() answers a run on a free loopback port, then closes", async () => {
    const server = await serve(app, { port: 0 });
    assert.ok(server.port > 0);
    assert.equal(server.hostname, "127.0.0.1");
    const base = `http://127.0.0.1:${server.port}`;
    try {
      const res = await fetch(`${base}/api/pipelines/adder/run`, post({ inputs: { a: 2, b: 3 } }));
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { outputs: { sum: 5, doubled: 10 } });

      const stream = await fetch(
        `${base}/api/pipelines/adder/run/stream`,
        post({ inputs: { a: 1, b: 1 } }),
      );
      const events = parseSse(await stream.text());
      assert.equal(events[0].event, "pipeline_start");
      assert.deepEqual(events.at(-1), {
        event: "result",
        data: { outputs: { sum: 2, doubled: 4 } },
      });

      const missing = await fetch(`${base}/api/pipelines/adder/run`, post({ inputs: {} }));
      assert.equal(missing.status, 400);
      assert.deepEqual((await missing.json()).error.details.missing, ["a", "b"]);
    } finally {
      await server.close();
    }
    await assert.rejects(fetch(`${base}/healthz`));
  });

  it("serve() closes when its signal aborts and on await using", async () => {
    const controller = new AbortController();
    const server = await serve(app, { port: 0, signal: controller.signal });
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.deepEqual(await res.json(), { ok: true });
    controller.abort();
    await server.close(); // the same close the abort started
    {
      await using disposable = await serve(app, { port: 0 });
      assert.equal((await fetch(`http://127.0.0.1:${disposable.port}/healthz`)).status, 200);
    }
  });

  it("serve() rejects a port out of range", async () => {
    await assert.rejects(serve(app, { port: 70000 }), TypeError);
    await assert.rejects(serve(app, { port: 1.5 }), TypeError);
  });
});
