/**
 * Internal runtime adapter: the process's stdout and an unref'd timer, chosen
 * once (`globalThis.Deno`, else `globalThis.process` for Node and Bun, else
 * `console.log`).
 *
 * @module
 */

/** Where progress is drawn. */
export interface Stdout {
  /** Writes text as is. */
  write(text: string): void;
  /** Whether it is a terminal (redraws in place) rather than a pipe or file. */
  readonly isTTY: boolean;
  /** The terminal width now (it may be resized). */
  columns(): number;
}

interface DenoLike {
  stdout: { writeSync(bytes: Uint8Array): number; isTerminal(): boolean };
  consoleSize(): { columns: number };
  unrefTimer(id: number): void;
}

interface ProcessLike {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

const runtime = globalThis as unknown as { Deno?: DenoLike; process?: ProcessLike };

function choose(): Stdout {
  const deno = runtime.Deno;
  if (deno) {
    const encoder = new TextEncoder();
    return {
      write(text) {
        const bytes = encoder.encode(text);
        for (let n = 0; n < bytes.length;) n += deno.stdout.writeSync(bytes.subarray(n));
      },
      isTTY: deno.stdout.isTerminal(),
      columns() {
        try {
          return deno.consoleSize().columns;
        } catch {
          return 80; // not a terminal
        }
      },
    };
  }
  const out = runtime.process?.stdout;
  if (out) {
    return {
      write: (text) => void out.write(text),
      isTTY: out.isTTY === true,
      columns: () => out.columns ?? 80,
    };
  }
  return { write: (text) => console.log(text.replace(/\n$/, "")), isTTY: false, columns: () => 80 };
}

let chosen: Stdout | undefined;

/** The process's stdout, chosen on first use. */
export function stdout(): Stdout {
  return chosen ??= choose();
}

/**
 * Calls `fn` after `ms` without keeping the process alive for it.
 *
 * @returns A function that cancels the call.
 */
export function setTimer(fn: () => void, ms: number): () => void {
  const id: unknown = setTimeout(fn, ms);
  if (typeof id === "number") runtime.Deno?.unrefTimer(id);
  else (id as { unref?: () => void }).unref?.();
  return () => clearTimeout(id as number);
}
