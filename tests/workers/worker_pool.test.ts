import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { after, describe, it } from "node:test";
import { ExecutorError } from "../../src/core/errors.ts";
import { registerErrorClass } from "../../src/workers/_errors.ts";
import { workerBackend } from "../../src/workers/_serve.ts";
import { WorkerPool } from "../../src/workers/worker_pool.ts";
import type { FixtureApi } from "./_fixture_worker.ts";
import { QuotaError } from "./_quota_error.ts";

const script = new URL("./_fixture_worker.ts", import.meta.url);
const pools: WorkerPool<FixtureApi>[] = [];
function pool(size = 1, maxInFlightPerWorker = 1): WorkerPool<FixtureApi> {
  const p = new WorkerPool<FixtureApi>({ script, size, maxInFlightPerWorker, name: "test" });
  pools.push(p);
  return p;
}
after(() => Promise.all(pools.map((p) => p.close())));

function isExecutorError(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof ExecutorError, `expected an ExecutorError, got ${e}`);
    assert.match(e.message, pattern);
    return true;
  };
}

/** Runs `_child.ts` with this runtime; resolves with its exit code and output. */
function runChild(mode: string): Promise<{ code: number | null; out: string }> {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const child = new URL("./_child.ts", import.meta.url).pathname;
  const [exe, args] = deno
    ? [deno.execPath(), ["run", "-A", child, mode]]
    : [process.execPath, [child, mode]];
  return new Promise((resolve, reject) => {
    const proc = spawn(exe, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk) => out += chunk);
    // A bound, not a timing assertion: a child that hangs must fail the test, not the suite.
    const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
    proc.on("error", reject);
    proc.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("WorkerPool", () => {
  it("call() returns what the worker's method returned", async () => {
    const p = pool();
    assert.equal(await p.call("add", [1, 2]), 3);
    assert.deepEqual(await p.call("echo", [{ a: [1, new Map([[1, 2]])] }]), {
      a: [1, new Map([[1, 2]])],
    });
  });

  it("call() starts at most size workers however many calls arrive", async () => {
    const p = pool(2);
    const ids = await Promise.all(Array.from({ length: 12 }, () => p.call("sleep", [5])));
    assert.equal(new Set(ids).size, 2);
    assert.equal(p.started, 2);
    assert.equal(p.workers, 2);
  });

  it("call() keeps at most maxInFlightPerWorker calls in one worker", async () => {
    const p = pool(1, 3);
    const most = await Promise.all(Array.from({ length: 9 }, () => p.call("track", [100])));
    assert.ok(Math.max(...most) <= 3 && Math.max(...most) > 1, `most in flight: ${most}`);
    assert.equal(p.started, 1);
  });

  it("call() rejects all in-flight calls when the worker crashes, then works again", async () => {
    const p = pool(1, 2);
    const pending = p.call("sleep", [60_000]);
    const crash = p.call("crash", []);
    await assert.rejects(crash, isExecutorError(/"crash".*boom in worker/));
    await assert.rejects(pending, isExecutorError(/"sleep".*boom in worker/));
    assert.equal(await p.call("add", [2, 3]), 5);
    assert.equal(p.started, 2);
  });

  it("call() rejects with ExecutorError when the worker exits, then works again", async () => {
    const p = pool();
    await assert.rejects(p.call("exit", []), isExecutorError(/"exit".*exited with code 1/));
    assert.equal(await p.call("add", [2, 3]), 5);
  });

  it("starts web Workers on Deno and Bun, node:worker_threads on Node", () => {
    // Deno's web Worker starts about twice as fast as its node:worker_threads one; losing it
    // (the private ref method it is unref'd by) would fall back silently without this test.
    const web = "Deno" in globalThis || "Bun" in globalThis;
    assert.equal(workerBackend(), web ? "web" : "worker_threads");
  });

  it("call() rejects when the worker stops itself by self.close() or Deno.exit()", {
    // Deno's web Worker is the one worker that reports no exit of its own; Bun's and Node's
    // workers have no self.close(), and their process.exit() is tested above.
    skip: "Deno" in globalThis ? false : "Deno only: self.close() and Deno.exit() are Deno's",
  }, async () => {
    const p = pool(1, 2);
    const pending = p.call("sleep", [60_000]);
    await assert.rejects(p.call("closeSelf", []), isExecutorError(/"closeSelf".*exited/));
    await assert.rejects(pending, isExecutorError(/"sleep".*exited/));
    assert.equal(await p.call("add", [2, 3]), 5);
    await assert.rejects(p.call("denoExit", []), isExecutorError(/"denoExit".*code 4/));
    assert.equal(await p.call("add", [2, 3]), 5);
  });

  it("call() with retries sends a call whose worker died to a fresh worker", async () => {
    const p = new WorkerPool<FixtureApi>({ script, size: 1, retries: 1 });
    pools.push(p);
    const calls = new Int32Array(new SharedArrayBuffer(4));
    assert.equal(await p.call("exitOnce", [calls]), "survived");
    assert.equal(Atomics.load(calls, 0), 2);
    assert.equal(p.started, 2);
    await assert.rejects(
      p.call("exit", [], { retries: 2 }),
      isExecutorError(/"exit".*exited with code 1.*sent 3 times/),
    );
    // What the method throws is not retried.
    await assert.rejects(p.call("throwCustom", []), /over quota/);
    assert.equal(p.started, 5);
  });

  it("call() with a cancelKey asks the worker to stop and keeps it when the call returns", async () => {
    const p = pool();
    await p.call("id", []);
    const controller = new AbortController();
    const reason = new Error("stop");
    const pending = p.call("sleep", [50], { signal: controller.signal, cancelKey: 1 });
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    assert.equal(typeof await p.call("id", []), "string");
    assert.equal(p.started, 1);
  });

  it("call() puts the caller's context on ExecutorErrors", async () => {
    const p = pool();
    await assert.rejects(p.call("exit", [], { context: { node: "n", item: 4 } }), (e) => {
      assert.ok(e instanceof ExecutorError);
      assert.equal(e.node, "n");
      assert.equal(e.item, 4);
      return true;
    });
  });

  it("call() rejects with signal.reason on abort and terminates the running worker", async () => {
    const p = pool(1, 2);
    await p.call("id", []); // the worker is ready, so the next calls are posted at once
    const controller = new AbortController();
    const blocked = p.call("block", [60_000], { signal: controller.signal });
    const neighbour = p.call("sleep", [60_000]);
    const reason = new Error("stop");
    controller.abort(reason);
    await assert.rejects(blocked, (e) => e === reason);
    await assert.rejects(neighbour, isExecutorError(/terminated to stop aborted call "block"/));
    assert.equal(await p.call("add", [1, 2]), 3);
  });

  it("new WorkerPool() rejects a size or maxInFlightPerWorker below 1", () => {
    assert.throws(() => new WorkerPool({ script, size: 0 }), RangeError);
    assert.throws(() => new WorkerPool({ script, maxInFlightPerWorker: 1.5 }), RangeError);
  });

  it("call() rejects at once with an already aborted signal", async () => {
    const p = pool();
    const reason = new Error("already");
    await assert.rejects(
      p.call("add", [1, 2], { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    assert.equal(p.started, 0);
  });

  it("call() keeps the class, message, stack, cause and fields of a thrown error", async () => {
    registerErrorClass(QuotaError);
    await assert.rejects(pool().call("throwCustom", []), (e) => {
      assert.ok(e instanceof QuotaError);
      assert.equal(e.name, "QuotaError");
      assert.equal(e.message, "over quota");
      assert.equal(e.limit, 10);
      assert.deepEqual((e as unknown as { extra: unknown }).extra, { nested: [1, 2] });
      assert.ok(typeof e.stack === "string" && e.stack.length > 0);
      assert.ok(e.cause instanceof TypeError);
      assert.equal(e.cause.message, "inner");
      assert.equal(e.cause.cause, "root");
      return true;
    });
  });

  it("call() names the method and the value's type when the result cannot be cloned", async () => {
    await assert.rejects(
      pool().call("returnFunction", []),
      isExecutorError(/result of "returnFunction".*function "callback" at result\.callback/),
    );
  });

  it("call() names the method and the value's type when an argument cannot be cloned", async () => {
    const p = pool();
    await assert.rejects(
      p.call("echo", [{ cb: () => 1 }]),
      isExecutorError(/arguments of "echo".*function "cb" at args\[0\]\.cb/),
    );
    assert.equal(await p.call("add", [1, 2]), 3);
  });

  it("call() delivers what the worker posts to onEvent", async () => {
    const events: unknown[] = [];
    const p = new WorkerPool<FixtureApi>({ script, size: 1, onEvent: (data) => events.push(data) });
    pools.push(p);
    assert.equal(await p.call("emit", [{ progress: 0.5 }]), "sent");
    assert.deepEqual(events, [{ progress: 0.5 }]);
  });

  it("call() rejects with ExecutorError when the worker module cannot start", async () => {
    const p = new WorkerPool({ script: new URL("./_missing_worker.ts", import.meta.url), size: 1 });
    pools.push(p as WorkerPool<FixtureApi>);
    await assert.rejects(p.call("add", [1, 2]), isExecutorError(/before it was ready/));
  });

  it("close() rejects in-flight and later calls with ExecutorError", async () => {
    const p = pool();
    await p.call("id", []);
    const pending = p.call("sleep", [60_000]);
    const queued = p.call("add", [1, 2]);
    const rejected = [pending, queued].map((c) => assert.rejects(c, isExecutorError(/is closed/)));
    await p.close();
    await Promise.all(rejected);
    await assert.rejects(p.call("add", [1, 2]), isExecutorError(/is closed/));
    assert.equal(p.workers, 0);
  });

  it("a pool created inside a worker throws an ExecutorError about import.meta.main", async () => {
    await assert.rejects(pool().call("nestedPool", []), isExecutorError(/import\.meta\.main/));
    const nested = new WorkerPool({ script: new URL("./_nested_worker.ts", import.meta.url) });
    pools.push(nested as WorkerPool<FixtureApi>);
    await assert.rejects(nested.call("x", []), isExecutorError(/import\.meta\.main/));
  });

  it("the process exits by itself when a used pool is idle or closed", async () => {
    for (const mode of ["idle", "close"]) {
      const { code, out } = await runChild(mode);
      assert.equal(code, 0, `mode ${mode}`);
      assert.match(out, /sum=3/);
    }
  });
});
