// The synth app's check of its own output before it publishes, the record it leaves for the validation plugin, and
// the validators compiled at build time (they must judge exactly as Ajv compiling at run time does).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { checkOutput, OutputCheckError, writeCheckRecord } from '../../lib/output/self-check';
import type { ChartOutput } from '../../lib/output/synth';
import { ClusterBootstrapValidation, type ValidationContextLike } from '../../lib/validation/cdk8s-plugin';
import { CHECK_RECORD_FILE, coveringRecord } from '../../lib/validation/check-record';
import { RULE_IDS } from '../../lib/validation/consistency-rules';
import { KubernetesSchema } from '../../lib/validation/kubernetes-schema';
import { NodeConfigSchema } from '../../lib/validation/node-config-schema';
import { wrapModule } from '../../lib/validation/precompiled';
import { tempDir } from '../support/temp-dir';

const root = path.join(__dirname, '..', '..');

/** The real app's output for the embedded default: dist/ and the CLI's folder of links into it, with the record. */
function synthesized(): { dist: string; cliOutdir: string; manifests: string[] } {
  const dir = tempDir('cb-self-check-');
  const dist = path.join(dir, 'dist');
  const cliOutdir = path.join(dir, 'staging');
  const r = spawnSync(process.execPath, [path.join(root, 'build', 'synth.js')], { cwd: dir, encoding: 'utf8', env: { ...process.env, CLUSTER_CONFIG: '', CLUSTER_BOOTSTRAP_OUTDIR: dist, CDK8S_OUTDIR: cliOutdir } });
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  const manifests = (fs.readdirSync(cliOutdir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).map((f) => path.join(cliOutdir, f));
  return { dist, cliOutdir, manifests };
}

function context(manifests: string[]) {
  const logs: string[] = [];
  const violations: any[] = [];
  let status: string | undefined;
  const ctx: ValidationContextLike = {
    manifests,
    report: { addViolation: (v) => violations.push(v), submit: (s) => (status = s) },
    logger: { log: (m) => logs.push(m) },
  };
  return { ctx, logs, violations, status: () => status };
}

const BAD_DAEMONSET = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { hostNetwrk: true, containers: [{ name: 'a', image: 'a:1', ports: [{ containerPort: 'http' }] }] } } } };

