import { toYaml } from '../../output/yaml';
import { Construct } from 'constructs';
import * as k8s from '../../k8s';
import type { OutputFile } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { egressSelectorConfiguration, KONNECTIVITY, konnectivityAgentArgs, konnectivityAgentEnv, konnectivityAgentResources, konnectivityServerArgs, konnectivityServerResources, LEASE_VERBS, proxyAgentImage, proxyServerImage } from './settings';

export interface KonnectivityProps {
  readonly cluster: ClusterConfig;
}

const SERVER = 'konnectivity-server';
const quantities = (q: Record<string, string>) => Object.fromEntries(Object.entries(q).map(([name, v]) => [name, k8s.Quantity.fromString(v)]));
const AGENT = 'konnectivity-agent';

/** The server's pod: host network on a control-plane node, the socket the API server dials, three ports. */
export function konnectivityServerPodSpec(cluster: ClusterConfig): k8s.PodSpec {
  const k = cluster.components.konnectivity;
  const port = (name: string, p: number) => ({ name, containerPort: p, hostPort: p });
  return {
    priorityClassName: 'system-cluster-critical',
    hostNetwork: true,
    // it reaches the API server with its own kubeconfig (--kubeconfig), never with a ServiceAccount token
    automountServiceAccountToken: false,
    // the container runtime's default syscall filter: a Go network server needs nothing outside it
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: `${SERVER}-container`,
        image: proxyServerImage(k.version).resolve(cluster.imageRegistry),
        command: ['/proxy-server'],
        args: konnectivityServerArgs(cluster),
        // requests so it is never BestEffort on the control plane (evicted first under memory pressure)
        resources: { requests: quantities(konnectivityServerResources(k).requests) },
        // root only to read the API server key under /etc/kubernetes/pki; no capabilities, nothing writable but the socket
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        livenessProbe: {
          httpGet: { scheme: 'HTTP', host: '127.0.0.1', port: k8s.IntOrString.fromNumber(k.healthPort), path: '/healthz' },
          initialDelaySeconds: 30,
          timeoutSeconds: 60,
        },
        ports: [port('agentport', k.agentPort), port('adminport', k.adminPort), port('healthport', k.healthPort)],
        volumeMounts: [
          { name: 'k8s-certs', mountPath: '/etc/kubernetes/pki', readOnly: true },
          { name: 'kubeconfig', mountPath: KONNECTIVITY.serverKubeconfig, readOnly: true },
          { name: 'konnectivity-uds', mountPath: KONNECTIVITY.udsDirectory, readOnly: false },
        ],
      },
    ],
    volumes: [
      { name: 'k8s-certs', hostPath: { path: '/etc/kubernetes/pki' } },
      { name: 'kubeconfig', hostPath: { path: KONNECTIVITY.serverKubeconfig, type: 'FileOrCreate' } },
      { name: 'konnectivity-uds', hostPath: { path: KONNECTIVITY.udsDirectory, type: 'DirectoryOrCreate' } },
    ],
  };
}

/** The resolved pod spec as plain JSON (cdk8s value types such as IntOrString resolved), for the static Pod file. */
function plainJson(spec: k8s.PodSpec): object {
  return JSON.parse(JSON.stringify(k8s.KubePod.manifest({ metadata: { name: SERVER }, spec }).spec));
}

/** The static Pod manifest for /etc/kubernetes/manifests on each control-plane node, and the egress config. */
export function konnectivityFiles(cluster: ClusterConfig): OutputFile[] {
  const k = cluster.components.konnectivity;
  const files: OutputFile[] = [{ path: 'control-plane/egress-selector-configuration.yaml', content: toYaml(egressSelectorConfiguration(cluster)) }];
  if (k.serverForm === 'static-pod') {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: SERVER, namespace: 'kube-system', labels: { 'k8s-app': SERVER } }, spec: plainJson(konnectivityServerPodSpec(cluster)) };
    files.push({ path: `control-plane/manifests/${SERVER}.yaml`, content: toYaml(pod) });
  }
  return files;
}

/**
 * Konnectivity: agents on the nodes dial the server on the control plane, and the API server reaches nodes
 * and pods through those tunnels (the successor of SSH tunnels). The server comes as a static Pod file or a
 * DaemonSet on control-plane nodes; the agents as a DaemonSet on Linux workers or a Deployment.
 */
export class Konnectivity extends Construct {
  readonly serverAuthBinding: k8s.KubeClusterRoleBinding;
  readonly agentServiceAccount: k8s.KubeServiceAccount;
  readonly agent: k8s.KubeDaemonSet | k8s.KubeDeployment;
  readonly serverDaemonSet?: k8s.KubeDaemonSet;
  /** With `serverCountFromLeases`: the server's and the agents' Roles on Leases in kube-system. */
  readonly leaseRoles: readonly k8s.KubeRole[] = [];

