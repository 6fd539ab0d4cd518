import type { ClusterConfig } from '../config/cluster-config';
import { collectContributions, type ClusterWiring } from '../contributions';
import { NODE_PATHS } from './paths';

/** The kubelet's `clusterDNS`, derived once with the config (`network.kubeletClusterDNS`). */
export function clusterDnsOf(config: ClusterConfig): string {
  return config.network.kubeletClusterDNS;
}

/**
 * KubeletConfiguration (kubelet.config.k8s.io/v1beta1) for every Linux node. Hardening as the security guide
 * asks: no anonymous access, webhook authentication and authorization, no read-only port. Serving
 * certificates come from the cluster CA (`serverTLSBootstrap`), which leaves CSRs for an approver.
 */
export function kubeletConfiguration(config: ClusterConfig, wiring: ClusterWiring): Record<string, unknown> {
  const own = ownKubeletConfiguration(config);
  // components' fields after ours; one that sets a field of ours to another value is refused, naming both
  return { ...collectContributions([{ id: 'node-config', contributions: { kubelet: { config: own } } }, ...wiring.sources]).kubelet.config };
}

function ownKubeletConfiguration(config: ClusterConfig): Record<string, unknown> {
  const k = config.components.nodeConfig.kubelet;
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    cgroupDriver: k.cgroupDriver,
    containerRuntimeEndpoint: config.components.nodeConfig.containerRuntimeEndpoint,
    clusterDNS: [clusterDnsOf(config)],
    clusterDomain: config.network.dnsDomain,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: NODE_PATHS.clusterCaCert },
    },
    authorization: { mode: 'Webhook' },
    readOnlyPort: 0,
    rotateCertificates: true,
    serverTLSBootstrap: true,
    staticPodPath: NODE_PATHS.staticPodDir,
    topologyManagerPolicy: k.topologyManagerPolicy,
    topologyManagerScope: k.topologyManagerScope,
  };
}

/** kubelet command-line flags the config file cannot carry (kubeadm `nodeRegistration.kubeletExtraArgs`). */
export function kubeletExtraArgs(wiring: ClusterWiring): Readonly<Record<string, string>> {
  return wiring.kubelet.args;
}
