import * as fs from 'fs';
import * as path from 'path';
import type { PodIdentity } from './coredns';
import { serviceAccountIdentity } from './dns-cluster';
import { kubectl, kubectlOk } from './kubectl';
import type { RunningFlannel } from './flannel';
import { onNode, type PodNetwork, type PodNetworkNode } from './pod-network';
import { tokenKubeconfig } from './api-bridge';
import { startProcess, stopProcesses, waitReady, type StartedProcess } from './processes';
import { toolsDir } from './tools';

/**
 * kube-router's network policy controller (iptables chains per pod and policy, ipsets of the peers' addresses),
 * its router and service proxy off, on a pod-network node. It is the dataplane our policies are measured on, not
 * our product; it runs as its DaemonSet would, with a kubeconfig for its ServiceAccount and its node's name.
 * (SIG Network's kube-network-policies cannot run on this kernel: nftables' `queue` expression is missing.)
 */

const NAMESPACE = 'kube-system';
const NAME = 'kube-router';

/** Its ServiceAccount with what its policy controller reads (the read rules of upstream's DaemonSet example). */
export function ensureEnforcerAccess(kubeconfig: string): { identity: PodIdentity; remove: () => void } {
  const objects = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: NAME, namespace: NAMESPACE } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: NAME },
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces', 'nodes', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: NAME }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME }, subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE }] },
  ];
  kubectlOk(kubeconfig, ['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
  return {
    identity: serviceAccountIdentity(kubeconfig, NAMESPACE, NAME),
    remove: () => {
      kubectl(kubeconfig, ['delete', '--ignore-not-found', '--wait=false', 'clusterrolebinding', NAME]);
      kubectl(kubeconfig, ['delete', '--ignore-not-found', '--wait=false', 'clusterrole', NAME]);
      kubectl(kubeconfig, ['delete', '--ignore-not-found', '--wait=false', 'serviceaccount', NAME, '-n', NAMESPACE]);
    },
  };
}

function binary(): string {
  const file = path.join(toolsDir(), 'bin', NAME);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash test/e2e/setup-tools.sh\` first`);
  return file;
}

export interface RunningEnforcer {
  readonly node: PodNetworkNode;
  readonly process: StartedProcess;
}

/** Its iptables filter rules on the node, as text. */
export function enforcerRules(node: PodNetworkNode): string {
  return onNode(node, 'iptables-save', ['-t', 'filter']).stdout;
}

const HEALTH_PORT = 20244;

/**
 * Starts it on a node where flanneld runs (through flanneld's API bridge on the node's 127.0.0.1:6443); ready when
 * its health endpoint answers and its forward chain is in place.
 */
export async function startEnforcer(network: PodNetwork, flannel: RunningFlannel, identity: PodIdentity): Promise<RunningEnforcer> {
  const node = flannel.node;
  const kubeconfig = path.join(network.dir, `kube-router-${node.name}.kubeconfig`);
  fs.writeFileSync(kubeconfig, tokenKubeconfig(flannel.bridge, identity, NAME), { mode: 0o600 });
  const log = path.join(network.dir, `kube-router-${node.name}.log`);
  const args = ['--run-firewall=true', '--run-router=false', '--run-service-proxy=false', '--enable-cni=false', `--kubeconfig=${kubeconfig}`, `--hostname-override=${node.name}`, `--health-port=${HEALTH_PORT}`, '--v=1'];
  const p = startProcess(`kube-router-${node.name}`, 'nsenter', [`--target=${node.holder.pid}`, '--mount', '--net', binary(), ...args], log);
  network.pids.push(p.pid);
  await waitReady(
    p,
    `kube-router's policy controller on ${node.name}: /healthz and its KUBE-ROUTER-FORWARD chain`,
    () => onNode(node, 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '2', `http://127.0.0.1:${HEALTH_PORT}/healthz`], 5_000).stdout === '200' && /KUBE-ROUTER-FORWARD/.test(enforcerRules(node)),
    60_000,
  );
  return { node, process: p };
}

/** Stops it and removes its rules and ipsets with its own `--cleanup-config`. */
export function stopEnforcer(e: RunningEnforcer): void {
  stopProcesses([e.process.pid]);
  onNode(e.node, binary(), ['--cleanup-config'], 30_000);
}
