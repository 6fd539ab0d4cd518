/**
 * The cluster config file (`cluster.yaml`) as users write it.
 *
 * Every optional field documents its default with `@default`; `DEFAULT_CLUSTER_CONFIG` in
 * `defaults.ts` holds the same values and a test keeps the two in step. The JSON Schema in
 * `schema/cluster-config.schema.json` is generated from these types (`npm run schema`).
 */

import type { AuditConfig, EncryptionAtRestConfig, KubeletServingApproverConfig, NodeConfigConfig } from './types-node';
import type { KonnectivityConfig } from './types-konnectivity';
import type { PkiConfig } from './types-pki';

export * from './types-node';
export * from './types-pki';
export * from './types-konnectivity';

/** Which kube-proxy backend Linux nodes use. `nftables` needs Kubernetes 1.31 or newer. */
export type KubeProxyMode = 'iptables' | 'ipvs' | 'nftables';

/** Flannel releases this library has pinned images and manifests for. */
export type FlannelVersion = 'v0.28.9' | 'v0.27.0';

export interface ClusterConfigFile {
  /**
   * Name of the cluster: an RFC 1123 label (lower-case letters, digits, '-'), at most 63 characters.
   * @default "bootstrap"
   */
  readonly clusterName?: string;

  /**
   * Kubernetes version of the control plane and nodes, as semver (`1.35.4` or `v1.35.4`). 1.27 or newer.
   * @default "1.35.4"
   */
  readonly kubernetesVersion?: string;

  /** Cluster networking: address ranges, DNS and kube-proxy. */
  readonly networking?: NetworkingConfig;

  /** Where nodes and add-ons reach the Kubernetes API server. */
  readonly apiServer?: ApiServerConfig;

  /** The cloud provider integration. */
  readonly cloudProvider?: CloudProviderConfig;

  /** Windows worker nodes. */
  readonly windows?: WindowsConfig;

  /**
   * Registry that replaces the registry host of every image (for example an internal mirror
   * `registry.example.internal:5000/mirror`). Repository paths and tags are kept.
   * @default - none: each image comes from its upstream registry
   */
  readonly imageRegistry?: string;

  /**
   * Folder (relative to the working directory) for files that hold secrets, such as the API server's
   * encryption keys. Never inside `dist/`: synth creates it with mode 0700 and a `.gitignore` that ignores
   * everything in it, and writes its files with mode 0600.
   * @default ".cluster-secrets"
   */
  readonly secretsDir?: string;

  /** One section per cluster add-on. */
  readonly components?: ComponentsConfig;

  /** The cluster's certificates (kubeadm's layout under /etc/kubernetes/pki): the plan files and `pki generate`. */
  readonly pki?: PkiConfig;
  /**
   * Team namespaces: each gets Pod Security admission labels, a LimitRange, an optional ResourceQuota and
   * default NetworkPolicies (chart `tenants`, `dist/tenants.k8s.yaml`).
   * @default - none
   */
  readonly tenants?: TenantConfig[];
}

/** Pod Security Standards level (`pod-security.kubernetes.io/<mode>` label value). */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** A tenant: a namespace for one team, with its guard rails. */
export interface TenantConfig {
  /**
   * Namespace name: an RFC 1123 label, not `default` and not starting with `kube-` (reserved for the system).
   * @pattern ^[a-z0-9]$|^[a-z0-9][-a-z0-9]*[a-z0-9]$
   */
  readonly name: string;

  /**
   * Extra labels of the Namespace (not `pod-security.kubernetes.io/*`, which `podSecurity` sets).
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /** Pod Security admission: which Pod Security Standard is enforced, audited and warned about. */
  readonly podSecurity?: PodSecurityConfig;

  /** LimitRange: default, minimum and maximum resources per container, per pod and per volume claim. */
  readonly limitRange?: TenantLimitRangeConfig;

  /** ResourceQuota of the namespace. */
  readonly resourceQuota?: TenantResourceQuotaConfig;

