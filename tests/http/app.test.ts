import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Callback,
  HyperNodesEngine,
  node,
  Pipeline,
  type PipelineEndEvent,
} from "../../mod.ts";
import { createApp } from "../../src/http/app.ts";
import { adder, fragile, gated, parseSse, post } from "./_fixture.ts";

const app = createApp({ pipelines: [adder, fragile] });

interface ErrorJson {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

async function error(res: Response, status: number, code: string): Promise<ErrorJson["error"]> {
  const body = await res.json() as ErrorJson;
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  return body.error;
}

describe("createApp() routes", () => {
  it("createApp() answers GET /healthz", async () => {
    const res = await app.request("/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  it("createApp() lists pipelines with input flags and outputs", async () => {
    const bound = createApp({ pipelines: { plus10: adder.bind({ b: 10 }), adder } });
    const res = await bound.request("/api/pipelines");
    assert.equal(res.status, 200);
    const { pipelines } = await res.json();
    assert.deepEqual(pipelines.map((p: { name: string }) => p.name), ["plus10", "adder"]);
    assert.deepEqual(pipelines[0].inputs, [
      { name: "a", required: true, optional: false, bound: false },
      { name: "b", required: false, optional: false, bound: true },
      { name: "k", required: false, optional: true, bound: false },
    ]);
    assert.deepEqual(pipelines[1].outputs, ["sum", "doubled"]);
  });

  it("createApp() describes one pipeline with its graph as Mermaid and DOT", async () => {
    const res = await app.request("/api/pipelines/adder");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.name, "adder");
    assert.deepEqual(body.outputs, ["sum", "doubled"]);
    assert.match(body.graph.mermaid, /sum/);
    assert.match(body.graph.dot, /^digraph/);
  });

  it("createApp() draws the graph as SVG (?format=svg and /graph.svg)", async () => {
    for (const url of ["/api/pipelines/adder?format=svg", "/api/pipelines/adder/graph.svg"]) {
      const res = await app.request(url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^image\/svg\+xml/);
      assert.match(await res.text(), /<svg[\s\S]*doubled[\s\S]*<\/svg>/);
    }
  });

  it("createApp() serves the web page at /", async () => {
    const res = await app.request("/");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    const html = await res.text();
    assert.match(html, /<script type="module">/);
    assert.match(html, /run\/stream/);
  });

  it("createApp() runs a pipeline: POST /run returns { outputs }", async () => {
    const res = await app.request("/api/pipelines/adder/run", post({ inputs: { a: 1, b: 2 } }));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { outputs: { sum: 3, doubled: 6 } });
  });

  it("createApp() runs only the requested outputs", async () => {
    const res = await app.request(
      "/api/pipelines/adder/run",
      post({ inputs: { a: 1, b: 2, k: 3 }, outputs: ["sum"] }),
    );
    assert.deepEqual(await res.json(), { outputs: { sum: 6 } });
  });

  it("createApp() maps a pipeline: POST /map returns { results }", async () => {
    const zip = await app.request(
      "/api/pipelines/adder/map",
      post({ inputs: { a: [1, 2], b: [10, 20] }, mapOver: ["a", "b"] }),
    );
    assert.equal(zip.status, 200);
    assert.deepEqual((await zip.json()).results.map((r: { sum: number }) => r.sum), [11, 22]);
    const product = await app.request(
      "/api/pipelines/adder/map",
      post({ inputs: { a: [1, 2], b: [10, 20] }, mapOver: ["a", "b"], mode: "product" }),
    );
    assert.deepEqual((await product.json()).results.map((r: { sum: number }) => r.sum), [
      11,
      21,
      12,
      22,
    ]);
  });

  it("createApp() collects map item errors as { error: { code, message, node, item } }", async () => {
    const res = await app.request(
      "/api/pipelines/fragile/map",
      post({ inputs: { x: [1, 2] }, mapOver: "x", errors: "collect" }),
    );
    assert.equal(res.status, 200);
    const { results } = await res.json();
    assert.deepEqual(results[0], { y: 1 });
    assert.equal(results[1].error.code, "node_failed");
    assert.equal(results[1].error.node, "boom");
    assert.equal(results[1].error.item, 1);
    assert.match(results[1].error.message, /boom/);
  });

  it("createApp() streams callback events then a result over SSE", async () => {
    const res = await app.request(
      "/api/pipelines/adder/run/stream",
      post({ inputs: { a: 1, b: 2 } }),
    );
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = parseSse(await res.text());
    assert.deepEqual(events.map((e) => e.event), [
      "pipeline_start",
      "node_start",
      "node_end",
      "node_start",
      "node_end",
      "pipeline_end",
      "result",
    ]);
    assert.equal(events[1].data.node, "sum");
    assert.deepEqual(events.at(-1)!.data, { outputs: { sum: 3, doubled: 6 } });
  });

  it("createApp() streams a node failure as an error event without stacks", async () => {
    const res = await app.request("/api/pipelines/fragile/run/stream", post({ inputs: { x: 5 } }));
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes('"stack"'), text);
    const events = parseSse(text);
    const nodeError = events.find((e) => e.event === "node_error")!;
    const streamed = nodeError.data.error as { name: string; message: string };
    assert.deepEqual(Object.keys(streamed).sort(), ["message", "name"]);
    assert.equal(streamed.name, "NodeExecutionError");
    assert.match(streamed.message, /too big: 5/);
    const last = events.at(-1)!;
    assert.equal(last.event, "error");
    const err = (last.data as unknown as ErrorJson).error;
    assert.equal(err.code, "node_failed");
    assert.equal(err.details?.node, "boom");
  });

