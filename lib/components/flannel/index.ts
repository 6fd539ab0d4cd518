import type { Chart } from 'cdk8s';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import type { OutputFile } from '../../component';
import { Flannel } from './flannel';
import { flannelNodePrepFiles } from './node-prep';

export { Flannel, type FlannelProps } from './flannel';
export { FlannelWindows, flannelWindowsImage, type FlannelWindowsProps } from './flannel-windows';
export { flannelCniConf, flannelNetConf, flannelWindowsCniConf, windowsNetworkName, type FlannelNetConf } from './net-conf';
export { flannelNodePrepFiles } from './node-prep';
export { FLANNEL_RELEASES, type FlannelRelease } from './releases';

/** Flannel as a bootstrap component: chart `flannel`, output `dist/flannel.k8s.yaml`. */
export class FlannelComponent implements ClusterComponent {
  readonly id = 'flannel';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.flannel.enabled;
  }
  version(config: ClusterConfig): string {
    const f = config.components.flannel;
    return config.windows.enabled ? `${f.version} (Windows ${f.windowsVersion})` : f.version;
  }
  addTo(chart: Chart, config: ClusterConfig): Flannel {
    return new Flannel(chart, 'flannel', { cluster: config });
  }
  files(config: ClusterConfig): OutputFile[] {
    return flannelNodePrepFiles(config);
  }
}
