/**
 * Shared by the cross-runtime benches: which runtime this is, their flags, a small timer and
 * the calibration of the CPU workload. Runs unchanged on Deno, Bun and Node 24.
 *
 * The timer is in-house rather than mitata's `measure()` (which works on all three): these are
 * 1 ms – 2 s measurements with a fixed, small number of repetitions, interleaved across the
 * compared operations and repeated when other processes took CPU meanwhile, while mitata
 * measures one function at a time with adaptive sampling, batching and forced GC.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import type { HyperNodesEngine } from "../../mod.ts";
import { cpu } from "../../tests/workers/_bench_pipelines.ts";

/** The runtime a bench ran on. */
export interface RuntimeInfo {
  /** `deno`, `bun` or `node`. */
  name: "deno" | "bun" | "node";
  /** Its version. */
  version: string;
  /** `navigator.hardwareConcurrency`: the worker count of `ParallelExecutor` and of piscina. */
  cores: number;
}

/** The runtime this code runs on. */
export function runtimeInfo(): RuntimeInfo {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  const cores = navigator.hardwareConcurrency;
  if (g.Deno) return { name: "deno", version: g.Deno.version.deno, cores };
  if (g.Bun) return { name: "bun", version: g.Bun.version, cores };
  return { name: "node", version: process.versions.node, cores };
}

/** Timings of one measured operation, in milliseconds. */
export interface Stats {
  median: number;
  min: number;
  max: number;
  /** Every kept repetition, in the order measured. */
  samples: number[];
  /**
   * The most cores other processes used during a kept round; `null` where the machine does not
   * say (not Linux) or the rounds were too short (under 100 ms) to tell.
   */
  others: number | null;
  /** Extra rounds measured because other processes were busy (not counted). */
  retried: number;
}

/** The most cores other processes may use during a round for it to count. */
export const QUIET = 0.25;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** CPU seconds used so far by every process, and by this one (all its threads); Linux only. */
function cpuSeconds(): { all: number; own: number } | undefined {
  try {
    // user nice system idle iowait irq softirq steal …, in USER_HZ (100) ticks
    const t = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/)
      .slice(1).map(Number);
    const self = readFileSync("/proc/self/stat", "utf8");
    // Fields after "(comm)": state is field 3, utime 14 and stime 15.
    const f = self.slice(self.lastIndexOf(")") + 2).split(" ").map(Number);
    return { all: (t[0] + t[1] + t[2] + t[5] + t[6] + t[7]) / 100, own: (f[11] + f[12]) / 100 };
  } catch {
    return undefined;
  }
}

/**
 * Times several operations: each is called once to warm up (pools start, JIT), then rounds call
 * each once. Rounds alternate the order (A B, B A, …) so that drifting load hits every operation
 * alike. A round of 100 ms or more during which other processes used more than
 * {@linkcode QUIET} cores is noisy: rounds go on until `reps` are quiet or `3 × reps` were
 * measured, and the `reps` quietest count.
 *
 * @param ops The operations by name. When one returns a number, that number is its measured time
 * in ms (so that setup and teardown stay outside the measured part).
 * @param reps How many measured calls of each count.
 * @returns The timings by name.
 */
export async function interleave<K extends string>(
  ops: Record<K, () => unknown>,
  reps: number,
): Promise<Record<K, Stats>> {
  const names = Object.keys(ops) as K[];
  const rounds: { busy: number; took: Map<K, number> }[] = [];
  let quiet = 0;
  for (const name of names) await ops[name]();
  while (quiet < reps && rounds.length < 3 * reps) {
    const took = new Map<K, number>();
    const c0 = cpuSeconds(), w0 = performance.now();
    for (const name of rounds.length % 2 === 0 ? names : [...names].reverse()) {
      const t0 = performance.now();
      const own = await ops[name]();
      took.set(name, typeof own === "number" ? own : performance.now() - t0);
    }
    const c1 = cpuSeconds(), wall = (performance.now() - w0) / 1000;
    // CPU time is counted in 10 ms ticks: shorter rounds cannot be judged (NaN).
    const busy = c0 && c1 && wall >= 0.1
      ? Math.max(0, (c1.all - c0.all - (c1.own - c0.own)) / wall)
      : NaN;
    rounds.push({ busy, took });
    if (!(busy > QUIET)) quiet++;
  }
  const load = (r: { busy: number }) => Number.isNaN(r.busy) ? 0 : r.busy;
  const kept = rounds.map((r, i) => ({ ...r, i }))
    .sort((x, y) => load(x) - load(y)).slice(0, reps)
    .sort((x, y) => x.i - y.i);
  const judged = kept.filter((r) => !Number.isNaN(r.busy));
  const others = judged.length > 0 ? +Math.max(...judged.map((r) => r.busy)).toFixed(2) : null;
  return Object.fromEntries(names.map((k) => {
    const list = kept.map((r) => r.took.get(k)!);
    const stats: Stats = {
      median: median(list),
      min: Math.min(...list),
      max: Math.max(...list),
      samples: list,
      others,
      retried: rounds.length - kept.length,
    };
    return [k, stats];
  })) as Record<K, Stats>;
}

