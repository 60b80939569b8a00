// Pipelines the HTTP tests serve, and helpers to read answers.
import { node, Pipeline } from "../../mod.ts";

/** `sum = a + b + k` with `k` optional (default 0). */
export const adder = new Pipeline({
  nodes: [
    node({ output: "sum" }, ({ a, b, k = 0 }: { a: number; b: number; k?: number }) => a + b + k),
    node({ output: "doubled" }, ({ sum }: { sum: number }) => sum * 2),
  ],
  name: "adder",
});

/** `y = x`, but throws a RangeError for x > 1. */
export const fragile = new Pipeline({
  nodes: [
    node({ output: "y", name: "boom" }, ({ x }: { x: number }) => {
      if (x > 1) throw new RangeError(`too big: ${x}`);
      return x;
    }),
  ],
  name: "fragile",
});

/** A promise with its resolve function, to hold a node until the test lets it go. */
export interface Gate {
  /** Resolves when the gated node has started. */
  entered: Promise<void>;
  /** Lets the gated node finish. */
  open(): void;
  /** How many nodes after the gate ran. */
  after: number;
}

/** A pipeline whose first node waits on a new gate, then a second node counts. */
export function gated(name = "gated"): { pipeline: Pipeline; gate: Gate } {
  let entered!: () => void, open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  const gate: Gate = { entered: new Promise((r) => (entered = r)), open, after: 0 };
  const pipeline = new Pipeline({
    nodes: [
      node({ output: "held" }, async ({ x }: { x: number }) => {
        entered();
        await wait;
        return x;
      }),
      node({ output: "done" }, ({ held }: { held: number }) => (gate.after++, held + 1)),
    ],
    name,
  });
  return { pipeline: pipeline as unknown as Pipeline, gate };
}

/** One parsed Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Parses a whole SSE body. */
export function parseSse(text: string): SseEvent[] {
  return text.split("\n\n").filter((b) => b.trim() !== "").map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
    const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
    return { event, data: JSON.parse(data.join("\n")) };
  });
}

/** A JSON POST request init. */
export function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}
