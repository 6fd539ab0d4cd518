// Checkov, the lint tier's second third-party scanner beside kube-score (lint.e2e.test.ts), on the whole dist/ of
// every scenario: findings only as allowed in checkov-allowlist.yaml, and no entry there that matches nothing.
// Checkov never goes online here: bin/checkov (setup-tools.sh) turns off its update check and its Prisma Cloud
// downloads and carries no API key, --skip-download says so again, and it runs in a network namespace of its
// own with only a loopback, so anything it still tried would fail on this machine instead of leaving it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { checkovFindings, checkovSummary, type CheckovSummary } from './harness/checkov';
import { describeFindings, describeStale, loadAllowlist, stale, unlisted, type Finding } from './harness/scanner-allowlist';
import { tool, versions } from './harness/tools';
import { SCENARIOS, synthScenario } from './support';
import { tempDir } from '../support/temp-dir';

const ALLOWLIST = path.join(__dirname, 'checkov-allowlist.yaml');
const allowlist = loadAllowlist(ALLOWLIST);

interface Scan {
  readonly summary: CheckovSummary;
  readonly findings: Finding[];
  readonly status: number | null;
  readonly stderr: string;
}

function checkov(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  if (process.getuid?.() !== 0) throw new Error('checkov runs in a network namespace of its own (unshare --net), which needs root (CI runs as root)');
  const r = spawnSync('unshare', ['--net', tool('checkov'), ...args], { cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Checkov's Kubernetes checks on every YAML file under `dir`: its JSON report read as findings. */
function scan(dir: string): Scan {
  const r = checkov(['--framework', 'kubernetes', '-d', '.', '-o', 'json', '--quiet', '--compact', '--skip-download'], dir);
  let report: unknown;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`checkov printed no JSON report (exit ${r.status}):\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`);
  }
  const findings = checkovFindings(report, (file) => fs.readFileSync(path.join(dir, file), 'utf8'));
  return { summary: checkovSummary(report), findings, status: r.status, stderr: r.stderr };
}

describe('checkov', () => {
  const scans: Record<string, Scan> = {};
  beforeAll(() => {
    for (const scenario of Object.keys(SCENARIOS)) scans[scenario] = scan(synthScenario(scenario));
  }, 300_000);

  test('is the pinned release (versions.env CHECKOV_VERSION)', () => {
    const r = checkov(['--version'], process.cwd());
    expect(r.stdout.trim()).toBe(versions().CHECKOV_VERSION);
    for (const s of Object.values(scans)) expect(s.summary.version).toBe(versions().CHECKOV_VERSION);
  });

  test.each(Object.keys(SCENARIOS))('%s: every object parsed and scanned, no findings beyond the allowlist', (scenario) => {
    const { summary, findings, status, stderr } = scans[scenario];
    // it read our files (a missing folder also exits 0 with an empty report) and ran its checks on them
    expect(summary.resourceCount).toBeGreaterThan(10);
    expect(summary.parsingErrors).toBe(0);
    expect(summary.passed).toBeGreaterThan(100);
    expect(stderr).not.toMatch(/Traceback|\[ERROR\]/);
    // exit 1 = failed checks (the allowed ones); anything else is a crash or a usage error
    expect(status).toBe(findings.length ? 1 : 0);
    expect(describeFindings(unlisted(findings, allowlist), ALLOWLIST)).toBe('');
  });

  test('every allowlist entry still matches a finding in some scenario (no stale entries)', () => {
    expect(describeStale(stale(allowlist, Object.values(scans).flatMap((s) => s.findings)), ALLOWLIST)).toBe('');
  });

  test('it does catch a privileged container with a writable root (the check is live)', () => {
    const dir = tempDir('cb-checkov-bad-');
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n  namespace: default\nspec:\n  containers:\n    - name: app\n      image: app:1\n      securityContext:\n        privileged: true\n';
    fs.writeFileSync(path.join(dir, 'bad.yaml'), pod);
    const { findings, status } = scan(dir);
    expect(status).toBe(1);
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ object: 'Pod/default/bad', check: 'CKV_K8S_16', container: 'app' }), expect.objectContaining({ check: 'CKV_K8S_22' })]));
    expect(unlisted(findings, allowlist)).toEqual(findings);
  });
});
