/**
 * The cluster config file (`cluster.yaml`) as users write it.
 *
 * Every optional field documents its default with `@default`; `DEFAULT_CLUSTER_CONFIG` in
 * `defaults.ts` holds the same values and a test keeps the two in step. The JSON Schema in
 * `schema/cluster-config.schema.json` is generated from these types (`npm run schema`).
 */

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

/** Audit levels, least to most detailed: nothing, who/what/when, plus the request body, plus the response body. */
export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

/** Stages of a request an audit event can be written at. */
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

/** API verbs an audit rule can match. */
export type AuditVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'proxy';

export interface AuditConfig {
  /**
   * Whether the API server writes an audit log.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Log file on the control-plane node (`--audit-log-path`); its folder is mounted into the API server.
   * @pattern ^/[^\s]*[^/\s]$
   * @default "/var/log/kubernetes/audit/audit.log"
   */
  readonly logPath?: string;

  /**
   * Days to keep rotated log files (`--audit-log-maxage`).
   * @asType integer
   * @minimum 1
   * @default 30
   */
  readonly maxAgeDays?: number;

  /**
   * Rotated log files to keep (`--audit-log-maxbackup`).
   * @asType integer
   * @minimum 1
   * @default 10
   */
  readonly maxBackups?: number;

  /**
   * Size in megabytes at which the log is rotated (`--audit-log-maxsize`).
   * @asType integer
   * @minimum 1
   * @default 100
   */
  readonly maxSizeMB?: number;

  /**
   * Rules checked before the built-in ones (the first matching rule wins). Rules that would record request or
   * response bodies of Secrets, ConfigMaps or TokenReviews are refused.
   * @default - none
   */
  readonly extraRules?: AuditRuleConfig[];
}

/** One audit policy rule (audit.k8s.io/v1 `PolicyRule`). A rule matches when every field it sets matches. */
export interface AuditRuleConfig {
  readonly level: AuditLevel;
  /** User names, e.g. `system:kube-proxy`. */
  readonly users?: string[];
  /** Groups, e.g. `system:nodes`. */
  readonly userGroups?: string[];
  readonly verbs?: AuditVerb[];
  /** API resources: `group` "" is the core group; `resources` may name subresources (`pods/log`). */
  readonly resources?: AuditGroupResources[];
  readonly namespaces?: string[];
  /** Non-resource paths such as `/healthz*` (a trailing `*` is the only wildcard). */
  readonly nonResourceURLs?: string[];
  readonly omitStages?: AuditStage[];
}

export interface AuditGroupResources {
  /** API group; "" (the default) is the core group. */
  readonly group?: string;
  readonly resources?: string[];
  readonly resourceNames?: string[];
}

/** `secretbox` (XSalsa20-Poly1305), `aescbc` (AES-CBC, PKCS#7 padding) or an external `kms` v2 plugin. */
export type EncryptionProvider = 'secretbox' | 'aescbc' | 'kms';

export interface EncryptionAtRestConfig {
  /**
   * Whether the API server encrypts the listed resources before writing them to etcd.
   * @default false
   */
  readonly enabled?: boolean;

  /**
   * Provider that encrypts new writes. `identity` is always appended last, so data written before encryption
   * was turned on stays readable. `kms` (v2) keeps the key encryption key outside the node and is the
   * strongest choice; `secretbox` is strong and fast; `aescbc` is only for compliance regimes that demand AES.
   * @default "secretbox"
   */
  readonly provider?: EncryptionProvider;

  /**
   * Resources to encrypt (`secrets`, `configmaps`, `<resource>.<group>`).
   * @default - ["secrets"]
   */
  readonly resources?: string[];

  /**
   * Keys of `aescbc`/`secretbox`, the first encrypts, all decrypt (see key rotation in the README). A key
   * with neither `fromEnv` nor `fromFile` is generated (32 random bytes) on the first synth and kept in
   * `secretsDir`, so later synths reuse it. Never put key material in this file.
   * @default - one generated key named "key1"
   */
  readonly keys?: EncryptionKeyConfig[];

  /** The KMS v2 plugin, required when `provider` is `kms`. */
  readonly kms?: KmsConfig;

