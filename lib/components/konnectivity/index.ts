import type { Chart } from 'cdk8s';
import type { ClusterComponent, OutputFile } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import { Konnectivity, konnectivityFiles } from './konnectivity';

export * from './konnectivity';
export * from './settings';

/** Konnectivity as a bootstrap component: chart `konnectivity`, plus control-plane files. */
export class KonnectivityComponent implements ClusterComponent {
  readonly id = 'konnectivity';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.konnectivity.enabled;
  }
  version(config: ClusterConfig): string {
    return config.components.konnectivity.version;
  }
  addTo(chart: Chart, config: ClusterConfig): Konnectivity {
    return new Konnectivity(chart, 'konnectivity', { cluster: config });
  }
  files(config: ClusterConfig): OutputFile[] {
    return konnectivityFiles(config);
  }
}
