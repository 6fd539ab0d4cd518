import type { Chart } from 'cdk8s';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { KubeletServingApprover } from './kubelet-serving-approver';

export * from './kubelet-serving-approver';

/** The kubelet serving-certificate CSR approver as a bootstrap component (off by default). */
export class KubeletServingApproverComponent implements ClusterComponent {
  readonly id = 'kubelet-serving-approver';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.kubeletServingApprover.enabled;
  }
  version(config: ClusterConfig): string {
    return config.components.kubeletServingApprover.image.split(':').pop() ?? '';
  }
  addTo(chart: Chart, config: ClusterConfig): KubeletServingApprover {
    return new KubeletServingApprover(chart, 'kubelet-serving-approver', { cluster: config });
  }
}
