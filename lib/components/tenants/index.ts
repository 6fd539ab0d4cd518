import type { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { TenantNamespace, validatedTenantProps } from '../../tenants/tenant-namespace';

/** Every tenant of the config, one `TenantNamespace` each, by tenant name. */
export class Tenants extends Construct {
  readonly namespaces = new Map<string, TenantNamespace>();
  constructor(scope: Construct, id: string, props: { readonly cluster: ClusterConfig }) {
    super(scope, id);
    for (const tenant of props.cluster.tenants) {
      this.namespaces.set(tenant.name, new TenantNamespace(this, tenant.name, validatedTenantProps(props.cluster, tenant)));
    }
  }
}

/** The `tenants` of the cluster config as a bootstrap component: chart `tenants`, when any tenant is listed. */
export class TenantsComponent implements ClusterComponent {
  readonly id = 'tenants';
  isEnabled(config: ClusterConfig): boolean {
    return config.tenants.length > 0;
  }
  version(config: ClusterConfig): string {
    return `${config.tenants.length} namespace${config.tenants.length === 1 ? '' : 's'}`;
  }
  addTo(chart: Chart, config: ClusterConfig): Tenants {
    return new Tenants(chart, 'tenants', { cluster: config });
  }
}
