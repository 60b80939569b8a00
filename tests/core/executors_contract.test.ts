// The Executor contract (./_executor_suite.ts) for the core executors and a minimal custom one.
import type { Executor, Task } from "../../src/core/executor.ts";
import { AsyncExecutor } from "../../src/core/async_executor.ts";
import { SequentialExecutor } from "../../src/core/sequential_executor.ts";
import { executorContract } from "./_executor_suite.ts";

/** The smallest custom executor: `execute` only, honouring the signal. */
const minimal: Executor = {
  name: "minimal",
  concurrency: 3,
  async execute<R>(task: Task<R>, options?: { signal?: AbortSignal }): Promise<R> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    if (!signal) return await task.run();
    return await new Promise<R>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      Promise.resolve(task.run()).then(resolve, reject).finally(() =>
        signal.removeEventListener("abort", onAbort)
      );
    });
  },
};

executorContract('"sequential"', "sequential");
executorContract('"async"', "async");
executorContract("new SequentialExecutor()", new SequentialExecutor());
executorContract("new AsyncExecutor({ concurrency: 2 })", new AsyncExecutor({ concurrency: 2 }));
executorContract("a custom executor with execute() only", minimal);