  it("createApp() tells the pipeline engine's own callbacks during a stream", async () => {
    const seen: string[] = [];
    const spy: Callback = { onNodeEnd: (e) => void seen.push(e.node) };
    const p = adder.withEngine(new HyperNodesEngine({ callbacks: [spy] }));
    const res = await createApp({ pipelines: [p] }).request(
      "/api/pipelines/adder/run/stream",
      post({ inputs: { a: 1, b: 1 } }),
    );
    assert.equal(parseSse(await res.text()).filter((e) => e.event === "node_end").length, 2);
    assert.deepEqual(seen, ["sum", "doubled"]);
  });

  it("createApp() streams the item path of every event of nested maps", async () => {
    // Rows mapped over, and each row's cells: cell indexes repeat across rows.
    const cell = node({ output: "v", name: "cell" }, ({ c }: { c: number }) => c * 10);
    const cells = new Pipeline({ nodes: [cell], name: "cells" });
    const row = new Pipeline({
      nodes: [cells.asNode({ name: "each_cell", inputMapping: { row: "c" }, mapOver: "row" })],
      name: "row",
    });
    const grid = new Pipeline({
      nodes: [row.asNode({ name: "each_row", inputMapping: { rows: "row" }, mapOver: "rows" })],
      name: "grid",
    });
    const res = await createApp({ pipelines: [grid] }).request(
      "/api/pipelines/grid/run/stream",
      post({ inputs: { rows: [[1, 2], [3, 4]] } }),
    );
    const events = parseSse(await res.text());
    assert.deepEqual(events.at(-1)!.data, { outputs: { v: [[10, 20], [30, 40]] } });
    const starts = events.filter((e) => e.event === "node_start").map((e) => e.data);
    assert.deepEqual(starts.map((e) => [e.item, e.itemPath]), [
      [0, [0, 0]],
      [1, [0, 1]],
      [0, [1, 0]],
      [1, [1, 1]],
    ]);
    assert.deepEqual(events[0].data.itemPath, []);
  });
});

