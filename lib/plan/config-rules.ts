import type { ClusterConfig } from '../config/cluster-config';
import type { ConfigChange, DisruptiveChangeId } from './types';

/** A config field whose change needs a procedure (disruptive) or cannot be made to a running cluster (impossible). */
interface ConfigRule {
  readonly id: DisruptiveChangeId;
  readonly class: 'disruptive' | 'impossible';
  readonly path: string;
  /** The path when it depends on which of several fields changed. */
  readonly pathOf?: (oldConfig: ClusterConfig, newConfig: ClusterConfig) => string;
  /** The resolved value, as plain JSON; the rule fires when old and new differ. */
  readonly value: (c: ClusterConfig) => unknown;
  /** Extra condition on top of the values differing. */
  readonly when?: (oldConfig: ClusterConfig, newConfig: ClusterConfig) => boolean;
  readonly why: string;
  readonly procedure: string;
}

const cidrs = (list: readonly { toString(): string }[]) => list.map(String).join(',');
const flannelOn = (o: ClusterConfig, n: ClusterConfig) => o.components.flannel.enabled && n.components.flannel.enabled;
const sortedSans = (list: readonly { kind: string; ip?: unknown; name?: string }[]) => list.map((s) => (s.kind === 'ip' ? String(s.ip) : s.name!)).sort();

