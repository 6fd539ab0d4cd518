import { Construct } from 'constructs';
import * as k8s from '../../k8s';
import type { ClusterConfig } from '../../config/cluster-config';
import { ImageRef } from '../../images';

export interface CloudControllerManagerProps {
  readonly cluster: ClusterConfig;
  /**
   * Namespace of the objects.
   * @default "kube-system"
   */
  readonly namespace?: string;
}

const NAME = 'cloud-controller-manager';
const LABELS = { 'k8s-app': NAME } as const;

/**
 * The flags other cluster components need when a cloud-controller-manager runs. kubelets start with
 * `--cloud-provider=external` (and so register tainted `node.cloudprovider.kubernetes.io/uninitialized`
 * until the CCM initialises them); kube-apiserver and kube-controller-manager must not set
 * `--cloud-provider`. The kubelet/kubeadm configuration reads them from here.
 */
export function cloudProviderFlags(cluster: ClusterConfig): { readonly kubelet: Readonly<Record<string, string>>; readonly forbiddenOnControlPlane: readonly string[] } {
  return cluster.cloudProvider.type === 'external' ? { kubelet: { 'cloud-provider': 'external' }, forbiddenOnControlPlane: ['cloud-provider'] } : { kubelet: {}, forbiddenOnControlPlane: [] };
}

/** The CCM's command line, from the config's typed options. */
export function cloudControllerManagerArgs(cluster: ClusterConfig): string[] {
  const c = cluster.components.cloudControllerManager;
  return [
    `--cloud-provider=${c.providerName}`,
    '--leader-elect=true',
    '--use-service-account-credentials',
    `--allocate-node-cidrs=${c.allocateNodeCidrs}`,
    `--configure-cloud-routes=${c.configureCloudRoutes}`,
    ...(c.allocateNodeCidrs || c.configureCloudRoutes ? [`--cluster-cidr=${cluster.network.podSubnet}`] : []),
  ];
}

/**
 * What the CCM's own identity does with our args, measured with k8s.io/cloud-provider's command in the e2e tier
 * (test/e2e/cloud-controller-manager.e2e.test.ts removes each rule and each verb and shows the refusal). With
 * `--use-service-account-credentials` every controller acts as its own ServiceAccount (`node-controller`,
 * `service-controller`, ...), whose rights are the API server's bootstrap roles `system:controller:<name>`; the
 * CCM itself only elects a leader, records that event, runs the shared informers and mints those accounts' tokens.
 * So no `nodes` writes, `nodes/status`, `services` writes, `services/status`, `persistentvolumes` (no controller
 * of cloud-provider labels volumes any more) or `endpoints` (leader election uses Leases only) here.
 */
export const CCM_RULES: readonly k8s.PolicyRule[] = [
  // leader election on the Lease kube-system/cloud-controller-manager
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  // the leader-election event; patch: client-go's recorder patches an event when it repeats
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  // the shared informers the controllers read nodes and services from
  { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
  // --use-service-account-credentials: each controller's ServiceAccount in kube-system, and its tokens
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'create'] },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
];

/**
 * The cloud-controller-manager of an external cloud provider: a DaemonSet on control-plane nodes that
 * tolerates the taints present before the cluster is initialised (its own `uninitialized` one included).
 */
export class CloudControllerManager extends Construct {
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly clusterRole?: k8s.KubeClusterRole;
  readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  readonly authReaderBinding: k8s.KubeRoleBinding;
  readonly daemonSet: k8s.KubeDaemonSet;

  constructor(scope: Construct, id: string, props: CloudControllerManagerProps) {
    super(scope, id);
    const { cluster } = props;
    const settings = cluster.components.cloudControllerManager;
    const namespace = props.namespace ?? 'kube-system';
    const subject = { kind: 'ServiceAccount', name: NAME, namespace };
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', { metadata: { name: NAME, namespace, labels: LABELS } });
    if (!settings.clusterAdmin) {
      this.clusterRole = new k8s.KubeClusterRole(this, 'cluster-role', { metadata: { name: 'system:cloud-controller-manager', labels: LABELS }, rules: [...CCM_RULES] });
    }
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: 'system:cloud-controller-manager', labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: settings.clusterAdmin ? 'cluster-admin' : 'system:cloud-controller-manager' },
      subjects: [subject],
    });
    // reads the front-proxy/client CA config the API server publishes in kube-system
    this.authReaderBinding = new k8s.KubeRoleBinding(this, 'auth-reader', {
      metadata: { name: 'cloud-controller-manager:apiserver-authentication-reader', namespace: 'kube-system', labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [subject],
    });
    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemon-set', {
      metadata: { name: NAME, namespace, labels: LABELS },
      spec: {
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: NAME,
            priorityClassName: 'system-cluster-critical',
            // it may have to run before the pod network exists (it can be what sets up routes)
            hostNetwork: true,
            nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
            tolerations: [
              { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
              { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
              { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
            ],
            containers: [
              {
                name: NAME,
                image: ImageRef.parse(settings.image).resolve(cluster.imageRegistry),
                command: ['/usr/local/bin/cloud-controller-manager'],
                args: cloudControllerManagerArgs(cluster),
                resources: { requests: { cpu: k8s.Quantity.fromString('200m'), memory: k8s.Quantity.fromString('50Mi') } },
                // the rest of its security context (user, writable paths) belongs to the provider's image
                securityContext: { allowPrivilegeEscalation: false },
              },
            ],
          },
        },
      },
    });
  }
}
