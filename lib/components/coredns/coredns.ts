import { Construct } from 'constructs';
import * as k8s from '../../k8s';
import type { ClusterConfig } from '../../config/cluster-config';
import { clusterCorefile } from '../../dns/cluster-corefile';
import { renderCorefile } from '../../dns/corefile';
import { ImageRef } from '../../images';

export interface CoreDnsProps {
  readonly cluster: ClusterConfig;
  /**
   * Namespace of the objects.
   * @default "kube-system"
   */
  readonly namespace?: string;
}

const LABELS = { 'k8s-app': 'kube-dns' } as const;
const HEALTH_PORT = 8080;
const READY_PORT = 8181;

export function coreDnsImage(version: string): ImageRef {
  return new ImageRef('registry.k8s.io', 'coredns/coredns', version);
}

/** The Corefile this cluster's CoreDNS runs (pure: from the config alone). */
export function coreDnsCorefile(cluster: ClusterConfig): string {
  const c = cluster.components.coredns;
  return renderCorefile(clusterCorefile({ domain: cluster.network.dnsDomain, kubernetesMinor: cluster.kubernetesVersion.minor, ...c }));
}

/**
 * CoreDNS: ServiceAccount, least-privilege RBAC (what the kubernetes plugin reads), the Corefile ConfigMap,
 * a Deployment spread over nodes, a PodDisruptionBudget and the `kube-dns` Service on the cluster DNS IP of
 * the config (the same value kubelets hand to pods).
 */
export class CoreDns extends Construct {
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly clusterRole: k8s.KubeClusterRole;
  readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  readonly configMap: k8s.KubeConfigMap;
  readonly deployment: k8s.KubeDeployment;
  readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: CoreDnsProps) {
    super(scope, id);
    const { cluster } = props;
    const settings = cluster.components.coredns;
    const namespace = props.namespace ?? 'kube-system';
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', { metadata: { name: 'coredns', namespace } });
    this.clusterRole = new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name: 'system:coredns' },
      rules: [
        // kubeadm also grants endpoints and pods; CoreDNS reads EndpointSlices, and pods only with `pods verified`
        // (ours is `insecure`): the DNS tier runs CoreDNS ready without them and shows each rule here is needed
        { apiGroups: [''], resources: ['services', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    });
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.clusterRole.name },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace }],
    });
    this.configMap = new k8s.KubeConfigMap(this, 'config', { metadata: { name: 'coredns', namespace }, data: { Corefile: coreDnsCorefile(cluster) } });

    const httpProbe = (path: string, port: string) => ({ httpGet: { path, port: k8s.IntOrString.fromString(port), scheme: 'HTTP' } });
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: 'coredns', namespace, labels: LABELS },
      spec: {
        replicas: settings.replicas,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: 'coredns',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
            ],
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] }, topologyKey: 'kubernetes.io/hostname' } },
                ],
              },
            },
            // one replica per node as far as nodes allow; nodes the pods cannot run on do not count
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: LABELS }, nodeTaintsPolicy: 'Honor', nodeAffinityPolicy: 'Honor' },
            ],
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            dnsPolicy: 'Default',
            containers: [
              {
                name: 'coredns',
                image: coreDnsImage(settings.version).resolve(cluster.imageRegistry),
                imagePullPolicy: 'IfNotPresent',
                args: ['-conf', '/etc/coredns/Corefile'],
                resources: {
                  limits: { memory: k8s.Quantity.fromString(settings.memoryLimit) },
                  requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('70Mi') },
                },
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                  { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
                  { name: 'liveness-probe', containerPort: HEALTH_PORT, protocol: 'TCP' },
                  { name: 'readiness-probe', containerPort: READY_PORT, protocol: 'TCP' },
                ],
                livenessProbe: { ...httpProbe('/health', 'liveness-probe'), initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
                readinessProbe: httpProbe('/ready', 'readiness-probe'),
                securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, readOnlyRootFilesystem: true },
                volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config-volume', configMap: { name: this.configMap.name, items: [{ key: 'Corefile', path: 'Corefile' }] } }],
          },
        },
      },
    });
    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: 'coredns', namespace, labels: LABELS },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: LABELS } },
    });
    this.service = new k8s.KubeService(this, 'service', {
      metadata: {
        name: 'kube-dns',
        namespace,
        labels: { ...LABELS, 'kubernetes.io/name': 'CoreDNS' },
        annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      },
      spec: {
        selector: LABELS,
        clusterIp: cluster.network.dnsServiceIP.toString(),
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: k8s.IntOrString.fromNumber(53) },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: k8s.IntOrString.fromNumber(53) },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: k8s.IntOrString.fromNumber(9153) },
        ],
      },
    });
  }
}
