import type { ClusterConfig, ResolvedKonnectivity } from '../../config/cluster-config';
import { konnectivityVersionHasFlag } from '../../config/konnectivity-versions';
import type { HostPathMount } from '../../contributions';
import { IpAddress } from '../../net/cidr';
import { ImageRef } from '../../images';
import type { NetworkPolicyJson } from '../../network-policy/values';

/**
 * Every value the Konnectivity server, its agents and the API server must agree on, each defined once here:
 * the agents' ServiceAccount and namespace (server `--agent-namespace`/`--agent-service-account`), the token
 * audience (agent projected token = server `--authentication-audience`), the socket (server `--uds-name` =
 * EgressSelectorConfiguration `udsName`) and the protocol (server `--mode` ↔ `proxyProtocol`). The options of
 * both ends come from one resolved config: `--keepalive-time` on both, `--proxy-strategies` destHost ↔ agent
 * `--agent-identifiers`, lease counting on both (server `--enable-lease-controller`, agent `--count-server-leases`).
 */
export const KONNECTIVITY = {
  agentServiceAccount: 'konnectivity-agent',
  agentNamespace: 'kube-system',
  audience: 'system:konnectivity-server',
  serverUser: 'system:konnectivity-server',
  udsDirectory: '/etc/kubernetes/konnectivity-server',
  udsName: '/etc/kubernetes/konnectivity-server/konnectivity-server.socket',
  serverKubeconfig: '/etc/kubernetes/konnectivity-server.conf',
  egressConfigPath: '/etc/kubernetes/egress-selector-configuration.yaml',
  agentTokenDirectory: '/var/run/secrets/tokens',
  agentTokenFile: 'konnectivity-agent-token',
} as const;

const PROTOCOL = { grpc: 'GRPC', 'http-connect': 'HTTPConnect' } as const;

export function proxyServerImage(version: string): ImageRef {
  return new ImageRef('registry.k8s.io', 'kas-network-proxy/proxy-server', version);
}
export function proxyAgentImage(version: string): ImageRef {
  return new ImageRef('registry.k8s.io', 'kas-network-proxy/proxy-agent', version);
}

/**
 * `args` after checking the release has each flag (the config parser refuses options a release lacks, so a
 * failure here is a bug in this library, not in the config).
 */
function supportedBy(k: ResolvedKonnectivity, args: string[]): string[] {
  for (const arg of args) {
    const flag = /^--([a-z-]+)/.exec(arg)![1];
    if (!konnectivityVersionHasFlag(k.version, flag)) throw new Error(`apiserver-network-proxy ${k.version} has no --${flag}; parseClusterConfig should have refused this config`);
  }
  return args;
}

/** The env variable the agent's `--agent-identifiers` reads its node IP from (downward API `status.hostIP`). */
export const HOST_IP_ENV = 'HOST_IP';

/** Whether agents name their node IP, for the server's `destHost` strategy. */
export function agentsIdentifyNode(k: ResolvedKonnectivity): boolean {
  return k.proxyStrategies.includes('destHost');
}

export function konnectivityServerArgs(cluster: ClusterConfig): string[] {
  const k = cluster.components.konnectivity;
  return supportedBy(k, [
    '--logtostderr=true',
    `--uds-name=${KONNECTIVITY.udsName}`,
    '--delete-existing-uds-file',
    '--cluster-cert=/etc/kubernetes/pki/apiserver.crt',
    '--cluster-key=/etc/kubernetes/pki/apiserver.key',
    `--mode=${k.mode}`,
    '--server-port=0', // the API server comes over the socket only
    `--agent-port=${k.agentPort}`,
    `--admin-port=${k.adminPort}`,
    `--health-port=${k.healthPort}`,
    `--agent-namespace=${KONNECTIVITY.agentNamespace}`,
    `--agent-service-account=${KONNECTIVITY.agentServiceAccount}`,
    `--kubeconfig=${KONNECTIVITY.serverKubeconfig}`,
    `--authentication-audience=${KONNECTIVITY.audience}`,
    `--server-count=${k.serverCount}`,
    `--proxy-strategies=${k.proxyStrategies.join(',')}`,
    `--keepalive-time=${k.keepaliveTime}`,
    ...(k.serverCountFromLeases ? ['--enable-lease-controller'] : []),
  ]);
}

