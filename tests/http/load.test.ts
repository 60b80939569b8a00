// A bounded loopback load test: 1,000 runs, 50 in flight, against a real server on the current
// runtime. Every answer must be correct; throughput and p99 are printed, never asserted.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createApp } from "../../src/http/app.ts";
import { serve } from "../../src/http/serve.ts";
import { adder, post } from "./_fixture.ts";

const TOTAL = 1_000;
const IN_FLIGHT = 50;

function runtime(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${(globalThis as unknown as { process: { version: string } }).process.version}`;
}

describe("serve() under load", () => {
  it("serve() answers 1,000 runs, 50 at a time, all correctly", async () => {
    await using server = await serve(
      createApp({ pipelines: [adder], maxConcurrentRuns: IN_FLIGHT }),
      {
        port: 0,
      },
    );
    const url = `http://127.0.0.1:${server.port}/api/pipelines/adder/run`;
    const latencies: number[] = [];
    let next = 0;
    let wrong = 0;
    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        const i = next++;
        const start = performance.now();
        const res = await fetch(url, post({ inputs: { a: i, b: 1 } }));
        const body = await res.json();
        latencies.push(performance.now() - start);
        if (
          res.status !== 200 || body.outputs.sum !== i + 1 || body.outputs.doubled !== 2 * (i + 1)
        ) {
          wrong++;
        }
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const seconds = (performance.now() - start) / 1000;
    assert.equal(latencies.length, TOTAL);
    assert.equal(wrong, 0);
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(TOTAL - 1, Math.ceil(q * TOTAL) - 1)].toFixed(1);
    console.log(
      `load ${runtime()}: ${TOTAL} requests, ${IN_FLIGHT} in flight: ${
        (TOTAL / seconds).toFixed(0)
      } req/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`,
    );
  });
});
