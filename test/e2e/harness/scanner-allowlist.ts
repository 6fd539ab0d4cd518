import * as fs from 'fs';
import { parse } from 'yaml';

/**
 * The allowlists of the lint tier's third-party scanners (kube-score, Checkov): which findings the tier accepts,
 * each for one object and one check with the reason it is right there. Pure, so test/harness checks it.
 */

/** One finding of a scanner: the object (Kind/namespace/name), the check, the container it names ('' for none). */
export interface Finding {
  readonly object: string;
  readonly check: string;
  readonly container: string;
  readonly summary: string;
  /** Where the object is, for the message (file:line), when the scanner says. */
  readonly location?: string;
}

export interface AllowEntry {
  readonly object: string;
  readonly check: string;
  /** The containers it covers; absent or "*" = any (some scanners name no container). */
  readonly containers?: readonly string[];
  readonly reason: string;
}

/** A reason shorter than this says nothing about the object. */
const MIN_REASON = 20;

/** Parses an allowlist file's text; a clear error for an entry that misses a field, a real reason, or repeats another. */
export function parseAllowlist(text: string, source: string): AllowEntry[] {
  const entries = parse(text) as unknown;
  if (!Array.isArray(entries)) throw new Error(`${source}: expected a list of entries`);
  const seen = new Set<string>();
  return entries.map((e: Record<string, unknown>, i) => {
    const where = `${source} entry ${i + 1} (${e?.object} ${e?.check})`;
    for (const field of ['object', 'check', 'reason']) if (typeof e?.[field] !== 'string') throw new Error(`${where}: \`${field}\` must be a string`);
    if ((e.reason as string).length < MIN_REASON) throw new Error(`${where}: the reason must say why this object may (at least ${MIN_REASON} characters)`);
    if (!/^[A-Za-z]+\/[^/\s]+(\/[^/\s]+)?$/.test(e.object as string)) throw new Error(`${where}: \`object\` must read Kind/namespace/name (or Kind/name)`);
    if (e.containers !== undefined && !(Array.isArray(e.containers) && e.containers.length && e.containers.every((c) => typeof c === 'string'))) {
      throw new Error(`${where}: \`containers\` must be a non-empty list of names (or left out for any)`);
    }
    const key = `${e.object} ${e.check} ${JSON.stringify(e.containers ?? null)}`;
    if (seen.has(key)) throw new Error(`${where}: repeats an earlier entry`);
    seen.add(key);
    return e as unknown as AllowEntry;
  });
}

export function loadAllowlist(file: string): AllowEntry[] {
  return parseAllowlist(fs.readFileSync(file, 'utf8'), file);
}

export function allows(a: AllowEntry, f: Finding): boolean {
  return a.object === f.object && a.check === f.check && (!a.containers || a.containers.includes('*') || a.containers.includes(f.container));
}

/** The findings no entry allows. */
export function unlisted(findings: readonly Finding[], allowlist: readonly AllowEntry[]): Finding[] {
  return findings.filter((f) => !allowlist.some((a) => allows(a, f)));
}

/** The entries that allow none of the findings (of every scenario): they must go, not linger. */
export function stale(allowlist: readonly AllowEntry[], findings: readonly Finding[]): AllowEntry[] {
  return allowlist.filter((a) => !findings.some((f) => allows(a, f)));
}

/** One line per finding, for a failure message that says what to do. */
export function describeFindings(findings: readonly Finding[], allowlistFile: string): string {
  if (!findings.length) return '';
  const lines = findings.map((f) => `  ${f.object}${f.container ? ` (container ${f.container})` : ''}: ${f.check} ${f.summary}${f.location ? ` [${f.location}]` : ''}`);
  return [`${findings.length} finding(s) not in ${allowlistFile}:`, ...lines, `fix the manifest, or add an entry (object, check, reason why it is right for that object) to ${allowlistFile}`].join('\n');
}

export function describeStale(entries: readonly AllowEntry[], allowlistFile: string): string {
  if (!entries.length) return '';
  const lines = entries.map((a) => `  ${a.object}: ${a.check}${a.containers ? ` (${a.containers.join(', ')})` : ''}`);
  return [`${entries.length} entr(ies) of ${allowlistFile} match no finding in any scenario; remove them:`, ...lines].join('\n');
}
