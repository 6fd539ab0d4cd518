import type { Chart } from 'cdk8s';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { CoreDns } from './coredns';

export * from './coredns';

/** CoreDNS as a bootstrap component: chart `coredns`. */
export class CoreDnsComponent implements ClusterComponent {
  readonly id = 'coredns';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.coredns.enabled;
  }
  version(config: ClusterConfig): string {
    return config.components.coredns.version;
  }
  addTo(chart: Chart, config: ClusterConfig): CoreDns {
    return new CoreDns(chart, 'coredns', { cluster: config });
  }
}