  /** The namespace's default NetworkPolicies. */
  readonly networkPolicies?: TenantNetworkPoliciesConfig;

  /**
   * What `pulumi up` does with the Namespace when this tenant is later removed from the config. `retain`: the
   * Namespace and every workload in it stay in the cluster, and the stack forgets them. `delete`: the Namespace is
   * deleted with everything inside it. Pulumi acts on the value last deployed, so set `delete` and deploy before
   * removing the tenant. The cdk8s path never deletes anything (`kubectl apply` does not prune).
   * @default "retain"
   */
  readonly onRemoval?: 'retain' | 'delete';
}

export interface PodSecurityConfig {
  /**
   * Level whose violations are refused.
   * @default "restricted"
   */
  readonly enforce?: PodSecurityLevel;

  /**
   * Policy version of `enforce`: `latest` or a minor release such as `v1.35`.
   * @pattern ^(latest|v1\.(0|[1-9][0-9]*))$
   * @default "latest"
   */
  readonly enforceVersion?: string;

  /**
   * Level whose violations are recorded in the audit log.
   * @default "restricted"
   */
  readonly audit?: PodSecurityLevel;

  /**
   * Policy version of `audit`.
   * @pattern ^(latest|v1\.(0|[1-9][0-9]*))$
   * @default "latest"
   */
  readonly auditVersion?: string;

  /**
   * Level whose violations are returned to the client as warnings.
   * @default "restricted"
   */
  readonly warn?: PodSecurityLevel;

  /**
   * Policy version of `warn`.
   * @pattern ^(latest|v1\.(0|[1-9][0-9]*))$
   * @default "latest"
   */
  readonly warnVersion?: string;
}

/** Resource name to quantity, e.g. `{ memory: "512Mi", cpu: "500m" }`. */
export type ResourceQuantities = Record<string, string>;

export interface TenantLimitRangeConfig {
  /**
   * Per container (LimitRange type `Container`). Once written it is taken as written: the API server then
   * defaults `default` to `max` and `defaultRequest` to `default` (else `min`), as for any LimitRange.
   * @default - { default: { memory: 512Mi }, defaultRequest: { memory: 256Mi } } (the Kubernetes docs' example)
   */
  readonly container?: ContainerLimitsConfig;

  /**
   * Per pod: the sums over its containers (LimitRange type `Pod`).
   * @default - none
   */
  readonly pod?: PodLimitsConfig;

  /**
   * Per PersistentVolumeClaim: its storage request (LimitRange type `PersistentVolumeClaim`, key `storage`).
   * @default - none
   */
  readonly persistentVolumeClaim?: StorageLimitsConfig;
}

export interface ContainerLimitsConfig {
  /**
   * Limit given to containers that set none.
   * @default - { memory: 512Mi } when the tenant writes no `container` section, else `max` (the API server's defaulting)
   */
  readonly default?: ResourceQuantities;
  /**
   * Request given to containers that set none.
   * @default - { memory: 256Mi } when the tenant writes no `container` section, else `default`, else `min`
   */
  readonly defaultRequest?: ResourceQuantities;
  /**
   * Smallest request (and limit) a container may have.
   * @default - none
   */
  readonly min?: ResourceQuantities;
  /**
   * Largest limit (and request) a container may have.
   * @default - none
   */
  readonly max?: ResourceQuantities;
  /**
   * Largest limit / request ratio (at least 1, at most max/min).
   * @default - none
   */
  readonly maxLimitRequestRatio?: ResourceQuantities;
}

export interface PodLimitsConfig {
  /**
   * Smallest sum of the requests of a pod's containers.
   * @default - none
   */
  readonly min?: ResourceQuantities;
  /**
   * Largest sum of the limits of a pod's containers.
   * @default - none
   */
  readonly max?: ResourceQuantities;
  /**
   * Largest limit / request ratio of the pod.
   * @default - none
   */
  readonly maxLimitRequestRatio?: ResourceQuantities;
}