const RULES: readonly ConfigRule[] = [
  {
    id: 'pod-cidr',
    class: 'impossible',
    path: 'networking.podSubnet',
    value: (c) => c.network.podSubnet,
    why: 'every Node keeps the spec.podCIDR it was given (immutable once set), Flannel leases node subnets from it and every running pod has an address in it; kube-controller-manager, kube-proxy (clusterCIDR) and the CCM are configured with it',
    procedure:
      'build a new cluster with the new range and move the workloads; or, for a cluster you may take down, acknowledge it (--allow-disruptive pod-cidr) and then drain, delete and re-join every node so each gets a podCIDR from the new range',
  },
  {
    id: 'service-cidr',
    class: 'impossible',
    path: 'networking.serviceSubnet',
    value: (c) => cidrs(c.network.serviceCidrs),
    why: 'every Service keeps the clusterIP it was given from the old range, the API server certificate names the first address (the `kubernetes` Service IP) and every kubelet hands pods a resolver in it',
    procedure:
      'keep the old range (Kubernetes 1.33+ can add ranges with ServiceCIDR objects instead); or acknowledge it (--allow-disruptive service-cidr), reissue the API server certificate, restart kube-apiserver with the new range and re-create every Service and every pod',
  },
  {
    id: 'cluster-name',
    class: 'impossible',
    path: 'clusterName',
    value: (c) => c.clusterName,
    why: 'the three CAs carry the cluster name (OU of ca, etcd-ca and front-proxy-ca in the certificate plan) and kubeadm\'s ClusterConfiguration names it: a new name means new CAs, so every certificate, kubeconfig and node join is reissued',
    procedure: 'keep the old name; or acknowledge it (--allow-disruptive cluster-name) for a cluster being rebuilt: new CAs with `cluster-pki generate`, every certificate and kubeconfig reissued, every node re-joined',
  },
  {
    id: 'cluster-domain',
    class: 'impossible',
    path: 'networking.dnsDomain',
    value: (c) => c.network.dnsDomain,
    why: 'the API server certificate names kubernetes.default.svc.<domain>, every kubelet\'s clusterDomain and every pod\'s DNS search path carry it, and workloads hold fully qualified names in the old domain',
    procedure: 'keep the old domain; or acknowledge it (--allow-disruptive cluster-domain), reissue the API server certificate, update every kubelet config and restart kubelets, then restart every pod',
  },
  {
    id: 'flannel-vxlan-vni',
    class: 'disruptive',
    path: 'components.flannel.vxlan.vni',
    value: (c) => c.components.flannel.vxlan.vni,
    when: flannelOn,
    why: 'nodes on different VNIs cannot reach each other\'s pods, and flanneld reads net-conf.json only at start (the ConfigMap change alone does nothing)',
    procedure:
      'in a maintenance window: apply, then restart every flannel pod at once (`kubectl -n kube-flannel delete pod -l app=flannel`, and `-l app=flannel-windows` with Windows nodes) instead of waiting for a rollout; cross-node pod traffic is down until every node runs the new VNI; then remove the old device on each Linux node (`ip link delete flannel.<old vni>`) or reboot it',
  },
  {
    id: 'flannel-vxlan-port',
    class: 'disruptive',
    path: 'components.flannel.vxlan.port',
    value: (c) => c.components.flannel.vxlan.port,
    when: flannelOn,
    why: 'nodes on different VXLAN ports cannot reach each other\'s pods, and flanneld reads net-conf.json only at start',
    procedure:
      'open the new UDP port between all nodes first (firewalls, security groups), then as for the VNI: apply and restart every flannel pod at once (`kubectl -n kube-flannel delete pod -l app=flannel`); cross-node pod traffic is down until every node has restarted; close the old port afterwards',
  },
  {
    id: 'flannel-direct-routing',
    class: 'disruptive',
    path: 'components.flannel.vxlan.directRouting',
    value: (c) => c.components.flannel.vxlan.directRouting,
    when: flannelOn,
    why: 'the VXLAN backend\'s DirectRouting decides whether same-subnet nodes route pod traffic unencapsulated; flanneld reads it only at start and nodes in the two modes route asymmetrically',
    procedure: 'apply, then restart every flannel pod at once (`kubectl -n kube-flannel delete pod -l app=flannel`); check that the node network allows pod source addresses (cloud source/destination checks) before turning it on',
  },
  {
    id: 'flannel-mtu',
    class: 'disruptive',
    path: 'components.flannel.vxlan.mtu',
    value: (c) => c.components.flannel.vxlan.mtu ?? null,
    when: flannelOn,
    why: 'flanneld sets the MTU at start and every pod keeps the MTU of the interface it was created with, so old and new pods disagree until all are re-created',
    procedure: 'apply, restart every flannel pod (`kubectl -n kube-flannel delete pod -l app=flannel`), then restart every workload (`kubectl rollout restart`) so its pods get the new MTU; lowering it first avoids fragmentation while pods are mixed',
  },
  {
    id: 'windows',
    class: 'disruptive',
    path: 'windows.enabled',
    value: (c) => c.windows.enabled,
    why: 'Windows nodes need VXLAN VNI >= 4096 and port 4789: with the defaults, turning Windows on or off moves every Linux node to another VNI and port (listed separately), and Windows nodes can only join after the Windows flannel and kube-proxy DaemonSets run',
    procedure:
      'on: apply and do the VNI/port procedure for the Linux nodes first, then join the Windows nodes (they pick up the kube-flannel-ds-windows-amd64 and kube-proxy-windows DaemonSets). Off: drain and delete every Windows node first, then apply (the Windows DaemonSets are deleted) and do the VNI/port procedure',
  },
  {
    id: 'dns-service-ip',
    class: 'disruptive',
    path: 'networking.dnsServiceIP',
    value: (c) => String(c.network.dnsServiceIP),
    why: 'the kube-dns Service is re-created with the new clusterIP, every kubelet hands pods the resolver in its config (clusterDNS), and running pods keep the old address in /etc/resolv.conf until they are re-created',
    procedure:
      'apply (the kube-dns Service is deleted and re-created: DNS through the old IP stops at once), install the new kubelet config on every node and restart the kubelets, then restart every workload (`kubectl rollout restart deploy,ds,sts -A`); to avoid the outage, add a temporary Service on the old IP selecting k8s-app=kube-dns until every pod is re-created',
  },
  {
    id: 'node-local-dns-ip',
    class: 'disruptive',
    path: 'networking.nodeLocalDnsIP',
    value: (c) => String(c.network.nodeLocalDnsIP),
    when: (o, n) => o.components.nodeLocalDns.enabled || n.components.nodeLocalDns.enabled,
    why: 'node-cache binds the link-local address on every node; pods whose resolver is that address (IPVS/nftables mode) keep the old one until re-created',
    procedure: 'apply (the node-local-dns DaemonSet rolls, node by node), install the new kubelet config and restart the kubelets where clusterDNS changes, then restart the workloads; remove the old address from the nodelocaldns interface (`ip addr del <old>/32 dev nodelocaldns`) or reboot',
  },
  {
    id: 'kubelet-cluster-dns',
    class: 'disruptive',
    path: 'components.nodeLocalDns.enabled',
    value: (c) => c.network.kubeletClusterDNS,
    // reported on its own only when no rule above already explains the new resolver
    when: (o, n) => String(o.network.dnsServiceIP) === String(n.network.dnsServiceIP) && String(o.network.nodeLocalDnsIP) === String(n.network.nodeLocalDnsIP) && o.kubeProxyMode === n.kubeProxyMode,
    why: 'the resolver every kubelet hands to pods (clusterDNS) changes: with IPVS or nftables it is the NodeLocal DNS address when NodeLocal DNS is on, else the kube-dns Service IP',
    procedure: 'when turning NodeLocal DNS on: apply and wait until node-local-dns runs on every node before changing the kubelets; when turning it off: change the kubelets first. Then install the kubelet config, restart the kubelets and restart the workloads',
  },
  {
    id: 'kube-proxy-mode',
    class: 'disruptive',
    path: 'networking.kubeProxyMode',
    value: (c) => c.kubeProxyMode,
    why: 'kube-proxy leaves the old mode\'s rules in place (iptables chains, IPVS virtual servers, nftables table), NodeLocal DNS changes its wiring with the mode and so may the kubelets\' clusterDNS',
    procedure:
      'node by node: drain, install the new kube-proxy config (and kubelet config), run `kube-proxy --cleanup` (or reboot) to remove the old mode\'s rules, restart kube-proxy and the kubelet, uncordon; apply the objects (node-local-dns rolls) when the first node is done; then restart the workloads if clusterDNS changed',
  },
  {
    id: 'konnectivity',
    class: 'disruptive',
    path: 'components.konnectivity.enabled',
    value: (c) => c.components.konnectivity.enabled,
    why: 'the API server sends logs, exec, port-forward and webhook traffic through the Konnectivity tunnels only after it restarts with the egress selector configuration; an API server that egresses through Konnectivity without running agents cannot reach any node',
    procedure:
      'on: apply (the agents start and wait for the server), install the control-plane files (the server\'s static pod, the egress selector configuration, the kubeadm flags) and restart kube-apiserver one control-plane node at a time; check with `cluster-doctor`. Off: restart every kube-apiserver without the egress selector first, then apply (the agents are deleted)',
  },
  {
    id: 'api-server-endpoint',
    class: 'disruptive',
    path: 'apiServer.host',
    pathOf: (o, n) => (o.apiServer.host === n.apiServer.host ? 'apiServer.port' : 'apiServer.host'),
    value: (c) => c.apiServer.endpoint,
    why: 'the API server certificate names the endpoint, kubeadm\'s controlPlaneEndpoint and every kubeconfig (kubelets, controllers, admins) point at it, and Konnectivity agents dial it when no serverHost is set',
    procedure:
      'make the new endpoint reach the API servers while the old one still does; reissue the API server certificate with both names (`cluster-pki generate`, or `kubeadm certs renew apiserver`), restart kube-apiserver; rewrite every kubeconfig and restart the kubelets; apply; retire the old endpoint last',
  },
  {
    id: 'certificate-sans',
    class: 'disruptive',
    path: 'pki.apiServerCertSANs',
    pathOf: (o, n) => (JSON.stringify(sortedSans(o.pki.apiServerCertSANs)) === JSON.stringify(sortedSans(n.pki.apiServerCertSANs)) ? 'pki.etcdCertSANs' : 'pki.apiServerCertSANs'),
    value: (c) => ({ apiServer: sortedSans(c.pki.apiServerCertSANs), etcd: sortedSans(c.pki.etcdCertSANs) }),
    why: 'the API server and etcd serving certificates carry these names; the running ones do not change until they are reissued',
    procedure: 'reissue the affected serving certificates on each control-plane node (`kubeadm certs renew apiserver` / `etcd-server` / `etcd-peer` after updating the kubeadm config, or `cluster-pki generate`) and restart the static pods one node at a time',
  },
  {
    id: 'cloud-provider',
    class: 'disruptive',
    path: 'cloudProvider.type',
    value: (c) => (c.cloudProvider.type === 'external' ? `external:${c.cloudProvider.name}` : 'none'),
    why: 'kubelets started with --cloud-provider=external taint their node until the cloud-controller-manager initializes it, and node addresses, routes and load balancers change owner',
    procedure:
      'to external: apply (the CCM comes up), then node by node install the new kubelet config and restart the kubelet; watch that the CCM removes the node.cloudprovider.kubernetes.io/uninitialized taint. To none: change the kubelets first, then apply (the CCM is deleted); cloud load balancers it made are not deleted',
  },
  {
    id: 'encryption-at-rest',
    class: 'disruptive',
    path: 'apiServer.encryptionAtRest',
    value: (c) => {
      const e = c.apiServer.encryptionAtRest;
      if (!e.enabled) return { enabled: false };
      return { enabled: true, provider: e.provider, resources: e.resources, ...(e.provider === 'kms' ? { kms: e.kms.name } : { keys: e.keys.map((k) => k.name) }) };
    },
    why: 'the API server only encrypts (or decrypts) what it writes after restarting with the new EncryptionConfiguration; existing data stays as it was until rewritten, and removing a key still in use makes its data unreadable',
    procedure:
      'follow the key rotation of docs/node-and-control-plane-files.md: each step on every control-plane node (install the file, restart kube-apiserver) before the next; rewrite the data (`kubectl get secrets -A -o json | kubectl replace -f -`) before removing an old key or provider',
  },
];

