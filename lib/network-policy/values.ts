import { AddressSyntaxError, Cidr } from '../net/cidr';
import { ArgumentError } from '../argument-error';

/** Plain JSON shapes of the NetworkPolicy API (networking.k8s.io/v1), as the evaluator reads them. */
export interface LabelSelectorJson {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; readonly values?: readonly string[] }[];
}
export interface PeerJson {
  readonly podSelector?: LabelSelectorJson;
  readonly namespaceSelector?: LabelSelectorJson;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}
export interface PortJson {
  readonly protocol?: Protocol;
  readonly port?: number | string;
  readonly endPort?: number;
}
export interface NetworkPolicySpecJson {
  readonly podSelector: LabelSelectorJson;
  readonly policyTypes?: readonly ('Ingress' | 'Egress')[];
  readonly ingress?: readonly { readonly from?: readonly PeerJson[]; readonly ports?: readonly PortJson[] }[];
  readonly egress?: readonly { readonly to?: readonly PeerJson[]; readonly ports?: readonly PortJson[] }[];
}
export interface NetworkPolicyJson {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: NetworkPolicySpecJson;
}

/** A bad argument to the NetworkPolicy helpers: which field, what value, and what to do. */
export class NetworkPolicyError extends ArgumentError {
  override readonly name = 'NetworkPolicyError';
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type Labels = Readonly<Record<string, string>>;

// IANA service name, as the API server validates named ports
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function checkPortNumber(field: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new NetworkPolicyError(field, port, 'not a port number', 'use a whole number from 1 to 65535');
  }
}

/** A port (or port range) a rule allows. Protocol defaults to TCP, as in the API. */
export class PolicyPort {
  static tcp(port: number | string): PolicyPort {
    return new PolicyPort('TCP', port);
  }
  static udp(port: number | string): PolicyPort {
    return new PolicyPort('UDP', port);
  }
  static sctp(port: number | string): PolicyPort {
    return new PolicyPort('SCTP', port);
  }
  /** A range `start`..`end` inclusive (the API's `endPort`). */
  static tcpRange(start: number, end: number): PolicyPort {
    return new PolicyPort('TCP', start, end);
  }
  static udpRange(start: number, end: number): PolicyPort {
    return new PolicyPort('UDP', start, end);
  }

  private constructor(
    readonly protocol: Protocol,
    readonly port: number | string,
    readonly endPort?: number,
  ) {
    if (typeof port === 'string') {
      if (port.length > 15 || !PORT_NAME.test(port)) {
        throw new NetworkPolicyError('port', port, 'not a valid port name', 'use at most 15 lower-case letters, digits and "-", with at least one letter');
      }
      if (endPort !== undefined) throw new NetworkPolicyError('endPort', endPort, 'a range needs a numeric start port', 'use a port number');
      return;
    }
    checkPortNumber('port', port);
    if (endPort !== undefined) {
      checkPortNumber('endPort', endPort);
      if (endPort < port) throw new NetworkPolicyError('endPort', endPort, `is below the start port ${port}`, 'give the range as start, end with start <= end');
    }
  }

  toJson(): PortJson {
    return { protocol: this.protocol, port: this.port, ...(this.endPort !== undefined ? { endPort: this.endPort } : {}) };
  }
}

/** A label selector from `matchLabels` only; `{}` selects everything. */
function labelSelector(labels: Labels): LabelSelectorJson {
  return Object.keys(labels).length ? { matchLabels: { ...labels } } : {};
}

function requireLabels(field: string, labels: Labels): void {
  if (Object.keys(labels).length === 0) {
    throw new NetworkPolicyError(field, labels, 'empty selector where labels are required', 'name at least one label; to mean every pod or namespace use the explicit all* helper');
  }
}

/** Who a rule allows traffic from (ingress) or to (egress). */
export class PolicyPeer {
  /** Pods in the policy's own namespace that carry `labels`. */
  static podsWithLabels(labels: Labels): PolicyPeer {
    requireLabels('podSelector', labels);
    return new PolicyPeer({ podSelector: labelSelector(labels) });
  }
  /** Every pod in the policy's own namespace. */
  static allPodsInNamespace(): PolicyPeer {
    return new PolicyPeer({ podSelector: {} });
  }
  /** Every pod in namespaces that carry `labels`. */
  static namespacesWithLabels(labels: Labels): PolicyPeer {
    requireLabels('namespaceSelector', labels);
    return new PolicyPeer({ namespaceSelector: labelSelector(labels) });
  }
  /** The namespace called `name` (by its `kubernetes.io/metadata.name` label). */
  static namespace(name: string): PolicyPeer {
    return PolicyPeer.namespacesWithLabels({ 'kubernetes.io/metadata.name': name });
  }
  /** Every pod in every namespace. */
  static allPods(): PolicyPeer {
    return new PolicyPeer({ namespaceSelector: {} });
  }
  /** Pods with `podLabels` in namespaces with `namespaceLabels` (both must match: one peer, not two). */
  static podsInNamespaces(podLabels: Labels, namespaceLabels: Labels): PolicyPeer {
    requireLabels('podSelector', podLabels);
    requireLabels('namespaceSelector', namespaceLabels);
    return new PolicyPeer({ podSelector: labelSelector(podLabels), namespaceSelector: labelSelector(namespaceLabels) });
  }
  /** Addresses in `cidr` except the `except` ranges, which must lie inside it. */
  static ipBlock(cidr: string, except: readonly string[] = []): PolicyPeer {
    const parse = (field: string, text: string) => {
      try {
        return Cidr.parse(text);
      } catch (e) {
        if (e instanceof AddressSyntaxError) throw new NetworkPolicyError(field, text, e.message, e.hint);
        throw e;
      }
    };
    const range = parse('ipBlock.cidr', cidr);
    except.forEach((text, i) => {
      const hole = parse(`ipBlock.except[${i}]`, text);
      if (hole.family !== range.family || !range.contains(hole.networkAddress) || hole.prefixLength <= range.prefixLength) {
        throw new NetworkPolicyError(`ipBlock.except[${i}]`, text, `is not inside ${range}`, `list only ranges strictly inside ${range}`);
      }
    });
    return new PolicyPeer({ ipBlock: { cidr: range.toString(), ...(except.length ? { except: except.map((e) => Cidr.parse(e).toString()) } : {}) } });
  }

  private constructor(private readonly peer: PeerJson) {}

  toJson(): PeerJson {
    return structuredClone(this.peer);
  }
}
