import type { ClusterConfigFile, TenantConfig } from './types';

/**
 * The embedded default config: what `cdk8s synth` builds when no `cluster.yaml` is given. Every value
 * here equals the `@default` of its field in `types.ts` (a test compares them with the generated schema).
 * Values computed from other fields (DNS service IP, VXLAN VNI/port, the Konnectivity version and proxy
 * strategies) are absent on purpose.
 */
export const DEFAULT_CLUSTER_CONFIG = {
  clusterName: 'bootstrap',
  kubernetesVersion: '1.35.4',
  networking: {
    podSubnet: '10.244.0.0/16',
    serviceSubnet: '10.96.0.0/12',
    dnsDomain: 'cluster.local',
    nodeLocalDnsIP: '169.254.20.10',
    kubeProxyMode: 'iptables',
  },
  apiServer: {
    host: '192.0.2.10',
    port: 6443,
    audit: {
      enabled: true,
      logPath: '/var/log/kubernetes/audit/audit.log',
      maxAgeDays: 30,
      maxBackups: 10,
      maxSizeMB: 100,
    },
    encryptionAtRest: {
      enabled: false,
      provider: 'secretbox',
      writeToDist: false,
    },
  },
  cloudProvider: {
    type: 'none',
  },
  windows: {
    enabled: false,
  },
  secretsDir: '.cluster-secrets',
  components: {
    flannel: {
      enabled: true,
      version: 'v0.28.9',
      vxlan: {
        directRouting: false,
      },
      windowsVersion: 'v0.21.5',
    },
    kubeProxyWindows: {
      enabled: true,
    },
    coredns: {
      enabled: true,
      replicas: 2,
      forward: {
        maxConcurrent: 1000,
        forceTcp: false,
      },
      memoryLimit: '170Mi',
    },
    nodeLocalDns: {
      enabled: true,
      version: '1.26.7',
    },
    cloudControllerManager: {
      allocateNodeCidrs: false,
      configureCloudRoutes: false,
      clusterAdmin: false,
    },
    konnectivity: {
      enabled: false,
      serverForm: 'static-pod',
      agentForm: 'daemonset',
      agentReplicas: 2,
      mode: 'grpc',
      agentPort: 8132,
      adminPort: 8133,
      healthPort: 8134,
      serverCount: 1,
      serverCountFromLeases: false,
      syncInterval: '5s',
      probeInterval: '5s',
      keepaliveTime: '1m',
      agentResources: { cpuRequest: '50m', memoryRequest: '32Mi', memoryLimit: '128Mi' },
      serverResources: { cpuRequest: '100m', memoryRequest: '64Mi' },
    },
    nodeConfig: {
      enabled: true,
      containerRuntimeEndpoint: 'unix:///var/run/containerd/containerd.sock',
      kubelet: {
        cgroupDriver: 'systemd',
        topologyManagerPolicy: 'none',
        topologyManagerScope: 'container',
      },
    },
    kubeletServingApprover: {
      enabled: false,
      image: 'ghcr.io/postfinance/kubelet-csr-approver:v1.2.15',
      bypassDnsResolution: false,
    },
    clusterDoctorRbac: { enabled: true },
  },
  pki: {
    planFiles: true,
    keyAlgorithm: 'RSA-2048',
    caValidityDays: 3650,
    certificateValidityDays: 365,
  },
} as const satisfies ClusterConfigFile;

/**
 * Defaults of each entry of `tenants` (the `@default`s of `TenantConfig` in `types.ts`; a test compares them).
 * The container limits apply only when a tenant writes no `limitRange.container`.
 */
export const DEFAULT_TENANT_CONFIG = {
  podSecurity: {
    enforce: 'restricted',
    enforceVersion: 'latest',
    audit: 'restricted',
    auditVersion: 'latest',
    warn: 'restricted',
    warnVersion: 'latest',
  },
  limitRange: {
    container: { default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } },
  },
  networkPolicies: {
    enabled: true,
    ingress: 'deny',
    egress: 'all-except-metadata',
  },
  onRemoval: 'retain',
} as const satisfies Omit<TenantConfig, 'name'>;

/** Oldest Kubernetes minor version the generated manifests target. */
export const MIN_KUBERNETES_VERSION = '1.27.0';
