/**
 * Terminal progress for @hn/core runs: {@linkcode ProgressCallback} and the
 * pure {@linkcode renderProgress} behind it.
 *
 * @example Rendering rows without a terminal
 * ```ts
 * import { renderProgress } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const row = {
 *   kind: "node", label: "embed", status: "done", start: 0, end: 1500,
 *   done: 0, cached: 0, failed: 0, children: [],
 * } as const;
 * assert.deepEqual(renderProgress({ now: 2000, rows: [row] }), ["✓ embed 1.50s"]);
 * ```
 *
 * @module
 */

export { ProgressCallback, type ProgressCallbackOptions } from "./progress_callback.ts";
export {
  type ProgressRow,
  type ProgressRowKind,
  type ProgressState,
  type ProgressStatus,
  renderProgress,
  type RenderProgressOptions,
} from "./render_progress.ts";
