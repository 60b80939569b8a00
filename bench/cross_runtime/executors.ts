/**
 * The Worker executor scenarios of `bench/executors_bench.ts`, as one script that runs unchanged
 * on Deno, Bun and Node 24, with warm pools (every operation is called once unmeasured) and the
 * compared operations measured alternately (see `interleave()`), reporting medians:
 *
 * - parallel map of 48 CPU items of ~20 ms (the `cpu` bench pipeline, `n` calibrated here unless
 *   `--n` is given) against the sequential engine; target ≥ 1.7× on 2 cores;
 * - parallel map of 100,000 trivial items (the `tiny` bench pipeline): overhead per item against
 *   a plain loop, next to the sequential engine's; target ≤ 1 µs;
 * - `startWorker()` to READY, for the executors' worker entry and the test fixture; target ≤ 50 ms.
 *
 * ```sh
 * deno run -A bench/cross_runtime/executors.ts [--json] [--reps N] [--n STEPS]
 * bun bench/cross_runtime/executors.ts
 * node bench/cross_runtime/executors.ts
 * ```
 *
 * Prints a markdown table (progress on stderr), or with `--json` an `ExecutorsResult`.
 *
 * @module
 */
import { HyperNodesEngine } from "../../mod.ts";
import { ParallelExecutor } from "../../src/workers/mod.ts";
import { startWorker } from "../../src/workers/_spawn.ts";
import { cpu, tiny } from "../../tests/workers/_bench_pipelines.ts";
import {
  calibrate,
  CPU_ITEMS,
  cpuInputs,
  flags,
  interleave,
  log,
  runtimeInfo,
  sample,
} from "./_common.ts";
import {
  executorRows,
  type ExecutorsResult,
  markdown,
  ms,
  noiseNote,
  noiseParts,
} from "./_report.ts";

const TINY_ITEMS = 100_000;
const FIXTURE = new URL("../../tests/workers/_fixture_worker.ts", import.meta.url);
const ENTRY = new URL("../../src/workers/_worker_entry.ts", import.meta.url);

/** `startWorker(script)` to READY; the worker is terminated outside the measured part. */
function startup(script: URL): () => Promise<number> {
  return async () => {
    const t0 = performance.now();
    const worker = await startWorker(script);
    const took = performance.now() - t0;
    await worker.terminate();
    return took;
  };
}

async function channelRoundTrip(): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  const t0 = performance.now();
  const got = new Promise((resolve) => (port2.onmessage = resolve));
  port1.postMessage("ready");
  await got;
  const took = performance.now() - t0;
  port1.close();
  port2.close();
  return took;
}

async function main(): Promise<void> {
  const opts = flags();
  const runtime = runtimeInfo();
  const reps = (fallback: number) => opts.reps ?? fallback;
  log(`executors bench on ${runtime.name} ${runtime.version}, ${runtime.cores} cores`);

  const sequential = new HyperNodesEngine();
  const executor = new ParallelExecutor();
  const parallel = new HyperNodesEngine({ mapExecutor: executor });
  let result: ExecutorsResult;
  try {
    const n = opts.n ?? await calibrate(sequential);
    const crunch = cpuInputs(n);
    log(`cpu: n = ${n}`);
    const cpuMap = await interleave({
      sequential: () => cpu.map(crunch, { mapOver: "n", engine: sequential }),
      parallel: () => cpu.map(crunch, { mapOver: "n", engine: parallel }),
    }, reps(5));
    const perItem = cpuMap.sequential.median / CPU_ITEMS;
    log(`cpu: sequential ${ms(cpuMap.sequential.median)} (${ms(perItem)} per item)`);
    log(`cpu: parallel ${ms(cpuMap.parallel.median)}`);

    const xs = Array.from({ length: TINY_ITEMS }, (_, i) => i);
    const trivial = { x: xs };
    const tinyMap = await interleave({
      // Returned, so that the loop's result is used, as the maps' results are.
      loop: () => xs.map((x) => ({ y: x + 1 })),
      sequential: () => tiny.map(trivial, { mapOver: "x", engine: sequential }),
      parallel: () => tiny.map(trivial, { mapOver: "x", engine: parallel }),
    }, reps(5));
    const { loop } = tinyMap;
    log(`tiny: loop ${ms(loop.median)}, sequential ${ms(tinyMap.sequential.median)}`);
    log(`tiny: parallel ${ms(tinyMap.parallel.median)}`);

    const channel = await sample(channelRoundTrip, 20);
    const { entry, fixture } = await interleave(
      { entry: startup(ENTRY), fixture: startup(FIXTURE) },
      reps(9),
    );
    log(`start-up: entry ${ms(entry.median)}, fixture ${ms(fixture.median)}`);

    result = {
      kind: "executors",
      runtime,
      cpu: { n, items: CPU_ITEMS, ...cpuMap },
      tiny: { items: TINY_ITEMS, ...tinyMap },
      startup: { channel, fixture, entry },
    };
  } finally {
    await parallel.close();
    await sequential.close();
    await executor[Symbol.asyncDispose]();
  }
  const table = `${markdown(executorRows(result))}\n\n${noiseNote(noiseParts(result, undefined))}`;
  console.log(
    opts.json ? JSON.stringify(result) : `${runtime.name} ${runtime.version}\n\n${table}`,
  );
}

await main();
