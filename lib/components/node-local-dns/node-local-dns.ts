import { Construct } from 'constructs';
import * as k8s from '../../k8s';
import type { ClusterConfig } from '../../config/cluster-config';
import type { ServerBlock } from '../../dns/corefile';
import { renderCorefile } from '../../dns/corefile';
import { ImageRef } from '../../images';

export interface NodeLocalDnsProps {
  readonly cluster: ClusterConfig;
  /**
   * Namespace of the objects.
   * @default "kube-system"
   */
  readonly namespace?: string;
}

/** Placeholders node-cache itself fills in at run time; nothing else may be left in the output. */
export const RUNTIME_PLACEHOLDERS = ['__PILLAR__CLUSTER__DNS__', '__PILLAR__UPSTREAM__SERVERS__'] as const;

const NAME = 'node-local-dns';
const LABELS = { 'k8s-app': NAME } as const;
const HEALTH_PORT = 8080;
const METRICS_PORT = 9253;

/** How node-cache is wired (derived once with the config: `network.nodeLocalDnsMode`). */
export function nodeLocalDnsMode(cluster: ClusterConfig): 'intercept-service-ip' | 'link-local-only' {
  return cluster.network.nodeLocalDnsMode;
}

/**
 * The `clusterDNS` kubelets use with NodeLocal DNS enabled (derived once with the config:
 * `network.kubeletClusterDNS`).
 */
export function kubeletClusterDns(cluster: ClusterConfig): string {
  return cluster.network.kubeletClusterDNS;
}

/** Addresses node-cache listens on (`-localip` and every block's `bind`). */
export function nodeLocalListenIps(cluster: ClusterConfig): string[] {
  const local = cluster.network.nodeLocalDnsIP.toString();
  return nodeLocalDnsMode(cluster) === 'intercept-service-ip' ? [local, cluster.network.dnsServiceIP.toString()] : [local];
}

/**
 * The base Corefile: the upstream four server blocks with the values the docs' sed substitutes filled from
 * the config. In link-local-only mode the cluster zones forward straight to the kube-dns IP; in intercept
 * mode node-cache points them at the `kube-dns-upstream` Service at run time (`__PILLAR__CLUSTER__DNS__`).
 */
export function nodeLocalDnsCorefile(cluster: ClusterConfig): string {
  const bind = { name: 'bind' as const, addresses: nodeLocalListenIps(cluster) };
  const clusterDns = nodeLocalDnsMode(cluster) === 'intercept-service-ip' ? '__PILLAR__CLUSTER__DNS__' : cluster.network.dnsServiceIP.toString();
  const common = [{ name: 'errors' as const }, { name: 'reload' as const }, { name: 'loop' as const }, bind];
  const metrics = { name: 'prometheus' as const, address: `:${METRICS_PORT}` };
  const clusterZone = (zone: string, cache: ServerBlock['plugins'][number], health: boolean): ServerBlock => ({
    zones: [zone],
    plugins: [...common, cache, { name: 'forward', from: '.', to: [clusterDns], forceTcp: true }, metrics, ...(health ? [{ name: 'health' as const, address: `${cluster.network.nodeLocalDnsIP}:${HEALTH_PORT}` }] : [])],
  });
  return renderCorefile([
    clusterZone(cluster.network.dnsDomain, { name: 'cache', ttl: 30, success: { capacity: 9984, ttl: 30 }, denial: { capacity: 9984, ttl: 5 } }, true),
    clusterZone('in-addr.arpa', { name: 'cache', ttl: 30 }, false),
    clusterZone('ip6.arpa', { name: 'cache', ttl: 30 }, false),
    { zones: ['.'], plugins: [...common, { name: 'cache', ttl: 30 }, { name: 'forward', from: '.', to: ['__PILLAR__UPSTREAM__SERVERS__'] }, metrics] },
  ]);
}

export function nodeCacheImage(version: string): ImageRef {
  return new ImageRef('registry.k8s.io', 'dns/k8s-dns-node-cache', version);
}

