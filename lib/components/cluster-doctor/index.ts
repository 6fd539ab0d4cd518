import type { Chart } from 'cdk8s';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { ClusterDoctorRbac } from './cluster-doctor-rbac';

export * from './cluster-doctor-rbac';

/** The `cluster-doctor` command's read-only RBAC as a bootstrap component (on by default: five small objects). */
export class ClusterDoctorRbacComponent implements ClusterComponent {
  readonly id = 'cluster-doctor-rbac';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.clusterDoctorRbac.enabled;
  }
  /** RBAC only: the release whose API it is written for. */
  version(config: ClusterConfig): string {
    return config.kubernetesVersion.tag;
  }
  addTo(chart: Chart): ClusterDoctorRbac {
    return new ClusterDoctorRbac(chart, 'cluster-doctor-rbac');
  }
}
