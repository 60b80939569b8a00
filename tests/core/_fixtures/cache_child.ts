// Child process for tests/core/caching.test.ts: runs a plain and a nested
// pipeline (run + map) against a DiskCache folder given in argv, then prints
// JSON { results, calls } on stdout. Usage: <runtime> cache_child.ts <dir>
import process from "node:process";
import { HyperNodesEngine, node, Pipeline } from "../../../mod.ts";
import { DiskCache } from "../../../src/disk_cache/mod.ts";

const dir = process.argv[process.argv.length - 1];
const calls: Record<string, number> = {};
const tick = (name: string): void => {
  calls[name] = (calls[name] ?? 0) + 1;
};

const clean = node({ output: "cleaned" }, ({ text }: { text: string }) => {
  tick("clean");
  return text.trim().toLowerCase();
});
const words = node({ output: "words" }, ({ cleaned }: { cleaned: string }) => {
  tick("words");
  return cleaned.split(/\s+/);
});
const stats = node(
  { output: ["count", "when"] },
  ({ words }: { words: string[] }) => {
    tick("stats");
    return [words.length, new Date(Date.UTC(2024, 0, words.length))] as const;
  },
);
const plain = new Pipeline({ nodes: [clean, words, stats], name: "plain" });

const scale = node({ output: "scaled" }, ({ count, factor }: { count: number; factor: number }) => {
  tick("scale");
  return new Map([["n", count * factor]]);
});
const perDoc = plain.asNode({ name: "per_doc", outputMapping: { count: "count" } });
const outer = new Pipeline({ nodes: [perDoc, scale], name: "outer" });
const mapped = plain.asNode({
  name: "per_docs",
  inputMapping: { docs: "text" },
  outputMapping: { count: "counts" },
  mapOver: "docs",
});
const total = node({ output: "total" }, ({ counts }: { counts: number[] }) => {
  tick("total");
  return counts.reduce((a, b) => a + b, 0);
});
const mapOuter = new Pipeline({ nodes: [mapped, total], name: "map_outer" });

const engine = new HyperNodesEngine({ cache: new DiskCache(dir) });
const results = {
  plain: await plain.run({ text: " Hello Big World " }, { engine }),
  nested: await outer.run({ text: "a b c", factor: 10 }, { engine }),
  map: await plain.map({ text: ["x", "x y", "x y z"] }, { mapOver: "text", engine }),
  nestedMap: await mapOuter.run({ docs: ["p q", "r"] }, { engine }),
};
const json = (_k: string, v: unknown): unknown => v instanceof Map ? { map: [...v] } : v;
// Dates pass through toJSON (ISO strings), Maps as entry lists.
process.stdout.write(JSON.stringify({ results, calls }, json) + "\n");
