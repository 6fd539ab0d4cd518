import type { ClusterConfig } from '../config/cluster-config';
import { collectContributions, type ClusterWiring, type ComponentContributions, type MergedControlPlane } from '../contributions';
import { auditApiServerSettings } from './audit-policy';
import { encryptionApiServerSettings } from './encryption';
import { kubeletExtraArgs } from './kubelet';
import { NODE_PATHS, type ApiServerSettings } from './paths';
import { apiServerSubjectAltNames, splitSans } from '../pki/plan';

/** kubeadm's config API for a Kubernetes minor: v1beta4 from 1.31 (v1beta3 is removed in 1.36). */
export function kubeadmApiVersion(config: ClusterConfig): 'kubeadm.k8s.io/v1beta3' | 'kubeadm.k8s.io/v1beta4' {
  return config.kubernetesVersion.minor >= 31 ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}

/** Placeholders in the join file, filled on the node (see docs/node-and-control-plane-files.md): a bootstrap token is short-lived and secret. */
export const JOIN_PLACEHOLDERS = { token: '${KUBEADM_JOIN_TOKEN}', caCertHash: '${KUBEADM_CA_CERT_HASH}' } as const;

/** Flags of a control-plane program, by name without `--`. */
export type KubeadmArgs = Readonly<Record<string, string>>;

/** `extraArgs` in the form of the API version: a map in v1beta3, a list of {name, value} in v1beta4. */
export function extraArgs(config: ClusterConfig, args: KubeadmArgs): Record<string, string> | { name: string; value: string }[] {
  const sorted = Object.keys(args).sort();
  return kubeadmApiVersion(config) === 'kubeadm.k8s.io/v1beta4'
    ? sorted.map((name) => ({ name, value: args[name] }))
    : Object.fromEntries(sorted.map((name) => [name, args[name]]));
}

const asContribution = (s: ApiServerSettings): ComponentContributions => ({ apiServer: { args: s.flags, mounts: s.volumes } });

/**
 * node-config's own control-plane settings (audit, encryption at rest, the CSR signer) merged before the
 * components' contributions, with the same conflict checks (an error names both sides).
 */
function controlPlaneWith(config: ClusterConfig, wiring: ClusterWiring): { apiServer: MergedControlPlane; controllerManager: MergedControlPlane; scheduler: MergedControlPlane } {
  // the built-in CSR signer (certificates API) signs with the cluster CA
  const signer: ComponentContributions = { controllerManager: { args: { 'cluster-signing-cert-file': NODE_PATHS.clusterCaCert, 'cluster-signing-key-file': NODE_PATHS.clusterCaKey } } };
  return collectContributions([
    { id: 'node-config (audit)', contributions: asContribution(auditApiServerSettings(config)) },
    { id: 'node-config (encryption at rest)', contributions: asContribution(encryptionApiServerSettings(config)) },
    { id: 'node-config (CSR signer)', contributions: signer },
    ...wiring.sources,
  ]);
}

/** Everything the API server needs from this config and the components' contributions, merged; a clash is an error. */
export function apiServerSettings(config: ClusterConfig, wiring: ClusterWiring): ApiServerSettings {
  const api = controlPlaneWith(config, wiring).apiServer;
  return { flags: api.args, volumes: api.mounts };
}

/** `extraArgs` and `extraVolumes` of one control-plane program, only the parts that are set. */
function programSettings(config: ClusterConfig, p: MergedControlPlane): Record<string, unknown> {
  return {
    ...(Object.keys(p.args).length ? { extraArgs: extraArgs(config, p.args) } : {}),
    ...(p.mounts.length ? { extraVolumes: p.mounts.map((m) => ({ ...m })) } : {}),
  };
}

function nodeRegistration(config: ClusterConfig, wiring: ClusterWiring): Record<string, unknown> {
  const kubelet = kubeletExtraArgs(wiring);
  return {
    criSocket: config.components.nodeConfig.containerRuntimeEndpoint,
    ...(Object.keys(kubelet).length ? { kubeletExtraArgs: extraArgs(config, kubelet) } : {}),
  };
}