export interface StorageLimitsConfig {
  /**
   * Smallest storage request of a claim (`storage`).
   * @default - none
   */
  readonly min?: ResourceQuantities;
  /**
   * Largest storage request of a claim (`storage`).
   * @default - none
   */
  readonly max?: ResourceQuantities;
}

export interface TenantResourceQuotaConfig {
  /**
   * `spec.hard` of the ResourceQuota: `requests.cpu`, `limits.memory`, `pods`, `count/deployments.apps`, ...
   * @default - none: no ResourceQuota
   */
  readonly hard?: ResourceQuantities;
}

export interface TenantNetworkPoliciesConfig {
  /**
   * Emit the default NetworkPolicies (`default-deny-all` and `allow-dns-egress`, plus those below).
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * `deny`: no ingress unless another policy allows it; `same-namespace`: pods of the tenant may reach each other
   * (refused with `egress: dns-only`, whose pods may send nothing but DNS).
   * @default "deny"
   */
  readonly ingress?: 'deny' | 'same-namespace';

  /**
   * `all-except-metadata`: egress anywhere but the cloud metadata endpoint 169.254.169.254; `dns-only`: only
   * cluster DNS.
   * @default "all-except-metadata"
   */
  readonly egress?: 'all-except-metadata' | 'dns-only';
}

export interface NetworkingConfig {
  /**
   * Pod network CIDR (kubeadm `networking.podSubnet`). For dual-stack give one IPv4 and one IPv6 CIDR
   * separated by a comma, IPv4 first.
   * @default "10.244.0.0/16"
   */
  readonly podSubnet?: string;

  /**
   * Service network CIDR (kubeadm `networking.serviceSubnet`). Dual-stack: two CIDRs separated by a comma.
   * @default "10.96.0.0/12"
   */
  readonly serviceSubnet?: string;

  /**
   * DNS domain of the cluster (kubelet `clusterDomain`).
   * @default "cluster.local"
   */
  readonly dnsDomain?: string;

  /**
   * ClusterIP of the `kube-dns` Service, which the kubelet hands to pods as their resolver.
   * @default - the 10th address of the first service CIDR (10.96.0.10 for 10.96.0.0/12)
   */
  readonly dnsServiceIP?: string;

  /**
   * Link-local address NodeLocal DNSCache listens on, on every node.
   * @default "169.254.20.10"
   */
  readonly nodeLocalDnsIP?: string;

  /**
   * kube-proxy mode on Linux nodes.
   * @default "iptables"
   */
  readonly kubeProxyMode?: KubeProxyMode;
}

export interface ApiServerConfig {
  /**
   * Host name or IP address of the API server endpoint (the control-plane endpoint or load balancer).
   * The default is a documentation address (RFC 5737): set your own before deploying.
   * @default "192.0.2.10"
   */
  readonly host?: string;

  /**
   * Port of the API server endpoint.
   * @asType integer
   * @minimum 1
   * @maximum 65535
   * @default 6443
   */
  readonly port?: number;

  /** Audit logging of the API server (its policy file, flags and mounts go into the kubeadm configuration). */
  readonly audit?: AuditConfig;

  /** Encryption at rest of Secrets (and other resources) in etcd. */
  readonly encryptionAtRest?: EncryptionAtRestConfig;
}

export interface CloudProviderConfig {
  /**
   * `none` for no cloud integration; `external` for an out-of-tree cloud-controller-manager.
   * @default "none"
   */
  readonly type?: 'none' | 'external';

  /**
   * Provider name passed to `--cloud-provider` (for example `aws`, `openstack`). Required when type is `external`.
   * @default - none
   */
  readonly name?: string;
}


export interface WindowsConfig {
  /**
   * Whether the cluster has Windows worker nodes. Turns on the Windows constraints of the overlay network
   * (VXLAN VNI 4096 and UDP port 4789).
   * @default false
   */
  readonly enabled?: boolean;
}

export interface ComponentsConfig {
  /** Flannel, the pod network (CNI): Linux nodes, and Windows nodes when `windows.enabled`. */
  readonly flannel?: FlannelConfig;

