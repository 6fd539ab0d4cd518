import type { ClusterConfig } from '../config/cluster-config';
import { cloudProviderFlags } from '../components/cloud-controller-manager/cloud-controller-manager';
import { konnectivityApiServerSettings } from '../components/konnectivity/settings';
import { auditApiServerSettings } from './audit-policy';
import { encryptionApiServerSettings } from './encryption';
import { kubeletExtraArgs } from './kubelet';
import { NODE_PATHS, type ApiServerSettings, type HostPathMount } from './paths';
import { apiServerSubjectAltNames, splitSans } from '../pki/plan';

/** kubeadm's config API for a Kubernetes minor: v1beta4 from 1.31 (v1beta3 is removed in 1.36). */
export function kubeadmApiVersion(config: ClusterConfig): 'kubeadm.k8s.io/v1beta3' | 'kubeadm.k8s.io/v1beta4' {
  return config.kubernetesVersion.minor >= 31 ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}

/** Placeholders in the join file, filled on the node (see README): a bootstrap token is short-lived and secret. */
export const JOIN_PLACEHOLDERS = { token: '${KUBEADM_JOIN_TOKEN}', caCertHash: '${KUBEADM_CA_CERT_HASH}' } as const;

type Args = Readonly<Record<string, string>>;

/** `extraArgs` in the form of the API version: a map in v1beta3, a list of {name, value} in v1beta4. */
export function extraArgs(config: ClusterConfig, args: Args): Record<string, string> | { name: string; value: string }[] {
  const sorted = Object.keys(args).sort();
  return kubeadmApiVersion(config) === 'kubeadm.k8s.io/v1beta4'
    ? sorted.map((name) => ({ name, value: args[name] }))
    : Object.fromEntries(sorted.map((name) => [name, args[name]]));
}

/** Everything the API server needs from the features this config turns on, merged; a clash is a bug. */
export function apiServerSettings(config: ClusterConfig): ApiServerSettings {
  const parts: ApiServerSettings[] = [auditApiServerSettings(config), encryptionApiServerSettings(config)];
  if (config.components.konnectivity.enabled) parts.push(konnectivityApiServerSettings() as ApiServerSettings);
  const flags: Record<string, string> = {};
  const volumes: HostPathMount[] = [];
  for (const part of parts) {
    for (const [flag, value] of Object.entries(part.flags)) {
      if (flag in flags && flags[flag] !== value) throw new Error(`kube-apiserver flag --${flag} set twice (${flags[flag]} and ${value})`);
      flags[flag] = value;
    }
    for (const v of part.volumes) {
      if (volumes.some((o) => o.name === v.name || o.mountPath === v.mountPath)) throw new Error(`kube-apiserver volume ${v.name} (${v.mountPath}) mounted twice`);
      volumes.push({ ...v });
    }
  }
  for (const forbidden of cloudProviderFlags(config).forbiddenOnControlPlane) {
    if (forbidden in flags) throw new Error(`--${forbidden} must not be set on kube-apiserver with an external cloud provider`);
  }
  return { flags, volumes };
}

function nodeRegistration(config: ClusterConfig): Record<string, unknown> {
  const kubelet = kubeletExtraArgs(config);
  return {
    criSocket: config.components.nodeConfig.containerRuntimeEndpoint,
    ...(Object.keys(kubelet).length ? { kubeletExtraArgs: extraArgs(config, kubelet) } : {}),
  };
}

/**
 * What kubeadm needs to make the same certificates as the PKI plan (lib/pki) when it makes them itself: the
 * plan's apiserver SANs and the configured etcd SANs; from v1beta4 also key type and validity.
 */
export function kubeadmCertificateSettings(config: ClusterConfig): { certSANs: string[]; etcd?: object; v1beta4?: object } {
  const api = apiServerSubjectAltNames(config);
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
export function clusterConfiguration(config: ClusterConfig): Record<string, unknown> {
  const api = apiServerSettings(config);
  const certs = kubeadmCertificateSettings(config);
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
      podSubnet: n.podCidrs.map(String).join(','),
      serviceSubnet: n.serviceCidrs.map(String).join(','),
      dnsDomain: n.dnsDomain,
    },
    ...(certs.etcd ? { etcd: certs.etcd } : {}),
    apiServer: {
      certSANs: certs.certSANs,
      ...(Object.keys(api.flags).length ? { extraArgs: extraArgs(config, api.flags) } : {}),
      ...(api.volumes.length ? { extraVolumes: api.volumes } : {}),
    },
    controllerManager: {
      // the built-in CSR signer (certificates API) signs with the cluster CA
      extraArgs: extraArgs(config, { 'cluster-signing-cert-file': NODE_PATHS.clusterCaCert, 'cluster-signing-key-file': NODE_PATHS.clusterCaKey }),
    },
  };
}

/**
 * InitConfiguration for the first control-plane node. kubeadm's own CoreDNS is skipped when this library
 * deploys CoreDNS (both would own the `kube-dns` Service).
 */
export function initConfiguration(config: ClusterConfig): Record<string, unknown> {
  const skipPhases = config.components.coredns.enabled ? ['addon/coredns'] : [];
  return {
    apiVersion: kubeadmApiVersion(config),
    kind: 'InitConfiguration',
    nodeRegistration: nodeRegistration(config),
    ...(skipPhases.length ? { skipPhases } : {}),
  };
}

/** JoinConfiguration for worker nodes: token discovery against the control-plane endpoint. */
export function joinConfiguration(config: ClusterConfig): Record<string, unknown> {
  return {
    apiVersion: kubeadmApiVersion(config),
    kind: 'JoinConfiguration',
    nodeRegistration: nodeRegistration(config),
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: config.apiServer.endpoint,
        token: JOIN_PLACEHOLDERS.token,
        caCertHashes: [JOIN_PLACEHOLDERS.caCertHash],
      },
    },
  };
}
