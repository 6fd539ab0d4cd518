import * as fs from 'fs';
import { parse } from 'yaml';
import { kubectl, kubectlOk } from './kubectl';
import { waitFor } from './processes';
import type { PodIdentity } from './coredns';

/** The cluster side of the DNS tests: our DNS objects applied, their pods' IPs, and the identities CoreDNS runs as. */

export function applyFile(kubeconfig: string, file: string): void {
  kubectlOk(kubeconfig, ['apply', '--server-side', '--force-conflicts', '--field-manager=cluster-bootstrap', '-f', file]);
}

export interface PodAddress {
  readonly name: string;
  readonly ip: string;
  readonly node: string;
}

/** Running pods matching a selector, with their IPs (KWOK gives them from its pod CIDR, 10.244.0.0/16). */
export function podAddresses(kubeconfig: string, namespace: string, selector: string): PodAddress[] {
  const list = JSON.parse(kubectlOk(kubeconfig, ['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']));
  return list.items
    .filter((p: any) => p.status?.phase === 'Running' && p.status?.podIP && !p.metadata.deletionTimestamp)
    .map((p: any) => ({ name: p.metadata.name, ip: p.status.podIP, node: p.spec.nodeName }))
    .sort((a: PodAddress, b: PodAddress) => a.name.localeCompare(b.name));
}

/** The ready endpoint addresses the EndpointSlice controller published for a Service. */
export function endpointSliceAddresses(kubeconfig: string, namespace: string, service: string): string[] {
  const r = kubectl(kubeconfig, ['get', 'endpointslices', '-n', namespace, '-l', `kubernetes.io/service-name=${service}`, '-o', 'json']);
  if (r.status !== 0) return [];
  return JSON.parse(r.stdout)
    .items.flatMap((s: any) => s.endpoints ?? [])
    .filter((e: any) => e.conditions?.ready !== false)
    .flatMap((e: any) => e.addresses)
    .sort();
}

/** Waits for `count` running pods whose IPs the Service's EndpointSlices name. */
export async function waitServedPods(kubeconfig: string, namespace: string, selector: string, service: string, count: number): Promise<PodAddress[]> {
  let pods: PodAddress[] = [];
  await waitFor(
    `${count} pods of ${namespace}/${service} in its EndpointSlices`,
    () => {
      pods = podAddresses(kubeconfig, namespace, selector);
      const sliced = endpointSliceAddresses(kubeconfig, namespace, service);
      return pods.length === count && pods.every((p) => sliced.includes(p.ip));
    },
    90_000,
  );
  return pods;
}

/** The cluster CA, from a kubeconfig's inline data. */
export function clusterCa(kubeconfig: string): string {
  const ca = parse(fs.readFileSync(kubeconfig, 'utf8')).clusters?.[0]?.cluster?.['certificate-authority-data'];
  if (!ca) throw new Error(`${kubeconfig} has no inline certificate-authority-data`);
  return Buffer.from(ca, 'base64').toString('utf8');
}

/** A real, bound token of a ServiceAccount (TokenRequest), as the kubelet would project it. Never printed. */
export function serviceAccountIdentity(kubeconfig: string, namespace: string, serviceAccount: string): PodIdentity {
  const token = kubectlOk(kubeconfig, ['create', 'token', serviceAccount, '-n', namespace, '--duration=1h']).trim();
  return { token, caCert: clusterCa(kubeconfig), namespace };
}

/**
 * A ServiceAccount bound to a copy of a ClusterRole with some resources taken out of its rules: what CoreDNS logs
 * when a rule is missing. Returns the names to delete afterwards.
 */
export function ablatedServiceAccount(kubeconfig: string, role: any, group: string, resources: readonly string[], name: string): { identity: PodIdentity; cleanup: () => void } {
  const rules = role.rules
    .map((r: any) => ((r.apiGroups ?? ['']).includes(group) ? { ...r, resources: r.resources.filter((x: string) => !resources.includes(x)) } : r))
    .filter((r: any) => r.resources.length);
  const objects = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'kube-system' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: 'kube-system' }] },
  ];
  kubectlOk(kubeconfig, ['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
  return {
    identity: serviceAccountIdentity(kubeconfig, 'kube-system', name),
    cleanup: () => {
      kubectl(kubeconfig, ['delete', '--ignore-not-found', '--wait=false', 'clusterrolebinding', name]);
      kubectl(kubeconfig, ['delete', '--ignore-not-found', '--wait=false', 'clusterrole', name]);
      kubectl(kubeconfig, ['delete', '--ignore-not-found', '--wait=false', 'serviceaccount', name, '-n', 'kube-system']);
    },
  };
}
