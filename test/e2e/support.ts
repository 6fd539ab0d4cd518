import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import type { ClusterState } from './harness/cluster';
import { tierVersions } from './harness/tools';

const root = path.join(__dirname, '..', '..');

/** The cluster global setup started (or the existing one named by $E2E_KUBECONFIG). */
export function cluster(): ClusterState {
  const file = process.env.E2E_STATE_FILE;
  if (!file) throw new Error('E2E_STATE_FILE is not set: run the e2e tier with `npm run test:e2e`');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterState;
}

/** The configurations the tier applies: the default and the variants that change what is emitted. */
export const SCENARIOS: Record<string, string> = {
  default: '',
  windows: 'windows:\n  enabled: true\n',
  // plus the kubelet serving-CSR approver (off by default)
  ipvs: 'networking:\n  kubeProxyMode: ipvs\ncomponents:\n  kubeletServingApprover:\n    enabled: true\n',
  // plus Konnectivity with its server as a DaemonSet, so the scheduler places it
  'cloud-external':
    'cloudProvider:\n  type: external\n  name: example\ncomponents:\n  cloudControllerManager:\n    image: registry.example.internal/example/cloud-controller-manager:v1.30.0\n' +
    '  konnectivity:\n    enabled: true\n    serverForm: daemonset\n',
  // the docs' two LimitRange examples as tenants (default 512Mi/256Mi; min 500Mi, max 1Gi) and a quota
  tenants: [
    'tenants:',
    '  - name: default-mem-example',
    '    limitRange: { container: { default: { memory: 512Mi }, defaultRequest: { memory: 256Mi } } }',
    '  - name: constraints-mem-example',
    '    limitRange: { container: { max: { memory: 1Gi }, min: { memory: 500Mi } } }',
    '    resourceQuota: { hard: { pods: "10", limits.memory: 8Gi, count/deployments.apps: "5" } }',
    '    networkPolicies: { ingress: same-namespace }',
    '  - name: team-baseline',
    '    podSecurity: { enforce: baseline, enforceVersion: v1.30, warn: restricted }',
    '    limitRange: { container: { default: { cpu: 500m, memory: 256Mi }, max: { cpu: "2" } }, persistentVolumeClaim: { max: { storage: 10Gi } } }',
    '',
  ].join('\n'),
};

const workDirs: string[] = [];
afterAll(() => workDirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Synthesizes a scenario with the real app (build/synth.js) and returns its dist folder. */
export function synthScenario(name: string): string {
  return synthConfig(name, SCENARIOS[name]);
}

/**
 * Synthesizes a `cluster.yaml` text with the real app (build/synth.js) and returns its dist folder. The config
 * targets the tier's Kubernetes release unless it names one: what is emitted is what that release runs.
 */
export function synthConfig(name: string, clusterYaml: string): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `cb-e2e-${name}-`));
  workDirs.push(work);
  const version = /^kubernetesVersion:/m.test(clusterYaml) ? '' : `kubernetesVersion: ${tierVersions().kubernetes}\n`;
  fs.writeFileSync(path.join(work, 'cluster.yaml'), version + clusterYaml);
  const r = spawnSync(process.execPath, [path.join(root, 'build', 'synth.js')], { cwd: work, encoding: 'utf8', env: { ...process.env, CLUSTER_CONFIG: '' } });
  if (r.status !== 0) throw new Error(`synth of ${name} failed:\n${r.stderr}`);
  return path.join(work, 'dist');
}

export function manifestFiles(dist: string): string[] {
  return fs.readdirSync(dist).filter((f) => f.endsWith('.k8s.yaml')).map((f) => path.join(dist, f));
}

export function objectsIn(dist: string): Record<string, any>[] {
  return manifestFiles(dist).flatMap((f) => parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS()));
}

/** The object of `kind` named `name` in synthesized output; a clear error when our output has none. */
export function findObject(objects: readonly Record<string, any>[], kind: string, name: string): Record<string, any> {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`our output has no ${kind} ${name}`);
  return o;
}

export function ref(o: Record<string, any>): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}
