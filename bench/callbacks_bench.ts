/**
 * What do callbacks cost? A 100-node chain run with no callbacks (baseline),
 * with one callback that has no hooks (`{}`), and with one whose every hook
 * is a no-op.
 *
 * Run: `deno bench -A bench/callbacks_bench.ts`
 */

import { type Callback, callbackHooks, HyperNodesEngine, node, Pipeline } from "../mod.ts";

const HOOKS = callbackHooks;

// v0 → v1 → … → v100, each node adds one.
const nodes = [];
for (let i = 0; i < 100; i++) {
  const input = `v${i}`;
  nodes.push(
    node(
      { output: `v${i + 1}`, inputs: [input], name: `step${i}` },
      (args: Record<string, number>) => args[input] + 1,
    ),
  );
}
const chain = new Pipeline({ nodes, name: "chain" });

const noHooks: Callback = {};
const allHooks: Callback = Object.fromEntries(HOOKS.map((h) => [h, () => {}]));

const none = new HyperNodesEngine();
const empty = new HyperNodesEngine({ callbacks: [noHooks] });
const full = new HyperNodesEngine({ callbacks: [allHooks] });
const inputs = { v0: 0 };

Deno.bench("no callbacks", { group: "callbacks", baseline: true }, async () => {
  await chain.run(inputs, { engine: none });
});

Deno.bench("one callback without hooks ({})", { group: "callbacks" }, async () => {
  await chain.run(inputs, { engine: empty });
});

Deno.bench("one callback, every hook a no-op", { group: "callbacks" }, async () => {
  await chain.run(inputs, { engine: full });
});
