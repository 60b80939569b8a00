/**
 * Pipeline pictures: {@linkcode toMermaid} and {@linkcode toDot} (also
 * exported by the root module) plus {@linkcode renderSvg}, which lays the DOT
 * out with Graphviz compiled to WebAssembly. A separate entry point so the
 * main import never loads `@viz-js/viz`.
 *
 * @example An SVG of a nested pipeline, expanded
 * ```ts
 * import { node, Pipeline } from "../../mod.ts";
 * import { renderSvg } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const inner = new Pipeline({
 *   nodes: [node({ output: "y" }, ({ x }: { x: number }) => x + 1)],
 *   name: "inner",
 * });
 * const outer = new Pipeline({
 *   nodes: [inner.asNode({ name: "step", inputMapping: { a: "x" } })],
 *   name: "outer",
 * });
 * const svg = await renderSvg(outer, { depth: Infinity });
 * assert.ok(svg.includes("a → x"));
 * ```
 *
 * @module
 */

export { type DotOptions, type DrawablePipeline, toDot } from "./dot.ts";
export { type MermaidOptions, toMermaid } from "./mermaid.ts";
export { renderSvg, type RenderSvgOptions } from "./svg.ts";
