import { parseClusterConfig } from '../../lib/config/parse';
import { allowIngressFromLabels, isolateNamespace, type SamplePod } from '../../lib/network-policy';
import type { NetworkPolicyJson } from '../../lib/network-policy/values';
import { tenantNetworkPolicies } from '../../lib/tenants/tenant-namespace';
import { cyclonusTruthTable, evaluatorVersusCyclonus, type ModelDisagreement, type PolicyWorld, type TruthTableCell } from './harness/cyclonus';
import { NAMESPACES, POD_NAMES, POD_PORTS, podLabels, randomPolicySets } from './harness/policy-sets';

/**
 * Our NetworkPolicy evaluator against cyclonus' truth table (its simulated probe over the same pods), on the same
 * kinds of policy sets the enforcement suite measures on the real dataplane, and many more random ones: both are
 * models of the spec, so they must agree on every cell. The pods stand where the overlay would put them (one /24
 * per node), with the suite's labels and named ports; no cluster or network is involved.
 */

const NODE_CIDRS = ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24'];
const pods: SamplePod[] = NAMESPACES.flatMap((ns, n) =>
  POD_NAMES.map((name, i) => ({
    name,
    namespace: ns,
    ip: `10.244.${(n * POD_NAMES.length + i) % NODE_CIDRS.length}.${10 + n * POD_NAMES.length + i}`,
    labels: podLabels(name),
    ports: POD_PORTS.map((p) => ({ name: `serve-${p}-tcp`, port: p })),
  })),
);
const dnsPod: SamplePod = { name: 'coredns', namespace: 'kube-system', ip: '10.244.0.53', labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns-tcp', port: 53 }] };
const world: PolicyWorld = {
  namespaces: [...NAMESPACES.map((n) => ({ name: n, labels: { ns: n } })), { name: 'kube-system' }],
  pods: [...pods, dnsPod],
  externals: [
    { name: 'metadata', ip: '169.254.169.254', port: 80 },
    { name: 'outside', ip: '198.51.100.1', port: 80 },
  ],
};
// cyclonus' cells: every pod to every other pod's container ports, and every pod to each outside address
const CELLS = world.pods.reduce((n, to) => n + (world.pods.length - 1) * (to.ports?.length ?? 0), 0) + world.pods.length * world.externals.length;

const RANDOM_SETS = 500;
const CI_SEED = 390686; // CI draws the same sets every run; a local run draws new ones
const SEED = Number(process.env.POLICY_SEED ?? (process.env.CI ? CI_SEED : Date.now() % 1_000_000));

function describeDisagreements(d: readonly ModelDisagreement[]): string[] {
  return d.map((m) => `${m.from} -> ${m.to}:${m.port} ours ${m.ours} cyclonus ${m.cyclonus}`);
}

function tenantPolicies(ingress: 'deny' | 'same-namespace', egress: 'all-except-metadata' | 'dns-only'): NetworkPolicyJson[] {
  const c = parseClusterConfig({ tenants: NAMESPACES.slice(0, 2).map((name) => ({ name, networkPolicies: { ingress, egress } })) });
  return c.tenants.flatMap((t) => tenantNetworkPolicies(t, c));
}

describe("our evaluator agrees with cyclonus' truth table", () => {
  test('no policy: cyclonus allows every cell, and so do we', () => {
    const r = evaluatorVersusCyclonus(world, []);
    expect(r.cells).toBe(CELLS);
    expect(describeDisagreements(r.disagreements)).toEqual([]);
  });

  test.each([
    ['deny', 'all-except-metadata'],
    ['same-namespace', 'all-except-metadata'],
    ['deny', 'dns-only'],
  ] as const)('tenant defaults: ingress %s, egress %s', (ingress, egress) => {
    const r = evaluatorVersusCyclonus(world, tenantPolicies(ingress, egress));
    expect(r.cells).toBe(CELLS);
    expect(describeDisagreements(r.disagreements)).toEqual([]);
  });

  test("the docs' access-nginx example and namespace isolation", () => {
    for (const policies of [[allowIngressFromLabels('x', 'access-nginx', { app: 'nginx' }, { access: 'true' })], [isolateNamespace('y')]]) {
      expect(describeDisagreements(evaluatorVersusCyclonus(world, policies).disagreements)).toEqual([]);
    }
  });

  test('cyclonus denies what a deny-all policy denies: the comparison has teeth', () => {
    // were cyclonus' cells all "allowed", the agreement above would prove nothing
    const denyAll: NetworkPolicyJson = { metadata: { name: 'deny-all', namespace: 'x' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    const table = cyclonusTruthTable(world, [denyAll]);
    const touchesX = (c: TruthTableCell) => c.from.startsWith('x/') || c.to.startsWith('x/');
    expect(table.filter((c) => c.allowed === touchesX(c))).toEqual([]);
    expect(evaluatorVersusCyclonus(world, [denyAll]).disagreements).toEqual([]);
  });

  test("NotIn and a pod without the key: Kubernetes matches it, cyclonus does not (the one known departure)", () => {
    // the DNS pod has no `pod` label; apimachinery's selector (`kubectl get pods -l 'pod notin (a)'`) matches it
    const egress: NetworkPolicyJson = {
      metadata: { name: 'egress-to-pods-but-a', namespace: 'z' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['a'] }] }, namespaceSelector: {} }] }] },
    };
    const r = evaluatorVersusCyclonus(world, [egress]);
    expect(describeDisagreements(r.disagreements)).toEqual(['z/a', 'z/b', 'z/c'].map((from) => `${from} -> kube-system/coredns:53 ours true cyclonus false`));
    expect(r.unexplained).toEqual([]);
  });

  test(`${RANDOM_SETS} random policy sets, cell by cell (seed ${SEED}; rerun with POLICY_SEED=<seed>)`, () => {
    const sets = randomPolicySets({ podNetwork: '10.244.0.0/16', nodeCidrs: NODE_CIDRS, podHosts: pods.map((p) => `${p.ip}/32`) }, SEED, RANDOM_SETS);
    const found: string[] = [];
    let [cells, notInCells, notInSets] = [0, 0, 0];
    for (const [i, set] of sets.entries()) {
      const r = evaluatorVersusCyclonus(world, set);
      cells += r.cells;
      notInCells += r.disagreements.length - r.unexplained.length;
      if (r.disagreements.length > r.unexplained.length) notInSets++;
      if (r.unexplained.length) found.push(`set ${i} (seed ${SEED}): ${JSON.stringify(set)}\n  ${describeDisagreements(r.unexplained).join('\n  ')}`);
    }
    // written up in the README: how often cyclonus' NotIn reading shows
    console.log(`cyclonus comparison: ${sets.length} sets (seed ${SEED}), ${cells} cells; ${found.length} sets with an unexplained disagreement; cyclonus' NotIn reading differs in ${notInCells} cells of ${notInSets} sets`);
    expect(found).toEqual([]);
    expect(notInSets).toBeGreaterThan(0); // the random sets do reach the one place the two models differ
  }, 300_000);
});
