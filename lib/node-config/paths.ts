import type { HostPathMount } from '../contributions';

/**
 * Where each config file lives on a node, defined once: the kubeadm configuration mounts and points flags at
 * these paths, and docs/node-and-control-plane-files.md tells operators to install the synthesized files there.
 */
export const NODE_PATHS = {
  pkiDir: '/etc/kubernetes/pki',
  clusterCaCert: '/etc/kubernetes/pki/ca.crt',
  clusterCaKey: '/etc/kubernetes/pki/ca.key',
  staticPodDir: '/etc/kubernetes/manifests',
  kubeletConfig: '/var/lib/kubelet/config.yaml',
  kubeProxyConfig: '/var/lib/kube-proxy/config.conf',
  auditPolicy: '/etc/kubernetes/audit/policy.yaml',
  auditPolicyDir: '/etc/kubernetes/audit',
  /** A folder, not the file, is mounted: the API server's automatic reload sees atomically replaced files. */
  encryptionConfigDir: '/etc/kubernetes/encryption',
  encryptionConfig: '/etc/kubernetes/encryption/encryption-configuration.yaml',
  modprobeBlacklist: '/etc/modprobe.d/90-cluster-bootstrap-blacklist.conf',
} as const;

/** Output paths under dist/ (and, for secrets, under `secretsDir`). */
export const OUTPUT_PATHS = {
  kubeadmInit: 'node-config/kubeadm-init.yaml',
  kubeadmJoin: 'node-config/kubeadm-join.yaml',
  kubeletConfig: 'node-config/kubelet-config.yaml',
  kubeProxyConfig: 'node-config/kube-proxy-config.yaml',
  auditPolicy: 'control-plane/audit-policy.yaml',
  encryptionConfig: 'control-plane/encryption-configuration.yaml',
  modprobeBlacklist: 'node/linux/modprobe.d/90-cluster-bootstrap-blacklist.conf',
} as const;

// kept here too: HostPathMount was exported from this module before it moved into the contract
export type { HostPathMount };

/** Flags and mounts one feature adds to kube-apiserver. */
export interface ApiServerSettings {
  readonly flags: Readonly<Record<string, string>>;
  readonly volumes: readonly HostPathMount[];
}
