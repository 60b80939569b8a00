/**
 * Finds or installs what the test task needs: the npm dependencies in `node_modules/` (for Bun
 * and Node, and for Deno's `"nodeModulesDir": "manual"`), and Bun and Node binaries in the
 * ignored folder `.runtimes/`. Both come from the npm registry, so a machine with only Node and
 * npm can run the whole suite. Deno is whichever Deno runs this script.
 *
 * @module
 */

/** The runtimes the suite runs on, in the order it runs on them. */
export const RUNTIMES = ["deno", "bun", "node"] as const;
/** One of {@linkcode RUNTIMES}. */
export type Runtime = typeof RUNTIMES[number];

const ROOT = new URL("../", import.meta.url);
const DIR = new URL(".runtimes/", ROOT);
const OS = Deno.build.os === "darwin" ? "darwin" : "linux";
const X64 = Deno.build.arch === "x86_64";

const NODE_PKG = `node-${OS}-${X64 ? "x64" : "arm64"}`;

interface Package {
  /** The package whose version is checked. */
  name: string;
  /** What `npm install` gets. */
  spec: string;
  version: RegExp;
  /** Where the binary may lie, under `node_modules/`, best first. */
  bins: string[];
}

const PACKAGES: Record<Exclude<Runtime, "deno">, Package> = {
  bun: {
    name: "bun",
    spec: "bun@1.4.4",
    version: /^1\.4\.4$/,
    // The platform package holds the binary; bun's postinstall, where it ran, moves it.
    bins: [`@oven/bun-${OS}-${X64 ? "x64" : "aarch64"}/bin/bun`, "bun/bin/bun.exe"],
  },
  node: {
    name: NODE_PKG,
    spec: `${NODE_PKG}@24`,
    version: /^24\./,
    bins: [`${NODE_PKG}/bin/node`],
  },
};

/** Runs a command with inherited output; throws if it fails, as nothing can go on without it. */
async function sh(cmd: string, args: string[]): Promise<void> {
  console.error(`\n$ ${cmd} ${args.join(" ")}`);
  const { code } = await new Deno.Command(cmd, { args, cwd: ROOT }).spawn().status;
  if (code !== 0) throw new Error(`Cannot prepare the test run as \`${cmd}\` exited ${code}`);
}

function stat(url: URL): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(url);
  } catch {
    return undefined;
  }
}
const mtime = (url: URL) => stat(url)?.mtime?.getTime();
const size = (url: URL) => stat(url)?.size;

/** Runs `npm ci` when `node_modules/` is missing or older than `package-lock.json`. */
export async function ensureNodeModules(): Promise<void> {
  const installed = mtime(new URL("node_modules/.package-lock.json", ROOT));
  const locked = mtime(new URL("package-lock.json", ROOT)) ?? 0;
  if (installed !== undefined && installed >= locked) return;
  await sh("npm", ["ci", "--no-audit", "--no-fund"]);
}

function binary(name: Exclude<Runtime, "deno">): string | undefined {
  const pkg = PACKAGES[name];
  const modules = new URL("node_modules/", DIR);
  try {
    const manifest = JSON.parse(
      Deno.readTextFileSync(new URL(`${pkg.name}/package.json`, modules)),
    );
    if (!pkg.version.test(manifest.version)) return undefined;
  } catch {
    return undefined;
  }
  for (const bin of pkg.bins) {
    const url = new URL(bin, modules);
    // Without install scripts `bun/bin/bun.exe` is a small placeholder, not the binary.
    if ((size(url) ?? 0) > 1_000_000) return decodeURIComponent(url.pathname);
  }
  return undefined;
}

/**
 * Returns the path of each wanted runtime's binary, installing Bun and Node into `.runtimes/`
 * with npm first where they are missing or at another version.
 */
export async function ensureRuntimes(wanted: readonly Runtime[]): Promise<Record<Runtime, string>> {
  const paths = { deno: Deno.execPath(), bun: "", node: "" };
  const missing = wanted.filter((name) => name !== "deno" && !binary(name)) as ("bun" | "node")[];
  if (missing.length > 0) {
    const specs = missing.map((name) => PACKAGES[name].spec);
    // Scripts stay off: the binaries ship in the platform packages, and bun's postinstall
    // would run under whatever `node` is on PATH.
    const flags = ["--prefix", ".runtimes", "--ignore-scripts", "--no-audit", "--no-fund"];
    await sh("npm", ["install", ...flags, ...specs]);
  }
  for (const name of ["bun", "node"] as const) {
    if (!wanted.includes(name)) continue;
    const path = binary(name);
    if (!path) {
      throw new Error(
        `Cannot run tests on ${name} as its binary is missing from .runtimes/ after npm install: delete .runtimes/ and retry`,
      );
    }
    paths[name] = path;
  }
  return paths;
}
