import { egressAllowed, ingressAllowed, matchesSelector, type Endpoint, type SampleNamespace, type SamplePod, type Traffic } from '../../../lib/network-policy';
import { Cidr, IpAddress } from '../../../lib/net/cidr';
import type { NetworkPolicyJson, PeerJson } from '../../../lib/network-policy/values';

/**
 * What kube-router v2.1.0's policy controller does, where it departs from the NetworkPolicy spec (which our
 * evaluator follows). Read off its iptables (pkg/controllers/netpol/pod.go) and confirmed by the real matrix:
 *
 * Every local pod has one firewall chain that sees both its outgoing and incoming packets. A policy of type
 * Ingress is jumped to only for packets to the pod (`-d pod`), Egress only for packets from it (`-s pod`), but a
 * policy with both types is jumped to for every packet, and its chain holds its ingress rules (source in the
 * peers, destination in the selected pods) and its egress rules (source in the selected pods, destination in the
 * peers). So an ingress rule can admit a selected pod's *outgoing* connection to another selected pod, and an
 * egress rule a selected pod's *incoming* one from another selected pod. The spec allows each direction only by
 * rules of that direction.
 *
 * Named ports in egress rules (pkg/controllers/netpol/policy.go): kube-router resolves them against the peer pods
 * it selected, so an ipBlock peer matches numeric ports only; a rule without `to` resolves a named port to the
 * numbers it has on the pods of the policy's own namespace and then allows those numbers toward every destination.
 * The spec resolves a named port on whatever destination pod it is.
 *
 * ipBlocks: all ipBlock peers of one rule go into one ipset (hash:net, each `except` a `nomatch` entry), where the
 * most specific entry containing an address decides. So one block's `except` also takes its addresses out of the
 * rule's other blocks; the spec matches each peer on its own.
 *
 * This is a model of those three behaviours, for telling the enforcer's known departures from a bug of ours: the
 * suite requires the real matrix to equal this model cell by cell, and reports where it differs from the spec.
 */

/** The namespaces and every pod of the cluster (kube-router resolves named ports on them). */
export interface World {
  readonly namespaces: readonly SampleNamespace[];
  readonly pods: readonly SamplePod[];
}

