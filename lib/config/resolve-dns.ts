import { clusterCorefile, stubDomainBlock } from '../dns/cluster-corefile';
import { checkCorefile, CorefileError, type Corefile } from '../dns/corefile';
import { findDnsLoops, type DnsLoopFacts } from '../dns/dns-loops';
import type { KubernetesVersion, ResolvedCoreDnsConfig } from './cluster-config';
import { DEFAULT_CLUSTER_CONFIG as D } from './defaults';
import type { ConfigIssue } from './errors';
import type { ClusterConfigFile } from './types';

/**
 * The CoreDNS release kubeadm installs for a Kubernetes minor version (kubeadm's constants.CoreDNSVersion in the
 * newest patch release of that minor; patch releases move it too: 1.30.14 pins v1.11.3, 1.30.0 pinned v1.11.1).
 */
export function kubeadmCoreDnsVersion(minor: number): string {
  if (minor >= 35) return 'v1.13.1';
  if (minor >= 34) return 'v1.12.1';
  if (minor >= 33) return 'v1.12.0';
  if (minor >= 30) return 'v1.11.3';
  if (minor >= 29) return 'v1.11.1';
  return 'v1.10.1';
}

/**
 * Resolves the CoreDNS section; the Corefile it implies is built and checked here, so errors name config paths.
 * `network` holds what is known of the cluster network (only the domain when the networking section is invalid):
 * upstreams and stub domains that would forward back into the cluster DNS or shadow its zones are refused.
 */
export function resolveCoreDns(file: ClusterConfigFile, version: KubernetesVersion | undefined, network: DnsLoopFacts, issues: ConfigIssue[]): ResolvedCoreDnsConfig {
  const dnsDomain = network.dnsDomain;
  const c = file.components?.coredns ?? {};
  const resolved: ResolvedCoreDnsConfig = {
    enabled: c.enabled ?? D.components.coredns.enabled,
    version: c.version ?? kubeadmCoreDnsVersion(version?.minor ?? 35),
    replicas: c.replicas ?? D.components.coredns.replicas,
    upstreams: c.upstreams ?? ['/etc/resolv.conf'],
    stubDomains: c.stubDomains ?? {},
    forward: {
      maxConcurrent: c.forward?.maxConcurrent ?? D.components.coredns.forward.maxConcurrent,
      forceTcp: c.forward?.forceTcp ?? D.components.coredns.forward.forceTcp,
      ...(c.forward?.policy ? { policy: c.forward.policy } : {}),
    },
    extraPlugins: c.extraPlugins ?? [],
    memoryLimit: c.memoryLimit ?? D.components.coredns.memoryLimit,
  };
  const loops = findDnsLoops(resolved, network);
  issues.push(...loops);
  if (!resolved.upstreams.length) {
    issues.push({ path: 'components.coredns.upstreams', value: c.upstreams, message: 'forward has no upstreams', hint: 'list at least one upstream, or remove the field to use /etc/resolv.conf' });
    return resolved;
  }
  // each part is checked on its own so an error names the config path it came from
  const check = (path: string, value: unknown, corefile: Corefile) => {
    try {
      checkCorefile(corefile);
      return true;
    } catch (e) {
      if (!(e instanceof CorefileError)) throw e;
      issues.push({ path, value, message: e.message.split('; hint: ')[0], hint: e.hint });
      return false;
    }
  };
  const base = clusterCorefile({ domain: dnsDomain, kubernetesMinor: version?.minor ?? 35, ...resolved, stubDomains: {} });
  if (!check('components.coredns.upstreams', resolved.upstreams, base)) return resolved;
  const accepted: Corefile[number][] = [...base];
  for (const [zone, upstreams] of Object.entries(resolved.stubDomains)) {
    const path = `components.coredns.stubDomains.${zone}`;
    // a zone refused above (the root zone would also be a duplicate of the main block) is not reported twice
    if (loops.some((i) => i.path === path)) continue;
    const block = stubDomainBlock(zone, upstreams);
    if (check(path, upstreams, [...accepted, block])) accepted.push(block);
  }
  return resolved;
}
