/**
 * `hn worker`: processes the chunks that `QueueEngine` maps enqueue.
 *
 * ```sh
 * deno run -A src/distributed/cli.ts worker pipelines.ts --queue hn --connection redis://127.0.0.1:6379
 * node src/distributed/cli.ts worker pipelines.ts --queue hn --connection redis://127.0.0.1:6379
 * bun src/distributed/cli.ts worker pipelines.ts --queue hn --connection redis://127.0.0.1:6379
 * ```
 *
 * The module is imported once; every `Pipeline` it exports is registered by its `name`.
 * SIGTERM or SIGINT stop taking chunks and wait up to `--shutdown-timeout-ms` for the running
 * ones (a second signal stops at once; unfinished chunks go back to the queue when their lock
 * expires). On Deno the worker needs `--allow-net=<redis host:port> --allow-env` plus
 * `--allow-read` for the module (and whatever the pipelines themselves need).
 *
 * @module
 */

import process from "node:process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { QueueWorker, type QueueWorkerOptions } from "./queue_worker.ts";

const USAGE = `usage: hn worker <module> --queue <name> --connection <redis-url> [options]

  <module>                  a file or URL whose exported Pipelines the worker runs
  --queue <name>            the QueueEngine's queue
  --connection <url>        redis://[user:password@]host:port[/db] (or rediss://)
  --concurrency <n>         chunks processed at once (default 1)
  --prefix <p>              BullMQ key prefix (default "bull")
  --lock-ms <ms>            chunk lock; a dead worker's chunk is retried after about this (default 5000)
  --stalled-ms <ms>         how often to look for chunks of dead workers (default lock-ms / 2)
  --max-stalled <n>         times a chunk may lose its worker and run again (default 1; 0: fail it)
  --node-executor <name>    sequential | async: how each item's nodes run (default sequential)
  --shutdown-timeout-ms <ms> wait for running chunks on SIGTERM/SIGINT (default 30000)
  --name <name>             worker name in logs and CLIENT LIST (default host:pid)
  --quiet                   log nothing but errors`;

/**
 * Parsed `hn worker` arguments: the {@linkcode QueueWorkerOptions} the command line sets, plus
 * the module and how to run.
 */
export interface WorkerArgs extends
  Pick<
    QueueWorkerOptions,
    | "queue"
    | "concurrency"
    | "prefix"
    | "lockMs"
    | "stalledIntervalMs"
    | "maxStalledCount"
    | "nodeExecutor"
    | "name"
  > {
  /** The module URL. */
  module: string;
  /** The Redis URL. */
  connection: string;
  /** How long SIGTERM/SIGINT wait for running chunks. */
  shutdownTimeoutMs: number;
  /** Log only errors. */
  quiet: boolean;
}

const NUMBERS: Record<string, keyof WorkerArgs> = {
  "--concurrency": "concurrency",
  "--lock-ms": "lockMs",
  "--stalled-ms": "stalledIntervalMs",
  "--max-stalled": "maxStalledCount",
  "--shutdown-timeout-ms": "shutdownTimeoutMs",
};
const STRINGS: Record<string, keyof WorkerArgs> = {
  "--queue": "queue",
  "--connection": "connection",
  "--prefix": "prefix",
  "--name": "name",
  "--node-executor": "nodeExecutor",
};

/**
 * Parses the arguments after `hn` (`worker <module> --queue … --connection …`).
 *
 * @param args The arguments.
 * @param cwd The folder relative module paths are resolved against.
 * @returns The parsed arguments.
 * @throws {TypeError} On a missing or unknown argument, with the usage.
 *
 * @example
 * ```ts
 * import { parseWorkerArgs } from "./cli.ts";
 * const a = parseWorkerArgs(["worker", "p.ts", "--queue", "q", "--connection", "redis://h:1"], "/app");
 * console.assert(a.module === "file:///app/p.ts" && a.queue === "q");
 * ```
 */
export function parseWorkerArgs(args: readonly string[], cwd: string): WorkerArgs {
  const fail = (why: string): never => {
    throw new TypeError(`Cannot start hn worker as ${why}:\n${USAGE}`);
  };
  if (args[0] !== "worker") fail(args[0] ? `"${args[0]}" is not a command` : "no command is given");
  const out: Record<string, unknown> = { shutdownTimeoutMs: 30_000, quiet: false };
  let module: string | undefined;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (flag === "--quiet") out.quiet = true;
    else if (flag in NUMBERS || flag in STRINGS) {
      const value = inline ?? args[++i];
      if (value === undefined) fail(`${flag} has no value`);
      if (flag in NUMBERS) {
        const n = Number(value);
        const min = flag === "--max-stalled" ? 0 : 1;
        if (!Number.isInteger(n) || n < min) {
          fail(`${flag} is ${value}, not ${min === 0 ? "a non-negative" : "a positive"} integer`);
        }
        out[NUMBERS[flag]] = n;
      } else out[STRINGS[flag]] = value;
    } else if (flag.startsWith("-")) fail(`option ${flag} is unknown`);
    else if (module === undefined) module = arg;
    else fail(`"${arg}" is a second module`);
  }
  if (module === undefined) fail("no module is given");
  if (!out.queue) fail("--queue is missing");
  if (!out.connection) fail("--connection is missing");
  if (
    out.nodeExecutor !== undefined && !["sequential", "async"].includes(String(out.nodeExecutor))
  ) {
    fail(`--node-executor is "${out.nodeExecutor}", not sequential or async`);
  }
  out.module = /^[a-z][a-z0-9+.-]*:/i.test(module!) && !/^[a-z]:\\/i.test(module!)
    ? module
    : pathToFileURL(resolve(cwd, module!)).href;
  return out as unknown as WorkerArgs;
}

/**
 * Runs `hn worker`: imports the module, starts a {@linkcode QueueWorker} for its exported
 * pipelines, and closes it on SIGTERM/SIGINT. Resolves the exit code.
 *
 * @param args The arguments after `hn`.
 * @returns 0 after a graceful shutdown, 1 after a forced one, 2 on bad arguments.
 *
 * @example
 * ```ts ignore
 * import { main } from "./cli.ts";
 * process.exitCode = await main(["worker", "pipelines.ts", "--queue", "hn", "--connection", "redis://127.0.0.1:6379"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  let parsed: WorkerArgs;
  try {
    parsed = parseWorkerArgs(args, process.cwd());
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const { module, shutdownTimeoutMs, quiet, ...options } = parsed;
  const log = quiet ? () => {} : (line: string) => console.error(`hn worker: ${line}`);
  let exports: Record<string, unknown>;
  try {
    exports = await import(module);
  } catch (error) {
    console.error(
      `Cannot start hn worker as module ${module} failed to import: ${
        (error as Error)?.stack ?? error
      }`,
    );
    return 2;
  }
  const worker = new QueueWorker({
    ...options,
    pipelines: exports,
    log: (line) => line.startsWith("Cannot") ? console.error(`hn worker: ${line}`) : log(line),
  });
  const stopped = new Promise<number>((done) => {
    let signals = 0;
    const stop = (signal: string): void => {
      if (++signals > 1) {
        log(`${signal} again: stopping now`);
        process.exit(1);
      }
      log(`${signal}: stopping`);
      worker.close(shutdownTimeoutMs).then((graceful) => done(graceful ? 0 : 1));
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
  try {
    await worker.start();
  } catch (error) {
    console.error(`hn worker: ${(error as Error).message}`);
    await worker.close(1_000);
    return 1;
  }
  return await stopped;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
