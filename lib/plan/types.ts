/**
 * The change plan: what applying a new cluster config over an old one does, difference by difference.
 *
 * Every difference has one class, from worst to mildest:
 * - `impossible`: a config change a running cluster cannot take (refused unless acknowledged by its id);
 * - `disruptive`: a config change that needs a documented procedure (each has an id and the procedure);
 * - `replace`: an object created, deleted, renamed, or deleted and re-created because an immutable field changed;
 * - `rolling`: a DaemonSet or Deployment whose pod template changed, so its pods are replaced by its strategy;
 * - `in-place`: an object updated where it stands; no pod is replaced by the update itself.
 */

/** The five classes, worst first (the order the text rendering uses). */
export const CHANGE_CLASSES = ['impossible', 'disruptive', 'replace', 'rolling', 'in-place'] as const;
export type ChangeClass = (typeof CHANGE_CLASSES)[number];

/** Ids of the config changes that are refused until acknowledged (`allowDisruptive`). */
export const IMPOSSIBLE_CHANGE_IDS = ['pod-cidr', 'service-cidr', 'cluster-name', 'cluster-domain', 'kubernetes-minor-skip', 'kubernetes-downgrade'] as const;

/** Ids of the config changes that need a procedure but are planned without acknowledgement. */
export const DISRUPTIVE_CHANGE_IDS = [
  'kubernetes-minor-upgrade',
  'flannel-vxlan-vni',
  'flannel-vxlan-port',
  'flannel-direct-routing',
  'flannel-mtu',
  'windows',
  'dns-service-ip',
  'node-local-dns-ip',
  'kubelet-cluster-dns',
  'kube-proxy-mode',
  'konnectivity',
  'api-server-endpoint',
  'certificate-sans',
  'cloud-provider',
  'encryption-at-rest',
] as const;

export type ImpossibleChangeId = (typeof IMPOSSIBLE_CHANGE_IDS)[number];
/** Every config-level change id, disruptive or impossible: the values `allowDisruptive` takes. */
export type DisruptiveChangeId = ImpossibleChangeId | (typeof DISRUPTIVE_CHANGE_IDS)[number];

/** A config-level change: a field whose new value needs a procedure, or that a running cluster cannot take. */
export interface ConfigChange {
  readonly class: 'disruptive' | 'impossible';
  readonly id: DisruptiveChangeId;
  /** Dotted path of the config field, e.g. `networking.podSubnet`. */
  readonly path: string;
  /** Resolved values (defaults applied), as plain JSON. */
  readonly oldValue: unknown;
  readonly newValue: unknown;
  /** Why the change is disruptive or impossible. */
  readonly why: string;
  /** What to do: the procedure (disruptive), or the way out (impossible). */
  readonly procedure: string;
  /** Named in `allowDisruptive`. An impossible change that is not acknowledged makes the plan refused. */
  readonly acknowledged: boolean;
}

/** How one object is identified in the plan. */
export interface PlannedObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
  /** The component (chart) that emits it. */
  readonly component: string;
}

/** How a workload's pods are replaced, as synthesized (API defaults filled in and named). */
export interface Rollout {
  /** `RollingUpdate`, `OnDelete` (DaemonSet) or `Recreate` (Deployment). */
  readonly strategy: string;
  readonly maxUnavailable?: number | string;
  readonly maxSurge?: number | string;
  /** Which of the three fields above come from the API server's defaults, not from the manifest. */
  readonly defaulted: readonly ('strategy' | 'maxUnavailable' | 'maxSurge')[];
  /** Replicas of a Deployment (DaemonSets have one pod per matching node). */
  readonly replicas?: number;
  /** One line for a reader: how many pods or nodes at once. */
  readonly atOnce: string;
}

export type ObjectAction = 'create' | 'delete' | 'rename' | 'recreate' | 'update';

export interface ObjectChange {
  readonly class: 'replace' | 'rolling' | 'in-place';
  readonly action: ObjectAction;
  /** The object as the new config has it (as the old config had it for `delete`). */
  readonly object: PlannedObjectRef;
  /** For `rename`: the old name. */
  readonly renamedFrom?: string;
  /** Changed fields (for updates), e.g. `spec.template.spec.containers[0].image`. */
  readonly fields: readonly string[];
  /** One or more lines saying what happens and why. */
  readonly reasons: readonly string[];
  /** For `rolling`: how the pods are replaced. */
  readonly rollout?: Rollout;
  /** Set when the delete also deletes everything inside (a Namespace). */
  readonly deletesContents?: boolean;
}

/** A node or control-plane file (not a Kubernetes object) that the new config writes differently. */
export interface FileChange {
  readonly path: string;
  readonly action: 'create' | 'delete' | 'update';
  readonly component: string;
}

export interface ChangePlan {
  /** `nothing` for a first deploy (no old config): every object is created. */
  readonly baseline: 'previous-config' | 'nothing';
  readonly clusterName: string;
  readonly oldKubernetesVersion?: string;
  readonly newKubernetesVersion: string;
  /** Disruptive and impossible config changes, impossible first. */
  readonly configChanges: readonly ConfigChange[];
  /** Object changes: replace, then rolling, then in-place; by component, kind, namespace, name within each. */
  readonly objectChanges: readonly ObjectChange[];
  /** Node and control-plane files that change (secret files are left out). */
  readonly fileChanges: readonly FileChange[];
  /** Differences per class. */
  readonly counts: Readonly<Record<ChangeClass, number>>;
  /** Notes for the reader (e.g. `no previous config: planned against nothing`). */
  readonly notes: readonly string[];
  /** Impossible changes not acknowledged: the plan is refused while this is not empty. */
  readonly refused: readonly ConfigChange[];
}
