import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runPkiCli, type CliIo } from '../../lib/cli/pki';
import { parseClusterConfig } from '../../lib/config/parse';
import { checkExpiration, residualTime } from '../../lib/pki/expiry';
import { generatePki } from '../../lib/pki/generate';
import { pkiPlan } from '../support/wired';
import { gitExposureWarning, writePki } from '../../lib/pki/write';
import { listFiles, modeOf, tempDir } from '../support/pki';

const DAY_MS = 24 * 60 * 60 * 1000;
const EC_CONFIG = 'pki:\n  keyAlgorithm: ECDSA-P256\n';

async function cli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), cwd, env };
  const code = await runPkiCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function git(cwd: string, ...args: string[]) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/** A PKI whose leaves were issued `ageDays` ago for `leafDays`, written to a fresh directory. */
async function pkiIssued(ageDays: number, leafDays: number): Promise<string> {
  const plan = pkiPlan(parseClusterConfig({ pki: { keyAlgorithm: 'ECDSA-P256', certificateValidityDays: leafDays } }));
  const dir = tempDir();
  writePki(dir, await generatePki(plan, { now: new Date(Date.now() - ageDays * DAY_MS) }));
  return dir;
}

describe('pki check-expiration', () => {
  test('names, CAs and residual time like kubeadm; exit 0 when nothing is due', async () => {
    const dir = await pkiIssued(0, 365);
    const report = checkExpiration(dir);
    expect(report.certificates.map((c) => [c.name, c.authority ?? '', c.isCa, c.externallyManaged])).toEqual([
      ['apiserver', 'ca', false, false],
      ['apiserver-etcd-client', 'etcd-ca', false, false],
      ['apiserver-kubelet-client', 'ca', false, false],
      ['ca', '', true, false],
      ['etcd-ca', '', true, false],
      ['etcd-healthcheck-client', 'etcd-ca', false, false],
      ['etcd-peer', 'etcd-ca', false, false],
      ['etcd-server', 'etcd-ca', false, false],
      ['front-proxy-ca', '', true, false],
      ['front-proxy-client', 'front-proxy-ca', false, false],
    ]);
    const r = await cli(['check-expiration', dir], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^CERTIFICATE\s+EXPIRES\s+RESIDUAL TIME\s+CERTIFICATE AUTHORITY\s+EXTERNALLY MANAGED$/m);
    expect(r.out).toMatch(/^apiserver\s+\w{3} \d\d, \d{4} \d\d:\d\d UTC\s+364d\s+ca\s+no$/m);
    expect(r.out).toMatch(/^etcd-ca\s+.* UTC\s+9y\s+no$/m);
    expect(r.err).toBe('');
  });

  test('exit 1 when one expired or expires within the threshold; expired shows <invalid>', async () => {
    const expired = await pkiIssued(10, 5);
    const r = await cli(['check-expiration', expired], expired);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^apiserver\s+.*<invalid>\s+ca\s+no\s+EXPIRED$/m);
    expect(r.err).toContain('7 certificate(s) expired or expire within 30 days: apiserver, apiserver-etcd-client');

    const soon = await pkiIssued(0, 20);
    expect((await cli(['check-expiration', soon], soon)).code).toBe(1);
    const relaxed = await cli(['check-expiration', soon, '--warn-within', '7'], soon);
    expect(relaxed.code).toBe(0);
    expect(relaxed.out).toMatch(/^apiserver\s+.*\s+19d\s+ca\s+no$/m);
  });

  test('a CA without its key is externally managed, and so is every certificate it signed', async () => {
    const dir = await pkiIssued(0, 365);
    fs.rmSync(path.join(dir, 'etcd', 'ca.key'));
    const byName = new Map(checkExpiration(dir).certificates.map((c) => [c.name, c.externallyManaged]));
    expect([byName.get('etcd-ca'), byName.get('etcd-server'), byName.get('apiserver-etcd-client')]).toEqual([true, true, true]);
    expect([byName.get('ca'), byName.get('apiserver')]).toEqual([false, false]);
  });

  test('unreadable certificates and empty directories are findings, not crashes', async () => {
    const dir = tempDir();
    expect((await cli(['check-expiration', dir], dir)).code).toBe(1);
    fs.writeFileSync(path.join(dir, 'broken.crt'), 'not a certificate');
    const r = await cli(['check-expiration', dir], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('unreadable: broken.crt');
    const missing = await cli(['check-expiration', path.join(dir, 'missing')], dir);
    expect([missing.code, missing.err]).toEqual([1, expect.stringMatching(/^error: ENOENT: no such file or directory/)]);
    fs.writeFileSync(path.join(dir, 'taken'), '');
    const blocked = await cli(['generate', '--out', 'taken/pki'], dir, { CLUSTER_CONFIG: '' });
    expect([blocked.code, blocked.err]).toEqual([1, expect.stringMatching(/^error: (ENOTDIR|EEXIST)/)]);
  });

  test('residual time uses the largest whole unit', () => {
    expect([-1, 59_000, 90_000, 5 * 3600_000, 47 * 3600_000, 364 * DAY_MS, 3650 * DAY_MS].map(residualTime)).toEqual(['<invalid>', '59s', '1m', '5h', '1d', '364d', '10y']);
  });
});