describe('the app checks its output before publishing', () => {
  test('a broken object is reported with file, object, path, rule and hint; OutputCheckError carries them all', () => {
    const staging = tempDir('cb-self-check-');
    const file = path.join(staging, 'agent.k8s.yaml');
    fs.writeFileSync(file, 'placeholder: the objects are checked as synthesized, not re-read\n');
    const outputs: ChartOutput[] = [{ id: 'agent', file, objects: [BAD_DAEMONSET] }];
    const check = checkOutput(outputs, staging, 'v1.35.4');
    expect(check.violations.map((v) => `${v.rule} ${v.file} ${v.object} ${v.path}: ${v.message}`)).toEqual([
      'kubernetes-schema agent.k8s.yaml DaemonSet kube-system/agent /spec/template/spec/hostNetwrk: unknown field (Kubernetes v1.35.4)',
      'kubernetes-schema agent.k8s.yaml DaemonSet kube-system/agent /spec/template/spec/containers/0/ports/0/containerPort: must be integer (Kubernetes v1.35.4)',
    ]);
    const error = new OutputCheckError(check.violations);
    expect(error.message).toMatch(/^the synthesized output breaks 2 validation rule\(s\):\n {2}- agent.k8s.yaml: DaemonSet kube-system\/agent at \/spec\/template\/spec\/hostNetwrk: unknown field/);
    expect(error.message).toContain('hint: the API server would reject or silently drop it');
  });

  test('other YAML files in the output (node files) are checked too', () => {
    const staging = tempDir('cb-self-check-');
    fs.mkdirSync(path.join(staging, 'node'));
    fs.writeFileSync(path.join(staging, 'node', 'kubelet.yaml'), 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclusterDNZ: [10.96.0.10]\n');
    const check = checkOutput([], staging, 'v1.35.4');
    expect(check.violations.map((v) => `${v.rule} ${v.file} ${v.path}: ${v.message}`)).toEqual([
      'node-config-schema node/kubelet.yaml /: unknown field "clusterDNZ" (Kubernetes v1.35.4 Go types)',
    ]);
  });
});

describe('the record and the plugin', () => {
  test('synth leaves a record covering exactly the files the CLI lists; the plugin trusts it and says so', async () => {
    const { cliOutdir, manifests } = synthesized();
    const record = JSON.parse(fs.readFileSync(path.join(cliOutdir, CHECK_RECORD_FILE), 'utf8'));
    expect(record.rules).toEqual(RULE_IDS);
    expect(Object.keys(record.files).sort()).toEqual(manifests.map((m) => path.relative(cliOutdir, m)).sort());
    expect(coveringRecord(manifests, RULE_IDS).reason).toBe('covered');
    const { ctx, logs, violations, status } = context(manifests);
    await new ClusterBootstrapValidation().validate(ctx);
    expect(status()).toBe('success');
    expect(violations).toEqual([]);
    expect(logs[0]).toMatch(/^cluster-bootstrap: \d+ object\(s\) in \d+ file\(s\) checked by the synth app before it published them, unchanged since/);
  });

  test('a file changed after synth, an added file, other rules or another release: the plugin checks everything itself', async () => {
    const { dist, cliOutdir, manifests } = synthesized();
    expect(coveringRecord(manifests, RULE_IDS, '1.30.14').reason).toBe('the record used Kubernetes v1.35.4, not 1.30.14');
    const extra = path.join(cliOutdir, 'app.k8s.yaml');
    fs.writeFileSync(extra, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    expect(coveringRecord([...manifests, extra], RULE_IDS).reason).toBe('other files than the record names');
    const flannel = path.join(dist, 'flannel.k8s.yaml'); // the CLI's folder links to it
    fs.writeFileSync(flannel, fs.readFileSync(flannel, 'utf8').replace('hostNetwork: true', 'hostNetwork: true\n      hostNetwrk: true'));
    expect(coveringRecord(manifests, RULE_IDS).reason).toBe('flannel.k8s.yaml changed since it was checked');
    const { ctx, logs, violations, status } = context(manifests);
    await new ClusterBootstrapValidation().validate(ctx);
    expect(status()).toBe('failure');
    expect(violations.map((v) => v.recommendation)).toEqual(['DaemonSet kube-flannel/kube-flannel-ds at /spec/template/spec/hostNetwrk: unknown field (Kubernetes v1.35.4)']);
    expect(logs[0]).toMatch(/^cluster-bootstrap: \d+ object\(s\) in \d+ file\(s\) checked \(Kubernetes v1.35.4/);
  });

  test('a record written for other files than the folder holds covers nothing', () => {
    const dir = tempDir('cb-self-check-');
    const a = path.join(dir, 'a.yaml');
    fs.writeFileSync(a, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n');
    writeCheckRecord(dir, { violations: [], kubernetesVersion: 'v1.35.4', documents: 1 });
    expect(coveringRecord([a], RULE_IDS).reason).toBe('covered');
    expect(coveringRecord([a], [...RULE_IDS, 'another-rule']).reason).toBe('the record does not cover another-rule');
    fs.writeFileSync(path.join(dir, CHECK_RECORD_FILE), '[]');
    expect(coveringRecord([a], RULE_IDS).reason).toBe(`${CHECK_RECORD_FILE} is not a check record`);
  });
});

describe('validators compiled at build time', () => {
  // the build's copies (precompiled) next to these sources under ts-jest (compiled by Ajv on first use)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const built = require(path.join(root, 'build', 'lib', 'validation', 'kubernetes-schema.js')) as typeof import('../../lib/validation/kubernetes-schema');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const builtNode = require(path.join(root, 'build', 'lib', 'validation', 'node-config-schema.js')) as typeof import('../../lib/validation/node-config-schema');

  test.each(['v1.35.4', 'v1.27.16'])('Kubernetes %s: the same violations as Ajv compiling at run time', (release) => {
    const precompiled = built.KubernetesSchema.forVersion(release);
    const compiled = KubernetesSchema.forVersion(release);
    expect([precompiled.isPrecompiled, compiled.isPrecompiled]).toEqual([true, false]);
    const objects = [
      BAD_DAEMONSET,
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'Bad_Name', labels: { 'a/b/c': 'x' } }, spec: { ports: [{ port: '53' }], tpye: 'ClusterIP' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:x' }, rules: [{ verbs: 'get' }] },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok' }, data: { a: 'b' } },
    ];
    const judged = objects.map((o) => precompiled.validate(o));
    expect(judged.flat().length).toBeGreaterThan(5);
    expect(judged).toEqual(objects.map((o) => compiled.validate(o)));
  });

  test('the build made a V8 code cache for each generated module that this Node accepts', () => {
    const dir = path.join(root, 'build', 'lib', 'validation', 'generated');
    const modules = fs.readdirSync(dir).filter((f) => f.endsWith('.js'));
    expect(modules).toEqual(['kubernetes-v1.27.16.js', 'kubernetes-v1.35.4.js', 'node-config-v1.35.4.js']);
    for (const f of modules) {
      const script = new vm.Script(wrapModule(fs.readFileSync(path.join(dir, f), 'utf8')), { filename: path.join(dir, f), cachedData: fs.readFileSync(path.join(dir, `${f}.v8cache`)) });
      expect(`${f}: rejected=${script.cachedDataRejected}`).toBe(`${f}: rejected=false`);
    }
  });

  test('node-config: the same violations as Ajv compiling at run time', () => {
    const precompiled = builtNode.NodeConfigSchema.forVersion('v1.35.4');
    const compiled = NodeConfigSchema.forVersion('v1.35.4');
    expect([precompiled.isPrecompiled, compiled.isPrecompiled]).toEqual([true, false]);
    const docs = [
      { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', clusterDNZ: ['x'], maxPods: 'many' },
      { apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration', networking: { podSubnett: '10.0.0.0/8' } },
    ];
    const judged = docs.map((d) => precompiled.validate(d));
    expect(judged.flat().length).toBeGreaterThanOrEqual(3);
    expect(judged).toEqual(docs.map((d) => compiled.validate(d)));
  });
});
