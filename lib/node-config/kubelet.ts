import type { ClusterConfig } from '../config/cluster-config';
import { kubeletClusterDns } from '../components/node-local-dns/node-local-dns';
import { cloudProviderFlags } from '../components/cloud-controller-manager/cloud-controller-manager';
import { NODE_PATHS } from './paths';

/**
 * The kubelet's `clusterDNS`: NodeLocal DNS decides it when enabled (`kubeletClusterDns`, the one place that
 * knows its wiring); without it, pods resolve through the kube-dns Service IP.
 */
export function clusterDnsOf(config: ClusterConfig): string {
  return config.components.nodeLocalDns.enabled ? kubeletClusterDns(config) : config.network.dnsServiceIP.toString();
}

/**
 * KubeletConfiguration (kubelet.config.k8s.io/v1beta1) for every Linux node. Hardening as the security guide
 * asks: no anonymous access, webhook authentication and authorization, no read-only port. Serving
 * certificates come from the cluster CA (`serverTLSBootstrap`), which leaves CSRs for an approver.
 */
export function kubeletConfiguration(config: ClusterConfig): Record<string, unknown> {
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
export function kubeletExtraArgs(config: ClusterConfig): Readonly<Record<string, string>> {
  return cloudProviderFlags(config).kubelet;
}
