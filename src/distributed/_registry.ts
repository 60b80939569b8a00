/**
 * A worker's pipelines by name, and the check a chunk passes before it runs: the worker has a
 * pipeline of that name whose code fingerprint is the one the producer sent.
 *
 * @module
 */

import type { AnyPipeline } from "../core/types.ts";
import type { DistributedErrorCode } from "./distributed_error.ts";
import { fingerprintOf } from "./_fingerprint.ts";
import type { ChunkJobData } from "./_protocol.ts";

/** Why a chunk is refused: its code and message. */
export class Refusal extends Error {
  /** `unknown_pipeline` or `stale_fingerprint`. */
  readonly code: DistributedErrorCode;

  /**
   * Creates the refusal.
   *
   * @param code Why.
   * @param message The full message.
   */
  constructor(code: DistributedErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Whether `value` quacks like a `Pipeline` (module namespaces hold other exports too). */
export function isPipeline(value: unknown): value is AnyPipeline {
  const p = value as AnyPipeline;
  return typeof value === "object" && value !== null && typeof p.name === "string" &&
    Array.isArray(p.nodes) && typeof p.plan === "function" &&
    typeof p.resolveInputs === "function" && typeof p.graph === "object";
}

/** The pipelines of one worker, by `name` (several with one name are told apart by code). */
export class PipelineRegistry {
  readonly #byName = new Map<string, AnyPipeline[]>();

  /** @param pipelines An array, or an object (a module namespace) whose values include pipelines. */
  constructor(pipelines: readonly unknown[] | Readonly<Record<string, unknown>>) {
    const values = Array.isArray(pipelines) ? pipelines : Object.values(pipelines ?? {});
    for (const value of values) {
      if (!isPipeline(value)) continue;
      const list = this.#byName.get(value.name) ?? [];
      if (!list.includes(value)) list.push(value);
      this.#byName.set(value.name, list);
    }
  }

  /** The registered names. */
  get names(): string[] {
    return [...this.#byName.keys()];
  }

  /**
   * The pipeline a chunk asks for.
   *
   * @param data The chunk's job data.
   * @param where Names the worker in messages.
   * @throws {Refusal} When no pipeline has that name, or none has that fingerprint.
   */
  async find(data: ChunkJobData, where: string): Promise<AnyPipeline> {
    const list = this.#byName.get(data.pipeline);
    if (!list) {
      throw new Refusal(
        "unknown_pipeline",
        `Cannot run pipeline "${data.pipeline}" on ${where} as this worker has no pipeline of that name (it has ${
          this.names.map((p) => `"${p}"`).join(", ")
        }): export the pipeline from the module the worker loads, or start workers for it on another queue`,
      );
    }
    let unreadable = false;
    const seen: string[] = [];
    for (const pipeline of list) {
      const fp = await fingerprintOf(pipeline, data.fingerprintKind);
      if (fp === data.fingerprint) return pipeline;
      if (fp === undefined) unreadable = true;
      else seen.push(fp.slice(0, 12));
    }
    const why = unreadable
      ? "this worker cannot read the modules that define it to compare their source (give it read access)"
      : data.fingerprintKind === "runtime"
      ? "its code fingerprint differs from the producer's, and the producer sent a runtime fingerprint (it could not read its modules), which differs between Deno, Bun and Node even for the same code (give the producer read access to its modules)"
      : "its code differs from the producer's (another version of the modules that define its nodes, or of @hn/core)";
    const fps = ` (${data.fingerprintKind} fingerprint ${seen.join(", ") || "unknown"} here, ${
      data.fingerprint.slice(0, 12)
    } sent)`;
    throw new Refusal(
      "stale_fingerprint",
      `Cannot run pipeline "${data.pipeline}" on ${where} as ${why}${fps}: deploy the same code to the producer and the workers, then restart the workers`,
    );
  }
}
