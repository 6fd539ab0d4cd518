import { Construct } from 'constructs';
import * as k8s from '../../k8s';
import type { ClusterConfig } from '../../config/cluster-config';
import { ImageRef } from '../../images';
import { HOST_PROCESS_POD, nodeAgentRequests, WINDOWS_AMD64_AFFINITY, WINDOWS_CNI_BIN, WINDOWS_CNI_CONF } from '../windows';
import { flannelWindowsCniConf } from './net-conf';

export interface FlannelWindowsProps {
  readonly cluster: ClusterConfig;
  /** Namespace of the Linux Flannel objects; the Windows overlay shares it, its ServiceAccount and net-conf. */
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** ConfigMap holding `net-conf.json`, mounted so both platforms read one network definition. */
  readonly netConfConfigMap: string;
}

/** `sigwindowstools/flannel:<version>-hostprocess` (sig-windows-tools' HostProcess build of flanneld). */
export function flannelWindowsImage(version: string): ImageRef {
  return new ImageRef('docker.io', 'sigwindowstools/flannel', `${version}-hostprocess`);
}

/**
 * The Flannel VXLAN overlay on Windows nodes: flanneld as a HostProcess DaemonSet. Its API server address
 * and service range are set from the cluster config (the upstream manifest leaves placeholders), because
 * the in-cluster Service IP is not reachable from Windows HostProcess containers before the overlay is up.
 */
export class FlannelWindows extends Construct {
  readonly configMap: k8s.KubeConfigMap;
  readonly daemonSet: k8s.KubeDaemonSet;

  constructor(scope: Construct, id: string, props: FlannelWindowsProps) {
    super(scope, id);
    const { cluster, namespace } = props;
    const labels = { tier: 'node', app: 'flannel-windows', 'k8s-app': 'flannel' };
    this.configMap = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: 'kube-flannel-windows-cfg', namespace, labels },
      data: {
        'cni-conf-containerd.json': JSON.stringify(flannelWindowsCniConf(cluster.network, cluster.components.flannel.vxlan), null, 2) + '\n',
      },
    });
    const image = flannelWindowsImage(cluster.components.flannel.windowsVersion).resolve(cluster.imageRegistry);
    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemon-set', {
      metadata: { name: 'kube-flannel-ds-windows-amd64', namespace, labels },
      spec: {
        // its own selector: sharing the Linux DaemonSet's `app: flannel` would make both claim each other's pods
        selector: { matchLabels: { app: 'flannel-windows' } },
        template: {
          metadata: { labels },
          spec: {
            ...HOST_PROCESS_POD,
            affinity: WINDOWS_AMD64_AFFINITY,
            priorityClassName: 'system-node-critical',
            serviceAccountName: props.serviceAccountName,
            tolerations: [
              { operator: 'Exists', effect: 'NoSchedule' },
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { operator: 'Exists', effect: 'NoExecute' },
            ],
            containers: [
              {
                name: 'kube-flannel',
                image,
                // what the Linux flanneld requests (flannel.ts)
                resources: nodeAgentRequests('100m', '50Mi'),
                env: [
                  { name: 'CNI_BIN_PATH', value: WINDOWS_CNI_BIN },
                  { name: 'CNI_CONFIG_PATH', value: WINDOWS_CNI_CONF },
                  { name: 'SERVICE_SUBNET', value: cluster.network.serviceCidrs[0].toString() },
                  { name: 'KUBERNETES_SERVICE_HOST', value: cluster.apiServer.host },
                  { name: 'KUBERNETES_SERVICE_PORT', value: String(cluster.apiServer.port) },
                  { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
                  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
                ],
                volumeMounts: [
                  { name: 'flannel-cfg', mountPath: '/mounts/kube-flannel/' },
                  { name: 'flannel-windows-cfg', mountPath: '/mounts/kube-flannel-windows/' },
                ],
              },
            ],
            volumes: [
              { name: 'flannel-cfg', configMap: { name: props.netConfConfigMap } },
              { name: 'flannel-windows-cfg', configMap: { name: this.configMap.name } },
            ],
          },
        },
      },
    });
  }
}
