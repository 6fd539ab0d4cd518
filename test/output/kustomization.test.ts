import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { load } from 'js-yaml';
import { applyOrder, kustomization } from '../../lib/output/kustomization';
import type { ChartOutput } from '../../lib/output/synth';
import { tempDir } from '../support/temp-dir';

const root = path.join(__dirname, '..', '..');
const KUBECTL = path.join(process.env.HOME ?? '', '.cache', 'cluster-bootstrap-tools', 'bin', 'kubernetes-v1.35.4', 'kubectl');

const chart = (id: string, ...kinds: [string, string][]): ChartOutput => ({
  id,
  file: path.join('/out', `${id}.k8s.yaml`),
  objects: kinds.map(([apiVersion, kind]) => ({ apiVersion, kind, metadata: { name: id } })),
});

describe('apply order', () => {
  test('files with a Namespace first, then with a CRD, then the rest, each in synth order; files-only charts left out', () => {
    const outputs: ChartOutput[] = [
      chart('flannel', ['v1', 'ConfigMap'], ['apps/v1', 'DaemonSet']),
      chart('operator', ['apps/v1', 'Deployment'], ['apiextensions.k8s.io/v1', 'CustomResourceDefinition']),
      { id: 'pki', objects: [] },
      chart('coredns', ['v1', 'Service']),
      chart('tenants', ['v1', 'ResourceQuota'], ['v1', 'Namespace']),
      chart('widgets', ['example.com/v1', 'Namespace']), // not the core Namespace
    ];
    expect(applyOrder(outputs, '/out')).toEqual(['tenants.k8s.yaml', 'operator.k8s.yaml', 'flannel.k8s.yaml', 'coredns.k8s.yaml', 'widgets.k8s.yaml']);
  });

  test('the file is a Kustomization listing them', () => {
    expect(load(kustomization(['a.k8s.yaml', 'b.k8s.yaml']))).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['a.k8s.yaml', 'b.k8s.yaml'] });
  });
});

describe('dist/kustomization.yaml from the synth app', () => {
  test('lists every manifest file exactly once, files with Namespaces first, and nothing else', () => {
    const cwd = tempDir('cb-kustomize-');
    fs.writeFileSync(path.join(cwd, 'cluster.yaml'), 'tenants:\n  - name: payments\ncomponents:\n  konnectivity:\n    enabled: true\n    serverHost: cp.example.com\n');
    const env = { ...process.env };
    for (const k of ['CLUSTER_CONFIG', 'CLUSTER_BOOTSTRAP_OUTDIR', 'CDK8S_OUTDIR']) delete env[k];
    const r = spawnSync(process.execPath, [path.join(root, 'build', 'synth.js')], { cwd, env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const dist = path.join(cwd, 'dist');
    const k = load(fs.readFileSync(path.join(dist, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    const manifests = fs.readdirSync(dist).filter((f) => f.endsWith('.k8s.yaml'));
    expect([...k.resources].sort()).toEqual(manifests.sort());
    expect(new Set(k.resources).size).toBe(k.resources.length);
    // flannel (kube-flannel) and tenants hold Namespaces: both before every file without one
    const hasNamespace = (f: string) => /^kind: Namespace$/m.test(fs.readFileSync(path.join(dist, f), 'utf8'));
    expect(k.resources.slice(0, 2)).toEqual(['flannel.k8s.yaml', 'tenants.k8s.yaml']);
    expect(k.resources.map(hasNamespace)).toEqual(k.resources.map((_, i) => i < 2));
    expect(k.resources).toContain('konnectivity.k8s.yaml');
    expect(r.stderr).toContain('published dist/ (apply with: kubectl apply -k dist/, which reads dist/kustomization.yaml)');
    if (fs.existsSync(KUBECTL)) {
      const built = spawnSync(KUBECTL, ['kustomize', dist], { encoding: 'utf8' });
      expect(built.status).toBe(0);
    }
  });
});
