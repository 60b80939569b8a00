/**
 * Runs `executors.ts`, `hash.ts` and `piscina.ts` on Deno, Bun and Node 24, one process at a
 * time (they would compete for the cores), then prints one markdown table per runtime of the
 * measured ratios (`scenario | baseline | measured | ratio | target`), ready for the README.
 *
 * ```sh
 * deno run -A bench/cross_runtime/run.ts                     # everything
 * deno run -A bench/cross_runtime/run.ts --runtime node      # only some runtimes
 * deno run -A bench/cross_runtime/run.ts --reps 5 --n 4000000 --json results.json
 * ```
 *
 * `--reps` goes to every bench, `--n` to all but `hash.ts`; `--json FILE` also writes every raw
 * result (all samples) to FILE, and `--from FILE` prints the tables of such a file without
 * running anything.
 * Bun and Node come from npm into `.runtimes/` when missing, as for `deno task test`. Exits
 * non-zero when a bench failed or did not exit by itself.
 *
 * @module
 */
import {
  ensureNodeModules,
  ensureRuntimes,
  type Runtime,
  RUNTIMES,
} from "../../scripts/_runtimes.ts";
import type { Stats } from "./_common.ts";
import {
  executorRows,
  type ExecutorsResult,
  type HashResult,
  hashRow,
  markdown,
  noiseNote,
  noiseParts,
  type PiscinaResult,
  piscinaRow,
  type Row,
} from "./_report.ts";

const USAGE =
  "usage: deno run -A bench/cross_runtime/run.ts [--runtime deno|bun|node]... [--reps N] [--n STEPS] [--json FILE] [--from FILE]";
const ROOT = new URL("../../", import.meta.url);
/** Where piscina runs: it needs `node:worker_threads`, which all three have. */
const PISCINA: readonly Runtime[] = ["deno", "bun", "node"];
const TIMEOUT_MS = 10 * 60_000;

interface Options {
  runtimes: Runtime[];
  forward: string[];
  json?: string;
  from?: string;
}

function parseArgs(args: string[]): Options {
  const runtimes: string[] = [], forward: string[] = [];
  let json: string | undefined, from: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h" || arg === "--help") console.log(USAGE), Deno.exit(0);
    if (arg === "--runtime") runtimes.push(args[++i] ?? "");
    else if (arg === "--json") json = args[++i];
    else if (arg === "--from") from = args[++i];
    else if (arg === "--reps" || arg === "--n") forward.push(arg, args[++i] ?? "");
    else throw new TypeError(`Cannot run the benches as option ${arg} is unknown: ${USAGE}`);
    if (args[i] === undefined) {
      throw new TypeError(`Cannot run the benches as option ${arg} has no value: ${USAGE}`);
    }
  }
  const unknown = runtimes.find((r) => !(RUNTIMES as readonly string[]).includes(r));
  if (unknown !== undefined) {
    throw new TypeError(`Cannot run the benches as runtime "${unknown}" is unknown: ${USAGE}`);
  }
  return {
    runtimes: RUNTIMES.filter((r) => runtimes.length === 0 || runtimes.includes(r)),
    forward,
    json,
    from,
  };
}

/** Runs one bench with `--json`, progress passed through to stderr; returns its result. */
async function bench<T>(runtime: Runtime, bin: string, script: string, args: string[]): Promise<T> {
  const path = `bench/cross_runtime/${script}`;
  const argv = runtime === "deno" ? ["run", "-A", path] : [path];
  console.error(`\n$ ${runtime} ${path} --json ${args.join(" ")}`);
  const child = new Deno.Command(bin, {
    args: [...argv, "--json", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, TIMEOUT_MS);
  const { code, stdout } = await child.output();
  clearTimeout(timer);
  if (timedOut) throw new Error(`did not exit within ${TIMEOUT_MS / 60_000} minutes`);
  if (code !== 0) throw new Error(`exited with code ${code}`);
  const last = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`printed no JSON result: ${last.slice(0, 200)}`);
  }
}

/** The `--reps` flag of the forwarded flags, if any (hash.ts takes no `--n`). */
function repsOnly(forward: string[]): string[] {
  const at = forward.indexOf("--reps");
  return at < 0 ? [] : forward.slice(at, at + 2);
}

interface Report {
  runtime: Runtime;
  executors?: ExecutorsResult;
  piscina?: PiscinaResult;
  hash?: HashResult;
  failures: string[];
}

async function main(): Promise<void> {
  const { runtimes, forward, json, from } = parseArgs(Deno.args);
  const reports: Report[] = from ? JSON.parse(await Deno.readTextFile(from)) : [];
  const bins = from ? undefined : (await ensureNodeModules(), await ensureRuntimes(runtimes));
  for (const runtime of bins ? runtimes : []) {
    const report: Report = { runtime, failures: [] };
    reports.push(report);
    try {
      report.executors = await bench(runtime, bins![runtime], "executors.ts", forward);
    } catch (e) {
      report.failures.push(`executors.ts on ${runtime} ${(e as Error).message}`);
    }
    try {
      report.hash = await bench(runtime, bins![runtime], "hash.ts", repsOnly(forward));
    } catch (e) {
      report.failures.push(`hash.ts on ${runtime} ${(e as Error).message}`);
    }
    if (!PISCINA.includes(runtime)) continue;
    // The same workload as executors.ts calibrated, unless --n fixed it for both.
    const n = report.executors && !forward.includes("--n")
      ? ["--n", String(report.executors.cpu.n)]
      : [];
    try {
      report.piscina = await bench(runtime, bins![runtime], "piscina.ts", [...forward, ...n]);
    } catch (e) {
      report.failures.push(`piscina.ts on ${runtime} ${(e as Error).message}`);
    }
  }

  if (json) await Deno.writeTextFile(json, JSON.stringify(reports, null, 2) + "\n");
  for (const { runtime, executors, piscina, hash } of reports) {
    const info = executors?.runtime ?? piscina?.runtime ?? hash?.runtime;
    if (!info) continue;
    const rows: Row[] = [
      ...(executors ? executorRows(executors) : []),
      ...(piscina ? [piscinaRow(piscina)] : []),
      ...(hash ? [hashRow(hash)] : []),
    ];
    const name = runtime[0].toUpperCase() + runtime.slice(1);
    console.log(`\n${name} ${info.version}, ${info.cores} cores:\n`);
    console.log(markdown(rows));
    const hashNoise: [string, Stats][] = hash ? [["hash", hash.hash]] : [];
    console.log(`\n${noiseNote([...noiseParts(executors, piscina), ...hashNoise])}`);
  }
  const failures = reports.flatMap((r) => r.failures);
  for (const failure of failures) console.error(`\nFAILED: ${failure}`);
  if (failures.length > 0) Deno.exit(1);
}

await main();
