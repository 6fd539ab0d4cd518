import * as fs from 'fs';
import * as path from 'path';

/** A fresh, empty folder beside `target` (same filesystem, so the final swap is a rename). */
export function makeStagingDir(target: string): string {
  const parent = path.dirname(path.resolve(target));
  fs.mkdirSync(parent, { recursive: true });
  return fs.mkdtempSync(path.join(parent, `${path.basename(target)}.staging-`));
}

/**
 * Replaces `target` with `staging` by renames: the old output stays whole until the new one is complete,
 * and is restored if the swap fails.
 */
export function publishDir(staging: string, target: string): void {
  const backup = `${target}.previous-${process.pid}`;
  const hadTarget = fs.existsSync(target);
  if (hadTarget) fs.renameSync(target, backup);
  try {
    fs.renameSync(staging, target);
  } catch (e) {
    if (hadTarget) fs.renameSync(backup, target);
    throw e;
  }
  if (hadTarget) fs.rmSync(backup, { recursive: true, force: true });
}

/** Copies the published tree into `to` (used to show the cdk8s CLI what was published). */
export function mirrorFiles(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}
