/**
 * The results of the cross-runtime benches as plain data (what `--json` prints) and their
 * markdown rows: `scenario | baseline | measured | ratio | target`. Pure: used by the bench
 * scripts on every runtime and by `run.ts` on Deno.
 *
 * @module
 */
import type { RuntimeInfo, Stats } from "./_common.ts";

/** What `executors.ts --json` prints. */
export interface ExecutorsResult {
  kind: "executors";
  runtime: RuntimeInfo;
  /** Parallel map of CPU items against the sequential engine. */
  cpu: { n: number; items: number; sequential: Stats; parallel: Stats };
  /** Parallel map of trivial items against a plain loop and the sequential engine. */
  tiny: { items: number; loop: Stats; sequential: Stats; parallel: Stats };
  /** `startWorker()` to READY: the test fixture, the executors' worker entry. */
  startup: { channel: Stats; fixture: Stats; entry: Stats };
}

/** What `piscina.ts --json` prints. */
export interface PiscinaResult {
  kind: "piscina";
  runtime: RuntimeInfo;
  n: number;
  items: number;
  /** Workers of both pools. */
  workers: number;
  hn: Stats;
  piscina: Stats;
}

/** What `hash.ts --json` prints: each call hashed (or stringified) the array `repeat` times. */
export interface HashResult {
  kind: "hash";
  runtime: RuntimeInfo;
  /** Elements of the hashed array of small objects. */
  elements: number;
  /** Hashes per measured call. */
  repeat: number;
  /** `hashValue()`. */
  hash: Stats;
}

/** Python HyperNodes' hashing time per element of a list of small dicts (0.8 s for 300,000). */
export const PYTHON_HASH_US = 2.67;

/** One table row. */
export interface Row {
  scenario: string;
  baseline: string;
  measured: string;
  ratio: string;
  target: string;
}

/** Formats milliseconds: whole from 100 ms (thousands separated), else three significant digits. */
export function ms(value: number): string {
  if (value >= 100) return `${Math.round(value).toLocaleString("en-US")} ms`;
  return `${value.toPrecision(value >= 1 ? 3 : 2)} ms`;
}

function verdict(target: string, met: boolean): string {
  return `${target}: ${met ? "met" : "missed"}`;
}

function steps(n: number): string {
  return n >= 1e6 ? `${+(n / 1e6).toFixed(2)}M` : n.toLocaleString("en-US");
}

function times(value: number): string {
  return `${value.toFixed(2)}×`;
}

/**
 * The rows of an {@linkcode ExecutorsResult}. Ratios and verdicts use medians; "best" uses the
 * fastest repetition of each side, the better estimate when other processes took a core now and
 * then (the parallel side suffers most from that).
 */
