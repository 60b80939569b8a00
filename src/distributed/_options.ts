/**
 * Checks of the options that `QueueEngine`, `QueueWorker` and `RedisCache` share, each with
 * one message naming the class, the option and the fix.
 *
 * @module
 */

/**
 * `queue` when it is a usable queue name: non-empty and without `:` (BullMQ's key separator).
 *
 * @param owner The class whose options these are, for the message.
 * @param queue The `queue` option.
 * @returns The name.
 * @throws {TypeError} When it is not such a name.
 *
 * @example
 * ```ts
 * import { queueName } from "./_options.ts";
 * console.assert(queueName("QueueEngine", "hn") === "hn");
 * ```
 */
export function queueName(owner: string, queue: unknown): string {
  if (typeof queue !== "string" || queue === "" || queue.includes(":")) {
    throw new TypeError(
      `Cannot create ${owner} as queue is ${
        JSON.stringify(queue)
      }: pass a non-empty name without ":"`,
    );
  }
  return queue;
}

/**
 * An integer option: `value`, or `fallback` when it is left out.
 *
 * @param owner The class whose options these are, for the message.
 * @param name The option's name.
 * @param value The option's value.
 * @param fallback The default.
 * @param min The smallest value allowed (1 or 0).
 * @returns `value`, or `fallback`.
 * @throws {RangeError} When `value` is not an integer ≥ `min`.
 *
 * @example
 * ```ts
 * import { integerOption } from "./_options.ts";
 * console.assert(integerOption("QueueWorker", "lockMs", undefined, 5_000) === 5_000);
 * console.assert(integerOption("QueueWorker", "maxStalledCount", 0, 1, 0) === 0);
 * ```
 */
export function integerOption<F>(
  owner: string,
  name: string,
  value: number | undefined,
  fallback: F,
  min: 0 | 1 = 1,
): number | F {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Cannot create ${owner} as ${name} is ${value}: pass a ${
        min === 0 ? "non-negative" : "positive"
      } integer`,
    );
  }
  return value;
}
