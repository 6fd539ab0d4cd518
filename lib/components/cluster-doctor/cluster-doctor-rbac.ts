import { Construct } from 'constructs';
import * as k8s from '../../k8s';

export interface ClusterDoctorRbacProps {
  /**
   * Namespace of the Role (the Konnectivity workloads live there) and of the ServiceAccount.
   * @default "kube-system"
   */
  readonly namespace?: string;
}

const NAME = 'cluster-doctor';
const LABELS = { 'app.kubernetes.io/name': NAME } as const;

/**
 * Exactly what `cluster-doctor` reads, cluster-wide: health and version, nodes, pods and one log line per node,
 * APIServices, webhook configurations, the Services they call and their EndpointSlices. Nothing is written;
 * no Secrets, no exec.
 */
export const CLUSTER_DOCTOR_RULES: readonly k8s.PolicyRule[] = [
  { nonResourceUrLs: ['/readyz', '/version'], verbs: ['get'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get'] },
  { apiGroups: ['apiregistration.k8s.io'], resources: ['apiservices'], verbs: ['list'] },
  { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'], verbs: ['list'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
];

/** In kube-system only: the Konnectivity agent and server workloads (a DaemonSet, or the agents' Deployment). */
export const CLUSTER_DOCTOR_NAMESPACE_RULES: readonly k8s.PolicyRule[] = [{ apiGroups: ['apps'], resources: ['daemonsets', 'deployments'], verbs: ['get', 'list'] }];

/**
 * The `cluster-doctor` command's rights: a ClusterRole and a kube-system Role with exactly what it reads, and a
 * ServiceAccount bound to both (`kubectl create token cluster-doctor -n kube-system` gives a token). Bind your
 * own user or group to the same roles instead if you prefer.
 */
export class ClusterDoctorRbac extends Construct {
  readonly clusterRole: k8s.KubeClusterRole;
  readonly role: k8s.KubeRole;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  readonly roleBinding: k8s.KubeRoleBinding;

  constructor(scope: Construct, id: string, props: ClusterDoctorRbacProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? 'kube-system';
    const subjects = [{ kind: 'ServiceAccount', name: NAME, namespace }];
    this.clusterRole = new k8s.KubeClusterRole(this, 'cluster-role', { metadata: { name: NAME, labels: LABELS }, rules: [...CLUSTER_DOCTOR_RULES] });
    this.role = new k8s.KubeRole(this, 'role', { metadata: { name: NAME, namespace, labels: LABELS }, rules: [...CLUSTER_DOCTOR_NAMESPACE_RULES] });
    // no token is mounted anywhere: the account exists only for `kubectl create token`
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', { metadata: { name: NAME, namespace, labels: LABELS }, automountServiceAccountToken: false });
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: NAME, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects,
    });
    this.roleBinding = new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: { name: NAME, namespace, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME },
      subjects,
    });
  }
}
