/**
 * Runs the test suite on Deno, Bun and Node 24, one after the other, streaming each runner's
 * output, then prints a table per runtime and one closing line `N passed, N failed` (summed over
 * the runtimes). Exits non-zero if a test failed, a runner crashed or a runtime ran no test.
 *
 * ```sh
 * deno task test                                   # everything, on all three runtimes
 * deno task test --runtime bun --runtime node      # only some runtimes
 * deno task test tests/core/ tests/types/x.test.ts # only some files or folders
 * ```
 *
 * Bun and Node come from npm into `.runtimes/`, and `node_modules/` from `npm ci`, when missing.
 *
 * @module
 */
import { ensureNodeModules, ensureRuntimes, type Runtime, RUNTIMES } from "./_runtimes.ts";

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface Result {
  name: string;
  version: string;
  /** Undefined when the runner printed no summary we could read: it crashed. */
  counts?: Counts;
  code: number;
  seconds: number;
  timedOut?: boolean;
}

const USAGE = "usage: deno task test [--runtime deno|bun|node]... [file or folder]...";
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const TIMEOUT_MINUTES = 20;
const TEST_FILE = /[._]test\.[cm]?[jt]sx?$/;

function parseArgs(args: string[]): { runtimes: Runtime[]; files: string[] } {
  const runtimes: string[] = [], files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h" || arg === "--help") console.log(USAGE), Deno.exit(0);
    if (arg === "--runtime") runtimes.push(args[++i] ?? "");
    else if (arg.startsWith("--runtime=")) runtimes.push(arg.slice("--runtime=".length));
    else if (arg.startsWith("-")) {
      throw new TypeError(`Cannot run tests as option ${arg} is unknown: ${USAGE}`);
    } else files.push(arg);
  }
  const unknown = runtimes.find((r) => !(RUNTIMES as readonly string[]).includes(r));
  if (unknown !== undefined) {
    throw new TypeError(`Cannot run tests as runtime "${unknown}" is unknown: ${USAGE}`);
  }
  const wanted = RUNTIMES.filter((r) => runtimes.length === 0 || runtimes.includes(r));
  return { runtimes: wanted, files };
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** Each runner's arguments; with no files given, every `*.test.ts` under `tests/`. */
function runnerArgs(runtime: Runtime, files: string[], junit: string): string[] {
  const paths = files.length > 0 ? files : ["tests/"];
  // --no-check: `deno task check` type-checks everything once; checking here again would also
  // re-check every Worker's module graph at each worker start (~2 s each).
  if (runtime === "deno") return ["test", "-A", "--no-check", `--junit-path=${junit}`, ...paths];
  // Bun reads a bare word as a name filter and a `./` path as a path.
  if (runtime === "bun") return ["test", ...paths.map((f) => /^\.{0,2}\//.test(f) ? f : `./${f}`)];
  const globs = paths.map((f) => isDir(f) ? `${f.replace(/\/$/, "")}/**/*.test.ts` : f);
  // No --test-force-exit: with one process per file it can drop the last verdicts of a file and
  // still exit 0 (node#64833; seen here as 243 of 266 tests). A hung run hits TIMEOUT_MINUTES.
  return ["--test", "--test-reporter=spec", ...globs];
}

/** Deno counts a `describe` as a test and its `it`s as steps: count the leaves of its JUnit. */
function denoCounts(xml: string): Counts {
  const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)];
  const names = cases.map((m) => m[1]);
  const leaves = cases.filter((m) => !names.some((n) => n.startsWith(`${m[1]} &gt; `)));
  const count = (tag: string) => leaves.filter((m) => (m[2] ?? "").includes(tag)).length;
  const failed = count("<failure"), skipped = count("<skipped");
  return { passed: leaves.length - failed - skipped, failed, skipped };
}

/** Reads Bun's `N pass` / `N fail` or Node's `ℹ pass N` / `ℹ fail N`, the last ones printed. */
function summaryCounts(runtime: "bun" | "node", output: string): Counts | undefined {
  const get = (word: string) => {
    const line = runtime === "bun" ? `^\\s*(\\d+) ${word}$` : `^[ℹ#] ${word} (\\d+)$`;
    return Number([...output.matchAll(new RegExp(line, "gm"))].at(-1)?.[1] ?? NaN);
  };
  const passed = get("pass"), failed = get("fail"), todo = get("todo") || 0;
  if (Number.isNaN(passed + failed)) return undefined;
  if (runtime === "bun") return { passed, failed, skipped: (get("skip") || 0) + todo };
  return {
    passed,
    failed: failed + (get("cancelled") || 0),
    skipped: (get("skipped") || 0) + todo,
  };
}

/** Copies a child's stream to ours as it comes, and keeps the text for parsing. */
async function tee(
  from: ReadableStream<Uint8Array>,
  to: { write(p: Uint8Array): Promise<number> },
): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of from) {
    for (let done = 0; done < chunk.length;) done += await to.write(chunk.subarray(done));
    text += decoder.decode(chunk, { stream: true });
  }
  return text;
}

/** Folders of the project's runtimes: tests that spawn another runtime must get these. */
let runtimeDirs: string[] = [];
const dirOf = (bin: string): string => bin.replace(/\/[^/]*$/, "");

