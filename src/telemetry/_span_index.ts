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
  /** The event's item path as a key (see {@linkcode scopeOf}). */
  readonly scope: string;
  readonly node?: string;
  readonly inner?: string;
}

/** The fields of an event that say where it happened. */
export interface Where {
  readonly item?: number;
  readonly itemPath?: readonly number[];
}

/**
 * The item path of an event as a key: `"2/0"`, `""` outside maps. Events of engines that do
 * not set `itemPath` fall back to their `item`, which is enough as long as maps do not nest.
 */
export function scopeOf(e: Where): string {
  if (e.itemPath !== undefined) return e.itemPath.join("/");
  return e.item === undefined ? "" : String(e.item);
}

/** The scope of the map whose item has scope `scope`: `"2"` for `"2/0"`. */
export function outerScope(scope: string): string {
  const cut = scope.lastIndexOf("/");
  return cut < 0 ? "" : scope.slice(0, cut);
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
 * span one level up in the same map item scope whose path leads to it
 * (preferring the one whose node or inner name the path continues with, so
 * concurrent nested nodes do not cross-parent), else the map item span of the
 * same scope, else none (a root). Scopes are whole item paths, so the inner
 * items of concurrent outer items never match each other's spans.
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
      span.kind === "nested" && span.depth === at.depth - 1 && span.scope === at.scope &&
      span.path.length < at.path.length && isPrefix(span.path, at.path)
    ) {
      score = at.path[span.path.length] === span.node || at.pipeline === span.inner ? 2 : 1;
    } else if (
      span.kind === "item" && span.scope === at.scope && span.depth <= at.depth &&
      isPrefix(span.path, at.path)
    ) score = 1;
    if (score > 0 && score >= bestScore) best = span, bestScore = score;
  }
  return best;
}
