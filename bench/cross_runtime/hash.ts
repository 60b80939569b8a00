/**
 * The hashing scenario of `bench/cache_bench.ts` (issue 4), as one script that runs unchanged on
 * Deno, Bun and Node 24: `hashValue()` of 100,000 small objects against Python HyperNodes, which
 * needs about 2.67 µs per element (0.8 s for a 300,000-element list of small dicts); target ≥ 20×
 * faster per element. Each measured call hashes the array 10 times, so that a round lasts long
 * enough (≥ 100 ms) for rounds during which other processes were busy to be told apart and
 * measured again (see `interleave()`). Nothing else runs in between: a yardstick such as
 * `JSON.stringify` of the same array leaves megabytes of garbage whose collection, on other
 * threads, slows the hashing down.
 *
 * ```sh
 * deno run -A bench/cross_runtime/hash.ts [--json] [--reps N]
 * bun bench/cross_runtime/hash.ts
 * node bench/cross_runtime/hash.ts
 * ```
 *
 * Prints a markdown table (progress on stderr), or with `--json` a `HashResult`.
 *
 * @module
 */
import { hashValue } from "../../src/core/hash.ts";
import { flags, interleave, log, runtimeInfo } from "./_common.ts";
import { type HashResult, hashRow, markdown, noiseNote } from "./_report.ts";

const ELEMENTS = 100_000;
const REPEAT = 10;

function main(): Promise<void> {
  const opts = flags();
  const runtime = runtimeInfo();
  log(`hash bench on ${runtime.name} ${runtime.version}`);
  const objects = Array.from(
    { length: ELEMENTS },
    (_, i) => ({ id: i, name: "item" + i, score: i * 0.5, tags: ["a", "b"] }),
  );
  let sink = 0;
  const repeat = (fn: () => string) => () => {
    for (let i = 0; i < REPEAT; i++) sink += fn().length;
  };
  return interleave({ hash: repeat(() => hashValue(objects)) }, opts.reps ?? 15).then((timings) => {
    if (sink === 0) throw new Error("Cannot report as nothing was hashed");
    const result: HashResult = {
      kind: "hash",
      runtime,
      elements: ELEMENTS,
      repeat: REPEAT,
      ...timings,
    };
    const row = hashRow(result);
    log(`${row.measured}, ${row.ratio}`);
    const table = `${markdown([row])}\n\n${noiseNote([["hash", result.hash]])}`;
    console.log(
      opts.json ? JSON.stringify(result) : `${runtime.name} ${runtime.version}\n\n${table}`,
    );
  });
}

await main();
