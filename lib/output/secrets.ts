import * as fs from 'fs';
import * as path from 'path';
import type { OutputFile } from '../component';

const IGNORE_ALL = '# Written by cluster-bootstrap: everything here is secret; never commit it.\n*\n';

/**
 * Writes files that hold secrets under `secretsDir`: the folder is created with mode 0700 and a `.gitignore`
 * that ignores everything in it; each file is written with mode 0600 through a temporary file and a rename,
 * so a reader never sees half a key. Returns the written paths.
 */
export function writeSecretFiles(files: readonly OutputFile[], secretsDir: string): string[] {
  if (!files.length) return [];
  const root = path.resolve(secretsDir);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  fs.chmodSync(root, 0o700);
  const ignore = path.join(root, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, IGNORE_ALL, { mode: 0o600 });
  return files.map((f) => {
    const target = path.resolve(root, f.path);
    if (!target.startsWith(root + path.sep)) throw new Error(`secret file path "${f.path}" must stay inside ${secretsDir}`);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    const tmp = `${target}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, f.content, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, target);
    return target;
  });
}

/** Splits a component's files into those for dist/ and those for the secrets folder. */
export function partitionFiles(files: readonly OutputFile[]): { dist: OutputFile[]; secrets: OutputFile[] } {
  return {
    dist: files.filter((f) => !f.secret || f.secret.inDist),
    secrets: files.filter((f) => f.secret && !f.secret.inDist),
  };
}

/** The warning synth prints for each secret file the user asked to have in dist/. */
export function secretInDistWarning(file: string): string {
  return `warning: ${file} holds secret keys (apiServer.encryptionAtRest.writeToDist: true); it is mode 0600, but keep dist/ out of version control and copy it only to control-plane nodes`;
}
