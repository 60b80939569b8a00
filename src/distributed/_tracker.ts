/**
 * Waits for a map's chunks: each is checked when BullMQ's events say its job finished, and
 * every poll interval anyway (events are lost while Redis restarts or the events connection
 * reconnects), a bounded number per tick. Gives up when nothing finished for the idle
 * timeout, or when the signal aborts.
 *
 * @module
 */

/** Options of {@linkcode trackChunks}. */
export interface TrackOptions {
  /** The chunks' job ids. */
  readonly ids: readonly string[];
  /**
   * Looks at one job: `"done"` when its chunk was delivered, `"pending"` when it has not
   * finished (or Redis could not be asked). Rejects to fail the whole map.
   */
  check(id: string, hint?: unknown): Promise<"done" | "pending">;
  /**
   * Calls `wake` when the job may have finished, with what the event said (its return
   * value, when it completed); returns an unsubscribe function.
   */
  subscribe(id: string, wake: (hint?: unknown) => void): () => void;
  /** How often pending jobs are checked without an event. */
  readonly pollIntervalMs: number;
  /** Jobs checked per poll tick at most. */
  readonly pollBatch: number;
  /** How long without a finished chunk before giving up. */
  readonly idleTimeoutMs: number;
  /** The error to give up with when idle. */
  idleError(pending: number): Promise<Error>;
  /** Aborts the wait with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/**
 * Resolves when every chunk was delivered; rejects with the first failure, the idle error
 * or `signal.reason`. Resolves the ids still pending (empty on success) through `pending`.
 */
export function trackChunks(options: TrackOptions, pending: Set<string>): Promise<void> {
  const { ids, check, signal } = options;
  for (const id of ids) pending.add(id);
  return new Promise<void>((resolve, reject) => {
    const busy = new Set<string>();
    const unsubscribe: (() => void)[] = [];
    let lastProgress = performance.now();
    let settled = false;
    let cursor: string[] = [];
    let timer: ReturnType<typeof setInterval> | undefined = undefined;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      for (const off of unsubscribe) off();
      signal?.removeEventListener("abort", onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const consider = (id: string, hint?: unknown): void => {
      if (settled || !pending.has(id) || busy.has(id)) return;
      busy.add(id);
      check(id, hint).then((state) => {
        busy.delete(id);
        if (settled || state !== "done") return;
        pending.delete(id);
        lastProgress = performance.now();
        if (pending.size === 0) finish();
      }, (error) => {
        busy.delete(id);
        finish(error);
      });
    };
    const onAbort = (): void => finish(signal!.reason);
    const tick = (): void => {
      if (settled) return;
      if (performance.now() - lastProgress > options.idleTimeoutMs) {
        const left = pending.size;
        options.idleError(left).then(finish, finish);
        return;
      }
      if (cursor.length === 0) cursor = [...pending];
      for (const id of cursor.splice(0, options.pollBatch)) consider(id);
    };
    if (signal?.aborted) return finish(signal.reason);
    if (ids.length === 0) return finish();
    signal?.addEventListener("abort", onAbort, { once: true });
    timer = setInterval(tick, options.pollIntervalMs);
    for (const id of ids) unsubscribe.push(options.subscribe(id, (hint) => consider(id, hint)));
  });
}
