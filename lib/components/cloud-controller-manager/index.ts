import type { Chart } from 'cdk8s';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { CloudControllerManager } from './cloud-controller-manager';

export * from './cloud-controller-manager';

/** The cloud-controller-manager as a bootstrap component: chart `cloud-controller-manager`, external clouds only. */
export class CloudControllerManagerComponent implements ClusterComponent {
  readonly id = 'cloud-controller-manager';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.cloudControllerManager.enabled;
  }
  version(config: ClusterConfig): string {
    return config.components.cloudControllerManager.image.split(':').pop() ?? '';
  }
  addTo(chart: Chart, config: ClusterConfig): CloudControllerManager {
    return new CloudControllerManager(chart, 'cloud-controller-manager', { cluster: config });
  }
}
