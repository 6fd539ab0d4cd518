import type { Chart } from 'cdk8s';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { NodeLocalDns } from './node-local-dns';

export * from './node-local-dns';

/** NodeLocal DNSCache as a bootstrap component: chart `node-local-dns`. */
export class NodeLocalDnsComponent implements ClusterComponent {
  readonly id = 'node-local-dns';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.nodeLocalDns.enabled;
  }
  version(config: ClusterConfig): string {
    return config.components.nodeLocalDns.version;
  }
  addTo(chart: Chart, config: ClusterConfig): NodeLocalDns {
    return new NodeLocalDns(chart, 'node-local-dns', { cluster: config });
  }
}
