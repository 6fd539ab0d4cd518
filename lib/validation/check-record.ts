// What the synth app already checked (lib/output/self-check.ts), and whether that covers what the validation plugin
// was asked to check. Loads neither YAML nor Ajv: on the plugin's fast path (our app's unchanged output) this file
// and a hash of each file are all that run.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Written into the cdk8s CLI's output folder; not a `*.yaml` file, so the CLI does not list it. */
export const CHECK_RECORD_FILE = '.cluster-bootstrap-checked.json';

export interface CheckRecord {
  /** Rule ids that passed over the files. */
  readonly rules: readonly string[];
  /** The Kubernetes release whose schemas were used. */
  readonly kubernetesVersion: string;
  readonly documents: number;
  /** Path relative to the record's folder (`/`-separated) to the sha256 of the bytes checked. */
  readonly files: Readonly<Record<string, string>>;
}

function commonFolder(files: readonly string[]): string {
  const parts = files.map((f) => path.resolve(path.dirname(f)).split(path.sep));
  const first = parts[0];
  let n = first.length;
  for (const p of parts) {
    let i = 0;
    while (i < n && i < p.length && p[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(path.sep) || path.sep;
}

/**
 * The record that covers exactly `manifests` (same set of files, same bytes) for `rules`, or why not. A
 * `kubernetesVersion` asked for must be the one the record used.
 */
export function coveringRecord(manifests: readonly string[], rules: readonly string[], kubernetesVersion?: string): { record?: CheckRecord; reason: string } {
  if (!manifests.length) return { reason: 'no files' };
  const folder = commonFolder(manifests);
  let record: CheckRecord;
  try {
    record = JSON.parse(fs.readFileSync(path.join(folder, CHECK_RECORD_FILE), 'utf8'));
  } catch {
    return { reason: `no ${CHECK_RECORD_FILE} in ${folder}` };
  }
  if (!record || typeof record.files !== 'object' || !Array.isArray(record.rules)) return { reason: `${CHECK_RECORD_FILE} is not a check record` };
  const missing = rules.filter((r) => !record.rules.includes(r));
  if (missing.length) return { reason: `the record does not cover ${missing.join(', ')}` };
  if (kubernetesVersion && kubernetesVersion.replace(/^v/, '') !== record.kubernetesVersion.replace(/^v/, '')) {
    return { reason: `the record used Kubernetes ${record.kubernetesVersion}, not ${kubernetesVersion}` };
  }
  const names = manifests.map((m) => path.relative(folder, path.resolve(m)).split(path.sep).join('/'));
  if (names.length !== Object.keys(record.files).length) return { reason: 'other files than the record names' };
  for (let i = 0; i < names.length; i++) {
    const hash = record.files[names[i]];
    if (!hash) return { reason: `${names[i]} is not in the record` };
    if (crypto.createHash('sha256').update(fs.readFileSync(manifests[i])).digest('hex') !== hash) return { reason: `${names[i]} changed since it was checked` };
  }
  return { record, reason: 'covered' };
}
