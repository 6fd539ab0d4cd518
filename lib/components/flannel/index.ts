import type { Chart } from 'cdk8s';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { Flannel } from './flannel';

export { Flannel, type FlannelProps } from './flannel';
export { flannelCniConf, flannelNetConf, type FlannelNetConf } from './net-conf';
export { FLANNEL_RELEASES, type FlannelRelease } from './releases';

/** Flannel as a bootstrap component: chart `flannel`, output `dist/flannel.k8s.yaml`. */
export class FlannelComponent implements ClusterComponent {
  readonly id = 'flannel';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.flannel.enabled;
  }
  version(config: ClusterConfig): string {
    return config.components.flannel.version;
  }
  addTo(chart: Chart, config: ClusterConfig): Flannel {
    return new Flannel(chart, 'flannel', { cluster: config });
  }
}
