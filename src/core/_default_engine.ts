/** The engine pipelines use when neither they nor the call name one. */

import { HyperNodesEngine } from "./hypernodes_engine.ts";

let shared: HyperNodesEngine | undefined;

/** The shared sequential engine, created on first use. */
export function defaultEngine(): HyperNodesEngine {
  return shared ??= new HyperNodesEngine();
}
