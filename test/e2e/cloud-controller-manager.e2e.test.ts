// Our cloud-controller-manager objects in a real cluster: the real CCM (k8s.io/cloud-provider's command with its fake
// cloud, tools/cloud-controller-manager) runs on exactly our container's args as our ServiceAccount, with only the
// additions one machine forces (cloudControllerManagerRewrites). It must lead, initialize a tainted node and serve a
// LoadBalancer with nothing forbidden; then each rule of our ClusterRole is removed in turn and must be missed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import {
  deleteLease,
  forbiddenLines,
  leaseHolder,
  logFile,
  serviceAccountKubeconfig,
  serviceAccountToken,
  startCloudControllerManager,
  stopCloudControllerManager,
  type CloudControllerManagerRun,
} from './harness/cloud-controller-manager';
import { kubectl, kubectlOk } from './harness/kubectl';
import { exitedEarly, waitFor } from './harness/processes';
import { cluster, ref, synthScenario } from './support';

const WAIT_MS = 60_000;
const TAINT = 'node.cloudprovider.kubernetes.io/uninitialized';
const { kubeconfig } = cluster();
const objects: Record<string, any>[] = parseAllDocuments(fs.readFileSync(path.join(synthScenario('cloud-external'), 'cloud-controller-manager.k8s.yaml'), 'utf8')).map((d) => d.toJS());
const daemonSet = objects.find((o) => o.kind === 'DaemonSet');
const container = daemonSet?.spec.template.spec.containers.find((c: any) => c.name === 'cloud-controller-manager');
// everything but the workload itself: the ServiceAccount, the ClusterRole and the bindings
const rbac = objects.filter((o) => o !== daemonSet);
const role = rbac.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'system:cloud-controller-manager');
const rules: Record<string, any>[] = role?.rules ?? [];
const serviceAccount = rbac.find((o) => o.kind === 'ServiceAccount');
const user = `system:serviceaccount:${serviceAccount?.metadata.namespace}:${serviceAccount?.metadata.name}`;
// the per-controller ServiceAccounts --use-service-account-credentials makes (k8s.io/cloud-provider's client names)
const CONTROLLER_ACCOUNTS = ['node-controller', 'service-controller'];

const describeRule = (r: Record<string, any>) => `${r.resources.join(',')}${r.apiGroups[0] ? `.${r.apiGroups[0]}` : ''} [${r.verbs.join(',')}]`;
const applyAll = (docs: readonly Record<string, any>[]) => kubectlOk(kubeconfig, ['apply', '--server-side', '--force-conflicts', '--field-manager=cluster-bootstrap', '-f', '-'], docs.map((d) => JSON.stringify(d)).join('\n'));

let dir = '';
let saKubeconfig = '';
let existed = new Set<string>();
let accountsBefore = new Set<string>();
const runs: CloudControllerManagerRun[] = [];
const nodes: string[] = [];
const findings: string[] = [];

function node(name: string): void {
  nodes.push(name);
  const manifest = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' }, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
    // what a kubelet with --cloud-provider=external registers with (our kubelet args, README)
    spec: { taints: [{ key: TAINT, value: 'true', effect: 'NoSchedule' }] },
  };
  kubectlOk(kubeconfig, ['create', '-f', '-'], JSON.stringify(manifest));
}

function nodeState(name: string): { tainted: boolean; providerID: string; labels: Record<string, string> } {
  const r = kubectl(kubeconfig, ['get', 'node', name, '-o', 'json']);
  if (r.status !== 0) return { tainted: true, providerID: '', labels: {} };
  const n = JSON.parse(r.stdout);
  return { tainted: (n.spec.taints ?? []).some((t: any) => t.key === TAINT), providerID: n.spec.providerID ?? '', labels: n.metadata.labels ?? {} };
}

