// The synth app checks its own output with every rule of the validation plugin before it publishes dist/, so a
// manifest the API server (or a node program) would reject is never published: synth fails and dist/ stays as it
// was. It then leaves a record of what it checked in the cdk8s CLI's output folder; the plugin, run by the CLI on
// the same files, skips the rules the record covers for files whose bytes are unchanged (lib/validation/check-record.ts).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import type { ChartOutput } from './synth';
import { CHECK_RECORD_FILE, type CheckRecord } from '../validation/check-record';
import { RULE_IDS, type ManifestDocument, type RuleViolation } from '../validation/consistency-rules';
import { checkManifestDocuments } from '../validation/manifest-check';

export interface SelfCheck {
  readonly violations: readonly RuleViolation[];
  readonly kubernetesVersion: string;
  readonly documents: number;
}

function yamlFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.yaml'))
    .map((e) => path.join(e.parentPath ?? (e as any).path, e.name));
}

/**
 * Runs every plugin rule over the output in `staging`: the charts' objects as synthesized (not re-parsed) and
 * every other YAML file there (node and control-plane files, kustomization.yaml), as the plugin would see them.
 * Files are named relative to `staging`.
 */
export function checkOutput(outputs: readonly ChartOutput[], staging: string, kubernetesVersion: string): SelfCheck {
  const manifests = new Set(outputs.filter((o) => o.file).map((o) => path.resolve(o.file!)));
  const documents: ManifestDocument[] = outputs.filter((o) => o.file).flatMap((o) => o.objects.map((document) => ({ document, file: path.relative(staging, o.file!) })));
  for (const file of yamlFilesUnder(staging).filter((f) => !manifests.has(path.resolve(f)))) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) documents.push({ document: doc.toJS(), file: path.relative(staging, file) });
  }
  const result = checkManifestDocuments(documents, { kubernetesVersion });
  return { violations: result.violations, kubernetesVersion: result.kubernetesVersion, documents: result.documents };
}

/** Violations of the app's own output (a bug in a component, or in an app's extension of one). */
export class OutputCheckError extends Error {
  constructor(readonly violations: readonly RuleViolation[]) {
    const lines = violations.map((v) => `  - ${v.file}: ${v.object}${v.path ? ` at ${v.path}` : ''}: ${v.message} [${v.rule}]\n    hint: ${v.hint}`);
    super(`the synthesized output breaks ${violations.length} validation rule(s):\n${lines.join('\n')}`);
    this.name = 'OutputCheckError';
  }
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Writes the record of a passed self-check into `cliOutdir` (after the published files were mirrored there): every
 * `*.yaml` file the CLI will hand the plugin, with the hash of its bytes.
 */
export function writeCheckRecord(cliOutdir: string, check: SelfCheck): void {
  const files: Record<string, string> = {};
  for (const f of yamlFilesUnder(cliOutdir)) files[path.relative(cliOutdir, f).split(path.sep).join('/')] = sha256(f);
  const record: CheckRecord = { rules: [...RULE_IDS], kubernetesVersion: check.kubernetesVersion, documents: check.documents, files };
  fs.writeFileSync(path.join(cliOutdir, CHECK_RECORD_FILE), JSON.stringify(record, null, 1) + '\n');
}