  /** kube-proxy for Windows nodes (HostProcess), deployed when `windows.enabled`. */
  readonly kubeProxyWindows?: KubeProxyWindowsConfig;

  /** CoreDNS, the cluster DNS server behind the `kube-dns` Service. */
  readonly coredns?: CoreDnsConfig;

  /** NodeLocal DNSCache: a DNS cache on every Linux node, on the link-local `networking.nodeLocalDnsIP`. */
  readonly nodeLocalDns?: NodeLocalDnsConfig;

  /** The out-of-tree cloud-controller-manager, deployed when `cloudProvider.type` is `external`. */
  readonly cloudControllerManager?: CloudControllerManagerConfig;

  /** Konnectivity: the API server reaches nodes and pods through agents' tunnels instead of direct routes. */
  readonly konnectivity?: KonnectivityConfig;

  /** Node and control-plane config files: kubeadm, kubelet, kube-proxy, audit policy, encryption, modprobe. */
  readonly nodeConfig?: NodeConfigConfig;

  /**
   * An approver of the kubelets' serving-certificate CSRs (`kubernetes.io/kubelet-serving`), which
   * kube-controller-manager never approves by itself.
   */
  readonly kubeletServingApprover?: KubeletServingApproverConfig;

  /** The least-privilege RBAC of the `cluster-doctor` command (read-only): `dist/cluster-doctor-rbac.k8s.yaml`. */
  readonly clusterDoctorRbac?: ClusterDoctorRbacConfig;
}

export interface ClusterDoctorRbacConfig {
  /**
   * Whether to emit the `cluster-doctor` ClusterRole, its kube-system Role, and a `cluster-doctor` ServiceAccount
   * bound to both (read-only rights: what `cluster-doctor` reads, nothing more).
   * @default true
   */
  readonly enabled?: boolean;
}

export interface CloudControllerManagerConfig {
  /**
   * Image of your provider's cloud-controller-manager, `registry/repository:tag`. Required with an external
   * cloud provider: no default pretends to be a real cloud.
   * @default - none
   */
  readonly image?: string;

  /**
   * Let the CCM allocate node pod CIDRs from the pod subnet (`--allocate-node-cidrs`, `--cluster-cidr`).
   * @default false
   */
  readonly allocateNodeCidrs?: boolean;

  /**
   * Let the CCM program cloud routes for pod CIDRs (`--configure-cloud-routes`).
   * @default false
   */
  readonly configureCloudRoutes?: boolean;

  /**
   * Bind the CCM to cluster-admin, as the upstream example does. Off: a least-privilege ClusterRole is used.
   * Only for providers that document needing more than it grants.
   * @default false
   */
  readonly clusterAdmin?: boolean;
}

export interface CoreDnsConfig {
  /**
   * Whether to deploy CoreDNS.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * CoreDNS release (image `registry.k8s.io/coredns/coredns:<version>`).
   * @pattern ^v[0-9]+\.[0-9]+\.[0-9]+$
   * @default - the release kubeadm installs for `kubernetesVersion` (v1.13.1 from 1.35, v1.12.1 on 1.34, v1.12.0 on 1.33)
   */
  readonly version?: string;

  /**
   * Number of CoreDNS pods, spread over distinct nodes.
   * @asType integer
   * @minimum 1
   * @maximum 100
   * @default 2
   */
  readonly replicas?: number;

  /**
   * Upstream resolvers for names outside the cluster: IP[:port] addresses, or a resolv.conf path.
   * Refused, as forward loops: the cluster DNS Service IP, the NodeLocal DNS address, a loopback address, and any
   * other address in a service subnet (a ClusterIP makes CoreDNS depend on kube-proxy and on itself), with any port.
   * @default - ["/etc/resolv.conf"] (the node's resolvers)
   */
  readonly upstreams?: string[];

