import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IpAddress } from '../net/cidr';
import type { ClusterConfig } from '../config/cluster-config';
import { PolicyPeer, PolicyPort, type Labels, type NetworkPolicyJson, type NetworkPolicySpecJson } from './values';

/** The cloud metadata endpoint (AWS, Azure, GCE, OpenStack): instance credentials live behind it. */
export const CLOUD_METADATA_CIDR = '169.254.169.254/32';
/** Ports of the Konnectivity server that agents dial (agent 8132; admin 8133 and health 8134 stay local). */
export const KONNECTIVITY_AGENT_PORT = 8132;

const DNS_PORTS = [PolicyPort.udp(53), PolicyPort.tcp(53)];

function policy(namespace: string, name: string, spec: NetworkPolicySpecJson): NetworkPolicyJson {
  return { metadata: { name, namespace }, spec };
}

/** Denies all ingress, all egress, or both, to every pod of `namespace` (other policies then open paths). */
export function defaultDeny(namespace: string, direction: 'ingress' | 'egress' | 'both'): NetworkPolicyJson {
  const types = direction === 'both' ? (['Ingress', 'Egress'] as const) : direction === 'ingress' ? (['Ingress'] as const) : (['Egress'] as const);
  return policy(namespace, `default-deny-${direction === 'both' ? 'all' : direction}`, { podSelector: {}, policyTypes: [...types] });
}

/**
 * Lets every pod of `namespace` resolve names: UDP and TCP 53 to the cluster DNS pods (`k8s-app: kube-dns` in
 * kube-system), to the DNS Service IP (for CNIs that evaluate before Service translation), and to the
 * NodeLocal DNS address, which lives on the host network where only an ipBlock can name it.
 */
export function allowDnsEgress(namespace: string, cluster: ClusterConfig): NetworkPolicyJson {
  return policy(namespace, 'allow-dns-egress', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          PolicyPeer.podsInNamespaces({ 'k8s-app': 'kube-dns' }, { 'kubernetes.io/metadata.name': 'kube-system' }).toJson(),
          PolicyPeer.ipBlock(cluster.network.dnsServiceIP.toHostCidr()).toJson(),
          PolicyPeer.ipBlock(cluster.network.nodeLocalDnsIP.toHostCidr()).toJson(),
        ],
        ports: DNS_PORTS.map((p) => p.toJson()),
      },
    ],
  });
}

/** Allows egress anywhere except the cloud metadata endpoint (IPv4; plus all of IPv6 when dual-stack). */
export function denyMetadataEgress(namespace: string, cluster?: ClusterConfig): NetworkPolicyJson {
  const ipv6 = cluster?.network.podCidrs.some((c) => c.family === 6) ?? false;
  return policy(namespace, 'deny-cloud-metadata-egress', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [PolicyPeer.ipBlock('0.0.0.0/0', [CLOUD_METADATA_CIDR]).toJson(), ...(ipv6 ? [PolicyPeer.ipBlock('::/0').toJson()] : [])] }],
  });
}

/**
 * Pods with `target` labels accept ingress only from pods with `from` labels in the same namespace (the
 * Kubernetes docs' `access-nginx`: `allowIngressFromLabels('default', 'access-nginx', {app: 'nginx'}, {access: 'true'})`).
 */
export function allowIngressFromLabels(namespace: string, name: string, target: Labels, from: Labels, ports: readonly PolicyPort[] = []): NetworkPolicyJson {
  const selector = PolicyPeer.podsWithLabels(target).toJson().podSelector!;
  return policy(namespace, name, {
    podSelector: selector,
    ingress: [{ from: [PolicyPeer.podsWithLabels(from).toJson()], ...(ports.length ? { ports: ports.map((p) => p.toJson()) } : {}) }],
  });
}

/** Namespace isolation: every pod of `namespace` accepts ingress only from pods of the same namespace. */
export function isolateNamespace(namespace: string): NetworkPolicyJson {
  return policy(namespace, 'isolate-namespace', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [PolicyPeer.allPodsInNamespace().toJson()] }] });
}

/**
 * Egress to the Kubernetes API: the `kubernetes` Service IP on 443 and, when the endpoint is an IP address,
 * that address on its port; plus the Konnectivity agent port on the endpoint when `konnectivity` is set.
 */
export function allowApiServerEgress(namespace: string, cluster: ClusterConfig, options: { readonly konnectivity?: boolean } = {}): NetworkPolicyJson {
  // a DNS-name endpoint cannot be named by a policy: then only the Service IP path remains
  const endpoint = IpAddress.tryParse(cluster.apiServer.host);
  const egress: NonNullable<NetworkPolicySpecJson['egress']>[number][] = [{ to: [PolicyPeer.ipBlock(cluster.network.firstServiceIP.toHostCidr()).toJson()], ports: [PolicyPort.tcp(443).toJson()] }];
  if (endpoint) {
    const ports = [PolicyPort.tcp(cluster.apiServer.port), ...(options.konnectivity ? [PolicyPort.tcp(KONNECTIVITY_AGENT_PORT)] : [])];
    egress.push({ to: [PolicyPeer.ipBlock(endpoint.toHostCidr()).toJson()], ports: ports.map((p) => p.toJson()) });
  }
  return policy(namespace, 'allow-apiserver-egress', { podSelector: {}, policyTypes: ['Egress'], egress });
}

/** Emits NetworkPolicy objects for a list of policy definitions. */
export class NetworkPolicySet extends Construct {
  readonly objects: ApiObject[];
  constructor(scope: Construct, id: string, policies: readonly NetworkPolicyJson[]) {
    super(scope, id);
    this.objects = policies.map(
      (p) =>
        new ApiObject(this, `${p.metadata.namespace}-${p.metadata.name}`, {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { ...p.metadata },
          spec: structuredClone(p.spec),
        }),
    );
  }
}
