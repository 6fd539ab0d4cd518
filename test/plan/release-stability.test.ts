// Upgrading a pinned release must roll workloads, never re-create them: their selectors (immutable) and every
// object name stay the same across all the releases this library pins. Each case synthesizes one config per
// release and diffs against the first; a difference is named (object, field, both values).
import { FLANNEL_RELEASES } from '../../lib/components/flannel/releases';
import { KONNECTIVITY_RELEASES } from '../../lib/config/konnectivity-versions';
import { parseClusterConfig } from '../../lib/config/parse';
import { kubeadmCoreDnsVersion } from '../../lib/config/resolve-dns';
import type { ClusterConfigFile, FlannelVersion } from '../../lib/config/types';
import { buildPlan } from '../../lib/plan/change-plan';
import { describeRef } from '../../lib/plan/object-changes';
import { synthesizeCluster } from '../../lib/plan/synthesize';

/** Kind/namespace/name of every object, and the selector of every DaemonSet and Deployment. */
function shape(file: ClusterConfigFile): { names: string[]; selectors: Record<string, string> } {
  const objects = synthesizeCluster(parseClusterConfig(file)).objects.map((o) => o.manifest);
  const ref = (m: Record<string, any>) => describeRef({ kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name });
  const selectors = Object.fromEntries(objects.filter((m) => m.kind === 'DaemonSet' || m.kind === 'Deployment').map((m) => [ref(m), JSON.stringify(m.spec.selector)]));
  return { names: objects.map(ref).sort(), selectors };
}

/** Every difference in names or selectors between the first release's shape and each other's, as text. */
function differences(cases: readonly [string, ClusterConfigFile][]): string[] {
  const [firstLabel, firstFile] = cases[0];
  const first = shape(firstFile);
  const found: string[] = [];
  for (const [label, file] of cases.slice(1)) {
    const other = shape(file);
    for (const n of first.names.filter((x) => !other.names.includes(x))) found.push(`${n}: in ${firstLabel}, not in ${label}`);
    for (const n of other.names.filter((x) => !first.names.includes(x))) found.push(`${n}: in ${label}, not in ${firstLabel}`);
    for (const [workload, selector] of Object.entries(other.selectors)) {
      if (first.selectors[workload] !== undefined && first.selectors[workload] !== selector) found.push(`${workload} spec.selector: ${first.selectors[workload]} in ${firstLabel}, ${selector} in ${label}`);
    }
  }
  return found;
}

const ALL_ON: ClusterConfigFile = {
  windows: { enabled: true },
  cloudProvider: { type: 'external', name: 'aws' },
  components: { konnectivity: { enabled: true }, cloudControllerManager: { image: 'registry.example.internal/ccm:v1.0.0' }, kubeletServingApprover: { enabled: true } },
  tenants: [{ name: 'team-a', resourceQuota: { hard: { pods: '10' } } }],
};
/** Every minor the config accepts (1.27+) up to the newest Konnectivity pairing. */
const MINORS = Array.from({ length: 36 - 27 + 1 }, (_, i) => 27 + i);

describe('selectors and names are stable across every pinned release', () => {
  test.each([
    ['Linux only', {}],
    ['with Windows nodes', { windows: { enabled: true } }],
  ])('flannel releases (%s)', (_, base: ClusterConfigFile) => {
    const versions = Object.keys(FLANNEL_RELEASES) as FlannelVersion[];
    expect(versions.length).toBeGreaterThan(1);
    expect(differences(versions.map((v) => [`flannel ${v}`, { ...base, components: { flannel: { version: v } } }]))).toEqual([]);
  });

  test.each([
    ['agents as a DaemonSet', 'daemonset'],
    ['agents as a Deployment', 'deployment'],
  ] as const)('CoreDNS, Konnectivity (%s), Windows kube-proxy and the rest on every Kubernetes minor from 1.27', (_, agentForm) => {
    const coredns = new Set(MINORS.map(kubeadmCoreDnsVersion));
    const konnectivity = new Set(MINORS.filter((m) => KONNECTIVITY_RELEASES[m]).map((m) => KONNECTIVITY_RELEASES[m]));
    expect([coredns.size, konnectivity.size]).toEqual([6, 9]); // the pins this covers
    const cases = MINORS.map((m): [string, ClusterConfigFile] => [
      `Kubernetes 1.${m}`,
      { ...ALL_ON, kubernetesVersion: `1.${m}.0`, components: { ...ALL_ON.components, konnectivity: { enabled: true, agentForm, ...(agentForm === 'daemonset' ? { serverForm: 'daemonset' } : {}) } } },
    ]);
    expect(differences(cases)).toEqual([]);
  });

  test('so each minor upgrade on that config plans rolling and in-place changes only, never a replace', () => {
    for (const m of MINORS.slice(1)) {
      const p = buildPlan(parseClusterConfig({ ...ALL_ON, kubernetesVersion: `1.${m - 1}.0` }), parseClusterConfig({ ...ALL_ON, kubernetesVersion: `1.${m}.0` }));
      expect([`1.${m}`, p.objectChanges.filter((c) => c.class === 'replace').map((c) => `${c.action} ${describeRef(c.object)}`)]).toEqual([`1.${m}`, []]);
      expect(p.configChanges.map((c) => c.id)).toEqual(['kubernetes-minor-upgrade']);
    }
  });

  test('the check names a difference (here: a workload that changes kind)', () => {
    const found = differences([
      ['konnectivity daemonset', { components: { konnectivity: { enabled: true, agentForm: 'daemonset' } } }],
      ['konnectivity deployment', { components: { konnectivity: { enabled: true, agentForm: 'deployment' } } }],
    ]);
    expect(found).toEqual(['DaemonSet/kube-system/konnectivity-agent: in konnectivity daemonset, not in konnectivity deployment', 'Deployment/kube-system/konnectivity-agent: in konnectivity deployment, not in konnectivity daemonset']);
  });
});