  /**
   * Write the EncryptionConfiguration (which holds the keys) into `dist/control-plane/` instead of
   * `secretsDir`. Synth then prints a warning each time: keep `dist/` out of version control.
   * @default false
   */
  readonly writeToDist?: boolean;
}

export interface EncryptionKeyConfig {
  /**
   * Name of the key in the EncryptionConfiguration; unique, and changed for every new key.
   * @pattern ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$
   */
  readonly name: string;

  /**
   * Environment variable holding the base64-encoded key (read at synth time).
   * @pattern ^[A-Za-z_][A-Za-z0-9_]*$
   * @default - none
   */
  readonly fromEnv?: string;

  /**
   * File holding the base64-encoded key (relative to the working directory; read at synth time).
   * @default - none
   */
  readonly fromFile?: string;
}

export interface KmsConfig {
  /**
   * Name of the KMS plugin (unique per API server).
   * @pattern ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$
   */
  readonly name: string;

  /**
   * gRPC endpoint of the plugin, a Unix socket: `unix:///var/run/kmsplugin/socket.sock`. Its folder is
   * mounted into the API server.
   * @pattern ^unix:///[^\s]+$
   */
  readonly endpoint: string;

  /**
   * Timeout of calls to the plugin, as a Go duration.
   * @pattern ^[0-9]+(ms|s|m)$
   * @default - 3s (the API server's default)
   */
  readonly timeout?: string;
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
}

/** How the kubelet and the container runtime manage cgroups; both must use the same driver. */
export type CgroupDriver = 'systemd' | 'cgroupfs';

/** Topology Manager policies of the kubelet, from no alignment to strict single-NUMA placement. */
export type TopologyManagerPolicy = 'none' | 'best-effort' | 'restricted' | 'single-numa-node';

export interface NodeConfigConfig {
  /**
   * Whether to write the node and control-plane config files (`dist/node-config/`, `dist/control-plane/`,
   * `dist/node/linux/modprobe.d/`).
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * CRI endpoint of the container runtime (kubeadm `nodeRegistration.criSocket`, kubelet
   * `containerRuntimeEndpoint`).
   * @pattern ^(unix|npipe)://[^\s]+$
   * @default "unix:///var/run/containerd/containerd.sock"
   */
  readonly containerRuntimeEndpoint?: string;

  /** The kubelet's configuration file. */
  readonly kubelet?: KubeletSettings;

  /** kube-proxy's configuration file (the mode is `networking.kubeProxyMode`). */
  readonly kubeProxy?: KubeProxySettings;

  /**
   * Kernel modules no process may make the kernel load on demand (`blacklist` in /etc/modprobe.d). DCCP
   * and SCTP: rarely needed, with a history of vulnerabilities, and loadable by any unprivileged process
   * that opens such a socket. Remove `sctp` if workloads use SCTP Services.
   * @default - ["dccp", "sctp"]
   */
  readonly blacklistedKernelModules?: string[];
}

export interface KubeletSettings {
  /**
   * cgroup driver. `systemd` is what kubeadm recommends and what containerd's `SystemdCgroup = true`
   * uses; `cgroupfs` only for runtimes configured for it (it must match the runtime).
   * @default "systemd"
   */
  readonly cgroupDriver?: CgroupDriver;

  /**
   * Topology Manager policy: how the kubelet aligns CPUs, devices and memory on NUMA nodes.
   * - `none`: no alignment.
   * - `best-effort`: prefers aligned resources, admits the pod anyway.
   * - `restricted`: rejects a pod whose resources cannot be aligned (it ends `Terminated` with a
   *   topology affinity error and is not rescheduled: run such pods from a Deployment or ReplicaSet).
   * - `single-numa-node`: admits a pod only if all its resources fit on one NUMA node.
   * Alignment only applies to Guaranteed pods with whole CPUs under the `static` CPU manager policy and to
   * devices; at most 8 NUMA nodes are supported, and the scheduler is not topology-aware.
   * @default "none"
   */
  readonly topologyManagerPolicy?: TopologyManagerPolicy;

