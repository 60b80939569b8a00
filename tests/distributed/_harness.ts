// Processes for the distributed tests and bench: a private redis-server on a free loopback
// port, and `hn worker` processes on Deno, Bun or Node. Everything started here is stopped
// by `stopAll()` (call it in an after() hook), also when a test fails.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import process from "node:process";

const ROOT = new URL("../../", import.meta.url);
const CLI = new URL("src/distributed/cli.ts", ROOT).pathname;
/** The module the workers load. */
export const FIXTURE: string = new URL("./_pipelines.ts", import.meta.url).pathname;

type Runtime = "deno" | "bun" | "node";
const g = globalThis as { Deno?: { execPath(): string }; Bun?: unknown };
/** The runtime running this file. */
export const RUNTIME: Runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch { /* not here */ }
  }
  return undefined;
}

/** The binary of `runtime`: this process's own, else the first on PATH. */
export function runtimeBinary(runtime: Runtime): string | undefined {
  if (runtime === RUNTIME) return g.Deno ? g.Deno.execPath() : process.execPath;
  return onPath(runtime);
}

/** The redis-server binary, if installed (`HN_REDIS_SERVER` overrides; `none` skips). */
export const REDIS_SERVER: string | undefined = process.env.HN_REDIS_SERVER === "none"
  ? undefined
  : process.env.HN_REDIS_SERVER ?? onPath("redis-server") ??
    ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((f) => {
      try {
        accessSync(f, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });

/** Why Redis tests are skipped here, or false. */
export const SKIP_REDIS: string | false = REDIS_SERVER
  ? false
  : "redis-server is not installed (apt-get install -y redis-server); .ci/run installs it";

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

/** Resolves when `child` prints a line matching `ready`; rejects if it exits or after `ms`. */
function waitFor(child: ChildProcess, ready: RegExp, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer | string) => {
      seen += chunk;
      if (ready.test(seen)) done();
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited (${code}):\n${seen}`));
    const timer = setTimeout(() => done(new Error(`${what} not ready in ${ms} ms:\n${seen}`)), ms);
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", onExit);
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of ours. */
export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Kills it with SIGKILL (no shutdown, no final save) and waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder (the AOF is replayed). */
  restart(): Promise<void>;
}

/** Starts redis-server with AOF (`appendfsync always` unless told) on a free port, in a temp folder. */
export async function startRedis(fsync: "always" | "everysec" = "always"): Promise<RedisProcess> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "hn-redis-"));
  dirs.add(dir);
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(REDIS_SERVER!, [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      fsync,
      "--maxmemory-policy",
      "noeviction",
      "--daemonize",
      "no",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    child.stdout!.resume();
    child.stderr!.resume();
    await waitFor(child, /Ready to accept connections/, 10_000, `redis-server :${port}`);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    kill: () => kill(child!),
    restart: start,
  };
}

/** A `hn worker` process. */
export interface WorkerProcess {
  readonly runtime: Runtime;
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  readonly output: () => string;
  /** Resolves its exit code. */
  readonly exited: Promise<number | null>;
}

/** Starts `hn worker <module> --queue <queue> --connection <url> ...extra` on `runtime`. */
export async function startWorker(
  runtime: Runtime,
  redis: RedisProcess,
  queue: string,
  extra: string[] = [],
  module: string = FIXTURE,
): Promise<WorkerProcess> {
  const bin = runtimeBinary(runtime);
  if (!bin) throw new Error(`no ${runtime} binary on PATH`);
  const args = ["worker", module, "--queue", queue, "--connection", redis.url, ...extra];
  const cmd = runtime === "deno"
    // The permissions the README documents, so that they stay enough.
    ? [
      "run",
      "--no-check",
      `--allow-net=127.0.0.1:${redis.port}`,
      "--allow-env",
      "--allow-read",
      CLI,
      ...args,
    ]
    : [CLI, ...args];
  const child = spawn(bin, cmd, {
    cwd: ROOT.pathname,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  child.stdout!.on("data", (c) => out += c);
  child.stderr!.on("data", (c) => out += c);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await waitFor(child, /is ready for pipelines/, 30_000, `${runtime} worker`);
  return { runtime, child, output: () => out, exited };
}

/** Sends `signal` and waits (at most 20 s, then SIGKILL) for the exit. */
export function kill(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
    // process.kill, not child.kill: Deno's child_process reports any child it signalled as
    // killed by that signal (exit code null), even one that handled it and exited with 0.
    try {
      process.kill(child.pid!, signal);
    } catch { /* already gone */ }
  });
}

/** Kills every process started here and removes the temp folders, synchronously (`unload`). */
export function killAllNow(): void {
  for (const child of children) {
    try {
      process.kill(child.pid!, "SIGKILL");
    } catch { /* already gone */ }
  }
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

/** Kills every process started here and removes the temp folders. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => kill(c)));
  await Promise.all([...dirs].map((d) => rm(d, { recursive: true, force: true })));
  dirs.clear();
}
