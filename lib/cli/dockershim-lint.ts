#!/usr/bin/env node
// `dockershim-lint <file or directory>...`: reports every pod template in Kubernetes YAML/JSON manifests
// that mounts the Docker socket (or a directory holding it) or runs the docker CLI. Exit 0: none found;
// 1: findings (one line each); 2: usage or unreadable input.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { formatFinding, lintManifests, type ManifestObject } from '../dockershim/lint';

const USAGE = `usage: dockershim-lint <file or directory>... ('-' reads standard input)
Reports pod templates (Pod, Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, ...) that mount
the Docker socket or a directory holding it, or run the docker CLI. Directories are searched for .yaml,
.yml and .json files. Exits 1 when anything is found.`;

const MANIFEST = /\.(ya?ml|json)$/;

function filesUnder(target: string): string[] {
  if (target === '-' || !fs.statSync(target).isDirectory()) return [target];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(target, e.name)) : MANIFEST.test(e.name) ? [path.join(target, e.name)] : []));
}

/** Parses every document of a file; throws with the file name and the YAML error. */
export function readManifests(file: string, text: string): ManifestObject[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  const objects: ManifestObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    const value = doc.toJS();
    if (value && typeof value === 'object') objects.push(value);
  }
  return objects;
}

export function main(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`), err: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): number {
  if (!argv.length || argv.includes('-h') || argv.includes('--help')) {
    (argv.length ? out : err)(USAGE);
    return argv.length ? 0 : 2;
  }
  let findings = 0;
  let objects = 0;
  try {
    for (const file of argv.flatMap(filesUnder)) {
      const parsed = readManifests(file, fs.readFileSync(file === '-' ? 0 : file, 'utf8'));
      objects += parsed.length;
      for (const f of lintManifests(parsed)) {
        findings++;
        out(`${file}: ${formatFinding(f)}`);
      }
    }
  } catch (e) {
    err(`error: ${(e as Error).message}`);
    return 2;
  }
  err(`dockershim-lint: ${findings} finding${findings === 1 ? '' : 's'} in ${objects} object${objects === 1 ? '' : 's'}`);
  return findings ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
