import type { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ClusterComponent, OutputFile } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import type { ClusterWiring } from '../../contributions';
import { nodeConfigFiles } from './node-config';

export * from './node-config';

/**
 * The node and control-plane config files (kubeadm, kubelet, kube-proxy, audit, encryption, modprobe) as a
 * bootstrap component. It has no API objects: only files, under dist/ and, for keys, under `secretsDir`.
 */
export class NodeConfigComponent implements ClusterComponent {
  readonly id = 'node-config';
  isEnabled(config: ClusterConfig): boolean {
    return config.components.nodeConfig.enabled;
  }
  version(config: ClusterConfig): string {
    return config.kubernetesVersion.tag;
  }
  addTo(chart: Chart): Construct {
    return new Construct(chart, 'node-config');
  }
  files(config: ClusterConfig, wiring: ClusterWiring): OutputFile[] {
    return nodeConfigFiles(config, wiring);
  }
}