/**
 * Times one operation as {@linkcode interleave} does.
 *
 * @param fn The operation.
 * @param reps How many measured calls.
 * @returns The timings.
 */
export async function sample(fn: () => unknown, reps: number): Promise<Stats> {
  return (await interleave({ fn }, reps)).fn;
}

/** The flags every cross-runtime bench takes. */
export interface Flags {
  /** Print machine-readable results on stdout instead of a table. */
  json: boolean;
  /** Repetitions per measurement (each script has its own defaults). */
  reps?: number;
  /** Steps of arithmetic per CPU item; calibrated to about 20 ms when missing. */
  n?: number;
}

/** Usage line of the bench scripts. */
export const USAGE = "flags: [--json] [--reps N] [--n STEPS]";

/**
 * Parses the command line of a bench script.
 *
 * @returns The flags.
 * @throws {TypeError} For an unknown flag or a value that is not a positive number.
 */
export function flags(): Flags {
  const args = process.argv.slice(2);
  const out: Flags = { json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json") out.json = true;
    else if (arg === "--reps" || arg === "--n") {
      const value = Number(args[++i]);
      if (!(value > 0)) {
        throw new TypeError(`Cannot run the bench as ${arg} is not a positive number: ${USAGE}`);
      }
      if (arg === "--reps") out.reps = Math.round(value);
      else out.n = Math.round(value);
    } else throw new TypeError(`Cannot run the bench as flag ${arg} is unknown: ${USAGE}`);
  }
  return out;
}

/** Progress for humans, on stderr so that `--json` output stays clean. */
export function log(message: string): void {
  console.error(message);
}

/** Items of the CPU map. */
export const CPU_ITEMS = 48;
/** What one CPU item should take on one core. */
export const CPU_ITEM_MS = 20;

/** CPU time of this process in ms: the main thread's work while the workers idle. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The `n` that makes one item of the `cpu` pipeline take about {@linkcode CPU_ITEM_MS} of CPU
 * here (two significant digits). A short probe gives a first guess, then two rounds time the
 * guess itself and rescale it, as the cost per step is not constant (the running sum's size
 * changes the arithmetic). Each timing is the least CPU time (`process.cpuUsage()`, so that
 * other processes on a busy machine do not count) of several single runs on `engine`, called
 * before any worker starts.
 *
 * @param engine A sequential engine.
 * @returns Steps of arithmetic per item.
 */
export async function calibrate(engine: HyperNodesEngine): Promise<number> {
  const fastest = async (n: number, reps: number) => {
    let best = Infinity;
    for (let i = 0; i <= reps; i++) { // the first run warms up
      const t0 = cpuMs();
      await cpu.run({ n }, { engine });
      if (i > 0) best = Math.min(best, cpuMs() - t0);
    }
    return Math.max(best, 0.05);
  };
  const probe = 200_000;
  let n = (probe * CPU_ITEM_MS) / await fastest(probe, 20);
  for (let round = 0; round < 2; round++) {
    // At most ×4 per round, so that one bad reading cannot make a run take minutes.
    n *= Math.min(4, CPU_ITEM_MS / await fastest(Math.round(n), 5));
  }
  const unit = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / unit) * unit;
}

/** The inputs of the CPU map: {@linkcode CPU_ITEMS} items of `n` steps. */
export function cpuInputs(n: number): { n: number[] } {
  return { n: Array.from({ length: CPU_ITEMS }, () => n) };
}
