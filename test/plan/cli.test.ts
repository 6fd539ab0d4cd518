// The compiled `cluster-plan` (build/lib/cli/cluster-plan.js, what the package's bin runs) on yaml files in a temp dir.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/temp-dir';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'build', 'lib', 'cli', 'cluster-plan.js');

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error('build/lib/cli/cluster-plan.js is missing: run `npm run build` (npm test does)');
});

function run(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function files(contents: Record<string, string>): string {
  const dir = tempDir('cb-plan-');
  for (const [name, text] of Object.entries(contents)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('cluster-plan', () => {
  const dir = files({
    'old.yaml': 'kubernetesVersion: 1.34.3\ncomponents:\n  flannel:\n    version: v0.27.0\ntenants:\n  - name: team-a\n',
    'new.yaml': 'components:\n  coredns:\n    stubDomains:\n      corp.example: ["10.0.0.53"]\ntenants:\n  - name: team-b\n',
    'pods.yaml': 'networking:\n  podSubnet: 10.200.0.0/16\n',
    'bad.yaml': 'networking:\n  kubeProxyMod: ipvs\n',
  });

  test('exit 0 with the plan as text, worst class first, and the summary line', () => {
    const r = run(dir, 'old.yaml', 'new.yaml');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('Change plan for cluster bootstrap (Kubernetes 1.34.3 -> 1.35.4)\n\nDISRUPTIVE: follow the procedure (1)\n  kubernetesVersion [kubernetes-minor-upgrade]: "1.34.3" -> "1.35.4"\n')).toBe(true);
    expect(r.out).toContain('  delete Namespace/team-a  (tenants)\n    tenant team-a removed from the config: deleting the Namespace deletes everything inside it');
    expect(r.out).toContain('  create Namespace/team-b  (tenants)\n    new tenant team-b\n');
    expect(r.out).toContain('  update DaemonSet/kube-flannel/kube-flannel-ds  (flannel)\n    strategy: RollingUpdate (API default), maxUnavailable 1 (API default), maxSurge 0 (API default)');
    expect(r.out).toContain('  update ConfigMap/kube-system/coredns  (coredns)\n    ConfigMap data changes in place; the Corefile has `reload`');
    expect(r.out.endsWith('\nPlan: 0 impossible, 1 disruptive, 10 replace, 2 rolling, 1 in-place; 1 node/control-plane file(s)\n')).toBe(true);
  });

  test('--json: the plan object', () => {
    const r = run(dir, 'old.yaml', 'new.yaml', '--json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(plan.counts).toEqual({ impossible: 0, disruptive: 1, replace: 10, rolling: 2, 'in-place': 1 });
    expect(plan.configChanges[0]).toMatchObject({ id: 'kubernetes-minor-upgrade', path: 'kubernetesVersion', oldValue: '1.34.3', newValue: '1.35.4' });
  });

  test('exit 1 on an impossible change not acknowledged: field, old, new and hint on stderr; the plan still on stdout', () => {
    const r = run(dir, 'new.yaml', 'pods.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: refused 1 impossible change (acknowledge each with allowDisruptive / --allow-disruptive <id>):\n  - networking.podSubnet [pod-cidr]: cannot change on a running cluster (old "10.244.0.0/16", new "10.200.0.0/16")\n');
    expect(r.err).toContain('    hint: build a new cluster with the new range');
    expect(r.out).toContain('  networking.podSubnet [pod-cidr]: "10.244.0.0/16" -> "10.200.0.0/16"  REFUSED\n');
    expect(r.out.endsWith('\nPlan: 1 impossible (1 refused), 0 disruptive, 5 replace, 0 rolling, 2 in-place; 2 node/control-plane file(s)\n')).toBe(true);
  });

  test('--allow-disruptive names it: exit 0', () => {
    const r = run(dir, 'new.yaml', 'pods.yaml', '--allow-disruptive', 'pod-cidr,windows');
    expect(r.code).toBe(0);
    expect(r.out).toContain('"10.200.0.0/16"  (acknowledged)\n');
    expect(r.out).toContain('note: acknowledged but not in this plan: windows\n');
  });

  test('--no-old plans against nothing', () => {
    const r = run(dir, '--no-old', 'new.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toContain('note: no previous config: planned against nothing\n');
    expect(r.out).toMatch(/\nPlan: 0 impossible, 0 disruptive, 28 replace, 0 rolling, 0 in-place; \d+ node\/control-plane file\(s\)\n$/);
  });

  test('exit 2: a missing old file, an invalid config (the loader\'s message), an unknown id, wrong usage', () => {
    const missing = run(dir, 'nope.yaml', 'new.yaml');
    expect([missing.code, missing.out]).toEqual([2, '']);
    expect(missing.err).toContain('error: old config nope.yaml: no such file (to plan a first deploy against nothing, give --no-old and the new config only)');

    const bad = run(dir, 'old.yaml', 'bad.yaml');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('error: invalid bad.yaml: 1 problem\n  - networking.kubeProxyMod: unknown field (got "ipvs")\n    hint: did you mean "kubeProxyMode"?');

    const unknown = run(dir, 'old.yaml', 'new.yaml', '--allow-disruptive', 'pod-cdir');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('error: allowDisruptive: not a change id (got "pod-cdir"); hint: use one of pod-cidr, ');

    for (const args of [['old.yaml'], ['--no-old', 'old.yaml', 'new.yaml'], ['old.yaml', 'new.yaml', '--frobnicate']]) {
      const r = run(dir, ...args);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.err).toContain('usage: cluster-plan <old.yaml> <new.yaml>');
    }
  });
});

describe('docs/upgrading.md "Upgrading and changing a cluster" (moved from the README)', () => {
  // the whole page is the section, its subsections included, as the README's section was
  const doc = fs.readFileSync(path.join(root, 'docs', 'upgrading.md'), 'utf8');
  const section = /\n# Upgrading and changing a cluster\n([\s\S]*)$/.exec(doc)?.[1] ?? '';

  test('documents every disruptive and impossible id', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DISRUPTIVE_CHANGE_IDS, IMPOSSIBLE_CHANGE_IDS } = require('../../lib/plan/types');
    expect([...IMPOSSIBLE_CHANGE_IDS, ...DISRUPTIVE_CHANGE_IDS].filter((id: string) => !section.includes(`\`${id}\``))).toEqual([]);
  });

  test('its example output is what the CLI prints for its example files', () => {
    const yaml = [...section.matchAll(/```yaml\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    const printed = /prints \(exit 0\):\n\n```\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(yaml).toHaveLength(2);
    const dir = files({ 'old.yaml': `${yaml[0]}\n`, 'new.yaml': `${yaml[1]}\n` });
    const r = run(dir, 'old.yaml', 'new.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${printed}\n`);
  });
});
