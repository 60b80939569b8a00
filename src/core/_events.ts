/** Dispatches callback events; absent (undefined) when no callback listens. */

import type { Callback, CallbackContext, CallbackHook } from "./callback.ts";

/** The callbacks of one top-level call and their shared context. */
export class Events {
  readonly callbacks: readonly Callback[];
  readonly context: CallbackContext;

  constructor(callbacks: readonly Callback[], context: CallbackContext) {
    this.callbacks = callbacks;
    this.context = context;
  }

  /** Calls `hook` on every callback that has it; a throwing callback is reported, not fatal. */
  emit(hook: CallbackHook, event: object): void {
    for (const cb of this.callbacks) {
      const fn = cb[hook] as ((e: object, c: CallbackContext) => void) | undefined;
      if (fn === undefined) continue;
      try {
        fn.call(cb, event, this.context);
      } catch (error) {
        console.error(
          `Callback ${cb.name ?? "(unnamed)"} threw in ${hook}; the run goes on:`,
          error,
        );
      }
    }
  }
}

/** Milliseconds since the epoch with sub-millisecond precision. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Merges callback lists without duplicates, outer ones first. */
export function mergeCallbacks(
  outer: readonly Callback[],
  own: readonly Callback[],
): readonly Callback[] {
  if (own.length === 0) return outer;
  if (outer.length === 0) return own;
  return [...outer, ...own.filter((c) => !outer.includes(c))];
}

/** Whether `cb` implements at least one hook (own or inherited); others are skipped for free. */
export function hasHooks(cb: Callback): boolean {
  for (
    let o: object | null = cb;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o)
  ) {
    for (const k of Object.getOwnPropertyNames(o)) {
      if (
        k.startsWith("on") && typeof (cb as unknown as Record<string, unknown>)[k] === "function"
      ) {
        return true;
      }
    }
  }
  return false;
}
