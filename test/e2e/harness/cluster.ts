import * as fs from 'fs';
import * as path from 'path';
import { startControlPlane } from './control-plane';
import { kubectl, kubectlOk } from './kubectl';
import { freePort, startProcess, stopProcesses, waitFor, waitReady } from './processes';
import { kwokStages, tool } from './tools';

/** What the harness started; written to a state file so global teardown can stop it. */
export interface ClusterState {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly pids: number[];
  /** False when the tests run against an existing cluster ($E2E_KUBECONFIG). */
  readonly owned: boolean;
}

/** The simulated nodes: one control plane, three Linux workers, two Windows workers. */
export const NODES = [
  { name: 'control-plane-0', os: 'linux', controlPlane: true },
  { name: 'linux-worker-0', os: 'linux', controlPlane: false },
  { name: 'linux-worker-1', os: 'linux', controlPlane: false },
  { name: 'linux-worker-2', os: 'linux', controlPlane: false },
  { name: 'windows-worker-0', os: 'windows', controlPlane: false },
  { name: 'windows-worker-1', os: 'windows', controlPlane: false },
] as const;

export { waitFor } from './processes';
export { kubectl, kubectlOk, type KubectlResult } from './kubectl';

function nodeManifest(node: (typeof NODES)[number]): object {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': node.os,
    'kubernetes.io/arch': 'amd64',
    type: 'kwok',
  };
  if (node.controlPlane) labels['node-role.kubernetes.io/control-plane'] = '';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: node.controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
      nodeInfo: { operatingSystem: node.os, architecture: 'amd64', kubeletVersion: 'fake', kubeProxyVersion: 'fake' },
    },
  };
}

/**
 * Starts the control plane from kubeadm's reading of our config (control-plane.ts), then KWOK as every
 * node's kubelet; registers the simulated nodes and waits until they are Ready. Every started process is
 * stopped again if any step fails or times out.
 */
export async function startCluster(dir: string): Promise<ClusterState> {
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const pids: number[] = [];
  let state: ClusterState = { dir, kubeconfig: '', pids, owned: true };
  try {
    const plane = await startControlPlane(dir, pids);
    state = { ...state, kubeconfig: plane.adminKubeconfig };
    const kwokConfig = path.join(dir, 'kwok.yaml');
    fs.writeFileSync(
      kwokConfig,
      [
        'apiVersion: config.kwok.x-k8s.io/v1alpha1',
        'kind: KwokConfiguration',
        'options:',
        '  cidr: 10.244.0.0/16',
        '  nodeIP: 10.0.0.1',
        `  serverAddress: 127.0.0.1:${await freePort()}`,
        "  manageNodesWithAnnotationSelector: 'kwok.x-k8s.io/node=fake'",
        '  nodeLeaseDurationSeconds: 40',
        '  nodeLeaseParallelism: 4',
        '  podPlayStageParallelism: 4',
        '  nodePlayStageParallelism: 4',
        '  enablePodsOnNodeSyncStreamWatch: true',
        fs.readFileSync(kwokStages(), 'utf8'),
      ].join('\n'),
    );
    // KWOK writes every node's Node, Lease and pod status: kubeadm's super-admin.conf (system:masters).
    const kwok = startProcess('kwok', tool('kwok'), [`--kubeconfig=${plane.superAdminKubeconfig}`, `--config=${kwokConfig}`], path.join(logs, 'kwok.log'));
    pids.push(kwok.pid);

    kubectlOk(state.kubeconfig, ['apply', '-f', '-'], NODES.map((n) => JSON.stringify(nodeManifest(n))).join('\n'));
    await waitReady(
      kwok,
      `${NODES.length} Ready nodes`,
      () => {
        const r = kubectl(state.kubeconfig, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
        return r.status === 0 && r.stdout.split('\n').filter((s) => s === 'True').length === NODES.length;
      },
      60_000,
    );
    await waitFor('the default ServiceAccount', () => kubectl(state.kubeconfig, ['get', 'serviceaccount', 'default', '-n', 'default']).status === 0, 60_000);
    return state;
  } catch (e) {
    stopCluster(state);
    throw e;
  }
}

/** Stops every process the harness started (SIGTERM, then SIGKILL) and removes its folder. */
export function stopCluster(state: ClusterState): void {
  if (!state.owned) return;
  stopProcesses(state.pids);
  if (!process.env.E2E_KEEP) fs.rmSync(state.dir, { recursive: true, force: true });
}
