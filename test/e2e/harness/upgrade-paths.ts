/**
 * The day-2 paths the real tier upgrades a stack along (pulumi-day2.e2e.test.ts) and the benchmark times
 * (scripts/bench-upgrades.ts): each edits Pulumi.dev.yaml's cluster config into its "before", then its "after".
 */
export type ClusterEdit = (cluster: Record<string, any>) => void;

export interface UpgradePath {
  readonly name: string;
  readonly before: ClusterEdit;
  readonly after: ClusterEdit;
}

export const UPGRADE_PATHS = {
  /** The previous minor with every versioned add-on on, to 1.35.4: CoreDNS, Konnectivity, kube-proxy-windows, kubeadm API. */
  versions: {
    name: 'Kubernetes 1.34.6 to 1.35.4',
    before: (c) => {
      c.kubernetesVersion = '1.34.6';
      c.windows = { enabled: true };
      c.components = { ...c.components, konnectivity: { enabled: true } };
    },
    after: (c) => (c.kubernetesVersion = '1.35.4'),
  },
  flannel: {
    name: 'flannel v0.27.0 to v0.28.9',
    before: (c) => (c.components = { ...c.components, flannel: { version: 'v0.27.0' } }),
    after: (c) => (c.components.flannel.version = 'v0.28.9'),
  },
  config: {
    name: 'CoreDNS replicas and a stub domain, two tenants, Konnectivity on',
    before: () => undefined,
    after: (c) => {
      c.components.coredns = { replicas: 2, stubDomains: { 'corp.example': ['192.0.2.53'] } };
      c.components.konnectivity = { enabled: true };
      c.tenants = [{ name: 'team-a' }, { name: 'team-b', networkPolicies: { ingress: 'same-namespace' } }];
    },
  },
  windows: {
    name: 'Windows switched on',
    before: () => undefined,
    after: (c) => (c.windows = { enabled: true }),
  },
} satisfies Record<string, UpgradePath>;
