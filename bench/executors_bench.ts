// Benchmarks of the executors (issue 3). Run: deno bench -A bench/executors_bench.ts
import { startWorker } from "../src/workers/_spawn.ts";

const fixture = new URL("../tests/workers/_fixture_worker.ts", import.meta.url);

// Question: how long does a worker take from spawn to READY (target ≤ 50 ms)?
Deno.bench({
  name: "MessageChannel round trip (no worker)",
  group: "worker start-up",
  baseline: true,
  async fn() {
    const { port1, port2 } = new MessageChannel();
    const got = new Promise((resolve) => (port2.onmessage = resolve));
    port1.postMessage("ready");
    await got;
    port1.close();
    port2.close();
  },
});

Deno.bench({
  name: "startWorker() to READY",
  group: "worker start-up",
  async fn(b) {
    b.start();
    const worker = await startWorker(fixture);
    b.end();
    await worker.terminate();
  },
});
