/** Small helpers for promise-or-value code and cancellation. */

/** Whether `value` is a thenable (checked without awaiting plain values). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/** `promise`, but rejecting with `signal.reason` as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

/** Calls `run` and returns its result as a promise (sync throws become rejections). */
export function call<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Starts `start(i)` for i in 0..n-1 with at most `concurrency` in flight;
 * stops starting new ones once `stop()` is true. Resolves when all started
 * ones settled. `start` must not reject (it handles its own errors).
 */
export function forEachLimited(
  n: number,
  concurrency: number,
  start: (i: number) => Promise<void>,
  stop: () => boolean,
): Promise<void> {
  return new Promise((resolve) => {
    let next = 0;
    let running = 0;
    const launch = (): void => {
      while (running < concurrency && next < n && !stop()) {
        running++;
        start(next++).then(done, done);
      }
      if (running === 0) resolve();
    };
    const done = (): void => {
      running--;
      launch();
    };
    launch();
  });
}
