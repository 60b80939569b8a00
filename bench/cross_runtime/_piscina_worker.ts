/**
 * piscina's worker for `piscina.ts`: runs the very function of the `cpu` bench pipeline's node,
 * called directly (no engine), so both pools do the same arithmetic.
 *
 * @module
 */
import type { Node } from "../../mod.ts";
import { cpu } from "../../tests/workers/_bench_pipelines.ts";

const node = cpu.nodes.find((n): n is Node => n.kind === "node");
if (!node) {
  throw new Error("Cannot start the piscina worker as the cpu pipeline has no function node");
}
const crunch = node.fn;

/** One CPU item. */
export default function (inputs: { n: number }): unknown {
  return crunch(inputs);
}
