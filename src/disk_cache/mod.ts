/**
 * `DiskCache`: a cache of node outputs on disk, one file per entry, shared by
 * processes (and runtimes' processes of the same kind) that use one folder.
 * A subpath export so that `import "@hn/core"` never loads `node:fs`.
 *
 * ```ts
 * import { HyperNodesEngine } from "@hn/core";
 * import { DiskCache } from "@hn/core/disk-cache";
 *
 * const engine = new HyperNodesEngine({ cache: new DiskCache(".hn-cache") });
 * ```
 *
 * @module
 */

export { DiskCache } from "./disk_cache.ts";
export type { DiskCacheOptions } from "./disk_cache.ts";
export { CorruptEntryError, UnstorableError } from "../core/_codec.ts";
