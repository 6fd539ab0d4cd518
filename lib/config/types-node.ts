/**
 * The cluster config sections of the node and control-plane config files (audit, encryption at rest, kubelet,
 * kube-proxy, the kubelet serving-CSR approver). Part of `cluster.yaml`; see `types.ts`.
 */

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
   * Keys of `aescbc`/`secretbox`, the first encrypts, all decrypt (see key rotation in docs/node-and-control-plane-files.md). A key
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
   * `containerRuntimeEndpoint`) on the Linux nodes these files are for: an absolute Unix socket,
   * `unix:///path`. (kubeadm on Linux takes `npipe://` for a path without scheme and prefixes `unix://`, and
   * `unix://run/x.sock` names the socket `/x.sock`.)
   * @pattern ^unix:///[^\s]*[^/\s]$
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
   * kube-proxy refuses to start with a gate its release does not know, or with a locked (GA) gate set against
   * its default; both are refused at synth for the releases whose gate lists this library holds (1.30, 1.35).
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
