/**
 * The CPU map of `executors.ts` (48 items of the `cpu` bench pipeline, ~20 ms each) through
 * `ParallelExecutor` and through piscina, with the same worker count
 * (`navigator.hardwareConcurrency`, both pools warm). piscina gets one task per item and calls
 * the node's function directly (`_piscina_worker.ts`). Target: hn/piscina ≤ 1 (not slower).
 * The two are measured alternately, so that changing load hits both alike.
 *
 * ```sh
 * node bench/cross_runtime/piscina.ts [--json] [--reps N] [--n STEPS]
 * bun bench/cross_runtime/piscina.ts
 * deno run -A bench/cross_runtime/piscina.ts
 * ```
 *
 * Prints a markdown table (progress on stderr), or with `--json` a `PiscinaResult`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { HyperNodesEngine } from "../../mod.ts";
import { ParallelExecutor } from "../../src/workers/mod.ts";
import { cpu } from "../../tests/workers/_bench_pipelines.ts";
import { calibrate, CPU_ITEMS, cpuInputs, flags, interleave, log, runtimeInfo } from "./_common.ts";
import { markdown, ms, noiseNote, noiseParts, type PiscinaResult, piscinaRow } from "./_report.ts";

async function main(): Promise<void> {
  const opts = flags();
  const runtime = runtimeInfo();
  const workers = navigator.hardwareConcurrency;
  log(`piscina bench on ${runtime.name} ${runtime.version}, ${workers} workers each`);

  const sequential = new HyperNodesEngine();
  const executor = new ParallelExecutor({ workers });
  const parallel = new HyperNodesEngine({ mapExecutor: executor });
  let pool: Piscina<{ n: number }, number> | undefined;
  let result: PiscinaResult;
  try {
    // Before piscina starts its workers: calibration counts this process's CPU time.
    const n = opts.n ?? await calibrate(sequential);
    pool = new Piscina({
      filename: fileURLToPath(new URL("./_piscina_worker.ts", import.meta.url)),
      minThreads: workers,
      maxThreads: workers,
    });
    const piscina = pool;
    const inputs = cpuInputs(n);
    log(`cpu: n = ${n}`);
    const hnMap = () => cpu.map(inputs, { mapOver: "n", engine: parallel });
    const piscinaMap = () => Promise.all(inputs.n.map((n) => piscina.run({ n })));

    // Both compute the same thing (the pools warm up here and again in interleave()).
    const [ours, theirs] = [await hnMap(), await piscinaMap()];
    if (ours.some((r, i) => r.sum !== theirs[i])) {
      throw new Error("Cannot compare with piscina as the two pools returned different sums");
    }

    const timings = await interleave({ hn: hnMap, piscina: piscinaMap }, opts.reps ?? 6);
    log(`hn ${ms(timings.hn.median)}, piscina ${ms(timings.piscina.median)}`);
    result = {
      kind: "piscina",
      runtime,
      n,
      items: CPU_ITEMS,
      workers,
      ...timings,
    };
  } finally {
    await parallel.close();
    await sequential.close();
    await executor[Symbol.asyncDispose]();
    await pool?.close();
  }
  const table = `${markdown([piscinaRow(result)])}\n\n${noiseNote(noiseParts(undefined, result))}`;
  console.log(
    opts.json ? JSON.stringify(result) : `${runtime.name} ${runtime.version}\n\n${table}`,
  );
}

await main();
