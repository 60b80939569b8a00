/**
 * Internal: the open spans of one run and how an event finds its parent among
 * them. Kept apart from the OpenTelemetry calls so parenting rules read on
 * their own.
 *
 * @module
 */

/** What a span stands for in the waterfall. */
export type SpanKind = "pipeline" | "node" | "map" | "item" | "nested";

/** The fields parenting looks at. */
export interface Located {
  readonly kind: SpanKind;
  readonly depth: number;
  readonly path: readonly string[];
  readonly item?: number;
  readonly node?: string;
  readonly inner?: string;
}

/** Whether `prefix` is a prefix of `path` (equal counts). */
export function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

/** Whether two paths are equal. */
export function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && isPrefix(a, b);
}

/**
 * The latest open span matching `test` (latest wins so a re-entered path
 * parents to its newest instance).
 */
export function latest<T extends Located>(
  open: readonly T[],
  test: (span: T) => boolean,
): T | undefined {
  for (let i = open.length - 1; i >= 0; i--) if (test(open[i])) return open[i];
  return undefined;
}

/**
 * The span a pipeline or map starting at `at` runs inside: a nested-pipeline
 * span one level up whose path leads to it (preferring the one whose node or
 * inner name the path continues with, so concurrent nested nodes do not
 * cross-parent), else the map item span of the same item, else none (a root).
 */
export function container<T extends Located>(
  open: readonly T[],
  at: Located & { readonly pipeline: string },
): T | undefined {
  let best: T | undefined;
  let bestScore = 0;
  for (const span of open) {
    let score = 0;
    if (
      span.kind === "nested" && span.depth === at.depth - 1 && span.item === at.item &&
      span.path.length < at.path.length && isPrefix(span.path, at.path)
    ) {
      score = at.path[span.path.length] === span.node || at.pipeline === span.inner ? 2 : 1;
    } else if (
      span.kind === "item" && span.item === at.item && span.depth <= at.depth &&
      isPrefix(span.path, at.path)
    ) score = 1;
    if (score > 0 && score >= bestScore) best = span, bestScore = score;
  }
  return best;
}
