import { Construct } from 'constructs';
import { toYaml } from '../../output/yaml';
import * as k8s from '../../k8s';
import type { ClusterConfig } from '../../config/cluster-config';
import { ImageRef } from '../../images';
import { windowsNetworkName } from '../flannel/net-conf';
import { HOST_PROCESS_POD, nodeAgentRequests, WINDOWS_CNI_BIN } from '../windows';

export interface KubeProxyWindowsProps {
  readonly cluster: ClusterConfig;
  /**
   * Namespace of the objects.
   * @default "kube-system"
   */
  readonly namespace?: string;
}

const NAME = 'kube-proxy-windows';
const MOUNT = '/var/lib/kube-proxy';

/** `sigwindowstools/kube-proxy:<Kubernetes version>-flannel-hostprocess`: the tag follows the cluster version. */
export function kubeProxyWindowsImage(cluster: ClusterConfig): ImageRef {
  return new ImageRef('docker.io', 'sigwindowstools/kube-proxy', `${cluster.kubernetesVersion.tag}-flannel-hostprocess`);
}

/** KubeProxyConfiguration for Windows: the kernelspace (HNS) proxier on Flannel's overlay network. */
export function kubeProxyWindowsConfig(cluster: ClusterConfig): object {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'kernelspace',
    clusterCIDR: cluster.network.podSubnet,
    clientConnection: { kubeconfig: `${MOUNT}/kubeconfig.conf` },
    winkernel: { networkName: windowsNetworkName(cluster.components.flannel.vxlan), enableDSR: false },
  };
}

/** kubeconfig for the DaemonSet's ServiceAccount, pointed at the API server endpoint of the config. */
export function kubeProxyWindowsKubeconfig(cluster: ClusterConfig): object {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'default', cluster: { server: cluster.apiServer.url, 'certificate-authority': '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' } }],
    contexts: [{ name: 'default', context: { cluster: 'default', namespace: 'default', user: 'default' } }],
    'current-context': 'default',
    users: [{ name: 'default', user: { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' } }],
  };
}

/**
 * kube-proxy on Windows nodes as a HostProcess DaemonSet. Changing `kubernetesVersion` changes the image tag,
 * which rolls the DaemonSet one node at a time (see docs/flannel.md, "Windows nodes", for the node upgrade order).
 */
export class KubeProxyWindows extends Construct {
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  readonly configMap: k8s.KubeConfigMap;
  readonly daemonSet: k8s.KubeDaemonSet;

  constructor(scope: Construct, id: string, props: KubeProxyWindowsProps) {
    super(scope, id);
    const { cluster } = props;
    const namespace = props.namespace ?? 'kube-system';
    const labels = { 'k8s-app': NAME };
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', { metadata: { name: NAME, namespace, labels } });
    // the built-in role kube-proxy needs: watch Services/EndpointSlices/Nodes, write events
    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'node-proxier', {
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-proxier' },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
    });
    this.configMap = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: NAME, namespace, labels },
      data: {
        'config.conf': toYaml(kubeProxyWindowsConfig(cluster)),
        'kubeconfig.conf': toYaml(kubeProxyWindowsKubeconfig(cluster)),
      },
    });
    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemon-set', {
      metadata: { name: NAME, namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            ...HOST_PROCESS_POD,
            nodeSelector: { 'kubernetes.io/os': 'windows' },
            priorityClassName: 'system-node-critical',
            serviceAccountName: NAME,
            tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { operator: 'Exists' }],
            containers: [
              {
                name: 'kube-proxy',
                image: kubeProxyWindowsImage(cluster).resolve(cluster.imageRegistry),
                // the requests kube-up gives kube-proxy (KUBE_PROXY_CPU_REQUEST 100m, KUBE_PROXY_MEMORY_REQUEST 50Mi)
                resources: nodeAgentRequests('100m', '50Mi'),
                env: [
                  { name: 'KUBE_NETWORK', value: windowsNetworkName(cluster.components.flannel.vxlan) },
                  { name: 'CNI_BIN_PATH', value: WINDOWS_CNI_BIN },
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
                  { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
                ],
                volumeMounts: [{ name: 'kube-proxy', mountPath: `/mounts${MOUNT}` }],
              },
            ],
            volumes: [{ name: 'kube-proxy', configMap: { name: this.configMap.name } }],
          },
        },
      },
    });
  }
}
