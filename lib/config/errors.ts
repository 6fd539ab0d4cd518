/** One problem in the cluster config: where it is, what was there, and what to do about it. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `networking.podSubnet` (`<root>` for the whole file). */
  readonly path: string;
  /** The offending value as written (undefined when the field is missing). */
  readonly value: unknown;
  readonly message: string;
  readonly hint: string;
}

/** Raised for every invalid cluster config; lists all problems found, not just the first. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[], readonly source = 'cluster config') {
    super(formatIssues(issues, source));
    this.name = 'ConfigError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatIssues(issues: readonly ConfigIssue[], source: string): string {
  const lines = issues.map((i) => `  - ${i.path}: ${i.message} (got ${show(i.value)})\n    hint: ${i.hint}`);
  return `invalid ${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${lines.join('\n')}`;
}

/** The config's warnings as synth prints them, one `warning:` line and one hint line each. */
export function formatWarnings(warnings: readonly ConfigIssue[]): string[] {
  return warnings.map((w) => `warning: ${w.path}: ${w.message} (got ${show(w.value)})\n  hint: ${w.hint}`);
}
