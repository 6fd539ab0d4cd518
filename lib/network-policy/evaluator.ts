import { Cidr, IpAddress } from '../net/cidr';
import type { LabelSelectorJson, NetworkPolicyJson, PeerJson, PortJson, Protocol } from './values';

/**
 * A pure evaluator of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), for reasoning about a set of
 * policies before applying them:
 * - a policy selects the pods of its own namespace that match its podSelector;
 * - policyTypes default to Ingress, plus Egress when the policy has egress rules;
 * - a pod selected by no policy of a direction is open in that direction; once selected, only what some
 *   selecting policy's rules allow gets through (rules add up; nothing subtracts);
 * - a rule without `from`/`to` matches every peer; without `ports`, every port;
 * - a peer with podSelector alone means pods of the policy's namespace; namespaceSelector alone, every pod
 *   in matching namespaces; both in one peer, pods matching both; ipBlock, addresses in the CIDR and not in
 *   an `except` range;
 * - ports match by number, by range (`endPort`) or by name against the destination pod's container ports;
 *   protocol defaults to TCP;
 * - a connection between two pods needs the source's egress and the destination's ingress to allow it.
 */

export interface SampleNamespace {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface SamplePod {
  readonly name: string;
  readonly namespace: string;
  readonly ip: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Named container ports, for rules that name ports. */
  readonly ports?: readonly { readonly name: string; readonly port: number; readonly protocol?: Protocol }[];
}

/** An address outside the pod set (an external host, the metadata endpoint, a node). */
export interface ExternalEndpoint {
  readonly name: string;
  readonly ip: string;
}

export type Endpoint = SamplePod | ExternalEndpoint;

export interface Traffic {
  readonly port: number;
  readonly protocol?: Protocol;
}

function isPod(e: Endpoint): e is SamplePod {
  return 'namespace' in e;
}

/** LabelSelector semantics: every matchLabels pair and every expression must hold; `{}` matches all. */
export function matchesSelector(selector: LabelSelectorJson, labels: Readonly<Record<string, string>> = {}): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    const ok = e.operator === 'In' ? inValues : e.operator === 'NotIn' ? !inValues : e.operator === 'Exists' ? has : !has;
    if (!ok) return false;
  }
  return true;
}

function namespaceLabels(name: string, namespaces: readonly SampleNamespace[]): Record<string, string> {
  const ns = namespaces.find((n) => n.name === name);
  // the API server sets this label on every namespace
  return { ...(ns?.labels ?? {}), 'kubernetes.io/metadata.name': name };
}