export function executorRows(r: ExecutorsResult): Row[] {
  const { cpu, tiny, startup } = r;
  const itemMs = cpu.sequential.median / cpu.items;
  const speedup = cpu.sequential.median / cpu.parallel.median;
  const bestSpeedup = cpu.sequential.min / cpu.parallel.min;
  const perItem = (map: number, loop: number) => ((map - loop) * 1000) / tiny.items;
  const seqUs = perItem(tiny.sequential.median, tiny.loop.median);
  const parUs = perItem(tiny.parallel.median, tiny.loop.median);
  const bestUs = perItem(tiny.parallel.min, tiny.loop.min);
  const us = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} µs`;
  return [
    {
      scenario: `parallel map, ${cpu.items} CPU items (n = ${steps(cpu.n)}: ${
        itemMs.toFixed(1)
      } ms/item), ${r.runtime.cores} workers`,
      baseline: `sequential ${ms(cpu.sequential.median)}`,
      measured: `parallel ${ms(cpu.parallel.median)}`,
      ratio: `**${times(speedup)}** faster (best ${times(bestSpeedup)})`,
      target: verdict("≥ 1.7×", speedup >= 1.7),
    },
    {
      scenario: `parallel map, ${tiny.items.toLocaleString("en-US")} trivial items`,
      baseline: `loop ${ms(tiny.loop.median)}; sequential ${ms(tiny.sequential.median)} (${
        us(seqUs)
      }/item)`,
      measured: `parallel ${ms(tiny.parallel.median)}`,
      ratio: `**${us(parUs)}**/item overhead (best ${us(bestUs)})`,
      target: verdict("≤ 1 µs/item", parUs <= 1),
    },
    {
      scenario: "worker start-up, `startWorker()` to READY",
      baseline: `MessageChannel round trip ${ms(startup.channel.median)}`,
      measured: `executor entry ${ms(startup.entry.median)} (best ${
        ms(startup.entry.min)
      }); test fixture ${ms(startup.fixture.median)}`,
      ratio: "—",
      target: verdict("≤ 50 ms", startup.entry.median <= 50),
    },
  ];
}

/** The row of a {@linkcode PiscinaResult}; "best" as in {@linkcode executorRows}. */
export function piscinaRow(r: PiscinaResult): Row {
  const ratio = r.hn.median / r.piscina.median;
  return {
    scenario: `CPU map vs piscina, ${r.items} items (n = ${steps(r.n)}), ${r.workers} workers`,
    baseline: `piscina ${ms(r.piscina.median)}`,
    measured: `parallel ${ms(r.hn.median)}`,
    ratio: `**${times(ratio)}** hn/piscina (best ${times(r.hn.min / r.piscina.min)})`,
    // Judged at the precision shown: a ratio printed as 1.00× is not measurably slower.
    target: verdict("≤ 1.00× (not slower)", Math.round(ratio * 100) <= 100),
  };
}

/** The row of a {@linkcode HashResult}: per element, against Python HyperNodes; "best" as above. */
export function hashRow(r: HashResult): Row {
  const us = (r.hash.median * 1000) / (r.elements * r.repeat);
  const best = (r.hash.min * 1000) / (r.elements * r.repeat);
  return {
    scenario: `hash ${r.elements.toLocaleString("en-US")} small objects`,
    baseline: `Python HyperNodes ${PYTHON_HASH_US} µs/element`,
    measured: `hashValue ${us.toFixed(3)} µs/element (best ${best.toFixed(3)} µs)`,
    ratio: `**${(PYTHON_HASH_US / us).toFixed(1)}×** faster than Python (best ${
      (PYTHON_HASH_US / best).toFixed(1)
    }×)`,
    target: verdict("≥ 20×", PYTHON_HASH_US / us >= 20),
  };
}

/** A markdown table of `rows`, padded as `deno fmt` pads it. */
export function markdown(rows: readonly Row[]): string {
  const keys = ["scenario", "baseline", "measured", "ratio", "target"] as const;
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [
    line(keys),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(keys.map((k) => r[k]))),
  ].join("\n");
}

/** Each scenario's timings that carry the noise figures of its rounds. */
export function noiseParts(
  executors: ExecutorsResult | undefined,
  piscina: PiscinaResult | undefined,
): [string, Stats][] {
  return [
    ...(executors
      ? [
        ["CPU map", executors.cpu.parallel],
        ["trivial items", executors.tiny.parallel],
        ["start-up", executors.startup.entry],
      ] as [string, Stats][]
      : []),
    ...(piscina ? [["piscina", piscina.hn]] as [string, Stats][] : []),
  ];
}

/** One sentence on how busy the machine was while `parts` were measured. */
export function noiseNote(parts: [string, Stats][]): string {
  const used = parts.map(([label, s]) => `${label} ${s.others?.toFixed(2) ?? "n/a"}`);
  const retried = parts.reduce((sum, [, s]) => sum + s.retried, 0);
  return `Most cores used by other processes during a kept round: ${used.join(", ")} ` +
    `(extra rounds measured for noise: ${retried}).`;
}
