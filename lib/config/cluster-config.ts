import type { Cidr, IpAddress } from '../net/cidr';
import type { ConfigIssue } from './errors';
import type { AuditRuleConfig, CgroupDriver, FlannelVersion, KonnectivityProxyStrategy, KubeProxyMode, PkiKeyAlgorithm, PodSecurityConfig, ResourceQuantities, TenantLimitRangeConfig, TenantNetworkPoliciesConfig, TopologyManagerPolicy } from './types';

/** A parsed Kubernetes release. */
export interface KubernetesVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** `1.35.4` */
  readonly semver: string;
  /** `v1.35.4`, the form image tags use. */
  readonly tag: string;
}

/**
 * Network facts derived once from the validated config. Components read these and never compute
 * addresses themselves, so the kubelet's clusterDNS, the kube-dns Service and NodeLocal DNS agree.
 */
export interface NetworkFacts {
  /** Pod CIDRs, IPv4 first when dual-stack. */
  readonly podCidrs: readonly Cidr[];
  /**
   * `podCidrs` as one comma-separated string, the form kubeadm `networking.podSubnet`, kube-proxy's
   * `clusterCIDR` (Linux and Windows) and the cloud-controller-manager's `--cluster-cidr` all take.
   */
  readonly podSubnet: string;
  /** Service CIDRs, same family order as `podCidrs`. */
  readonly serviceCidrs: readonly Cidr[];
  /** ClusterIP of the `kubernetes` Service: first address of the first service CIDR (API server cert SAN). */
  readonly firstServiceIP: IpAddress;
  /** First address of each service CIDR, same order as `serviceCidrs` (`firstServiceIP` is the first one). */
  readonly firstServiceIPs: readonly IpAddress[];
  /** ClusterIP of the `kube-dns` Service; also the kubelet `clusterDNS`. */
  readonly dnsServiceIP: IpAddress;
  /** Link-local address NodeLocal DNSCache binds on every node. */
  readonly nodeLocalDnsIP: IpAddress;
  /** Cluster DNS domain, e.g. `cluster.local`. */
  readonly dnsDomain: string;
  /**
   * How NodeLocal DNSCache is wired, from the kube-proxy mode. `intercept-service-ip` (iptables mode, the docs'
   * default): node-cache also binds the kube-dns Service IP and intercepts its traffic. `link-local-only` (IPVS and
   * nftables): the Service IP already sits on kube-proxy's interface (IPVS) or node-cache's iptables interception
   * does not apply (nftables), so node-cache binds only the link-local IP. Set whether or not NodeLocal DNS is on.
   */
  readonly nodeLocalDnsMode: 'intercept-service-ip' | 'link-local-only';
  /**
   * The one `clusterDNS` every kubelet hands to pods: the NodeLocal DNS address when NodeLocal DNS is on in `link-local-only` mode, else
   * the kube-dns Service IP. The kubelet config, NodeLocal DNS and the Pulumi output read it from here.
   */
  readonly kubeletClusterDNS: string;
}

export interface ResolvedVxlan {
  readonly vni: number;
  readonly port: number;
  readonly directRouting: boolean;
  readonly mtu?: number;
}

export interface ResolvedFlannelConfig {
  readonly enabled: boolean;
  readonly version: FlannelVersion;
  readonly vxlan: ResolvedVxlan;
  /** Release of the Windows HostProcess overlay image. */
  readonly windowsVersion: string;
}

export interface ResolvedCoreDnsConfig {
  readonly enabled: boolean;
  readonly version: string;
  readonly replicas: number;
  readonly upstreams: readonly string[];
  readonly stubDomains: Readonly<Record<string, readonly string[]>>;
  readonly forward: { readonly maxConcurrent: number; readonly policy?: 'random' | 'round_robin' | 'sequential'; readonly forceTcp: boolean };
  readonly extraPlugins: readonly string[];
  readonly memoryLimit: string;
}

export interface ResolvedCloudControllerManager {
  /** True exactly when the cloud provider is external. */
  readonly enabled: boolean;
  readonly providerName: string;
  readonly image: string;
  readonly allocateNodeCidrs: boolean;
  readonly configureCloudRoutes: boolean;
  readonly clusterAdmin: boolean;
}

export interface ResolvedKonnectivity {
  readonly enabled: boolean;
  readonly version: string;
  readonly serverForm: 'static-pod' | 'daemonset';
  readonly agentForm: 'daemonset' | 'deployment';
  readonly agentReplicas: number;
  readonly mode: 'grpc' | 'http-connect';
  readonly serverHost: string;
  readonly agentPort: number;
  readonly adminPort: number;
  readonly healthPort: number;
  /** Server `--proxy-strategies`, in order; `destHost` also makes agents name their node IP. */
  readonly proxyStrategies: readonly KonnectivityProxyStrategy[];
  readonly serverCount: number;
  readonly serverCountFromLeases: boolean;
  /** Go durations: agent `--sync-interval`, `--probe-interval`; server and agent `--keepalive-time`. */
  readonly syncInterval: string;
  readonly probeInterval: string;
  readonly keepaliveTime: string;
  readonly agentResources: { readonly cpuRequest: string; readonly memoryRequest: string; readonly memoryLimit: string };
  readonly serverResources: { readonly cpuRequest: string; readonly memoryRequest: string };
}