describe('pki generate', () => {
  test('writes the PKI from cluster.yaml, lists files without printing keys, refuses a second run', async () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'cluster.yaml'), EC_CONFIG + 'components:\n  konnectivity:\n    enabled: true\n');
    const r = await cli(['generate', '--out', 'pki'], cwd);
    expect(r.code).toBe(0);
    expect(r.out).toContain('wrote 12 certificates/public keys and 12 private keys (mode 0600) of cluster bootstrap');
    expect(r.out).toContain('konnectivity-server.key  (private key)');
    expect(r.out + r.err).not.toMatch(/BEGIN|PRIVATE KEY-/);
    expect(modeOf(path.join(cwd, 'pki', 'sa.key'))).toBe(0o600);

    const again = await cli(['generate', '--out', 'pki'], cwd);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/refusing to overwrite keys.*--force/);
    const before = fs.readFileSync(path.join(cwd, 'pki', 'ca.crt'), 'utf8');
    expect((await cli(['generate', '--out', 'pki', '--force'], cwd)).code).toBe(0);
    expect(fs.readFileSync(path.join(cwd, 'pki', 'ca.crt'), 'utf8')).not.toBe(before);
  });

  test('--config and $CLUSTER_CONFIG pick the config; a bad config exits 1 naming the field', async () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'other.yaml'), EC_CONFIG + '  apiServerCertSANs: ["bad host"]\n');
    const bad = await cli(['generate', '--out', 'pki', '--config', 'other.yaml'], cwd);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('pki.apiServerCertSANs.0: neither an IP address nor a DNS name (got "bad host")');
    expect(fs.existsSync(path.join(cwd, 'pki'))).toBe(false);
    fs.writeFileSync(path.join(cwd, 'named.yaml'), EC_CONFIG + '  apiServerCertSANs: ["cp-9.example.internal"]\n');
    const plan = await cli(['plan'], cwd, { CLUSTER_CONFIG: 'named.yaml' });
    expect(plan.code).toBe(0);
    expect(plan.out).toContain('DNS:cp-9.example.internal');
  });

  test('usage errors exit 2 with the usage', async () => {
    const cwd = tempDir();
    for (const argv of [['generate'], ['frobnicate'], ['generate', '--out', 'x', '--nope'], ['check-expiration', '--warn-within', 'soon'], []]) {
      const r = await cli(argv, cwd);
      expect([argv, r.code]).toEqual([argv, 2]);
      expect(r.err + r.out).toContain('usage: cluster-pki');
    }
    expect(listFiles(cwd)).toEqual([]);
  });

  test('warns when the output is in a git work tree and not ignored; quiet once ignored or outside git', async () => {
    const repo = tempDir('cb-pki-repo-');
    git(repo, 'init', '-q');
    fs.writeFileSync(path.join(repo, 'cluster.yaml'), EC_CONFIG);
    const warned = await cli(['generate', '--out', 'secrets/pki'], repo);
    expect(warned.code).toBe(0);
    expect(warned.err).toMatch(/warning: secrets\/pki is inside the git work tree .* not git-ignored/);
    expect(warned.err).toContain('Add "secrets/pki/" to');

    fs.writeFileSync(path.join(repo, '.gitignore'), 'secrets/\n');
    expect(gitExposureWarning(path.join(repo, 'secrets', 'pki'))).toBeUndefined();
    expect(gitExposureWarning(path.join(repo, 'elsewhere'))).toMatch(/elsewhere is inside the git work tree/);
    expect(gitExposureWarning(tempDir())).toBeUndefined();
  });
});
