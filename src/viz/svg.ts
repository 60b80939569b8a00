/**
 * `renderSvg()`: a pipeline drawn as SVG by Graphviz compiled to WebAssembly
 * (`@viz-js/viz`), so no system Graphviz is needed.
 *
 * @module
 */

import { type DotOptions, type DrawablePipeline, toDot } from "./dot.ts";

/** Options of {@linkcode renderSvg}: those of {@linkcode toDot}. */
export interface RenderSvgOptions extends DotOptions {
  /**
   * The Graphviz layout engine.
   * @default "dot"
   */
  engine?: "dot" | "neato" | "fdp" | "circo" | "twopi" | "osage";
}

interface VizLike {
  renderString(input: string, options: { format: string; engine?: string }): string;
}

// The WASM module is large: load it on first use, once per process.
let viz: Promise<VizLike> | undefined;

function loadViz(): Promise<VizLike> {
  viz ??= import("@viz-js/viz").then((m) => m.instance() as Promise<VizLike>);
  return viz;
}

/**
 * Renders `pipeline` to an SVG document with the same drawing as
 * {@linkcode toDot} (depth, bound inputs, mappings).
 *
 * @param pipeline The pipeline to draw.
 * @param options `depth`, `separateOutputs`, `rankdir` and the layout `engine`.
 * @returns The SVG text (`<svg …>…</svg>` with an XML prolog).
 * @throws {RangeError} When `depth` is not a number ≥ 1.
 * @throws {Error} When Graphviz fails to lay the graph out.
 *
 * @example Writing the SVG of a pipeline
 * ```ts
 * import { node, Pipeline } from "../../mod.ts";
 * import { renderSvg } from "./svg.ts";
 * import assert from "node:assert/strict";
 *
 * const double = node({ output: "y" }, ({ x }: { x: number }) => x * 2);
 * const svg = await renderSvg(new Pipeline({ nodes: [double], name: "demo" }));
 * assert.match(svg, /<svg[\s\S]*>y<\/text>/);
 * ```
 */
export async function renderSvg(
  pipeline: DrawablePipeline,
  options: RenderSvgOptions = {},
): Promise<string> {
  const dot = toDot(pipeline, options);
  const instance = await loadViz();
  return instance.renderString(dot, { format: "svg", engine: options.engine ?? "dot" });
}
