// Placement decided by the real scheduler on KWOK nodes: where each workload's pods land.
import { kubectl, kubectlOk, NODES, waitFor } from './harness/cluster';
import { cluster, manifestFiles, synthScenario } from './support';

interface NodeInfo {
  readonly name: string;
  readonly os: string;
}

function nodes(kubeconfig: string): NodeInfo[] {
  const list = JSON.parse(kubectlOk(kubeconfig, ['get', 'nodes', '-o', 'json']));
  return list.items.map((n: any) => ({ name: n.metadata.name, os: n.metadata.labels['kubernetes.io/os'] }));
}

/** Node names of a workload's pods that are Running and Ready. */
function readyPodNodes(kubeconfig: string, namespace: string, selector: string): string[] {
  const list = JSON.parse(kubectlOk(kubeconfig, ['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']));
  return list.items
    .filter((p: any) => p.status.phase === 'Running' && (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'))
    .map((p: any) => p.spec.nodeName)
    .sort();
}

function daemonSetStatus(kubeconfig: string, namespace: string, name: string): { desired: number; ready: number } {
  const ds = JSON.parse(kubectlOk(kubeconfig, ['get', 'daemonset', name, '-n', namespace, '-o', 'json']));
  return { desired: ds.status?.desiredNumberScheduled ?? 0, ready: ds.status?.numberReady ?? 0 };
}

async function expectDaemonSetOn(kubeconfig: string, namespace: string, name: string, selector: string, expected: string[]): Promise<void> {
  // the DaemonSet controller writes its status after the pods are ready (a cold CI run read 3 of 4 once), so the
  // wait covers both; the assertions then name what differs if the wait runs out
  const want = { desired: expected.length, ready: expected.length };
  await waitFor(
    `${namespace}/${name} ready on ${expected.join(', ')} with its status counting them`,
    () => JSON.stringify(readyPodNodes(kubeconfig, namespace, selector)) === JSON.stringify(expected) && JSON.stringify(daemonSetStatus(kubeconfig, namespace, name)) === JSON.stringify(want),
    90_000,
  );
  expect(readyPodNodes(kubeconfig, namespace, selector)).toEqual(expected);
  expect(daemonSetStatus(kubeconfig, namespace, name)).toEqual(want);
}

describe('placement', () => {
  const { kubeconfig, owned } = cluster();

  // the Windows scenario holds every workload the default has, plus the Windows ones
  beforeAll(() => {
    for (const file of manifestFiles(synthScenario('windows'))) kubectlOk(kubeconfig, ['apply', '--server-side', '--field-manager=cluster-bootstrap', '-f', file]);
  });
  const byOs = (os: string) => nodes(kubeconfig).filter((n) => n.os === os).map((n) => n.name).sort();

  test('the harness cluster has the simulated node set', () => {
    if (!owned) return; // an existing cluster has its own nodes
    expect(nodes(kubeconfig).map((n) => n.name).sort()).toEqual(NODES.map((n) => n.name).sort());
  });

  test('Linux Flannel runs on every Linux node (control plane included) and on no Windows node', async () => {
    const linux = byOs('linux');
    expect(linux.length).toBeGreaterThan(0);
    await expectDaemonSetOn(kubeconfig, 'kube-flannel', 'kube-flannel-ds', 'app=flannel', linux);
  });

  test('NodeLocal DNS runs on every Linux node and on no Windows node', async () => {
    await expectDaemonSetOn(kubeconfig, 'kube-system', 'node-local-dns', 'k8s-app=node-local-dns', byOs('linux'));
  });

  test('CoreDNS replicas are all ready, each on its own Linux node', async () => {
    const linux = byOs('linux');
    await waitFor('2 ready CoreDNS pods', () => readyPodNodes(kubeconfig, 'kube-system', 'k8s-app=kube-dns').length === 2, 90_000);
    const placed = readyPodNodes(kubeconfig, 'kube-system', 'k8s-app=kube-dns');
    expect(new Set(placed).size).toBe(2);
    for (const node of placed) expect(linux).toContain(node);
    const d = JSON.parse(kubectlOk(kubeconfig, ['get', 'deployment', 'coredns', '-n', 'kube-system', '-o', 'json']));
    expect(d.status.readyReplicas).toBe(2);
  });

  test('Windows Flannel and Windows kube-proxy run on exactly the Windows nodes', async () => {
    const windows = byOs('windows');
    if (owned) expect(windows).toEqual(['windows-worker-0', 'windows-worker-1']);
    await expectDaemonSetOn(kubeconfig, 'kube-flannel', 'kube-flannel-ds-windows-amd64', 'app=flannel-windows', windows);
    await expectDaemonSetOn(kubeconfig, 'kube-system', 'kube-proxy-windows', 'k8s-app=kube-proxy-windows', windows);
  });

  test('with an external cloud provider, nodes carry the uninitialized taint and Flannel still reaches them', async () => {
    if (!owned) return; // only taint nodes the harness owns
    const taint = 'node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule';
    const linux = byOs('linux');
    kubectlOk(kubeconfig, ['taint', 'nodes', '--all', taint, '--overwrite']);
    try {
      kubectlOk(kubeconfig, ['delete', 'pods', '-n', 'kube-flannel', '-l', 'app=flannel', '--wait=true', '--timeout=60s']);
      await expectDaemonSetOn(kubeconfig, 'kube-flannel', 'kube-flannel-ds', 'app=flannel', linux);
    } finally {
      kubectl(kubeconfig, ['taint', 'nodes', '--all', 'node.cloudprovider.kubernetes.io/uninitialized-']);
    }
  });
});

describe('placement of the control-plane add-ons (external cloud provider, Konnectivity)', () => {
  const { kubeconfig, owned } = cluster();
  beforeAll(() => {
    for (const file of manifestFiles(synthScenario('cloud-external'))) kubectlOk(kubeconfig, ['apply', '--server-side', '--field-manager=cluster-bootstrap', '-f', file]);
  });
  const controlPlane = () =>
    JSON.parse(kubectlOk(kubeconfig, ['get', 'nodes', '-l', 'node-role.kubernetes.io/control-plane', '-o', 'json'])).items.map((n: any) => n.metadata.name).sort();
  const linuxWorkers = () =>
    JSON.parse(kubectlOk(kubeconfig, ['get', 'nodes', '-l', 'kubernetes.io/os=linux,!node-role.kubernetes.io/control-plane', '-o', 'json'])).items.map((n: any) => n.metadata.name).sort();

  test('the cloud-controller-manager and the Konnectivity server run only on the control plane', async () => {
    if (owned) expect(controlPlane()).toEqual(['control-plane-0']);
    await expectDaemonSetOn(kubeconfig, 'kube-system', 'cloud-controller-manager', 'k8s-app=cloud-controller-manager', controlPlane());
    await expectDaemonSetOn(kubeconfig, 'kube-system', 'konnectivity-server', 'k8s-app=konnectivity-server', controlPlane());
  });

  test('Konnectivity agents run on the Linux workers', async () => {
    if (owned) expect(linuxWorkers()).toEqual(['linux-worker-0', 'linux-worker-1', 'linux-worker-2']);
    await expectDaemonSetOn(kubeconfig, 'kube-system', 'konnectivity-agent', 'k8s-app=konnectivity-agent', linuxWorkers());
  });
});

describe('placement of the kubelet serving-CSR approver (ipvs scenario)', () => {
  const { kubeconfig } = cluster();
  beforeAll(() => {
    for (const file of manifestFiles(synthScenario('ipvs'))) kubectlOk(kubeconfig, ['apply', '--server-side', '--field-manager=cluster-bootstrap', '-f', file]);
  });

  test('its single replica is ready on a Linux node', async () => {
    const linux = nodes(kubeconfig).filter((n) => n.os === 'linux').map((n) => n.name);
    await waitFor('1 ready approver pod', () => readyPodNodes(kubeconfig, 'kube-system', 'k8s-app=kubelet-csr-approver').length === 1, 90_000);
    expect(linux).toContain(readyPodNodes(kubeconfig, 'kube-system', 'k8s-app=kubelet-csr-approver')[0]);
  });

  test('its ServiceAccount may approve kubelet-serving CSRs and nothing else', () => {
    // a SubjectAccessReview, since `kubectl auth can-i` cannot name the virtual `signers` resource
    const allowed = (verb: string, group: string, resource: string, extra: Record<string, string> = {}) => {
      const review = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: 'system:serviceaccount:kube-system:kubelet-csr-approver',
          groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
          resourceAttributes: { verb, group, resource, ...extra },
        },
      };
      return JSON.parse(kubectlOk(kubeconfig, ['create', '-f', '-', '-o', 'json'], JSON.stringify(review))).status.allowed === true;
    };
    expect(allowed('approve', 'certificates.k8s.io', 'signers', { name: 'kubernetes.io/kubelet-serving' })).toBe(true);
    expect(allowed('approve', 'certificates.k8s.io', 'signers', { name: 'kubernetes.io/kube-apiserver-client' })).toBe(false);
    expect(allowed('update', 'certificates.k8s.io', 'certificatesigningrequests', { subresource: 'approval' })).toBe(true);
    expect(allowed('list', 'certificates.k8s.io', 'certificatesigningrequests')).toBe(true);
    expect(allowed('create', 'certificates.k8s.io', 'certificatesigningrequests')).toBe(false);
    expect(allowed('get', '', 'secrets', { namespace: 'kube-system' })).toBe(false);
  });
});
