// Which nodes a DaemonSet's pods should run on, kept simple: the nodeSelector's labels, and every NoSchedule or
// NoExecute taint tolerated (node affinity is not modelled). Pure.

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}
export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}
export interface NodeFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

// The DaemonSet controller adds these to every DaemonSet pod, so their taints never keep one away
// (pkg/controller/daemon/util: not-ready/unreachable NoExecute, the pressure and unschedulable NoSchedule ones).
const DAEMONSET_DEFAULT_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists'; // an empty key with Exists tolerates everything
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/** Whether a DaemonSet pod with this nodeSelector and these tolerations belongs on the node. */
export function daemonSetRunsOn(node: NodeFacts, nodeSelector: Readonly<Record<string, string>> = {}, tolerations: readonly Toleration[] = []): boolean {
  if (Object.entries(nodeSelector).some(([k, v]) => node.labels[k] !== v)) return false;
  const all = [...tolerations, ...DAEMONSET_DEFAULT_TOLERATIONS];
  return node.taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute').every((taint) => all.some((t) => tolerates(t, taint)));
}

/** Node facts from a Node object of the API. */
export function nodeFacts(node: any): NodeFacts {
  return { name: node.metadata?.name ?? '', labels: node.metadata?.labels ?? {}, taints: node.spec?.taints ?? [] };
}