/**
 * The Kubernetes minor changes by its own rule: kubeadm upgrades one minor at a time and never downgrades.
 */
function kubernetesVersionChange(oldConfig: ClusterConfig, newConfig: ClusterConfig): Omit<ConfigChange, 'acknowledged'> | undefined {
  const o = oldConfig.kubernetesVersion;
  const n = newConfig.kubernetesVersion;
  const base = { path: 'kubernetesVersion', oldValue: o.semver, newValue: n.semver };
  if (n.minor === o.minor) return undefined;
  if (n.minor === o.minor + 1) {
    return {
      ...base,
      class: 'disruptive',
      id: 'kubernetes-minor-upgrade',
      why: `the control plane and every kubelet move from 1.${o.minor} to 1.${n.minor}; the add-ons (CoreDNS, Konnectivity, Windows kube-proxy) follow the new minor and expect it`,
      procedure:
        '`kubeadm upgrade apply` on the first control-plane node, `kubeadm upgrade node` on the others; then node by node: drain, upgrade kubelet and kubectl, `kubeadm upgrade node`, restart the kubelet, uncordon; apply the objects after the control plane is upgraded',
    };
  }
  if (n.minor > o.minor) {
    return {
      ...base,
      class: 'impossible',
      id: 'kubernetes-minor-skip',
      why: `kubeadm and the Kubernetes version skew policy allow one minor per upgrade (1.${o.minor} to 1.${o.minor + 1}), not 1.${o.minor} to 1.${n.minor}`,
      procedure: `upgrade one minor at a time: plan and apply kubernetesVersion 1.${o.minor + 1}.x first, then the next`,
    };
  }
  return {
    ...base,
    class: 'impossible',
    id: 'kubernetes-downgrade',
    why: `a cluster cannot go back from 1.${o.minor} to 1.${n.minor}: etcd holds objects stored in the newer versions`,
    procedure: 'keep the current minor; to go back, restore an etcd backup taken before the upgrade',
  };
}

/** A value as the plan shows it: JSON-safe, so renderers and `--json` print the same thing. */
function plain(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** The disruptive and impossible config changes from `oldConfig` to `newConfig`, impossible first. */
export function configChanges(oldConfig: ClusterConfig, newConfig: ClusterConfig, allowed: ReadonlySet<string>): ConfigChange[] {
  const found: Omit<ConfigChange, 'acknowledged'>[] = [];
  const version = kubernetesVersionChange(oldConfig, newConfig);
  if (version) found.push(version);
  for (const rule of RULES) {
    const oldValue = plain(rule.value(oldConfig));
    const newValue = plain(rule.value(newConfig));
    if (JSON.stringify(oldValue) === JSON.stringify(newValue)) continue;
    if (rule.when && !rule.when(oldConfig, newConfig)) continue;
    found.push({ class: rule.class, id: rule.id, path: rule.pathOf?.(oldConfig, newConfig) ?? rule.path, oldValue, newValue, why: rule.why, procedure: rule.procedure });
  }
  const rank = (c: { class: string }) => (c.class === 'impossible' ? 0 : 1);
  return found.sort((a, b) => rank(a) - rank(b)).map((c) => ({ ...c, acknowledged: allowed.has(c.id) }));
}
