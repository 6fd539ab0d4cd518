import type { ClusterConfig } from '../config/cluster-config';
import { collectContributions, type ClusterWiring } from '../contributions';

/** KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1) for Linux nodes. */
export function kubeProxyConfiguration(config: ClusterConfig, wiring: ClusterWiring): Record<string, unknown> {
  return { ...collectContributions([{ id: 'node-config', contributions: { kubeProxy: { config: ownKubeProxyConfiguration(config) } } }, ...wiring.sources]).kubeProxy.config };
}

function ownKubeProxyConfiguration(config: ClusterConfig): Record<string, unknown> {
  const gates = config.components.nodeConfig.kubeProxy.featureGates;
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: config.kubeProxyMode,
    clusterCIDR: config.network.podSubnet,
    ...(Object.keys(gates).length ? { featureGates: { ...gates } } : {}),
  };
}
