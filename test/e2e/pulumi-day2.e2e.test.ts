// Day 2 with the real `pulumi up`: upgrades and config changes that replace nothing they should not, tenants
// removed without losing their workloads, and drift shown and repaired. The stack deploys to a control plane of its
// own (etcd, kube-apiserver, kube-controller-manager from our kubeadm files), so this file runs beside the shared
// cluster's files. Each path starts from a fresh stack at its "before" config.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startControlPlane, type RunningControlPlane } from './harness/control-plane';
import { kubectl, kubectlOk } from './harness/kubectl';
import { stopProcesses } from './harness/processes';
import { exitOf, PulumiProject, waitForOutput, type PreviewStep } from './harness/pulumi';
import { UPGRADE_PATHS, type UpgradePath } from './harness/upgrade-paths';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-day2-'));
const pids: number[] = [];
const projects: PulumiProject[] = [];
let plane: RunningControlPlane;
/** Seconds of each upgrade's `pulumi up`, for BENCHMARKS.md (E2E_TIMINGS). */
const timings: Record<string, number> = {};

beforeAll(async () => {
  plane = await startControlPlane(dir, pids, { programs: ['etcd', 'kube-apiserver', 'kube-controller-manager'] });
}, 180_000);

// every stack is destroyed after its test, passed or failed, so the next one starts from an empty cluster
afterEach(() => {
  for (const p of projects.splice(0)) p.run(['destroy', '--yes', '--skip-preview']);
  // what a retained tenant left behind
  kubectl(plane.adminKubeconfig, ['delete', 'namespace', '--ignore-not-found', '--wait=false', 'team-keep', 'team-drop']);
});