describe("createApp() errors", () => {
  it("createApp() answers malformed JSON with 400 invalid_json", async () => {
    await error(await app.request("/api/pipelines/adder/run", post("{nope")), 400, "invalid_json");
    await error(await app.request("/api/pipelines/adder/run", post("")), 400, "invalid_json");
    await error(
      await app.request("/api/pipelines/adder/run/stream", post("[1,")),
      400,
      "invalid_json",
    );
  });

  it("createApp() answers a body that is not an object with 400 invalid_body", async () => {
    for (const body of ["[1]", "3", "null", '"x"']) {
      const e = await error(
        await app.request("/api/pipelines/adder/run", post(body)),
        400,
        "invalid_body",
      );
      assert.equal(e.details?.field, "body");
    }
    const e = await error(
      await app.request("/api/pipelines/adder/run", post({ inputs: [1] })),
      400,
      "invalid_body",
    );
    assert.equal(e.details?.field, "inputs");
    await error(
      await app.request("/api/pipelines/adder/run", post({ inputs: {}, outputs: "sum" })),
      400,
      "invalid_body",
    );
    await error(
      await app.request("/api/pipelines/adder/map", post({ inputs: { a: [1] } })),
      400,
      "invalid_body",
    );
    await error(
      await app.request("/api/pipelines/adder/map", post({ inputs: {}, mapOver: "a", mode: "x" })),
      400,
      "invalid_body",
    );
  });

  it("createApp() names missing inputs: 400 invalid_inputs with details.missing", async () => {
    for (const route of ["run", "run/stream"]) {
      const e = await error(
        await app.request(`/api/pipelines/adder/${route}`, post({ inputs: { a: 1 } })),
        400,
        "invalid_inputs",
      );
      assert.deepEqual(e.details?.missing, ["b"]);
    }
    const e = await error(
      await app.request("/api/pipelines/adder/map", post({ inputs: { a: [1] }, mapOver: "a" })),
      400,
      "invalid_inputs",
    );
    assert.deepEqual(e.details?.missing, ["b"]);
  });

  it("createApp() names unknown inputs: 400 invalid_inputs with details.unknown", async () => {
    const e = await error(
      await app.request("/api/pipelines/adder/run", post({ inputs: { a: 1, b: 2, zzz: 3 } })),
      400,
      "invalid_inputs",
    );
    assert.deepEqual(e.details?.unknown, ["zzz"]);
  });

  it("createApp() answers an unknown pipeline with 404", async () => {
    for (
      const [url, init] of [
        ["/api/pipelines/nope", undefined],
        ["/api/pipelines/nope/graph.svg", undefined],
        ["/api/pipelines/nope/run", post({ inputs: {} })],
        ["/api/pipelines/nope/map", post({ inputs: {}, mapOver: "a" })],
        ["/api/pipelines/nope/run/stream", post({ inputs: {} })],
      ] as const
    ) {
      const e = await error(await app.request(url, init), 404, "unknown_pipeline");
      assert.ok((e.details?.available as string[]).includes("adder"));
    }
    await error(await app.request("/api/nothing"), 404, "not_found");
  });

  it("createApp() answers an unknown output with 400 unknown_output", async () => {
    const e = await error(
      await app.request(
        "/api/pipelines/adder/run",
        post({ inputs: { a: 1, b: 2 }, outputs: ["zz"] }),
      ),
      400,
      "unknown_output",
    );
    assert.match(e.message, /zz/);
  });

  it("createApp() answers a body over the limit with 413 (Content-Length)", async () => {
    const small = createApp({ pipelines: [adder], maxBodyBytes: 64 });
    const body = JSON.stringify({ inputs: { a: 1, b: 2, pad: "x".repeat(100) } });
    const res = await small.request("/api/pipelines/adder/run", {
      method: "POST",
      headers: { "content-length": String(body.length) },
      body,
    });
    const e = await error(res, 413, "body_too_large");
    assert.equal(e.details?.limit, 64);
  });

  it("createApp() answers a body over the limit with 413 (bytes read, no Content-Length)", async () => {
    const small = createApp({ pipelines: [adder], maxBodyBytes: 64 });
    const chunk = new TextEncoder().encode("x".repeat(40));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // An endless body: the server must stop reading once over the limit.
        sent++;
        controller.enqueue(chunk);
      },
    });
    const request = new Request("http://localhost/api/pipelines/adder/run", {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    assert.equal(request.headers.get("content-length"), null);
    await error(await small.request(request), 413, "body_too_large");
    assert.ok(sent < 100, `read ${sent} chunks`);
  });

  it("createApp() requires the bearer token on /api/ when one is set", async () => {
    const locked = createApp({ pipelines: [adder], token: "s3cret" });
    const missing = await locked.request("/api/pipelines");
    assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
    await error(missing, 401, "unauthorized");
    await error(
      await locked.request("/api/pipelines", { headers: { authorization: "Bearer wrong" } }),
      401,
      "unauthorized",
    );
    await error(
      await locked.request("/api/pipelines/adder/run", post({ inputs: { a: 1, b: 2 } })),
      401,
      "unauthorized",
    );
    const ok = await locked.request(
      "/api/pipelines/adder/run",
      post({ inputs: { a: 1, b: 2 } }, { authorization: "Bearer s3cret" }),
    );
    assert.equal(ok.status, 200);
    assert.equal((await locked.request("/healthz")).status, 200);
  });

  it("createApp() answers a node failure with 422 node_failed, no stack unless debug", async () => {
    const e = await error(
      await app.request("/api/pipelines/fragile/run", post({ inputs: { x: 2 } })),
      422,
      "node_failed",
    );
    assert.equal(e.details?.node, "boom");
    assert.deepEqual(e.details?.cause, { name: "RangeError", message: "too big: 2" });
    assert.ok(!JSON.stringify(e).includes("stack"));

    const debug = createApp({ pipelines: [fragile], debug: true });
    const d = await error(
      await debug.request("/api/pipelines/fragile/run", post({ inputs: { x: 2 } })),
      422,
      "node_failed",
    );
    assert.match(String((d.details?.cause as { stack: string }).stack), /too big/);
  });

  it("createApp() answers a failing map item with 422 and the item index", async () => {
    const e = await error(
      await app.request(
        "/api/pipelines/fragile/map",
        post({ inputs: { x: [0, 1, 3] }, mapOver: "x" }),
      ),
      422,
      "node_failed",
    );
    assert.equal(e.details?.node, "boom");
    assert.equal(e.details?.item, 2);
  });

  it("createApp() answers over maxConcurrentRuns with 429 and Retry-After", async () => {
    const { pipeline, gate } = gated();
    const limited = createApp({ pipelines: [pipeline], maxConcurrentRuns: 1 });
    const first = limited.request("/api/pipelines/gated/run", post({ inputs: { x: 1 } }));
    await gate.entered;
    for (const route of ["run", "run/stream"]) {
      const res = await limited.request(
        `/api/pipelines/gated/${route}`,
        post({ inputs: { x: 1 } }),
      );
      assert.equal(res.headers.get("retry-after"), "1");
      await error(res, 429, "too_many_runs");
    }
    gate.open();
    assert.deepEqual(await (await first).json(), { outputs: { held: 1, done: 2 } });
    const again = await limited.request("/api/pipelines/gated/run", post({ inputs: { x: 1 } }));
    assert.equal(again.status, 200);
  });

  it("createApp() aborts the run when the client disconnects", async () => {
    const { pipeline, gate } = gated();
    const abortable = createApp({ pipelines: [pipeline] });
    const client = new AbortController();
    const request = new Request("http://localhost/api/pipelines/gated/run", {
      ...post({ inputs: { x: 1 } }),
      signal: client.signal,
    });
    const pending = abortable.request(request);
    await gate.entered;
    client.abort();
    gate.open();
    const res = await pending;
    await error(res, 499, "aborted");
    assert.equal(gate.after, 0);
  });

  it("createApp() aborts a streamed run when the client stops reading", async () => {
    let ended!: (e: PipelineEndEvent) => void;
    const end = new Promise<PipelineEndEvent>((r) => (ended = r));
    const { pipeline, gate } = gated();
    const p = pipeline.withEngine(
      new HyperNodesEngine({ callbacks: [{ onPipelineEnd: (e) => ended(e) }] }),
    );
    const res = await createApp({ pipelines: [p] }).request(
      "/api/pipelines/gated/run/stream",
      post({ inputs: { x: 1 } }),
    );
    assert.equal(res.status, 200);
    await gate.entered;
    await res.body!.cancel();
    gate.open();
    const event = await end;
    assert.ok(event.error !== undefined, "the run ended with the abort");
    assert.equal(gate.after, 0);
  });

  it("createApp() rejects two pipelines with one name", () => {
    assert.throws(() => createApp({ pipelines: [adder, adder] }), TypeError);
    assert.throws(() => createApp({ pipelines: [adder], maxConcurrentRuns: 0 }), TypeError);
  });
});
