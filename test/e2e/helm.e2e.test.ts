// The Helm chart of `synthConfig.format: helm` (docs/helm-output.md) with the real Helm (built by setup-tools.sh):
// `helm lint --strict` passes, `helm template` renders exactly the plain format's objects, and `helm upgrade --install`
// installs them into a fresh control plane of this file's own (etcd and kube-apiserver from our kubeadm files, so
// nothing else is installed there and the shared cluster is untouched); a second upgrade changes no object.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, type RunningControlPlane } from './harness/control-plane';
import { kubectl, kubectlOk } from './harness/kubectl';
import { stopProcesses } from './harness/processes';
import { repoRoot, tierVersions, tool } from './harness/tools';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-helm-'));
const pids: number[] = [];
let plane: RunningControlPlane;
const RELEASE = 'edge';
const NAMESPACE = 'kube-system';

// tenants (Namespaces, quotas, NetworkPolicies) and a CoreDNS `template` plugin, whose `{{ .Name }}` the chart escapes
const CLUSTER_YAML = [
  `kubernetesVersion: ${tierVersions().kubernetes}`,
  `clusterName: ${RELEASE}`,
  'components:',
  '  coredns:',
  '    extraPlugins:',
  '      - \'template IN A example.test { answer "{{ .Name }} 60 IN A 10.0.0.1" }\'',
  'tenants:',
  '  - name: team-a',
  '    resourceQuota: { hard: { pods: "10" } }',
  '    networkPolicies: { ingress: same-namespace }',
  '',
].join('\n');