afterAll(() => {
  stopProcesses(pids);
  if (process.env.E2E_TIMINGS) fs.writeFileSync(process.env.E2E_TIMINGS, JSON.stringify(timings));
  if (!process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh stack (dev's config) on this file's control plane, its cluster config set by `before`. */
function freshStack(name: string, before: (c: Record<string, any>) => void): PulumiProject {
  const project = new PulumiProject(fs.mkdtempSync(path.join(dir, `${name}-`)), 'dev', plane.adminKubeconfig);
  projects.push(project);
  project.editClusterConfig(before);
  return project;
}

/** `Kind ns/name` of a preview step's Kubernetes resource, or undefined for Pulumi's own resources. */
function objectOf(step: PreviewStep): string | undefined {
  const type = step.urn.split('$').pop()!;
  const m = /^kubernetes:[^:]+:([A-Za-z]+)::(.+)$/.exec(type);
  return m ? `${m[1]} ${m[2]}` : undefined;
}

/** Kinds whose replacement means downtime or data loss (issue 21). */
const NEVER_REPLACED = new Set(['Namespace', 'Service', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'DaemonSet']);
const WORKLOADS = new Set(['DaemonSet', 'Deployment']);

interface PathResult {
  /** The program's warnings in the preview of the change (the change plan's disruptive changes). */
  readonly warnings: string[];
  readonly replaced: string[];
  readonly changed: string[];
  readonly workloadOps: string[];
}

/**
 * One upgrade path: a fresh stack at `before`, then `after` previewed (nothing of NEVER_REPLACED replaced, every
 * workload change an update, which the API server rolls out with the object's own strategy), applied, and the next
 * up a no-op. Destroys the stack at the end.
 */
function upgradePath({ name, before, after }: UpgradePath): PathResult {
  const project = freshStack(name.replace(/\W+/g, '-'), before);
  project.ok(['up', '--yes', '--skip-preview']);
  project.editClusterConfig(after);
  const preview = project.preview() as ReturnType<PulumiProject['preview']> & { diagnostics?: { severity: string; message: string }[] };
  const warnings = (preview.diagnostics ?? []).filter((d) => d.severity === 'warning').map((d) => d.message.trim());
  const steps = preview.steps.filter((s) => s.op !== 'same' && objectOf(s));
  const replaced = steps.filter((s) => /replace/.test(s.op)).map((s) => objectOf(s)!);
  const workloadOps = steps.filter((s) => WORKLOADS.has(objectOf(s)!.split(' ')[0])).map((s) => `${s.op} ${objectOf(s)}`);
  const up = project.ok(['up', '--yes', '--skip-preview']);
  timings[`upgrade: ${name}`] = up.seconds;
  project.ok(['up', '--yes', '--skip-preview', '--expect-no-changes']);
  return { warnings, replaced, changed: steps.map((s) => `${s.op} ${objectOf(s)}`), workloadOps };
}

function expectSafe(r: PathResult): void {
  expect(r.replaced.filter((o) => NEVER_REPLACED.has(o.split(' ')[0]))).toEqual([]);
  expect(r.workloadOps.filter((o) => !/^(update|create|delete) /.test(o))).toEqual([]);
  expect(r.changed.length).toBeGreaterThan(0); // the path changed something
}

describe('upgrades with the real pulumi up: no replacement of what must stay, the stack converges, the next up is a no-op', () => {
  test('versions: Kubernetes 1.34 to 1.35.4 (CoreDNS, Konnectivity, kube-proxy-windows releases, kubeadm API of node files)', () => {
    const r = upgradePath(UPGRADE_PATHS.versions);
    expectSafe(r);
    expect(r.workloadOps).toEqual(expect.arrayContaining(['update Deployment kube-system/coredns']));
  });

  test('releases: flannel v0.27.0 to v0.28.9', () => {
    const r = upgradePath(UPGRADE_PATHS.flannel);
    expectSafe(r);
    expect(r.workloadOps).toEqual(['update DaemonSet kube-flannel/kube-flannel-ds']);
    expect(r.replaced).toEqual([]);
  });

  test('config: CoreDNS replicas and a stub domain, tenants added, Konnectivity on', () => {
    const r = upgradePath(UPGRADE_PATHS.config);
    expectSafe(r);
    expect(r.replaced).toEqual([]);
    expect(r.changed).toEqual(expect.arrayContaining(['update ConfigMap kube-system/coredns', 'update Deployment kube-system/coredns', 'create Namespace team-a']));
  });

  test('Windows switched on: disruptive, so the plan warns with the procedure, and the update replaces nothing', () => {
    const r = upgradePath(UPGRADE_PATHS.windows);
    expectSafe(r);
    expect(r.replaced).toEqual([]);
    expect(r.warnings.filter((w) => /disruptive change (windows\.enabled \[windows\]|components\.flannel\.vxlan\.(vni|port))/.test(w))).toHaveLength(3);
  });
});

describe('an interrupted upgrade', () => {
  test('Ctrl-C part-way through the flannel and Kubernetes upgrade: the re-run converges and the next up is a no-op', async () => {
    const project = freshStack('interrupted', (c) => {
      UPGRADE_PATHS.flannel.before(c);
      UPGRADE_PATHS.versions.before(c);
    });
    project.ok(['up', '--yes', '--skip-preview']);
    project.editClusterConfig((c) => {
      UPGRADE_PATHS.flannel.after(c);
      UPGRADE_PATHS.versions.after(c);
    });
    const child = project.spawnUp();
    await waitForOutput(child, 'the first update under way', (out) => /^ ~ {2}kubernetes:\S+ \S+ updating/m.test(out), 60_000);
    process.kill(-child.pid!, 'SIGINT');
    const exit = await exitOf(child);
    expect(exit.code === 0 && exit.signal === null).toBe(false);
    expect(project.locks()).toEqual([]);
    project.ok(['up', '--yes', '--skip-preview']);
    project.ok(['up', '--yes', '--skip-preview', '--expect-no-changes']);
    expect(project.state().pendingOperations).toEqual([]);
  });
});

describe('the change plan inside pulumi up', () => {
  test('a first deploy plans against nothing and says so; a pod CIDR change is refused before any resource is touched, with the words of cluster-plan', () => {
    const project = freshStack('gate', () => undefined);
    const first = project.ok(['up', '--yes', '--skip-preview']);
    expect(first.stdout).toMatch(/change plan: the stack has no deployed cluster config \(a first deploy.*planned against nothing/);
    const kubeconfig = plane.adminKubeconfig;
    const netConf = () => kubectlOk(kubeconfig, ['get', 'configmap', 'kube-flannel-cfg', '-n', 'kube-flannel', '-o', 'jsonpath={.data.net-conf\\.json}']);
    const before = netConf();
    project.editClusterConfig((c) => (c.networking = { podSubnet: '10.200.0.0/16' }));
    const refused = project.run(['up', '--yes', '--skip-preview']);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/refused 1 impossible change[\s\S]*networking\.podSubnet \[pod-cidr\]: cannot change on a running cluster \(old "10\.244\.0\.0\/16", new "10\.200\.0\.0\/16"\)/);
    expect(netConf()).toBe(before);
    // acknowledged by its id, the preview goes through and names the one object it changes
    project.ok(['config', 'set', '--path', 'allowDisruptive[0]', 'pod-cidr']);
    const steps = project.preview().steps.filter((s) => s.op !== 'same' && objectOf(s));
    expect(steps.map((s) => `${s.op} ${objectOf(s)}`)).toEqual(['update ConfigMap kube-flannel/kube-flannel-cfg']);
  });
});

describe('removing a tenant loses no workload', () => {
  test('a retained tenant keeps its Namespace and workload; a tenant with onRemoval: delete is deleted with them', () => {
    const project = freshStack('removal', (c) => (c.tenants = [{ name: 'team-keep' }, { name: 'team-drop', onRemoval: 'delete' }]));
    const kubeconfig = plane.adminKubeconfig;
    project.ok(['up', '--yes', '--skip-preview']);
    // a workload the stack did not create, in each tenant
    for (const ns of ['team-keep', 'team-drop']) kubectlOk(kubeconfig, ['create', 'configmap', 'app-state', '-n', ns, '--from-literal=orders=42']);
    project.editClusterConfig((c) => delete c.tenants);
    project.ok(['up', '--yes', '--skip-preview']);
    expect(kubectlOk(kubeconfig, ['get', 'configmap', 'app-state', '-n', 'team-keep', '-o', 'jsonpath={.data.orders}'])).toBe('42');
    expect(kubectlOk(kubeconfig, ['get', 'namespace', 'team-keep', '-o', 'jsonpath={.status.phase}'])).toBe('Active');
    // team-drop: deleted (the namespace controller empties it; Terminating until then)
    const dropped = kubectl(kubeconfig, ['get', 'namespace', 'team-drop', '-o', 'jsonpath={.status.phase}']);
    expect(dropped.status !== 0 || dropped.stdout === 'Terminating').toBe(true);
    const state = project.state().urns.map((u) => u.split('::').pop());
    expect(state).not.toContain('team-keep');
    expect(state).not.toContain('team-drop');
  });
});

describe('drift', () => {
  test('a hand edit of the CoreDNS ConfigMap and a scaled Deployment: preview --refresh shows both, up --refresh restores ours', () => {
    const project = freshStack('drift', () => undefined);
    const kubeconfig = plane.adminKubeconfig;
    project.ok(['up', '--yes', '--skip-preview']);
    const corefile = kubectlOk(kubeconfig, ['get', 'configmap', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.data.Corefile}']);
    kubectlOk(kubeconfig, ['patch', 'configmap', 'coredns', '-n', 'kube-system', '--type=merge', '-p', JSON.stringify({ data: { Corefile: `${corefile}\n# edited by hand\n` } })]);
    kubectlOk(kubeconfig, ['scale', 'deployment', 'coredns', '-n', 'kube-system', '--replicas=3']);
    // without --refresh Pulumi compares the config with its own state only, so it sees no drift (the README says so)
    const plain = (JSON.parse(project.ok(['preview', '--json', '--diff']).stdout).steps as PreviewStep[]).filter((s) => s.op === 'update').map(objectOf).sort();
    const refreshed = project.ok(['preview', '--refresh', '--json', '--diff']);
    const drifted = (JSON.parse(refreshed.stdout).steps as PreviewStep[]).filter((s) => s.op === 'update').map(objectOf).sort();
    expect(drifted).toEqual(['ConfigMap kube-system/coredns', 'Deployment kube-system/coredns']);
    project.ok(['up', '--refresh', '--yes', '--skip-preview']);
    expect(kubectlOk(kubeconfig, ['get', 'configmap', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.data.Corefile}'])).toBe(corefile);
    expect(kubectlOk(kubeconfig, ['get', 'deployment', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.spec.replicas}'])).toBe('1');
    project.ok(['preview', '--refresh', '--expect-no-changes']);
    expect(plain).toEqual([]);
  });
});