  /**
   * Zones answered by other servers: zone name to upstream IPs, one server block each.
   * The upstreams are refused as in `upstreams`; so are zones that would take names from the cluster block:
   * the root zone, the cluster domain, a zone inside or containing it, and reverse zones (`in-addr.arpa`,
   * `ip6.arpa`) that hold part of the service or pod subnets (e.g. `10.in-addr.arpa` for 10.96.0.0/12).
   * @default - none
   */
  readonly stubDomains?: Record<string, string[]>;

  /** Options of the `forward` plugin of the cluster block. */
  readonly forward?: CoreDnsForwardConfig;

  /**
   * Plugin lines the typed model does not know, added verbatim to the cluster server block (escape hatch).
   * @default - none
   */
  readonly extraPlugins?: string[];

  /**
   * Memory limit of each CoreDNS pod.
   * @pattern ^[0-9]+(Ki|Mi|Gi)$
   * @default "170Mi"
   */
  readonly memoryLimit?: string;
}

export interface CoreDnsForwardConfig {
  /**
   * Most concurrent queries forwarded upstream.
   * @asType integer
   * @minimum 1
   * @default 1000
   */
  readonly maxConcurrent?: number;

  /**
   * How upstreams are picked.
   * @default - random
   */
  readonly policy?: 'random' | 'round_robin' | 'sequential';

  /**
   * Always talk TCP to the upstreams.
   * @default false
   */
  readonly forceTcp?: boolean;
}

export interface NodeLocalDnsConfig {
  /**
   * Whether to deploy NodeLocal DNSCache.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * k8s-dns-node-cache release (image `registry.k8s.io/dns/k8s-dns-node-cache:<version>`).
   * @pattern ^[0-9]+\.[0-9]+\.[0-9]+$
   * @default "1.26.7"
   */
  readonly version?: string;
}

export interface KubeProxyWindowsConfig {
  /**
   * Whether to deploy kube-proxy on Windows nodes (it only takes effect when `windows.enabled`). Its image
   * tag follows `kubernetesVersion` (`sigwindowstools/kube-proxy:<version>-flannel-hostprocess`).
   * @default true
   */
  readonly enabled?: boolean;
}

export interface FlannelConfig {
  /**
   * Whether to deploy Flannel.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Flannel release; selects the pinned flannel and flannel-cni-plugin images.
   * @default "v0.28.9"
   */
  readonly version?: FlannelVersion;

  /** VXLAN backend options. */
  readonly vxlan?: FlannelVxlanConfig;

  /**
   * Flannel release of the Windows HostProcess overlay image (`sigwindowstools/flannel:<version>-hostprocess`),
   * used when `windows.enabled`. sig-windows-tools stopped publishing these images in 2025; v0.21.5 is the
   * release its guide documents. Mirror or build your own and point `imageRegistry` at it for newer ones.
   * @pattern ^v[0-9]+\.[0-9]+\.[0-9]+$
   * @default "v0.21.5"
   */
  readonly windowsVersion?: string;
}

export interface FlannelVxlanConfig {
  /**
   * VXLAN network identifier.
   * @asType integer
   * @default - 1, or 4096 when Windows nodes are enabled (Windows requires at least 4096)
   * @minimum 1
   * @maximum 16777215
   */
  readonly vni?: number;

  /**
   * UDP port of the VXLAN tunnel.
   * @asType integer
   * @default - 8472 (the Linux kernel default), or 4789 when Windows nodes are enabled (Windows requires 4789)
   * @minimum 1
   * @maximum 65535
   */
  readonly port?: number;

  /**
   * Route directly (no encapsulation) between nodes on the same subnet. Not supported on Windows.
   * @default false
   */
  readonly directRouting?: boolean;

  /**
   * MTU of the VXLAN device and of the pods' interfaces. flannel's own `MTU` setting is the underlay's (it takes
   * 50 bytes off for the VXLAN header), so net-conf.json carries this value plus 50: set the pod MTU you want, at
   * most the node interface's MTU minus 50.
   * @asType integer
   * @default - the node interface's MTU minus 50 (1450 on a 1500-byte network), chosen by flannel
   * @minimum 576
   * @maximum 8950
   */
  readonly mtu?: number;
}
