import type { Chart } from 'cdk8s';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { KubeProxyWindows } from './kube-proxy-windows';

export * from './kube-proxy-windows';

/** Windows kube-proxy as a bootstrap component: chart `kube-proxy-windows`, only for clusters with Windows nodes. */
export class KubeProxyWindowsComponent implements ClusterComponent {
  readonly id = 'kube-proxy-windows';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.kubeProxyWindows.enabled;
  }
  version(config: ClusterConfig): string {
    return config.kubernetesVersion.tag;
  }
  addTo(chart: Chart, config: ClusterConfig): KubeProxyWindows {
    return new KubeProxyWindows(chart, 'kube-proxy-windows', { cluster: config });
  }
}
