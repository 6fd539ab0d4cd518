import type { Corefile, CorefilePlugin, ServerBlock } from './corefile';
import { checkUpstream, CorefileError } from './corefile';

export interface ClusterCorefileOptions {
  /** Cluster DNS domain, e.g. cluster.local. */
  readonly domain: string;
  /** Kubernetes minor version: kubeadm 1.33+ stops caching the cluster domain's answers. */
  readonly kubernetesMinor: number;
  /** Upstreams for names outside the cluster. */
  readonly upstreams: readonly string[];
  /** Extra zones forwarded to their own servers (one server block each). */
  readonly stubDomains?: Readonly<Record<string, readonly string[]>>;
  readonly forward?: { readonly maxConcurrent?: number; readonly policy?: 'random' | 'round_robin' | 'sequential'; readonly forceTcp?: boolean };
  /** Verbatim plugin lines added to the main server block before `cache` (the escape hatch). */
  readonly extraPlugins?: readonly string[];
  readonly federations?: Readonly<Record<string, string>>;
}

/** A stub domain's server block, as kubeadm writes them when it migrates kube-dns stub domains. */
export function stubDomainBlock(zone: string, upstreams: readonly string[]): ServerBlock {
  return { zones: [zone], plugins: [{ name: 'errors' }, { name: 'cache', ttl: 30 }, { name: 'loop' }, { name: 'forward', from: '.', to: upstreams }] };
}

/**
 * The cluster Corefile. With default options it is the Corefile kubeadm installs for the same Kubernetes
 * version (a test compares them line by line).
 */
export function clusterCorefile(o: ClusterCorefileOptions): Corefile {
  const cacheDisable = o.kubernetesMinor >= 33 ? { disable: { success: [o.domain], denial: [o.domain] } } : {};
  const plugins: CorefilePlugin[] = [
    { name: 'errors' },
    { name: 'health', lameduck: '5s' },
    { name: 'ready' },
    { name: 'kubernetes', zones: [o.domain, 'in-addr.arpa', 'ip6.arpa'], pods: 'insecure', fallthrough: ['in-addr.arpa', 'ip6.arpa'], ttl: 30 },
    ...(o.federations && Object.keys(o.federations).length ? [{ name: 'federation' as const, domain: o.domain, federations: o.federations }] : []),
    { name: 'prometheus', address: ':9153' },
    { name: 'forward', from: '.', to: o.upstreams, maxConcurrent: o.forward?.maxConcurrent ?? 1000, ...(o.forward?.policy ? { policy: o.forward.policy } : {}), ...(o.forward?.forceTcp ? { forceTcp: true } : {}) },
    ...(o.extraPlugins ?? []).map((text) => ({ name: 'raw' as const, text })),
    { name: 'cache', ttl: 30, ...cacheDisable },
    { name: 'loop' },
    { name: 'reload' },
    { name: 'loadbalance' },
  ];
  const stubs = Object.entries(o.stubDomains ?? {}).map(([zone, ips]) => stubDomainBlock(zone, ips));
  return [{ zones: ['.'], plugins }, ...stubs];
}

function parseJson<T>(key: string, text: string | undefined, check: (v: unknown) => v is T, shape: string): T | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CorefileError(`kube-dns ConfigMap ${key}`, `is not valid JSON (${(e as Error).message})`, `write it as ${shape}`);
  }
  if (!check(value)) throw new CorefileError(`kube-dns ConfigMap ${key}`, 'has the wrong shape', `write it as ${shape}`);
  return value;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isRecordOf =
  <T>(item: (v: unknown) => v is T) =>
  (v: unknown): v is Record<string, T> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(item);

export interface KubeDnsMigration {
  readonly options: ClusterCorefileOptions;
  readonly corefile: Corefile;
  /** Things the migrated Corefile keeps but a current CoreDNS will not run. */
  readonly warnings: readonly string[];
}

/**
 * kube-dns → CoreDNS, as kubeadm translates the kube-dns ConfigMap: `stubDomains` become server blocks,
 * `upstreamNameservers` replace /etc/resolv.conf as the upstreams, `federations` become a federation plugin
 * in the cluster block.
 */
export function migrateKubeDnsConfigMap(data: Readonly<Record<string, string>>, base: Omit<ClusterCorefileOptions, 'upstreams' | 'stubDomains' | 'federations'>): KubeDnsMigration {
  const stubDomains = parseJson('stubDomains', data.stubDomains, isRecordOf(isStringArray), '{"example.com": ["10.0.0.53"]}');
  const upstreams = parseJson('upstreamNameservers', data.upstreamNameservers, isStringArray, '["8.8.8.8", "8.8.4.4"]');
  const federations = parseJson('federations', data.federations, isRecordOf((v): v is string => typeof v === 'string'), '{"myfed": "fed.example.com"}');
  for (const [zone, ips] of Object.entries(stubDomains ?? {})) {
    if (!ips.length) throw new CorefileError(`kube-dns ConfigMap stubDomains.${zone}`, 'has no nameservers', 'list at least one IP');
    ips.forEach((ip) => checkUpstream(`kube-dns ConfigMap stubDomains.${zone}`, ip));
  }
  (upstreams ?? []).forEach((ip) => checkUpstream('kube-dns ConfigMap upstreamNameservers', ip));
  const options: ClusterCorefileOptions = {
    ...base,
    upstreams: upstreams?.length ? upstreams : ['/etc/resolv.conf'],
    ...(stubDomains ? { stubDomains } : {}),
    ...(federations ? { federations } : {}),
  };
  const warnings = federations && Object.keys(federations).length ? ['federations: the federation plugin was removed from CoreDNS in 1.7.0; current CoreDNS will not start with it'] : [];
  return { options, corefile: clusterCorefile(options), warnings };
}