  /**
   * Granularity of the alignment: `container` aligns each container on its own; `pod` puts all of a pod's
   * containers on a common set of NUMA nodes. `pod` with `single-numa-node` keeps latency-critical pods
   * with inter-process communication on one NUMA node.
   * @default "container"
   */
  readonly topologyManagerScope?: 'container' | 'pod';
}

export interface KubeProxySettings {
  /**
   * Feature gates of kube-proxy, by name (UpperCamelCase, e.g. `{ ServiceTrafficDistribution: true }`).
   * kube-proxy refuses to start with a gate its release does not know.
   * @default - none
   */
  readonly featureGates?: Record<string, boolean>;
}

export interface KubeletServingApproverConfig {
  /**
   * Whether to deploy kubelet-csr-approver (postfinance), which approves `kubernetes.io/kubelet-serving`
   * CSRs only after checking the node name, the requested DNS names and IP addresses.
   * @default false
   */
  readonly enabled?: boolean;

  /**
   * Image of the approver, `registry/repository:tag`.
   * @default "ghcr.io/postfinance/kubelet-csr-approver:v1.2.15"
   */
  readonly image?: string;

  /**
   * Regular expression every DNS name in a CSR must match (`PROVIDER_REGEX`), e.g. `^node-[0-9]+\\.example\\.internal$`.
   * @default - "^[a-z0-9-]+$": bare host names only (set your node domain)
   */
  readonly providerRegex?: string;

  /**
   * CIDRs every IP address in a CSR must fall into (`PROVIDER_IP_PREFIXES`): your node network. Kubelets
   * put their node addresses into their CSRs, so set this for approvals to happen.
   * @default - none: CSRs with IP addresses are refused
   */
  readonly ipPrefixes?: string[];

  /**
   * Skip the check that each requested DNS name resolves to one of the requested IPs
   * (`BYPASS_DNS_RESOLUTION`). Needed when node names are not in DNS.
   * @default false
   */
  readonly bypassDnsResolution?: boolean;
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

export interface KonnectivityConfig {
  /**
   * Whether to deploy Konnectivity.
   * @default false
   */
  readonly enabled?: boolean;

  /**
   * apiserver-network-proxy release (images `kas-network-proxy/proxy-server` and `proxy-agent`).
   * @pattern ^v[0-9]+\.[0-9]+\.[0-9]+$
   * @default "v0.0.37"
   */
  readonly version?: string;

  /**
   * How the server runs: a static Pod manifest file for each control-plane node (the documented form), or a
   * DaemonSet on control-plane nodes.
   * @default "static-pod"
   */
  readonly serverForm?: 'static-pod' | 'daemonset';

  /**
   * How the agents run: a DaemonSet on Linux workers, or a Deployment of `agentReplicas`.
   * @default "daemonset"
   */
  readonly agentForm?: 'daemonset' | 'deployment';

  /**
   * Agent replicas when `agentForm` is `deployment`.
   * @asType integer
   * @minimum 1
   * @default 2
   */
  readonly agentReplicas?: number;

  /**
   * Tunnel protocol between the API server and the Konnectivity server.
   * @default "grpc"
   */
  readonly mode?: 'grpc' | 'http-connect';

  /**
   * Host agents dial: a DNS name or IP of the control plane.
   * @default - apiServer.host
   */
  readonly serverHost?: string;

  /**
   * Port agents connect to.
   * @asType integer
   * @minimum 1
   * @maximum 65535
   * @default 8132
   */
  readonly agentPort?: number;

  /**
   * Admin port of server and agents (local).
   * @asType integer
   * @minimum 1
   * @maximum 65535
   * @default 8133
   */
  readonly adminPort?: number;

  /**
   * Health port of server and agents.
   * @asType integer
   * @minimum 1
   * @maximum 65535
   * @default 8134
   */
  readonly healthPort?: number;
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
   * @default - the release kubeadm installs for `kubernetesVersion` (v1.12.0 from 1.33)
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
   * @default - ["/etc/resolv.conf"] (the node's resolvers)
   */
  readonly upstreams?: string[];

  /**
   * Zones answered by other servers: zone name to upstream IPs, one server block each.
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
   * MTU of the VXLAN device.
   * @asType integer
   * @default - chosen by flannel from the node's interface MTU
   * @minimum 576
   * @maximum 9000
   */
  readonly mtu?: number;
}
