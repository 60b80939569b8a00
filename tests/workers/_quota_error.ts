// A custom error class with fields, as user code would throw; shared by the tests and the worker.

/** Thrown by the fixture worker's `throwCustom`. */
export class QuotaError extends Error {
  override name = "QuotaError";
  /** A custom field. */
  readonly limit: number;
  constructor(message: string, limit: number, options?: ErrorOptions) {
    super(message, options);
    this.limit = limit;
  }
}