function types(p: NetworkPolicyJson): ('Ingress' | 'Egress')[] {
  return p.spec.policyTypes?.length ? [...p.spec.policyTypes] : p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

function selects(p: NetworkPolicyJson, e: Endpoint): e is SamplePod {
  return 'namespace' in e && p.metadata.namespace === e.namespace && matchesSelector(p.spec.podSelector, e.labels);
}

function only(p: NetworkPolicyJson, type: 'Ingress' | 'Egress'): NetworkPolicyJson {
  return { ...p, spec: { ...p.spec, policyTypes: [type] } };
}

/** The policy's egress rules as kube-router applies them: named ports only where it can resolve them on peer pods. */
function egressAsApplied(p: NetworkPolicyJson, pods: readonly SamplePod[]): NetworkPolicyJson {
  const numbersInNamespace = (name: string) => [
    ...new Set(pods.filter((x) => x.namespace === p.metadata.namespace).flatMap((x) => (x.ports ?? []).filter((q) => q.name === name).map((q) => q.port))),
  ];
  const egress = (p.spec.egress ?? []).flatMap((r) => {
    if (!r.ports?.length) return [r];
    const numeric = r.ports.filter((x) => typeof x.port !== 'string');
    const named = r.ports.filter((x) => typeof x.port === 'string');
    if (!r.to?.length) {
      const resolved = named.flatMap((x) => numbersInNamespace(String(x.port)).map((port) => ({ protocol: x.protocol, port })));
      return numeric.length || resolved.length ? [{ ports: [...numeric, ...resolved] }] : [];
    }
    const podPeers = r.to.filter((x) => !x.ipBlock);
    const blocks = r.to.filter((x) => x.ipBlock);
    return [...(podPeers.length ? [{ to: podPeers, ports: r.ports }] : []), ...(blocks.length && numeric.length ? [{ to: blocks, ports: numeric }] : [])];
  });
  return { ...p, spec: { ...p.spec, egress } };
}

const MATCHES_NOTHING = { ipBlock: { cidr: '255.255.255.255/32' } };

/** Whether `ip` is in one rule's ipBlocks merged as kube-router's ipset holds them (a nomatch wins a tie). */
function inMergedIpBlocks(blocks: readonly NonNullable<PeerJson['ipBlock']>[], ip: string): boolean {
  const address = IpAddress.parse(ip);
  const entries = blocks
    .flatMap((b) => [{ cidr: Cidr.parse(b.cidr), nomatch: false }, ...(b.except ?? []).map((e) => ({ cidr: Cidr.parse(e), nomatch: true }))])
    .filter((e) => e.cidr.contains(address));
  if (!entries.length) return false;
  const narrowest = entries.reduce((a, b) => (b.cidr.size < a.cidr.size ? b : a)).cidr.size;
  return !entries.some((e) => e.cidr.size === narrowest && e.nomatch);
}

/** A rule's peers for one packet, its ipBlocks replaced by the merged ipset's verdict on the packet's other end. */
function peersFor(peers: readonly PeerJson[] | undefined, other: Endpoint): PeerJson[] | undefined {
  if (!peers?.length) return peers as PeerJson[] | undefined;
  const blocks = peers.flatMap((x) => (x.ipBlock ? [x.ipBlock] : []));
  if (!blocks.length) return [...peers];
  const rest = peers.filter((x) => !x.ipBlock);
  return [...rest, inMergedIpBlocks(blocks, other.ip) ? { ipBlock: { cidr: IpAddress.parse(other.ip).toHostCidr() } } : MATCHES_NOTHING];
}

function ipBlocksAsApplied(p: NetworkPolicyJson, source: Endpoint, destination: Endpoint): NetworkPolicyJson {
  return {
    ...p,
    spec: {
      ...p.spec,
      ...(p.spec.ingress ? { ingress: p.spec.ingress.map((r) => ({ ...r, from: peersFor(r.from, source) })) } : {}),
      ...(p.spec.egress ? { egress: p.spec.egress.map((r) => ({ ...r, to: peersFor(r.to, destination) })) } : {}),
    },
  };
}

/** Whether one rule of the policy's chain marks the packet source -> destination, whichever pod's chain runs it. */
function chainMarks(p: NetworkPolicyJson, source: Endpoint, destination: Endpoint, traffic: Traffic, world: World): boolean {
  const { namespaces, pods } = world;
  const t = types(p);
  const applied = ipBlocksAsApplied(egressAsApplied(p, pods), source, destination);
  const byIngressRule = t.includes('Ingress') && selects(p, destination) && ingressAllowed(destination, source, traffic, [only(applied, 'Ingress')], namespaces);
  const byEgressRule = t.includes('Egress') && selects(p, source) && egressAllowed(source, destination, traffic, [only(applied, 'Egress')], namespaces);
  return byIngressRule || byEgressRule;
}

/** The verdict of `pod`'s own firewall chain on a packet from `source` to `destination` (pod is one of them). */
function podChainAccepts(pod: SamplePod, source: Endpoint, destination: Endpoint, traffic: Traffic, policies: readonly NetworkPolicyJson[], world: World): boolean {
  const outgoing = source === pod;
  const selecting = policies.filter((p) => selects(p, pod));
  const hasIngress = selecting.some((p) => types(p).includes('Ingress'));
  const hasEgress = selecting.some((p) => types(p).includes('Egress'));
  // the default chain accepts a direction no selecting policy governs
  if (outgoing ? !hasEgress : !hasIngress) return true;
  const jumped = selecting.filter((p) => {
    const t = types(p);
    return t.length === 2 || t[0] === (outgoing ? 'Egress' : 'Ingress');
  });
  return jumped.some((p) => chainMarks(p, source, destination, traffic, world));
}

/** A connection passes when the source pod's chain (on its node) and the destination pod's chain both accept it. */
export function kubeRouterAllows(source: Endpoint, destination: Endpoint, traffic: Traffic, policies: readonly NetworkPolicyJson[], world: World): boolean {
  const ends = [source, destination].filter((e): e is SamplePod => 'namespace' in e);
  return ends.every((pod) => podChainAccepts(pod, source, destination, traffic, policies, world));
}