export interface ResolvedAudit {
  readonly enabled: boolean;
  readonly logPath: string;
  readonly maxAgeDays: number;
  readonly maxBackups: number;
  readonly maxSizeMB: number;
  readonly extraRules: readonly AuditRuleConfig[];
}

/** Where a key of the encryption config comes from; its material is read only at synth time. */
export type EncryptionKeySource =
  | { readonly name: string; readonly from: 'env'; readonly variable: string }
  | { readonly name: string; readonly from: 'file'; readonly file: string }
  | { readonly name: string; readonly from: 'generated' };

export type ResolvedEncryptionAtRest =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      readonly provider: 'secretbox' | 'aescbc';
      readonly resources: readonly string[];
      readonly keys: readonly EncryptionKeySource[];
      readonly writeToDist: boolean;
    }
  | {
      readonly enabled: true;
      readonly provider: 'kms';
      readonly resources: readonly string[];
      readonly kms: { readonly name: string; readonly endpoint: string; readonly timeout?: string };
      readonly writeToDist: boolean;
    };

export interface ResolvedNodeConfig {
  readonly enabled: boolean;
  readonly containerRuntimeEndpoint: string;
  readonly kubelet: { readonly cgroupDriver: CgroupDriver; readonly topologyManagerPolicy: TopologyManagerPolicy; readonly topologyManagerScope: 'container' | 'pod' };
  readonly kubeProxy: { readonly featureGates: Readonly<Record<string, boolean>> };
  readonly blacklistedKernelModules: readonly string[];
}

export interface ResolvedKubeletServingApprover {
  readonly enabled: boolean;
  readonly image: string;
  readonly providerRegex: string;
  readonly ipPrefixes: readonly Cidr[];
  readonly bypassDnsResolution: boolean;
}

/** A tenant with every default applied (see `TenantConfig`); it is also a valid `TenantConfig`. */
export interface ResolvedTenant {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly podSecurity: Required<PodSecurityConfig>;
  /** The limits as written, with the default container limits when the tenant wrote none. */
  readonly limitRange: TenantLimitRangeConfig;
  /** An empty `hard` means no ResourceQuota. */
  readonly resourceQuota: { readonly hard: ResourceQuantities };
  readonly networkPolicies: Required<TenantNetworkPoliciesConfig>;
  /** Whether `pulumi up` deletes the Namespace once the tenant is removed from the config. */
  readonly onRemoval: 'retain' | 'delete';
}

/** A subject alternative name, typed: an IP address or a DNS name (possibly with a leading `*.` label). */
export type SubjectAltName = { readonly kind: 'ip'; readonly ip: IpAddress } | { readonly kind: 'dns'; readonly name: string };

export interface ResolvedPki {
  readonly planFiles: boolean;
  readonly keyAlgorithm: PkiKeyAlgorithm;
  readonly caValidityDays: number;
  readonly certificateValidityDays: number;
  readonly apiServerCertSANs: readonly SubjectAltName[];
  readonly etcdCertSANs: readonly SubjectAltName[];
}

export type ResolvedCloudProvider = { readonly type: 'none' } | { readonly type: 'external'; readonly name: string };

/** The validated cluster config with every default applied. Build it with `parseClusterConfig`. */
export interface ClusterConfig {
  readonly clusterName: string;
  readonly kubernetesVersion: KubernetesVersion;
  readonly network: NetworkFacts;
  readonly kubeProxyMode: KubeProxyMode;
  readonly apiServer: {
    readonly host: string;
    readonly port: number;
    readonly url: string;
    /** `host:port` (IPv6 in brackets), the kubeadm `controlPlaneEndpoint`. */
    readonly endpoint: string;
    readonly audit: ResolvedAudit;
    readonly encryptionAtRest: ResolvedEncryptionAtRest;
  };
  /** Folder for files that hold secrets (relative to the working directory), never inside dist/. */
  readonly secretsDir: string;
  readonly cloudProvider: ResolvedCloudProvider;
  readonly windows: { readonly enabled: boolean };
  /** Registry that replaces every image's registry host, when set. */
  readonly imageRegistry?: string;
  readonly components: {
    readonly flannel: ResolvedFlannelConfig;
    /** Enabled only when the config enables it and the cluster has Windows nodes. */
    readonly kubeProxyWindows: { readonly enabled: boolean };
    readonly coredns: ResolvedCoreDnsConfig;
    readonly nodeLocalDns: { readonly enabled: boolean; readonly version: string };
    readonly cloudControllerManager: ResolvedCloudControllerManager;
    readonly konnectivity: ResolvedKonnectivity;
    readonly nodeConfig: ResolvedNodeConfig;
    readonly kubeletServingApprover: ResolvedKubeletServingApprover;
    readonly clusterDoctorRbac: { readonly enabled: boolean };
  };
  /** Tenant namespaces, in the order written. */
  readonly tenants: readonly ResolvedTenant[];
  readonly pki: ResolvedPki;
  /** What the config allows but advises against (synth prints each as a warning), such as an unpaired release. */
  readonly warnings: readonly ConfigIssue[];
}
