import { Construct } from 'constructs';
import * as k8s from '../../k8s';
import type { ClusterConfig } from '../../config/cluster-config';
import { ImageRef } from '../../images';

export interface KubeletServingApproverProps {
  readonly cluster: ClusterConfig;
  /**
   * Namespace of the ServiceAccount and the Deployment.
   * @default "kube-system"
   */
  readonly namespace?: string;
}

const NAME = 'kubelet-csr-approver';
const LABELS = { 'k8s-app': NAME } as const;
const HEALTH_PORT = 8081;
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

/**
 * Exactly what approving kubelet serving CSRs takes: read CSRs, update their approval, and `approve` on the
 * one signer. No leader-election leases (one replica), no nodes, no secrets.
 */
export const APPROVER_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
  { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [KUBELET_SERVING_SIGNER], verbs: ['approve'] },
];

/** The approver's settings as the environment variables it reads. */
export function approverEnv(cluster: ClusterConfig): k8s.EnvVar[] {
  const a = cluster.components.kubeletServingApprover;
  return [
    { name: 'PROVIDER_REGEX', value: a.providerRegex },
    // without prefixes no IP SAN passes: 0.0.0.0/32 and ::/128 match no node address
    { name: 'PROVIDER_IP_PREFIXES', value: a.ipPrefixes.length ? a.ipPrefixes.map(String).join(',') : '0.0.0.0/32,::/128' },
    { name: 'BYPASS_DNS_RESOLUTION', value: String(a.bypassDnsResolution) },
  ];
}

/**
 * postfinance/kubelet-csr-approver: approves `kubernetes.io/kubelet-serving` CSRs from `system:node:<name>`
 * only when every requested DNS name matches the provider regex (and resolves to the requested IPs) and
 * every IP lies in the allowed prefixes, which is the check the kubeadm docs ask of such a controller.
 */
export class KubeletServingApprover extends Construct {
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly clusterRole: k8s.KubeClusterRole;
  readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: KubeletServingApproverProps) {
    super(scope, id);
    const { cluster } = props;
    const a = cluster.components.kubeletServingApprover;
    const namespace = props.namespace ?? 'kube-system';
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', { metadata: { name: NAME, namespace, labels: LABELS } });
    this.clusterRole = new k8s.KubeClusterRole(this, 'cluster-role', { metadata: { name: NAME, labels: LABELS }, rules: [...APPROVER_RULES] });
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: NAME, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
    });
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: NAME, namespace, labels: LABELS },
      spec: {
        // one replica and no leader election: a second approver would only race the first
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: NAME,
            priorityClassName: 'system-cluster-critical',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: NAME,
                image: ImageRef.parse(a.image).resolve(cluster.imageRegistry),
                imagePullPolicy: 'IfNotPresent',
                // metrics off ("0"): nothing scrapes them and it is one listener fewer
                args: ['-metrics-bind-address', '0', '-health-probe-bind-address', `:${HEALTH_PORT}`],
                env: approverEnv(cluster),
                ports: [{ name: 'health', containerPort: HEALTH_PORT }],
                // only /healthz exists (no readiness endpoint): a liveness probe alone
                livenessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromNumber(HEALTH_PORT) } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } },
                // no ephemeral-storage request: it writes nothing (read-only root), and nodes that report no
                // ephemeral-storage capacity could not schedule it
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('64Mi') },
                  limits: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('128Mi') },
                },
              },
            ],
          },
        },
      },
    });
  }
}
