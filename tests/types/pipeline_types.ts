/**
 * Compile-time tests: checked by `deno check tests/types/`, never run.
 * `Expect<Equal<A, B>>` fails to compile when A and B differ; each
 * `// @ts-expect-error` line is wiring that must not compile.
 */
import {
  type AnyPipeline,
  node,
  Pipeline,
  type PipelineInputs,
  type PipelineOutputs,
} from "../../mod.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
type Expect<T extends true> = T;

const clean = node({ output: "cleaned" }, ({ text }: { text: string }) => text.trim());
const count = node(
  { output: "word_count" },
  ({ cleaned }: { cleaned: string }) => cleaned.split(" ").length,
);
const greet = node(
  { output: "msg" },
  ({ who, lang = "en" }: { who: string; lang?: string }) => `${lang}:${who}`,
);
const stats = node(
  { output: ["lo", "hi"] },
  ({ xs }: { xs: number[] }) => [Math.min(...xs), Math.max(...xs)] as const,
);
const p = new Pipeline({ nodes: [clean, count], name: "text" });

export async function checks(): Promise<void> {
  // Node types: multi-output tuple maps position by position.
  type _stats = Expect<Equal<PipelineOutputs<typeof stats>, { lo: number; hi: number }>>;

  // Pipeline input/output types are inferred from the nodes.
  type _in = Expect<Equal<PipelineInputs<typeof p>, { text: string }>>;
  type _out = Expect<Equal<PipelineOutputs<typeof p>, { cleaned: string; word_count: number }>>;

  // run's result type.
  const all = await p.run({ text: "a" });
  type _all = Expect<Equal<typeof all, { cleaned: string; word_count: number }>>;

  // Selective outputs narrow the result.
  const some = await p.run({ text: "a" }, { outputs: ["word_count"] });
  type _some = Expect<Equal<typeof some, { word_count: number }>>;

  // Selective outputs need only the inputs of their sub-graph.
  const twoRoots = new Pipeline({ nodes: [clean, count, greet] });
  const onlyMsg = await twoRoots.run({ who: "ann" }, { outputs: ["msg"] });
  type _onlyMsg = Expect<Equal<typeof onlyMsg, { msg: string }>>;
  // Through a chain: word_count needs cleaned, which needs text.
  await twoRoots.run({ text: "a b" }, { outputs: ["word_count"] });
  // Other inputs may still be passed, with their types.
  await twoRoots.run({ text: "a", who: "ann" }, { outputs: ["word_count"] });
  // @ts-expect-error word_count needs text (through cleaned)
  await twoRoots.run({ who: "ann" }, { outputs: ["word_count"] });
  // @ts-expect-error an input that is not needed is still type-checked
  await twoRoots.run({ text: "a", who: 3 }, { outputs: ["word_count"] });
  // @ts-expect-error several outputs need the union of their inputs
  await twoRoots.run({ who: "ann" }, { outputs: ["msg", "cleaned"] });
  // The same for map.
  const msgs = await twoRoots.map({ who: ["a", "b"] }, { mapOver: "who", outputs: ["msg"] });
  type _msgs = Expect<Equal<typeof msgs, { msg: string }[]>>;
  // @ts-expect-error map: word_count needs text
  await twoRoots.map({ who: ["a"] }, { mapOver: "who", outputs: ["word_count"] });
  // Bound inputs stay optional.
  await twoRoots.bind({ text: "x" }).run({ who: "ann" }, { outputs: ["msg", "word_count"] });

  // @ts-expect-error a missing input
  await p.run({});
  // @ts-expect-error a wrong input type
  await p.run({ text: 3 });
  // @ts-expect-error an unknown output name
  await p.run({ text: "a" }, { outputs: ["nope"] });

  // Optional inputs (defaults) may be left out.
  const g = new Pipeline({ nodes: [greet] });
  await g.run({ who: "ann" });
  // @ts-expect-error the required input is still required
  await g.run({ lang: "de" });

  // bind makes an input optional; unbind makes it required again.
  const bound = g.bind({ who: "ann" });
  await bound.run({});
  await bound.run({ who: "bob", lang: "de" });
  // @ts-expect-error unbound again
  await bound.unbind("who").run({});
  // @ts-expect-error bind of a wrongly typed value
  g.bind({ who: 1 });

  // map: mapOver names take iterables; the result is one output object per item.
  const rows = await p.map({ text: ["a", "b"] }, { mapOver: "text" });
  type _rows = Expect<Equal<typeof rows, { cleaned: string; word_count: number }[]>>;
  const picked = await p.map({ text: new Set(["a"]) }, { mapOver: "text", outputs: ["cleaned"] });
  type _picked = Expect<Equal<typeof picked, { cleaned: string }[]>>;
  const collected = await p.map({ text: ["a"] }, { mapOver: "text", errors: "collect" });
  type _collected = Expect<
    Equal<typeof collected, ({ cleaned: string; word_count: number } | Error)[]>
  >;
  // @ts-expect-error mapOver names an unknown input
  await p.map({ text: ["a"] }, { mapOver: "txt" });
  // @ts-expect-error the mapped input's items have the wrong type
  await p.map({ text: [1, 2] }, { mapOver: "text" });

  // asNode with mappings: outer input and output names and types.
  const perDoc = p.asNode({
    name: "per_doc",
    inputMapping: { docs: "text" },
    outputMapping: { word_count: "counts" },
    mapOver: "docs",
  });
  type _pdIn = Expect<Equal<PipelineInputs<typeof perDoc>, { docs: readonly string[] }>>;
  type _pdOut = Expect<Equal<PipelineOutputs<typeof perDoc>, { counts: number[] }>>;
  const plain = p.asNode({ outputMapping: { cleaned: "c" } });
  type _plainOut = Expect<Equal<PipelineOutputs<typeof plain>, { c: string }>>;
  const total = node({ output: "total" }, ({ counts }: { counts: number[] }) => counts.length);
  const outer = new Pipeline({ nodes: [perDoc, total] });
  const o = await outer.run({ docs: ["a b"] });
  type _o = Expect<Equal<typeof o, { counts: number[]; total: number }>>;
  // @ts-expect-error inputMapping to an inner input that does not exist
  p.asNode({ inputMapping: { docs: "txt" } });

  // Producer/consumer type mismatch is a compile error in new Pipeline.
  const wantsNumber = node({ output: "n" }, ({ cleaned }: { cleaned: number }) => cleaned + 1);
  // @ts-expect-error "cleaned" is a string, its consumer wants a number
  new Pipeline({ nodes: [clean, wantsNumber] });
}

// Any typed pipeline (bound, unbound, nested) is accepted where an AnyPipeline is expected.
{
  const inner = new Pipeline({
    nodes: [node({ output: "n" }, ({ t }: { t: string }) => t.length)],
    name: "inner",
  });
  const outer = new Pipeline({
    nodes: [inner.asNode({ name: "each", mapOver: "t" })],
    name: "outer",
  });
  const takesAny = (p: AnyPipeline): string => p.name;
  takesAny(inner);
  takesAny(outer.unbind());
  takesAny(inner.bind({ t: "x" }));
}

// An output that may be undefined wires into an input that accepts undefined.
{
  const maybe = node({ output: "u" }, ({ x }: { x: number }) => (x > 0 ? x : undefined));
  const use = node({ output: "v" }, ({ u }: { u: number | undefined }) => u ?? 0);
  new Pipeline({ nodes: [maybe, use] });
  const strict = node({ output: "w" }, ({ u }: { u: number }) => u);
  // @ts-expect-error "u" may be undefined but the consumer requires a number
  new Pipeline({ nodes: [maybe, strict] });
}