  constructor(scope: Construct, id: string, props: KonnectivityProps) {
    super(scope, id);
    const { cluster } = props;
    const k = cluster.components.konnectivity;
    const ns = KONNECTIVITY.agentNamespace;
    // the server authenticates agents by reviewing their tokens
    this.serverAuthBinding = new k8s.KubeClusterRoleBinding(this, 'server-auth-delegator', {
      metadata: { name: 'system:konnectivity-server', labels: { 'kubernetes.io/cluster-service': 'true' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KONNECTIVITY.serverUser }],
    });
    this.agentServiceAccount = new k8s.KubeServiceAccount(this, 'agent-service-account', {
      metadata: { name: KONNECTIVITY.agentServiceAccount, namespace: ns, labels: { 'kubernetes.io/cluster-service': 'true' } },
    });

    const labels = { 'k8s-app': AGENT };
    const resources = konnectivityAgentResources(k);
    const agentPod: k8s.PodSpec = {
      priorityClassName: 'system-cluster-critical',
      serviceAccountName: KONNECTIVITY.agentServiceAccount,
      // the agent image is Linux-only; upstream has no selector and would land on Windows nodes
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: AGENT,
          image: proxyAgentImage(k.version).resolve(cluster.imageRegistry),
          command: ['/proxy-agent'],
          args: konnectivityAgentArgs(cluster),
          ...(konnectivityAgentEnv(k).length ? { env: konnectivityAgentEnv(k) } : {}),
          // requests and a memory limit: a BestEffort agent is evicted first under memory pressure and starves for CPU
          resources: { requests: quantities(resources.requests), limits: quantities(resources.limits) },
          // only dials out and relays: no root, no capabilities, nothing to write
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          livenessProbe: { httpGet: { port: k8s.IntOrString.fromNumber(k.healthPort), path: '/healthz' }, initialDelaySeconds: 15, timeoutSeconds: 15 },
          // ready once connected to a server (/readyz), so a rollout waits for each new agent's tunnel
          readinessProbe: { httpGet: { port: k8s.IntOrString.fromNumber(k.healthPort), path: '/readyz' }, periodSeconds: 10 },
          volumeMounts: [{ name: 'konnectivity-agent-token', mountPath: KONNECTIVITY.agentTokenDirectory }],
        },
      ],
      volumes: [
        {
          name: 'konnectivity-agent-token',
          projected: { sources: [{ serviceAccountToken: { path: KONNECTIVITY.agentTokenFile, audience: KONNECTIVITY.audience } }] },
        },
      ],
    };
    const agentMeta = { name: AGENT, namespace: ns, labels };
    const template = { metadata: { labels }, spec: agentPod };
    this.agent =
      k.agentForm === 'daemonset'
        ? new k8s.KubeDaemonSet(this, 'agent', { metadata: agentMeta, spec: { selector: { matchLabels: labels }, template } })
        : new k8s.KubeDeployment(this, 'agent', { metadata: agentMeta, spec: { replicas: k.agentReplicas, selector: { matchLabels: labels }, template } });

    if (k.serverCountFromLeases) this.leaseRoles = this.addLeaseRoles();

    if (k.serverForm === 'daemonset') {
      const serverLabels = { 'k8s-app': SERVER };
      this.serverDaemonSet = new k8s.KubeDaemonSet(this, 'server', {
        metadata: { name: SERVER, namespace: ns, labels: serverLabels },
        spec: {
          selector: { matchLabels: serverLabels },
          template: {
            metadata: { labels: serverLabels },
            spec: {
              ...konnectivityServerPodSpec(cluster),
              nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
              tolerations: [
                { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
                { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
              ],
            },
          },
        },
      });
    }
  }

  /** Roles on Leases in kube-system: the server (user `system:konnectivity-server`) and the agents' ServiceAccount. */
  private addLeaseRoles(): k8s.KubeRole[] {
    const ns = KONNECTIVITY.agentNamespace;
    const subjects = {
      server: { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KONNECTIVITY.serverUser },
      agent: { kind: 'ServiceAccount', name: KONNECTIVITY.agentServiceAccount, namespace: ns },
    };
    return (['server', 'agent'] as const).map((side) => {
      const name = `system:konnectivity-${side}:leases`;
      const role = new k8s.KubeRole(this, `${side}-leases`, {
        metadata: { name, namespace: ns },
        rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...LEASE_VERBS[side]] }],
      });
      new k8s.KubeRoleBinding(this, `${side}-leases-binding`, {
        metadata: { name, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [subjects[side]],
      });
      return role;
    });
  }
}
