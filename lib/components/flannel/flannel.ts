import { Construct } from 'constructs';
import * as k8s from '../../k8s';
import type { ClusterConfig } from '../../config/cluster-config';
import { FlannelWindows } from './flannel-windows';
import { flannelCniConf, flannelNetConf } from './net-conf';
import { FLANNEL_RELEASES, type FlannelRelease } from './releases';

export interface FlannelProps {
  /** The validated cluster config: pod CIDRs, Flannel settings, Windows, image registry. */
  readonly cluster: ClusterConfig;
  /**
   * Namespace for Flannel's objects.
   * @default "kube-flannel"
   */
  readonly namespace?: string;
}

const APP_LABELS = { 'k8s-app': 'flannel', app: 'flannel' } as const;
const NODE_LABELS = { tier: 'node', ...APP_LABELS } as const;
const CONFIG_MAP_NAME = 'kube-flannel-cfg';
const SERVICE_ACCOUNT = 'flannel';

/**
 * Flannel: the VXLAN overlay network, running flanneld on every Linux node with `--kube-subnet-mgr` (node pod
 * CIDRs come from kube-controller-manager's `--allocate-node-cidrs`), and on Windows nodes when the cluster
 * has them (`windows`).
 *
 * Each API object is a public field so users can patch it (`flannel.daemonSet.addJsonPatch(...)`).
 */
export class Flannel extends Construct {
  readonly namespaceName: string;
  readonly release: FlannelRelease;
  readonly namespace: k8s.KubeNamespace;
  readonly clusterRole: k8s.KubeClusterRole;
  readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly configMap: k8s.KubeConfigMap;
  readonly daemonSet: k8s.KubeDaemonSet;
  /** The Windows overlay, present when the cluster has Windows nodes. */
  readonly windows?: FlannelWindows;

  constructor(scope: Construct, id: string, props: FlannelProps) {
    super(scope, id);
    const { cluster } = props;
    const settings = cluster.components.flannel;
    this.namespaceName = props.namespace ?? 'kube-flannel';
    this.release = FLANNEL_RELEASES[settings.version];
    const ns = this.namespaceName;

    // flanneld needs NET_ADMIN/NET_RAW, host networking and hostPath volumes: only `privileged` admits them.
    this.namespace = new k8s.KubeNamespace(this, 'namespace', {
      metadata: { name: ns, labels: { 'k8s-app': 'flannel', 'pod-security.kubernetes.io/enforce': 'privileged' } },
    });

    // Only what flanneld calls: its own pod, node watches, and the node status patch with its lease.
    this.clusterRole = new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name: 'flannel', labels: { 'k8s-app': 'flannel' } },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] },
      ],
    });
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: SERVICE_ACCOUNT, namespace: ns, labels: { 'k8s-app': 'flannel' } },
    });
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: 'flannel', labels: { 'k8s-app': 'flannel' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.clusterRole.name },
      subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: ns }],
    });

    this.configMap = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: CONFIG_MAP_NAME, namespace: ns, labels: NODE_LABELS },
      data: {
        'cni-conf.json': JSON.stringify(flannelCniConf(), null, 2) + '\n',
        'net-conf.json': JSON.stringify(flannelNetConf(cluster.network, settings.vxlan, cluster.kubeProxyMode), null, 2) + '\n',
      },
    });

    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemon-set', {
      metadata: { name: 'kube-flannel-ds', namespace: ns, labels: NODE_LABELS },
      spec: {
        selector: { matchLabels: { app: 'flannel' } },
        template: {
          metadata: { labels: { tier: 'node', app: 'flannel' } },
          spec: this.podSpec(cluster.imageRegistry),
        },
      },
    });

    if (cluster.windows.enabled) {
      this.windows = new FlannelWindows(this, 'windows', {
        cluster,
        namespace: ns,
        serviceAccountName: SERVICE_ACCOUNT,
        netConfConfigMap: CONFIG_MAP_NAME,
      });
    }
  }

  private podSpec(registry: string | undefined): k8s.PodSpec {
    const release = this.release;
    const flannelImage = release.flannel.resolve(registry);
    const health = release.healthzPort;
    return {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }],
          },
        },
      },
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      // Runs on every node, tainted or not (control plane included), but leaves on NoExecute evictions.
      tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
      serviceAccountName: SERVICE_ACCOUNT,
      initContainers: [
        {
          name: 'install-cni-plugin',
          image: release.cniPlugin.resolve(registry),
          command: ['cp'],
          args: ['-f', '/flannel', '/opt/cni/bin/flannel'],
          // root copies into host folders it owns: nothing setuid to gain (no_new_privs)
          securityContext: { allowPrivilegeEscalation: false },
          volumeMounts: [{ name: 'cni-plugin', mountPath: '/opt/cni/bin' }],
        },
        {
          name: 'install-cni',
          image: flannelImage,
          command: [...release.installConfCommand],
          args: ['/etc/kube-flannel/cni-conf.json', '/etc/cni/net.d/10-flannel.conflist'],
          securityContext: { allowPrivilegeEscalation: false },
          volumeMounts: [
            { name: 'cni', mountPath: '/etc/cni/net.d' },
            { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' },
          ],
        },
      ],
      containers: [
        {
          name: 'kube-flannel',
          image: flannelImage,
          command: ['/opt/bin/flanneld'],
          args: ['--ip-masq', '--kube-subnet-mgr', ...(health ? [`--healthz-port=${health}`] : [])],
          resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('50Mi') } },
          // root with the two capabilities it programs routes and iptables with; no_new_privs keeps it at that
          securityContext: { privileged: false, allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'EVENT_QUEUE_DEPTH', value: '5000' },
            { name: 'CONT_WHEN_CACHE_NOT_READY', value: 'false' },
          ],
          ...(health
            ? {
                ports: [{ name: 'healthz', containerPort: health, protocol: 'TCP' }],
                livenessProbe: {
                  httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('healthz') },
                  initialDelaySeconds: 10,
                  periodSeconds: 30,
                },
                readinessProbe: {
                  httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('healthz') },
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                },
              }
            : {}),
          volumeMounts: [
            { name: 'run', mountPath: '/run/flannel' },
            { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' },
            { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
          ],
        },
      ],
      volumes: [
        { name: 'run', hostPath: { path: '/run/flannel' } },
        { name: 'cni-plugin', hostPath: { path: '/opt/cni/bin' } },
        { name: 'cni', hostPath: { path: '/etc/cni/net.d' } },
        { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
        { name: 'flannel-cfg', configMap: { name: CONFIG_MAP_NAME } },
      ],
    };
  }
}
