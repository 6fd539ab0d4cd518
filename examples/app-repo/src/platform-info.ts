import { ApiObject, type Chart } from 'cdk8s';
import type { ClusterComponent, ClusterConfig } from 'cluster-bootstrap';

/**
 * Our own add-on, added next to the built-in ones: a ConfigMap in kube-public that tells teams the cluster's
 * name, its DNS address and the tenant namespaces. It reads every fact from the validated config.
 */
export class PlatformInfoComponent implements ClusterComponent {
  readonly id = 'platform-info';
  isEnabled(): boolean {
    return true;
  }
  version(): string {
    return 'v1';
  }
  addTo(chart: Chart, config: ClusterConfig): ApiObject {
    return new ApiObject(chart, 'platform-info', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'platform-info', namespace: 'kube-public' },
      data: {
        clusterName: config.clusterName,
        dnsServiceIP: config.network.dnsServiceIP.toString(),
        tenants: config.tenants.map((t) => t.name).join(','),
      },
    });
  }
}
