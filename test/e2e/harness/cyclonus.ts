import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { connectionAllowed, type ExternalEndpoint, type SampleNamespace, type SamplePod } from '../../../lib/network-policy';
import type { LabelSelectorJson, NetworkPolicyJson, PeerJson, Protocol } from '../../../lib/network-policy/values';
import { toolsDir } from './tools';

/**
 * cyclonus (github.com/mattfenwick/cyclonus, SIG Network's NetworkPolicy truth-table tool) as a second opinion on
 * our evaluator: test/e2e/tools/cyclonus builds `cyclonus-truth-table`, which runs cyclonus' simulated probe (its
 * job builder and matcher, what `cyclonus analyze --mode probe` prints) over the pods and policies given and
 * prints every cell as JSON. No cluster and no dataplane: both sides are models of the spec.
 */

const NAME = 'cyclonus-truth-table';

function binary(): string {
  const file = path.join(toolsDir(), 'bin', NAME);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash test/e2e/setup-tools.sh\` first`);
  return file;
}

/** The cluster both models judge: every pod with its labels and named container ports, and outside addresses. */
export interface PolicyWorld {
  readonly namespaces: readonly SampleNamespace[];
  readonly pods: readonly SamplePod[];
  /** Addresses outside the pod set, each probed on one TCP port. */
  readonly externals: readonly (ExternalEndpoint & { readonly port: number })[];
}

export interface TruthTableCell {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  readonly ingress: boolean;
  readonly egress: boolean;
  readonly allowed: boolean;
}

/**
 * A policy as the API server stores it: policyTypes defaulted (Ingress, plus Egress when it has egress rules).
 * cyclonus reads policies back from a cluster and refuses (panics on) one without types.
 */
function asStored(p: NetworkPolicyJson) {
  const policyTypes = p.spec.policyTypes?.length ? p.spec.policyTypes : p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...p, spec: { ...p.spec, policyTypes } };
}

/** cyclonus' verdict on every pod-to-pod cell (every container port of the destination) and pod-to-external cell. */
export function cyclonusTruthTable(world: PolicyWorld, policies: readonly NetworkPolicyJson[]): TruthTableCell[] {
  const input = {
    policies: policies.map(asStored),
    // cyclonus sees only the labels it is given; the API server adds kubernetes.io/metadata.name to every namespace
    namespaces: Object.fromEntries(world.namespaces.map((n) => [n.name, { ...(n.labels ?? {}), 'kubernetes.io/metadata.name': n.name }])),
    pods: world.pods.map((p) => ({ namespace: p.namespace, name: p.name, labels: p.labels ?? {}, ip: p.ip, ports: (p.ports ?? []).map((q) => ({ name: q.name, port: q.port, protocol: q.protocol ?? 'TCP' })) })),
    externals: world.externals.map((e) => ({ name: e.name, ip: e.ip, port: e.port })),
  };
  const r = spawnSync(binary(), [], { input: JSON.stringify(input), encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${NAME} exited ${r.status ?? r.signal}: ${r.stderr || r.error?.message}`);
  return (JSON.parse(r.stdout) as { cells: TruthTableCell[] | null }).cells ?? [];
}

export interface ModelDisagreement {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly ours: boolean;
  readonly cyclonus: boolean;
}

/**
 * cyclonus' one known departure from Kubernetes label selectors (pkg/kube/labelselector.go): `NotIn` does not match
 * an object that lacks the key, where apimachinery's selector (and so the API server, kubectl and every enforcer
 * built on client-go) matches it. Under cyclonus' reading, `key NotIn (v)` is `key Exists` and `key NotIn (v)`; this
 * rewrites every selector of the policies that way, so our evaluator on the result predicts cyclonus cell by cell.
 */
export function withCyclonusNotIn(policies: readonly NetworkPolicyJson[]): NetworkPolicyJson[] {
  const selector = <T extends LabelSelectorJson | undefined>(s: T): T => {
    if (!s?.matchExpressions?.some((e) => e.operator === 'NotIn')) return s;
    const keys = s.matchExpressions.filter((e) => e.operator === 'NotIn').map((e) => ({ key: e.key, operator: 'Exists' as const }));
    return { ...s, matchExpressions: [...s.matchExpressions, ...keys] };
  };
  const peers = (list: readonly PeerJson[] | undefined) => list?.map((p) => ({ ...p, podSelector: selector(p.podSelector), namespaceSelector: selector(p.namespaceSelector) }));
  return policies.map((p) => ({
    ...p,
    spec: {
      ...p.spec,
      podSelector: selector(p.spec.podSelector),
      ...(p.spec.ingress ? { ingress: p.spec.ingress.map((r) => ({ ...r, from: peers(r.from) })) } : {}),
      ...(p.spec.egress ? { egress: p.spec.egress.map((r) => ({ ...r, to: peers(r.to) })) } : {}),
    },
  }));
}

/**
 * Our evaluator against cyclonus, cell by cell, on cyclonus' own cells (so neither side picks the cells).
 * `disagreements`: every cell where the two differ; `unexplained`: those that cyclonus' NotIn reading
 * (withCyclonusNotIn) does not account for, a bug in one of the two models.
 */
export function evaluatorVersusCyclonus(world: PolicyWorld, policies: readonly NetworkPolicyJson[]): { cells: number; disagreements: ModelDisagreement[]; unexplained: ModelDisagreement[] } {
  const pods = new Map(world.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  const externals = new Map(world.externals.map((e) => [e.name, e]));
  const cyclonusReading = withCyclonusNotIn(policies);
  const disagreements: ModelDisagreement[] = [];
  const unexplained: ModelDisagreement[] = [];
  const table = cyclonusTruthTable(world, policies);
  for (const c of table) {
    const source = pods.get(c.from);
    const destination = pods.get(c.to) ?? externals.get(c.to);
    if (!source || !destination) throw new Error(`${NAME} answered for a cell outside the world: ${c.from} -> ${c.to}`);
    const traffic = { port: c.port, protocol: c.protocol as Protocol };
    const ours = connectionAllowed(source, destination, traffic, policies, world.namespaces);
    if (ours === c.allowed) continue;
    const d = { from: c.from, to: c.to, port: c.port, ours, cyclonus: c.allowed };
    disagreements.push(d);
    if (connectionAllowed(source, destination, traffic, cyclonusReading, world.namespaces) !== c.allowed) unexplained.push(d);
  }
  return { cells: table.length, disagreements, unexplained };
}
