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

/**
 * Mirrors the published tree into `to` as symlinks to its files (folders are real): the cdk8s CLI lists and hands
 * its validation plugins the files of its own output folder, and through the links they are the published files,
 * not a copy that could differ. A link's target is relative, so moving both folders together keeps them working.
 */
export function mirrorFiles(from: string, to: string): void {
  const source = path.resolve(from);
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      const link = path.join(path.resolve(to), path.relative(source, file));
      if (e.isDirectory()) {
        fs.mkdirSync(link, { recursive: true });
        walk(file);
      } else {
        fs.mkdirSync(path.dirname(link), { recursive: true });
        fs.rmSync(link, { force: true });
        fs.symlinkSync(path.relative(path.dirname(link), file), link);
      }
    }
  };
  fs.mkdirSync(to, { recursive: true });
  walk(source);
}