async function start(name: string, env?: Readonly<Record<string, string>>): Promise<CloudControllerManagerRun> {
  deleteLease(kubeconfig);
  // the controller ServiceAccounts the CCM made in an earlier run go, so each run makes them again
  for (const a of CONTROLLER_ACCOUNTS.filter((x) => !accountsBefore.has(x))) kubectl(kubeconfig, ['delete', 'serviceaccount', a, '-n', 'kube-system', '--ignore-not-found']);
  const run = await startCloudControllerManager(container.args, saKubeconfig, logFile(dir, name), WAIT_MS, env);
  runs.push(run);
  return run;
}

function stop(run: CloudControllerManagerRun): void {
  stopCloudControllerManager(run);
  runs.splice(runs.indexOf(run), 1);
}

beforeAll(() => {
  if (!container || !role || !serviceAccount) throw new Error('the cloud-external scenario emitted no cloud-controller-manager DaemonSet, ClusterRole and ServiceAccount');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-ccm-'));
  existed = new Set(rbac.filter((o) => kubectl(kubeconfig, ['get', `${o.kind}/${o.metadata.name}`, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : [])]).status === 0).map(ref));
  accountsBefore = new Set(CONTROLLER_ACCOUNTS.filter((a) => kubectl(kubeconfig, ['get', 'serviceaccount', a, '-n', 'kube-system']).status === 0));
  applyAll(rbac);
  saKubeconfig = serviceAccountKubeconfig(kubeconfig, serviceAccountToken(kubeconfig, serviceAccount.metadata.namespace, serviceAccount.metadata.name), 'cloud-controller-manager', path.join(dir, 'ccm.kubeconfig'));
});

