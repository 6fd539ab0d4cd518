import * as fc from 'fast-check';
import type { NetworkPolicyJson, PeerJson, PortJson } from '../../../lib/network-policy/values';

/**
 * Random NetworkPolicy sets for the enforcement suite, over the suite's fixed pods: namespaces x, y, z (label
 * `ns`), pods a, b, c in each (label `pod`; a also `app: nginx`, b also `access: "true"`), every pod listening
 * on TCP 80 and 81 under the container port names serve-80-tcp and serve-81-tcp. Each set is valid for the API
 * server (it validates CIDRs, except ranges, ports and names), so every difference is about semantics.
 */

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const POD_NAMES = ['a', 'b', 'c'] as const;
export const POD_PORTS = [80, 81] as const;

export function podLabels(name: string): Record<string, string> {
  return { pod: name, ...(name === 'a' ? { app: 'nginx' } : {}), ...(name === 'b' ? { access: 'true' } : {}) };
}

/** The CIDRs ipBlocks are drawn from: given the nodes' podCIDRs (each a /24 of the pod network). */
export interface CidrChoices {
  readonly podNetwork: string;
  readonly nodeCidrs: readonly string[];
  /** One pod's address as a /32. */
  readonly podHosts: readonly string[];
}

const podSelector = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...POD_NAMES).map((p) => ({ matchLabels: { pod: p } })),
  fc.constantFrom(...POD_NAMES).map((p) => ({ matchExpressions: [{ key: 'pod', operator: 'NotIn' as const, values: [p] }] })),
  fc.constant({ matchExpressions: [{ key: 'access', operator: 'Exists' as const }] }),
);

const namespaceSelector = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...NAMESPACES).map((n) => ({ matchLabels: { ns: n } })),
  fc.constantFrom(...NAMESPACES).map((n) => ({ matchExpressions: [{ key: 'ns', operator: 'In' as const, values: [n, 'nowhere'] }] })),
);

function ipBlock(c: CidrChoices): fc.Arbitrary<PeerJson> {
  return fc.oneof(
    fc.constant({ ipBlock: { cidr: c.podNetwork } }),
    fc.constantFrom(...c.nodeCidrs).map((cidr) => ({ ipBlock: { cidr } })),
    fc.constantFrom(...c.podHosts).map((cidr) => ({ ipBlock: { cidr } })),
    fc.constantFrom(...c.nodeCidrs).map((except) => ({ ipBlock: { cidr: c.podNetwork, except: [except] } })),
  );
}

function peer(c: CidrChoices): fc.Arbitrary<PeerJson> {
  return fc.oneof(
    podSelector.map((p) => ({ podSelector: p })),
    namespaceSelector.map((n) => ({ namespaceSelector: n })),
    fc.tuple(podSelector, namespaceSelector).map(([p, n]) => ({ podSelector: p, namespaceSelector: n })),
    ipBlock(c),
  );
}

const port: fc.Arbitrary<PortJson> = fc.oneof(
  fc.constantFrom(...POD_PORTS).map((p) => ({ protocol: 'TCP' as const, port: p })),
  fc.constantFrom('serve-80-tcp', 'serve-81-tcp').map((p) => ({ protocol: 'TCP' as const, port: p })),
  fc.constant({ protocol: 'TCP' as const, port: 80, endPort: 81 }),
  fc.constant({ protocol: 'UDP' as const, port: 80 }),
  fc.constantFrom(...POD_PORTS).map((p) => ({ port: p })), // protocol defaults to TCP
);

function rule(c: CidrChoices, key: 'from' | 'to') {
  return fc.record({ peers: fc.option(fc.array(peer(c), { minLength: 1, maxLength: 2 }), { nil: undefined }), ports: fc.option(fc.array(port, { minLength: 1, maxLength: 2 }), { nil: undefined }) }).map((r) => ({
    ...(r.peers ? { [key]: r.peers } : {}),
    ...(r.ports ? { ports: r.ports } : {}),
  }));
}

function policy(c: CidrChoices, name: string): fc.Arbitrary<NetworkPolicyJson> {
  return fc
    .record({
      namespace: fc.constantFrom(...NAMESPACES),
      podSelector,
      types: fc.constantFrom<('Ingress' | 'Egress')[]>(['Ingress'], ['Egress'], ['Ingress', 'Egress']),
      ingress: fc.array(rule(c, 'from'), { maxLength: 2 }),
      egress: fc.array(rule(c, 'to'), { maxLength: 2 }),
    })
    .map((r) => ({
      metadata: { name, namespace: r.namespace },
      spec: {
        podSelector: r.podSelector,
        policyTypes: r.types,
        ...(r.types.includes('Ingress') ? { ingress: r.ingress } : {}),
        ...(r.types.includes('Egress') ? { egress: r.egress } : {}),
      },
    }));
}

/** `count` random sets of 1-3 policies, the same ones for the same seed. */
export function randomPolicySets(c: CidrChoices, seed: number, count: number): NetworkPolicyJson[][] {
  const set = fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => policy(c, `random-${i}`))));
  return fc.sample(set, { seed, numRuns: count });
}