/** A user's project folder: our cdk8s.yaml (absolute paths), plus `synthConfig`; `cdk8s synth` run in it. */
function synthProject(name: string, synthConfig: string): string {
  const work = path.join(dir, name);
  fs.mkdirSync(work);
  const root = repoRoot();
  const config = fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8').replace(/\.\/build\//g, `${root}/build/`).replace(/node build\//g, `node ${root}/build/`);
  fs.writeFileSync(path.join(work, 'cdk8s.yaml'), config + synthConfig);
  fs.writeFileSync(path.join(work, 'cluster.yaml'), CLUSTER_YAML);
  const r = spawnSync(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--check-upgrade=false'], {
    cwd: work,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CLUSTER_CONFIG: '', CLUSTER_BOOTSTRAP_OUTDIR: '' },
  });
  if (r.status !== 0) throw new Error(`cdk8s synth in ${work} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return path.join(work, 'dist');
}

/** The built helm, with its cache, config and data folders in this file's temp folder. */
function helm(args: readonly string[], timeoutMs = 120_000) {
  const home = path.join(dir, 'helm-home');
  const r = spawnSync(tool('helm'), args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data'), KUBECONFIG: '' },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

function helmOk(args: readonly string[], timeoutMs?: number): string {
  const r = helm(args, timeoutMs);
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

const parseObjects = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((o) => o !== null);
const ref = (o: Record<string, any>) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
/** Objects keyed by kind/namespace/name (each must be unique), for an object-for-object comparison. */
function byRef(objects: readonly Record<string, any>[]): Record<string, Record<string, any>> {
  const out: Record<string, Record<string, any>> = {};
  for (const o of objects) {
    if (out[ref(o)]) throw new Error(`${ref(o)} appears twice`);
    out[ref(o)] = o;
  }
  return out;
}

let plain: string;
let chart: string;
let plainObjects: Record<string, Record<string, any>>;

beforeAll(async () => {
  plain = synthProject('plain', '');
  chart = synthProject('helm', 'synthConfig:\n  format: helm\n  chartVersion: 0.1.0\n');
  plainObjects = byRef(fs.readdirSync(plain).filter((f) => f.endsWith('.k8s.yaml')).flatMap((f) => parseObjects(fs.readFileSync(path.join(plain, f), 'utf8'))));
  plane = await startControlPlane(path.join(dir, 'cluster'), pids, { programs: ['etcd', 'kube-apiserver'] });
}, 240_000);

afterAll(() => {
  stopProcesses(pids);
  if (!process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});

test('helm lint --strict passes: no error and no warning', () => {
  const r = helm(['lint', '--strict', chart]);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
});

test('helm template renders exactly the plain format objects, object for object', () => {
  const rendered = byRef(parseObjects(helmOk(['template', RELEASE, chart, '--namespace', NAMESPACE])));
  expect(Object.keys(plainObjects).length).toBeGreaterThan(20);
  expect(Object.keys(rendered).sort()).toEqual(Object.keys(plainObjects).sort());
  expect(rendered).toEqual(plainObjects);
  // the escaped braces came back: the Corefile is the plain one, `{{ .Name }}` included
  expect(rendered['ConfigMap/kube-system/coredns'].data.Corefile).toContain('answer "{{ .Name }} 60 IN A 10.0.0.1"');
});

test('without the escaping Helm would change the Corefile silently: the check above is live', () => {
  const raw = path.join(dir, 'unescaped');
  fs.cpSync(chart, raw, { recursive: true });
  const file = path.join(raw, 'templates', 'coredns.k8s.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split('{{ "{{" }}').join('{{'));
  const rendered = byRef(parseObjects(helmOk(['template', RELEASE, raw, '--namespace', NAMESPACE])));
  expect(rendered['ConfigMap/kube-system/coredns'].data.Corefile).not.toBe(plainObjects['ConfigMap/kube-system/coredns'].data.Corefile);
});

test('the packaged chart holds Chart.yaml, values.yaml and the templates; .helmignore keeps the node files out', () => {
  const out = path.join(dir, 'package');
  helmOk(['package', chart, '--destination', out]);
  const tgz = path.join(out, `${RELEASE}-0.1.0.tgz`);
  const list = spawnSync('tar', ['-tzf', tgz], { encoding: 'utf8', timeout: 30_000 });
  expect(list.status).toBe(0);
  const templates = fs.readdirSync(path.join(chart, 'templates')).map((f) => `${RELEASE}/templates/${f}`);
  expect(list.stdout.split('\n').filter(Boolean).sort()).toEqual([`${RELEASE}/.helmignore`, `${RELEASE}/Chart.yaml`, `${RELEASE}/values.yaml`, ...templates].sort());
});

describe('helm upgrade --install into a fresh cluster (its own etcd and kube-apiserver)', () => {
  /** What an upgrade may change, per object: resourceVersion (no controllers run here, so only Helm writes). */
  const state = () => {
    const out: Record<string, string> = {};
    for (const key of Object.keys(plainObjects)) {
      const o = plainObjects[key];
      const got = JSON.parse(kubectlOk(plane.adminKubeconfig, ['get', o.kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '-o', 'json']));
      out[key] = got.metadata.resourceVersion;
    }
    return out;
  };
  const upgrade = (extra: string[] = []) => helm(['upgrade', '--install', RELEASE, chart, '--namespace', NAMESPACE, '--kubeconfig', plane.adminKubeconfig, ...extra]);

  test('an object applied before without Helm is refused, then adopted with --take-ownership', () => {
    const role = plainObjects['ClusterRole/cluster-doctor'];
    expect(role).toBeDefined();
    kubectlOk(plane.adminKubeconfig, ['apply', '--server-side', '--field-manager=cluster-bootstrap', '-f', '-'], JSON.stringify(role));
    const refused = upgrade();
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('ClusterRole "cluster-doctor" in namespace "" exists and cannot be imported into the current release: invalid ownership metadata');
    // nothing but the adopted object was created
    expect(kubectl(plane.adminKubeconfig, ['get', 'namespace', 'team-a']).status).not.toBe(0);
    const adopted = upgrade(['--take-ownership']);
    expect({ status: adopted.status, stderr: adopted.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('the install created every object; helm get manifest holds the plain objects; objects carry the release', () => {
    expect(byRef(parseObjects(helmOk(['get', 'manifest', RELEASE, '--namespace', NAMESPACE, '--kubeconfig', plane.adminKubeconfig])))).toEqual(plainObjects);
    const cm = JSON.parse(kubectlOk(plane.adminKubeconfig, ['get', 'configmap', 'coredns', '-n', 'kube-system', '-o', 'json', '--show-managed-fields']));
    expect(cm.data).toEqual(plainObjects['ConfigMap/kube-system/coredns'].data);
    expect(cm.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': RELEASE, 'meta.helm.sh/release-namespace': NAMESPACE });
    // Helm v4 applies server-side, as field manager "helm"
    expect(cm.metadata.managedFields.map((f: any) => [f.manager, f.operation])).toContainEqual(['helm', 'Apply']);
    expect(Object.keys(state()).sort()).toEqual(Object.keys(plainObjects).sort());
  });

  test('another upgrade of the same chart makes a new revision and changes no object', () => {
    const release = () => JSON.parse(helmOk(['list', '--namespace', NAMESPACE, '--kubeconfig', plane.adminKubeconfig, '-o', 'json'])).map((x: any) => [x.name, Number(x.revision), x.status, x.chart, x.app_version]);
    const [[, revision]] = release();
    const before = state();
    const r = upgrade();
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(state()).toEqual(before);
    expect(release()).toEqual([[RELEASE, revision + 1, 'deployed', `${RELEASE}-0.1.0`, tierVersions().kubernetes.replace(/^v/, '')]]);
  });
});
