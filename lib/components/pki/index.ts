import type { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ClusterComponent, OutputFile } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import type { ClusterWiring } from '../../contributions';
import { pkiPlanFiles } from '../../pki/plan-files';

/**
 * The certificate plan as a files-only component: `dist/pki/` holds an openssl `csr.conf` and a cfssl CSR JSON
 * per certificate. It has no API objects (its empty chart writes no manifest). Keys are made only by
 * `cluster-pki generate`.
 */
export class PkiPlanComponent implements ClusterComponent {
  readonly id = 'pki';
  isEnabled(config: ClusterConfig): boolean {
    return config.pki.planFiles;
  }
  /** The plan follows kubeadm's layout for this Kubernetes release. */
  version(config: ClusterConfig): string {
    return config.kubernetesVersion.tag;
  }
  addTo(chart: Chart): Construct {
    return new Construct(chart, 'pki');
  }
  files(config: ClusterConfig, wiring: ClusterWiring): OutputFile[] {
    return pkiPlanFiles(config, wiring);
  }
}
