import type { ClusterConfig } from '../config/cluster-config';
import { tenantNetworkPolicies } from '../tenants/tenant-namespace';
import { CLOUD_METADATA_CIDR } from './policies';
import { reachability, type Endpoint, type ReachabilityMatrix, type SampleNamespace, type SamplePod } from './evaluator';

/**
 * The reachability of a config's tenants under their default NetworkPolicies (our evaluator, the spec; the
 * e2e policy suite measured it equal to a real dataplane): two sample pods per tenant, a namespace without
 * policies, the cluster DNS pods, the cloud metadata endpoint and an address outside the cluster. One matrix per
 * kind of traffic: TCP 80 between workloads and outward, and DNS (UDP 53).
 */

/** Where an address outside the cluster stands in the picture (TEST-NET-3: never a real host). */
export const OUTSIDE_ADDRESS = '203.0.113.10';
/** The namespace without policies in the picture, for contrast. */
export const OPEN_NAMESPACE = 'no-policies';

export function tenantReachability(cluster: ClusterConfig): ReachabilityMatrix[] {
  const podCidr = cluster.network.podCidrs.find((c) => c.family === 4) ?? cluster.network.podCidrs[0];
  let next = 10;
  const pod = (namespace: string, name: string, labels: Record<string, string> = { app: name }): SamplePod => ({ name, namespace, ip: podCidr.nth(next++).toString(), labels });
  const namespaces: SampleNamespace[] = [...cluster.tenants.map((t) => t.name), OPEN_NAMESPACE].map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } }));
  namespaces.push({ name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } });
  const workloads = [...cluster.tenants.map((t) => t.name), OPEN_NAMESPACE].flatMap((ns) => [pod(ns, 'app-1'), pod(ns, 'app-2')]);
  const dns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' });
  const metadata: Endpoint = { name: 'cloud metadata', ip: CLOUD_METADATA_CIDR.split('/')[0] };
  const outside: Endpoint = { name: 'outside', ip: OUTSIDE_ADDRESS };
  const policies = cluster.tenants.flatMap((t) => tenantNetworkPolicies(t, cluster));
  return [
    reachability(workloads, [...workloads, metadata, outside], { port: 80, protocol: 'TCP' }, policies, namespaces),
    reachability(workloads, [dns], { port: 53, protocol: 'UDP' }, policies, namespaces),
  ];
}