function policyTypes(p: NetworkPolicyJson): ('Ingress' | 'Egress')[] {
  if (p.spec.policyTypes?.length) return [...p.spec.policyTypes];
  return p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

function selects(p: NetworkPolicyJson, pod: SamplePod): boolean {
  return p.metadata.namespace === pod.namespace && matchesSelector(p.spec.podSelector, pod.labels);
}

function inIpBlock(ip: string, block: NonNullable<PeerJson['ipBlock']>): boolean {
  const address = IpAddress.parse(ip);
  return Cidr.parse(block.cidr).contains(address) && !(block.except ?? []).some((e) => Cidr.parse(e).contains(address));
}

function peerMatches(peer: PeerJson, policyNamespace: string, other: Endpoint, namespaces: readonly SampleNamespace[]): boolean {
  if (peer.ipBlock) return inIpBlock(other.ip, peer.ipBlock);
  if (!isPod(other)) return false; // selectors name pods, never outside addresses
  if (peer.namespaceSelector) {
    if (!matchesSelector(peer.namespaceSelector, namespaceLabels(other.namespace, namespaces))) return false;
  } else if (other.namespace !== policyNamespace) {
    return false;
  }
  return peer.podSelector ? matchesSelector(peer.podSelector, other.labels) : true;
}

function portMatches(rulePort: PortJson, traffic: Traffic, destination: Endpoint): boolean {
  const protocol = traffic.protocol ?? 'TCP';
  if ((rulePort.protocol ?? 'TCP') !== protocol) return false;
  if (rulePort.port === undefined) return true; // all ports of that protocol
  if (typeof rulePort.port === 'string') {
    const named = isPod(destination) ? destination.ports?.find((p) => p.name === rulePort.port && (p.protocol ?? 'TCP') === protocol) : undefined;
    return named?.port === traffic.port;
  }
  return traffic.port >= rulePort.port && traffic.port <= (rulePort.endPort ?? rulePort.port);
}

function ruleAllows(
  peers: readonly PeerJson[] | undefined,
  ports: readonly PortJson[] | undefined,
  policyNamespace: string,
  other: Endpoint,
  traffic: Traffic,
  destination: Endpoint,
  namespaces: readonly SampleNamespace[],
): boolean {
  const peerOk = !peers?.length || peers.some((p) => peerMatches(p, policyNamespace, other, namespaces));
  const portOk = !ports?.length || ports.some((p) => portMatches(p, traffic, destination));
  return peerOk && portOk;
}

/** Whether `pod` may send `traffic` to `destination` (egress side only). */
export function egressAllowed(pod: SamplePod, destination: Endpoint, traffic: Traffic, policies: readonly NetworkPolicyJson[], namespaces: readonly SampleNamespace[]): boolean {
  const applying = policies.filter((p) => selects(p, pod) && policyTypes(p).includes('Egress'));
  if (!applying.length) return true;
  return applying.some((p) => (p.spec.egress ?? []).some((r) => ruleAllows(r.to, r.ports, p.metadata.namespace, destination, traffic, destination, namespaces)));
}

/** Whether `pod` accepts `traffic` from `source` (ingress side only). */
export function ingressAllowed(pod: SamplePod, source: Endpoint, traffic: Traffic, policies: readonly NetworkPolicyJson[], namespaces: readonly SampleNamespace[]): boolean {
  const applying = policies.filter((p) => selects(p, pod) && policyTypes(p).includes('Ingress'));
  if (!applying.length) return true;
  return applying.some((p) => (p.spec.ingress ?? []).some((r) => ruleAllows(r.from, r.ports, p.metadata.namespace, source, traffic, pod, namespaces)));
}

/** A connection is allowed when the source's egress and the destination's ingress both allow it. */
export function connectionAllowed(source: Endpoint, destination: Endpoint, traffic: Traffic, policies: readonly NetworkPolicyJson[], namespaces: readonly SampleNamespace[] = []): boolean {
  const out = isPod(source) ? egressAllowed(source, destination, traffic, policies, namespaces) : true;
  const into = isPod(destination) ? ingressAllowed(destination, source, traffic, policies, namespaces) : true;
  return out && into;
}

export interface ReachabilityMatrix {
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
  readonly traffic: Traffic;
  /** allowed[i][j]: sources[i] may connect to destinations[j]; null on the diagonal (a pod and itself). */
  readonly allowed: readonly (readonly (boolean | null)[])[];
}

function label(e: Endpoint): string {
  return isPod(e) ? `${e.namespace}/${e.name}` : e.name;
}

/** The allow/deny matrix of `sources` × `destinations` for one port and protocol. */
export function reachability(
  sources: readonly Endpoint[],
  destinations: readonly Endpoint[],
  traffic: Traffic,
  policies: readonly NetworkPolicyJson[],
  namespaces: readonly SampleNamespace[] = [],
): ReachabilityMatrix {
  return {
    sources: sources.map(label),
    destinations: destinations.map(label),
    traffic,
    // a pod reaching itself goes over loopback, which NetworkPolicy does not govern
    allowed: sources.map((s) => destinations.map((d) => (label(s) === label(d) ? null : connectionAllowed(s, d, traffic, policies, namespaces)))),
  };
}