afterAll(() => {
  runs.splice(0).forEach(stopCloudControllerManager);
  // a Service left with the CCM's finalizer would never go away once no CCM runs
  kubectl(kubeconfig, ['patch', 'service', 'ccm-e2e-lb', '-n', 'default', '--type=json', '-p=[{"op":"remove","path":"/metadata/finalizers"}]']);
  kubectl(kubeconfig, ['delete', 'service', 'ccm-e2e-lb', '-n', 'default', '--ignore-not-found', '--wait=false']);
  for (const n of nodes) kubectl(kubeconfig, ['delete', 'node', n, '--ignore-not-found', '--wait=false']);
  deleteLease(kubeconfig);
  // what we applied goes back to what was there (our emitted objects) or away
  if (role && rbac.some((o) => existed.has(ref(o)))) applyAll(rbac.filter((o) => existed.has(ref(o))));
  for (const o of rbac.filter((x) => !existed.has(ref(x)))) kubectl(kubeconfig, ['delete', `${o.kind}/${o.metadata.name}`, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '--ignore-not-found']);
  for (const a of CONTROLLER_ACCOUNTS.filter((x) => !accountsBefore.has(x))) kubectl(kubeconfig, ['delete', 'serviceaccount', a, '-n', 'kube-system', '--ignore-not-found']);
  if (findings.length) process.stderr.write(`\ncloud-controller-manager, each rule removed:\n${findings.join('\n')}\n`);
  if (dir && !process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});

test('the CCM leads, initializes a tainted node and serves a LoadBalancer on our args and RBAC, nothing forbidden', async () => {
  expect(container.args).toContain('--cloud-provider=example');
  const name = 'ccm-e2e-full';
  node(name);
  kubectlOk(kubeconfig, ['create', 'service', 'loadbalancer', 'ccm-e2e-lb', '-n', 'default', '--tcp=80:8080']);
  const run = await start('full');
  try {
    await waitFor('the cloud-controller-manager lease to have a holder', () => leaseHolder(kubeconfig) !== '', WAIT_MS, run.process.log);
    const ledAfter = Date.now() - run.startedAt;
    await waitFor(`node ${name} initialized (taint removed, providerID set)`, () => !nodeState(name).tainted, WAIT_MS, run.process.log);
    const initializedAfter = Date.now() - run.startedAt;
    const n = nodeState(name);
    // each set by the node controller from the fake cloud's InstancesV2 metadata (tools/cloud-controller-manager)
    expect({ providerID: n.providerID, zone: n.labels['topology.kubernetes.io/zone'], region: n.labels['topology.kubernetes.io/region'], type: n.labels['node.kubernetes.io/instance-type'] }).toEqual({
      providerID: `example://${name}`,
      zone: 'example-zone-a',
      region: 'example-region',
      type: 'example.small',
    });
    await waitFor('the LoadBalancer Service to get the fake cloud’s address', () => kubectl(kubeconfig, ['get', 'service', 'ccm-e2e-lb', '-n', 'default', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']).stdout === '192.0.2.100', WAIT_MS, run.process.log);
    kubectlOk(kubeconfig, ['delete', 'service', 'ccm-e2e-lb', '-n', 'default', '--timeout=60s']);
    process.stderr.write(`\ncloud-controller-manager: lease held ${ledAfter} ms after start, ${name} initialized after ${initializedAfter} ms\n`);
    expect(leaseHolder(kubeconfig)).toMatch(new RegExp(`^${os.hostname()}_`));
    expect(exitedEarly(run.process)).toBeUndefined();
    expect(forbiddenLines(run.process.log)).toEqual([]);
    // the controllers' own ServiceAccounts (--use-service-account-credentials) exist: the CCM made or found them
    for (const a of CONTROLLER_ACCOUNTS) expect({ a, exists: kubectl(kubeconfig, ['get', 'serviceaccount', a, '-n', 'kube-system']).status === 0 }).toEqual({ a, exists: true });
  } finally {
    stop(run);
  }
});

// How the API server's forbidden message names a request: `cannot <verb> resource "<resource>" in API group "<group>"`.
const refusal = (resource: string, group: string, verb?: string) => `${verb ? `cannot ${verb} ` : ''}resource "${resource}" in API group "${group}"`;
// klog quotes the error inside a structured line (\"nodes\"); compare the unescaped text
const refusedIn = (log: string, wanted: readonly string[]) => forbiddenLines(log).map((l) => l.replace(/\\"/g, '"')).find((l) => wanted.some((w) => l.includes(w)));
// verbs of our rules that no single run exercises, and why they stay
const NOT_RUN_BY_ONE_RUN: Record<string, string> = {
  'events:patch': "client-go's event recorder patches an event only when it repeats (its count); the CCM's own identity records one leader-election event per term",
};

// client-go 1.35's informers start with a streaming watch-list (WatchListClient, on by default) and never call list;
// a CCM built on an older client-go, as most providers' are, lists first. The list verbs are removed in a run with
// that client switch off (client-go reads KUBE_FEATURE_<gate> from the environment), as such a CCM behaves.
const LISTING = { KUBE_FEATURE_WatchListClient: 'false' } as const;

interface Ablation {
  readonly label: string;
  readonly rules: readonly Record<string, any>[];
  readonly withoutAuthReader?: boolean;
  /** Added to the CCM's environment for this run. */
  readonly env?: Readonly<Record<string, string>>;
  /** What RBAC must then refuse (checked with `kubectl auth can-i` before the run). */
  readonly canI: readonly string[];
  /** Any of these in a forbidden line shows the missing permission was needed. */
  readonly refusals: readonly string[];
}

const canIArgs = (verb: string, resource: string, group: string) => {
  const [res, sub] = resource.split('/');
  return [verb === '*' ? 'get' : verb, `${res}${group ? `.${group}` : ''}`, ...(sub ? [`--subresource=${sub}`] : [])];
};
const ablations: Ablation[] = [
  ...rules.map((r, i) => ({
    label: `the rule ${describeRule(r)}`,
    rules: rules.filter((_, j) => j !== i),
    canI: canIArgs(r.verbs[0], r.resources[0], r.apiGroups[0]),
    refusals: r.resources.map((res: string) => refusal(res, r.apiGroups[0])),
  })),
  ...rules.flatMap((r, i) =>
    r.verbs.length < 2
      ? []
      : r.verbs
          .filter((v: string) => !r.resources.every((res: string) => NOT_RUN_BY_ONE_RUN[`${res}:${v}`]))
          .map((v: string) => ({
            label: `the verb ${v} of ${describeRule(r)}`,
            rules: rules.map((x, j) => (j === i ? { ...x, verbs: x.verbs.filter((y: string) => y !== v) } : x)),
            canI: canIArgs(v, r.resources[0], r.apiGroups[0]),
            ...(v === 'list' ? { env: LISTING } : {}),
            refusals: r.resources.map((res: string) => refusal(res, r.apiGroups[0], v)),
          })),
  ),
  { label: 'the RoleBinding to extension-apiserver-authentication-reader', rules, withoutAuthReader: true, canI: ['get', 'configmaps'], refusals: [refusal('configmaps', '')] },
];
const authReader = rbac.find((o) => o.kind === 'RoleBinding');

test.each(ablations.map((a, i) => [a.label, i] as const))('without %s the CCM is refused', async (_label, i) => {
  const a = ablations[i];
  applyAll([{ ...role!, rules: a.rules }]);
  if (a.withoutAuthReader) kubectlOk(kubeconfig, ['delete', 'rolebinding', authReader!.metadata.name, '-n', authReader!.metadata.namespace]);
  await waitFor(`RBAC to refuse ${a.canI.join(' ')} to ${user}`, () => kubectl(kubeconfig, ['auth', 'can-i', ...a.canI, '-n', 'kube-system', `--as=${user}`]).stdout.trim() === 'no', WAIT_MS);
  const name = `ccm-e2e-without-${i}`;
  node(name);
  const log = logFile(dir, `without-${i}`);
  let run: CloudControllerManagerRun | undefined;
  let refused: string | undefined;
  try {
    // a CCM that cannot even serve (the auth reader is read before its port opens) exits: that is the refusal
    run = await start(`without-${i}`, a.env).catch((e: Error) => {
      refused = refusedIn(log, a.refusals);
      if (refused === undefined) throw e;
      return undefined;
    });
    const started = run;
    if (started) {
      await waitFor(
        `a forbidden naming ${a.refusals.join(' or ')}`,
        () => {
          refused = refusedIn(started.process.log, a.refusals);
          return refused !== undefined || exitedEarly(started.process) !== undefined;
        },
        WAIT_MS,
      ).catch(() => undefined);
    }
    const initialized = !nodeState(name).tainted;
    const leader = leaseHolder(kubeconfig) !== '';
    const first = refused?.replace(/^.*?(\S+ is forbidden)/, '$1').replace(/" (lock|logger|event)=.*$/, '').slice(0, 260);
    findings.push(`- without ${a.label}: ${first ?? 'NO forbidden naming it'} (leader: ${leader}; node initialized: ${initialized}${!run ? '; the CCM exited at start' : exitedEarly(run.process) ? '; the CCM exited' : ''})`);
    expect({ without: a.label, refused: refused !== undefined }).toEqual({ without: a.label, refused: true });
  } finally {
    if (run) stop(run);
    kubectl(kubeconfig, ['delete', 'node', name, '--ignore-not-found', '--wait=false']);
    applyAll([role!, ...(a.withoutAuthReader ? [authReader!] : [])]);
  }
}, 4 * WAIT_MS);

test('every verb of our rules is exercised by a run, or listed with why it stays', () => {
  const listed = Object.keys(NOT_RUN_BY_ONE_RUN).filter((k) => rules.some((r) => r.resources.some((res: string) => r.verbs.some((v: string) => `${res}:${v}` === k))));
  expect(listed).toEqual(Object.keys(NOT_RUN_BY_ONE_RUN));
  findings.push(...Object.entries(NOT_RUN_BY_ONE_RUN).map(([k, why]) => `- ${k}: not removed by a run: ${why}`));
});