/** Runs one command, streaming its output, and returns its exit code and (uncoloured) output. */
async function run(
  bin: string,
  args: string[],
): Promise<{ code: number; output: string; timedOut: boolean }> {
  console.log(`\n━━━ ${[bin, ...args].join(" ")}\n`);
  // The runtime goes first on PATH, then the project's other runtimes, so that tests spawning
  // `node` or `bun` get these versions (not, say, an older system `node`).
  const dirs = [...new Set([dirOf(bin), ...runtimeDirs])];
  const env = { PATH: [...dirs, Deno.env.get("PATH") ?? ""].join(":") };
  const signal = AbortSignal.timeout(TIMEOUT_MINUTES * 60_000); // a hung runner must not hang CI
  const opts = { args, env, signal, stdin: "null", stdout: "piped", stderr: "piped" } as const;
  const child = new Deno.Command(bin, opts).spawn();
  const out = await Promise.all([tee(child.stdout, Deno.stdout), tee(child.stderr, Deno.stderr)]);
  const { code } = await child.status;
  if (signal.aborted) console.error(`\n${bin} was killed after ${TIMEOUT_MINUTES} minutes`);
  return { code, output: out.join("\n").replace(ANSI, ""), timedOut: signal.aborted };
}

async function runSuite(runtime: Runtime, bin: string, files: string[]): Promise<Result> {
  const start = performance.now();
  const junit = await Deno.makeTempFile({ suffix: ".xml" });
  const { code, output, timedOut } = await run(bin, runnerArgs(runtime, files, junit));
  const xml = await Deno.readTextFile(junit).finally(() => Deno.remove(junit));
  const counts = runtime !== "deno"
    ? summaryCounts(runtime, output)
    : xml.includes("<testsuites")
    ? denoCounts(xml)
    : undefined;
  const { stdout } = await new Deno.Command(bin, { args: ["--version"] }).output();
  const version = new TextDecoder().decode(stdout).match(/\d+\.\d+\.\d+/)?.[0] ?? "?";
  const seconds = (performance.now() - start) / 1000;
  return { name: runtime, version, counts, code, seconds, timedOut };
}

/** Type tests that are not test files only mean something to `deno check`: check them once. */
async function checkTypes(deno: string): Promise<Result | undefined> {
  const dir = "tests/types";
  const files = (isDir(dir) ? [...Deno.readDirSync(dir)] : []).map((e) => `${dir}/${e.name}`)
    .filter((f) => f.endsWith(".ts") && !TEST_FILE.test(f)).sort();
  if (files.length === 0) return undefined;
  const start = performance.now();
  const { code } = await run(deno, ["check", ...files]);
  const counts = { passed: code === 0 ? files.length : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
  const seconds = (performance.now() - start) / 1000;
  return { name: "deno check", version: Deno.version.deno, counts, code, seconds };
}

function verdict({ counts, code, timedOut }: Result): string {
  if (timedOut) return `TIMED OUT (${TIMEOUT_MINUTES} min)`;
  if (!counts) return `CRASHED (exit ${code}, no summary)`;
  if (counts.failed > 0) return "FAILED";
  if (code !== 0) return `FAILED (exit ${code})`;
  return counts.passed + counts.failed === 0 ? "RAN NO TEST" : "ok";
}

/** Prints the table and the closing line; returns whether every run was ok. */
function summarize(results: Result[]): boolean {
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const rows = [["runtime", "version", "passed", "failed", "skipped", "time", "result"]];
  for (const result of results) {
    const { counts } = result, status = verdict(result);
    total.passed += counts?.passed ?? 0;
    // A crash or a bare non-zero exit counts as one failure: the closing line never says
    // "0 failed" about a failed run.
    total.failed += counts?.failed || (status === "ok" ? 0 : 1);
    total.skipped += counts?.skipped ?? 0;
    const cells = [counts?.passed, counts?.failed, counts?.skipped].map((n) => String(n ?? "-"));
    rows.push([result.name, result.version, ...cells, `${result.seconds.toFixed(1)}s`, status]);
  }
  const width = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const pad = (cell: string, i: number) =>
    i >= 2 && i <= 5 ? cell.padStart(width[i]) : cell.padEnd(width[i]);
  console.log("\n━━━ summary\n");
  for (const row of rows) console.log(row.map(pad).join("  ").trimEnd());
  // The same files should give the same number of tests everywhere (skips included).
  const sizes = results.filter((r) => r.counts && r.name !== "deno check")
    .map((r) => `${r.name} ${r.counts!.passed + r.counts!.failed + r.counts!.skipped}`);
  if (new Set(sizes.map((s) => s.split(" ")[1])).size > 1) {
    console.log(`\nwarning: the runtimes ran different numbers of tests: ${sizes.join(", ")}`);
  }
  const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : "";
  console.log(`\n${total.passed} passed, ${total.failed} failed${skipped}`);
  return rows.slice(1).every((row) => row.at(-1) === "ok");
}

async function main(args: string[]): Promise<boolean> {
  const { runtimes, files } = parseArgs(args);
  await ensureNodeModules();
  // Every runtime, even for a run on one: cross-runtime tests spawn the others.
  const bins = await ensureRuntimes(RUNTIMES);
  runtimeDirs = Object.values(bins).map(dirOf);
  const results: Result[] = [];
  if (runtimes.includes("deno") && files.length === 0) {
    const types = await checkTypes(bins.deno);
    if (types) results.push(types);
  }
  for (const runtime of runtimes) results.push(await runSuite(runtime, bins[runtime], files));
  return summarize(results);
}

if (import.meta.main) {
  Deno.chdir(new URL("../", import.meta.url));
  const ok = await main(Deno.args).catch((error) => {
    console.error(`\n${error instanceof Error ? error.message : error}`);
    return false;
  });
  Deno.exit(ok ? 0 : 1);
}
