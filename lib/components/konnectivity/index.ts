import type { Chart } from 'cdk8s';
import type { ClusterComponent, OutputFile } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import type { ComponentContributions } from '../../contributions';
import { Konnectivity, konnectivityFiles } from './konnectivity';
import { KONNECTIVITY, konnectivityApiServerSettings } from './settings';

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
  /** The API server's egress selector and socket mounts, and the server's client certificate. */
  contributions(): ComponentContributions {
    const api = konnectivityApiServerSettings();
    return {
      apiServer: { args: api.flags, mounts: api.volumes },
      certificates: {
        clientCertificates: [{ name: 'konnectivity-server', commonName: KONNECTIVITY.serverUser, purpose: `Konnectivity server client certificate (its kubeconfig ${KONNECTIVITY.serverKubeconfig})` }],
      },
    };
  }
}