export function konnectivityAgentArgs(cluster: ClusterConfig): string[] {
  const k = cluster.components.konnectivity;
  return supportedBy(k, [
    '--logtostderr=true',
    '--ca-cert=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    `--proxy-server-host=${k.serverHost}`,
    `--proxy-server-port=${k.agentPort}`,
    `--admin-server-port=${k.adminPort}`,
    `--health-server-port=${k.healthPort}`,
    `--service-account-token-path=${KONNECTIVITY.agentTokenDirectory}/${KONNECTIVITY.agentTokenFile}`,
    `--sync-interval=${k.syncInterval}`,
    `--probe-interval=${k.probeInterval}`,
    `--keepalive-time=${k.keepaliveTime}`,
    // the kubelet expands $(HOST_IP) from the container's env (konnectivityAgentEnv)
    ...(agentsIdentifyNode(k) ? [`--agent-identifiers=ipv4=$(${HOST_IP_ENV})`] : []),
    ...(k.serverCountFromLeases ? ['--count-server-leases'] : []),
  ]);
}

/** The agent container's env: its node IP from the downward API when `--agent-identifiers` reads it. */
export function konnectivityAgentEnv(k: ResolvedKonnectivity): { name: string; valueFrom: { fieldRef: { fieldPath: string } } }[] {
  return agentsIdentifyNode(k) ? [{ name: HOST_IP_ENV, valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }] : [];
}

/** The agent container's resources: requests and a memory limit (Burstable, never BestEffort), no CPU limit. */
export function konnectivityAgentResources(k: ResolvedKonnectivity): { requests: Record<string, string>; limits: Record<string, string> } {
  const r = k.agentResources;
  return { requests: { cpu: r.cpuRequest, memory: r.memoryRequest }, limits: { memory: r.memoryLimit } };
}

/** The server container's requests (Burstable, never BestEffort); no limits, as a throttled or killed server stalls every tunnel. */
export function konnectivityServerResources(k: ResolvedKonnectivity): { requests: Record<string, string> } {
  return { requests: { cpu: k.serverResources.cpuRequest, memory: k.serverResources.memoryRequest } };
}

/**
 * What each side does with Leases in kube-system when servers are counted from them: the server publishes,
 * renews and garbage-collects its own (k8s.io/component-helpers lease controller: get, create, update; the
 * GC lists and deletes), agents list and watch them to count servers.
 */
export const LEASE_VERBS = {
  server: ['get', 'create', 'update', 'list', 'delete'],
  agent: ['get', 'list', 'watch'],
} as const;

/** The API server's EgressSelectorConfiguration: cluster traffic through the Konnectivity socket. */
export function egressSelectorConfiguration(cluster: ClusterConfig): object {
  return {
    apiVersion: 'apiserver.k8s.io/v1beta1',
    kind: 'EgressSelectorConfiguration',
    egressSelections: [{ name: 'cluster', connection: { proxyProtocol: PROTOCOL[cluster.components.konnectivity.mode], transport: { uds: { udsName: KONNECTIVITY.udsName } } } }],
  };
}

/**
 * What kube-apiserver needs for Konnectivity (the kubeadm configuration reads this): its flags, and the host
 * paths its static Pod must mount. `--kubelet-certificate-authority` makes it verify kubelets' serving
 * certificates on the tunnelled connections.
 */
export function konnectivityApiServerSettings(): { readonly flags: Readonly<Record<string, string>>; readonly volumes: readonly HostPathMount[] } {
  return {
    flags: { 'egress-selector-config-file': KONNECTIVITY.egressConfigPath, 'kubelet-certificate-authority': '/etc/kubernetes/pki/ca.crt' },
    volumes: [
      { name: 'egress-selector-config', hostPath: KONNECTIVITY.egressConfigPath, mountPath: KONNECTIVITY.egressConfigPath, pathType: 'File', readOnly: true },
      { name: 'konnectivity-uds', hostPath: KONNECTIVITY.udsDirectory, mountPath: KONNECTIVITY.udsDirectory, pathType: 'DirectoryOrCreate', readOnly: false },
    ],
  };
}

/**
 * The egress rule agents need where kube-system denies egress by default: the server's agent port (on its
 * address when the host is an IP). Agents also carry the API server's traffic to kubelets and pods, so a
 * namespace that isolates them needs those paths too.
 */
export function konnectivityAgentEgressPolicy(cluster: ClusterConfig): NetworkPolicyJson {
  const k = cluster.components.konnectivity;
  const ip = IpAddress.tryParse(k.serverHost);
  return {
    metadata: { name: 'allow-konnectivity-agent-to-server', namespace: KONNECTIVITY.agentNamespace },
    spec: {
      podSelector: { matchLabels: { 'k8s-app': 'konnectivity-agent' } },
      policyTypes: ['Egress'],
      egress: [{ ...(ip ? { to: [{ ipBlock: { cidr: ip.toHostCidr() } }] } : {}), ports: [{ protocol: 'TCP', port: k.agentPort }] }],
    },
  };
}
