import type { Chart } from 'cdk8s';
import type { ClusterComponent } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import type { ComponentContributions } from '../../contributions';
import { CloudControllerManager, cloudProviderFlags } from './cloud-controller-manager';

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
  /** kubelets start with --cloud-provider=external; kube-apiserver and kube-controller-manager must not set it. */
  contributions(config: ClusterConfig): ComponentContributions {
    const flags = cloudProviderFlags(config);
    return {
      kubelet: { args: flags.kubelet },
      apiServer: { forbiddenArgs: flags.forbiddenOnControlPlane },
      controllerManager: { forbiddenArgs: flags.forbiddenOnControlPlane },
    };
  }
}
