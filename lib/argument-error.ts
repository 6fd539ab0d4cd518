/**
 * A bad argument to a library API: which field, what value, what is wrong, and what to do. Each API has its
 * own subclass, so callers can tell them apart.
 */
export class ArgumentError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    problem: string,
    readonly hint: string,
  ) {
    super(`${field}: ${problem} (got ${JSON.stringify(value)}); hint: ${hint}`);
  }
}