/** NodeLocal DNSCache: a caching DNS agent on every Linux node, on the host network. */
export class NodeLocalDns extends Construct {
  /** The `clusterDNS` kubelets must be configured with. */
  readonly kubeletClusterDns: string;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly upstreamService: k8s.KubeService;
  readonly configMap: k8s.KubeConfigMap;
  readonly daemonSet: k8s.KubeDaemonSet;
  readonly metricsService: k8s.KubeService;

  constructor(scope: Construct, id: string, props: NodeLocalDnsProps) {
    super(scope, id);
    const { cluster } = props;
    const namespace = props.namespace ?? 'kube-system';
    this.kubeletClusterDns = kubeletClusterDns(cluster);
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', { metadata: { name: NAME, namespace } });
    // a second Service in front of the CoreDNS pods: node-cache intercepts the kube-dns IP, so it needs another way in
    this.upstreamService = new k8s.KubeService(this, 'upstream', {
      metadata: { name: 'kube-dns-upstream', namespace, labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'KubeDNSUpstream' } },
      spec: {
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: k8s.IntOrString.fromNumber(53) },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: k8s.IntOrString.fromNumber(53) },
        ],
      },
    });
    this.configMap = new k8s.KubeConfigMap(this, 'config', { metadata: { name: NAME, namespace }, data: { Corefile: nodeLocalDnsCorefile(cluster) } });
    const prometheus = { 'prometheus.io/port': String(METRICS_PORT), 'prometheus.io/scrape': 'true' };
    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemon-set', {
      metadata: { name: NAME, namespace, labels: LABELS },
      spec: {
        updateStrategy: { rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS, annotations: prometheus },
          spec: {
            priorityClassName: 'system-node-critical',
            serviceAccountName: NAME,
            hostNetwork: true,
            dnsPolicy: 'Default',
            // node-cache is a Linux binary that programs iptables; upstream has no selector and would land on Windows
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { effect: 'NoExecute', operator: 'Exists' },
              { effect: 'NoSchedule', operator: 'Exists' },
            ],
            containers: [
              {
                name: 'node-cache',
                image: nodeCacheImage(cluster.components.nodeLocalDns.version).resolve(cluster.imageRegistry),
                resources: { requests: { cpu: k8s.Quantity.fromString('25m'), memory: k8s.Quantity.fromString('5Mi') } },
                args: ['-localip', nodeLocalListenIps(cluster).join(','), '-conf', '/etc/Corefile', '-upstreamsvc', 'kube-dns-upstream', '-pidfile', '/tmp/node-cache.pid'],
                // root with NET_ADMIN for its link and iptables rules; no_new_privs keeps it at that
                securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'] } },
                ports: [
                  { containerPort: 53, name: 'dns', protocol: 'UDP' },
                  { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                  { containerPort: METRICS_PORT, name: 'metrics', protocol: 'TCP' },
                ],
                livenessProbe: {
                  httpGet: { host: cluster.network.nodeLocalDnsIP.toString(), path: '/health', port: k8s.IntOrString.fromNumber(HEALTH_PORT) },
                  initialDelaySeconds: 60,
                  timeoutSeconds: 5,
                },
                volumeMounts: [
                  { name: 'xtables-lock', mountPath: '/run/xtables.lock', readOnly: false },
                  { name: 'config-volume', mountPath: '/etc/coredns' },
                  { name: 'kube-dns-config', mountPath: '/etc/kube-dns' },
                ],
              },
            ],
            volumes: [
              { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
              { name: 'kube-dns-config', configMap: { name: 'kube-dns', optional: true } },
              { name: 'config-volume', configMap: { name: this.configMap.name, items: [{ key: 'Corefile', path: 'Corefile.base' }] } },
            ],
          },
        },
      },
    });
    this.metricsService = new k8s.KubeService(this, 'metrics', {
      metadata: { name: NAME, namespace, labels: LABELS, annotations: prometheus },
      spec: { clusterIp: 'None', ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: k8s.IntOrString.fromNumber(METRICS_PORT) }], selector: LABELS },
    });
  }
}