/**
 * What kubeadm needs to make the same certificates as the PKI plan (lib/pki) when it makes them itself: the
 * plan's apiserver SANs and the configured etcd SANs; from v1beta4 also key type and validity.
 */
export function kubeadmCertificateSettings(config: ClusterConfig, wiring: ClusterWiring): { certSANs: string[]; etcd?: object; v1beta4?: object } {
  const api = apiServerSubjectAltNames(config, wiring);
  const etcd = splitSans(config.pki.etcdCertSANs);
  const etcdSans = [...etcd.dnsNames, ...etcd.ipAddresses];
  const hours = (days: number) => `${days * 24}h0m0s`;
  return {
    certSANs: [...api.dnsNames, ...api.ipAddresses],
    ...(etcdSans.length ? { etcd: { local: { serverCertSANs: etcdSans, peerCertSANs: etcdSans } } } : {}),
    ...(kubeadmApiVersion(config) === 'kubeadm.k8s.io/v1beta4'
      ? { v1beta4: { encryptionAlgorithm: config.pki.keyAlgorithm, certificateValidityPeriod: hours(config.pki.certificateValidityDays), caCertificateValidityPeriod: hours(config.pki.caValidityDays) } }
      : {}),
  };
}

/** ClusterConfiguration: versions, endpoint, networking and the control-plane components' flags. */
export function clusterConfiguration(config: ClusterConfig, wiring: ClusterWiring): Record<string, unknown> {
  const planes = controlPlaneWith(config, wiring);
  const certs = kubeadmCertificateSettings(config, wiring);
  const n = config.network;
  return {
    apiVersion: kubeadmApiVersion(config),
    kind: 'ClusterConfiguration',
    clusterName: config.clusterName,
    kubernetesVersion: config.kubernetesVersion.tag,
    controlPlaneEndpoint: config.apiServer.endpoint,
    ...(config.imageRegistry ? { imageRepository: config.imageRegistry } : {}),
    certificatesDir: NODE_PATHS.pkiDir,
    ...certs.v1beta4,
    networking: {
      podSubnet: n.podSubnet,
      serviceSubnet: n.serviceCidrs.map(String).join(','),
      dnsDomain: n.dnsDomain,
    },
    ...(certs.etcd ? { etcd: certs.etcd } : {}),
    apiServer: { certSANs: certs.certSANs, ...programSettings(config, planes.apiServer) },
    controllerManager: programSettings(config, planes.controllerManager),
    ...(Object.keys(planes.scheduler.args).length || planes.scheduler.mounts.length ? { scheduler: programSettings(config, planes.scheduler) } : {}),
  };
}

/**
 * InitConfiguration for the first control-plane node. kubeadm's own CoreDNS is skipped when this library
 * deploys CoreDNS (both would own the `kube-dns` Service).
 */
export function initConfiguration(config: ClusterConfig, wiring: ClusterWiring): Record<string, unknown> {
  const skipPhases = config.components.coredns.enabled ? ['addon/coredns'] : [];
  return {
    apiVersion: kubeadmApiVersion(config),
    kind: 'InitConfiguration',
    nodeRegistration: nodeRegistration(config, wiring),
    ...(skipPhases.length ? { skipPhases } : {}),
  };
}

/** JoinConfiguration for worker nodes: token discovery against the control-plane endpoint. */
export function joinConfiguration(config: ClusterConfig, wiring: ClusterWiring): Record<string, unknown> {
  return {
    apiVersion: kubeadmApiVersion(config),
    kind: 'JoinConfiguration',
    nodeRegistration: nodeRegistration(config, wiring),
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: config.apiServer.endpoint,
        token: JOIN_PLACEHOLDERS.token,
        caCertHashes: [JOIN_PLACEHOLDERS.caCertHash],
      },
    },
  };
}
