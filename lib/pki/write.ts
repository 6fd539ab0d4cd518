import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { GeneratedPki } from './generate';
import type { PkiPlan } from './plan';

/** Mode of private key files (kubeadm writes them 0600). */
export const PRIVATE_KEY_MODE = 0o600;
/** Mode of certificates and public keys. */
export const PUBLIC_FILE_MODE = 0o644;

/** One file `writePki` writes, relative to the PKI directory. */
export interface PkiFile {
  readonly path: string;
  readonly mode: number;
  readonly secret: boolean;
}

/** Raised before anything is written, when files of the plan already exist and `force` was not given. */
export class PkiExistsError extends Error {
  constructor(readonly existing: readonly string[]) {
    super(`${existing.length} file(s) of the PKI already exist (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}); refusing to overwrite keys. Move them away, or pass --force to replace them all`);
    this.name = 'PkiExistsError';
  }
}

export interface WritePkiOptions {
  /**
   * Replace existing keys and certificates.
   * @default false
   */
  readonly force?: boolean;
}

const cert = (base: string): PkiFile => ({ path: `${base}.crt`, mode: PUBLIC_FILE_MODE, secret: false });
const key = (base: string): PkiFile => ({ path: `${base}.key`, mode: PRIVATE_KEY_MODE, secret: true });
const pub = (base: string): PkiFile => ({ path: `${base}.pub`, mode: PUBLIC_FILE_MODE, secret: false });

/** The files a plan becomes in kubeadm's layout, in writing order. */
export function plannedPkiFiles(plan: PkiPlan): PkiFile[] {
  return [...plan.certificates.flatMap((c) => [cert(c.baseName), key(c.baseName)]), ...plan.keyPairs.flatMap((k) => [key(k.baseName), pub(k.baseName)])];
}

/**
 * Fails early, before any key is made, when files of the plan exist under `dir` (unless `force`), or when
 * `dir` cannot be created.
 */
export function preparePkiDir(dir: string, plan: PkiPlan, options: WritePkiOptions = {}): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const existing = plannedPkiFiles(plan).map((f) => f.path).filter((p) => fs.existsSync(path.join(dir, p)));
  if (existing.length && !options.force) throw new PkiExistsError(existing);
}

function filesOf(pki: GeneratedPki): { file: PkiFile; content: () => string }[] {
  return [
    ...pki.certificates.flatMap((c) => [
      { file: cert(c.plan.baseName), content: () => c.certificatePem },
      { file: key(c.plan.baseName), content: () => c.privateKey.reveal() },
    ]),
    ...pki.keyPairs.flatMap((k) => [
      { file: key(k.plan.baseName), content: () => k.privateKey.reveal() },
      { file: pub(k.plan.baseName), content: () => k.publicKeyPem },
    ]),
  ];
}

/**
 * Writes the generated PKI in kubeadm's layout under `dir` (ca.crt/ca.key, etcd/..., sa.key/sa.pub, ...):
 * private keys 0600, the rest 0644. Refuses (before writing anything) when any of the files exists, unless
 * `force`. Returns the files written; their content is never logged.
 */
export function writePki(dir: string, pki: GeneratedPki, options: WritePkiOptions = {}): PkiFile[] {
  const entries = filesOf(pki);
  const existing = entries.map((e) => e.file.path).filter((p) => fs.existsSync(path.join(dir, p)));
  if (existing.length && !options.force) throw new PkiExistsError(existing);
  for (const { file, content } of entries) {
    const target = path.join(dir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    // a fresh file gets its mode at creation, so a key is never readable by others, not even for a moment
    fs.rmSync(target, { force: true });
    fs.writeFileSync(target, content(), { mode: file.mode, flag: 'wx' });
    fs.chmodSync(target, file.mode); // the umask may have narrowed 0644
  }
  return entries.map((e) => e.file);
}

/**
 * A warning when `dir` lies in a git work tree and a key written there would not be git-ignored (so
 * `git add -A` would commit it); undefined otherwise, or when git is not installed.
 */
export function gitExposureWarning(dir: string, probeFile = 'ca.key'): string | undefined {
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  const git = (...args: string[]) => spawnSync('git', ['-C', existing, ...args], { encoding: 'utf8' });
  const inside = git('rev-parse', '--is-inside-work-tree');
  if (inside.error || inside.status !== 0 || inside.stdout.trim() !== 'true') return undefined;
  const probe = path.join(path.resolve(dir), probeFile);
  const ignored = git('check-ignore', '-q', '--', probe);
  if (ignored.status === 0) return undefined;
  const top = git('rev-parse', '--show-toplevel').stdout.trim();
  const relative = path.relative(top, path.resolve(dir)) || '.';
  return `warning: ${relative} is inside the git work tree ${top} and not git-ignored: private keys written there can be committed by accident. Add "${relative.replace(/\\/g, '/')}/" to ${top}/.gitignore, or write them outside the repository.`;
}
