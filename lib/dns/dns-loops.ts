import type { ConfigIssue } from '../config/errors';
import { Cidr, IpAddress } from '../net/cidr';
import { splitUpstream } from './corefile';

/** The network facts a forward loop is judged against (derived once with the config). */
export interface DnsLoopFacts {
  readonly dnsDomain: string;
  readonly dnsServiceIP: IpAddress;
  readonly nodeLocalDnsIP: IpAddress;
  readonly serviceCidrs: readonly Cidr[];
  readonly podCidrs: readonly Cidr[];
}

const OUTSIDE_HINT = 'name resolvers outside the cluster (their IPs), or /etc/resolv.conf for the node\'s own';

/** Why an upstream address would send CoreDNS's queries back into the cluster, or undefined when it is outside. */
export function loopingUpstream(upstream: string, facts: DnsLoopFacts): string | undefined {
  const host = splitUpstream(upstream)?.host;
  const ip = host === undefined ? undefined : IpAddress.tryParse(host);
  if (!ip) return undefined;
  if (ip.equals(facts.dnsServiceIP)) return 'is the cluster DNS Service IP: CoreDNS would forward to itself, a loop its loop plugin ends by exiting';
  if (ip.equals(facts.nodeLocalDnsIP)) return 'is the NodeLocal DNS IP, which forwards back to CoreDNS: a forward loop';
  const service = facts.serviceCidrs.find((c) => c.contains(ip));
  if (service) return `is inside the service CIDR ${service}: CoreDNS would resolve through a Service of its own cluster, which kube-proxy routes and CoreDNS itself may answer`;
  const pod = facts.podCidrs.find((c) => c.contains(ip));
  if (pod) return `is inside the pod CIDR ${pod}: a pod as upstream resolver depends on the cluster DNS it serves`;
  return undefined;
}

function normalizeZone(zone: string): string {
  return zone.toLowerCase().replace(/\.$/, '');
}

/** The IPv4 network a reverse zone stands for (`96.10.in-addr.arpa` -> 10.96.0.0/16), if it is one. */
export function reverseZoneCidr(zone: string): Cidr | undefined {
  const z = normalizeZone(zone);
  if (z === 'in-addr.arpa') return Cidr.parse('0.0.0.0/0');
  const m = /^((?:\d{1,3}\.){1,4})in-addr\.arpa$/.exec(z);
  if (!m) return undefined;
  const octets = m[1].slice(0, -1).split('.').reverse().map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const padded = [...octets, 0, 0, 0, 0].slice(0, 4);
  return Cidr.parse(`${padded.join('.')}/${octets.length * 8}`);
}

/** Why a stub zone would take names away from the cluster's own zones, or undefined when it does not. */
export function shadowingStubZone(zone: string, facts: DnsLoopFacts): string | undefined {
  const z = normalizeZone(zone);
  const domain = normalizeZone(facts.dnsDomain);
  if (z === '' || z === '.') return 'is the root zone: it would take every name away from the main server block';
  if (z === domain || domain.endsWith(`.${z}`)) return `contains the cluster domain ${facts.dnsDomain}: Service and pod names would go to the stub server instead of the kubernetes plugin`;
  if (z.endsWith(`.${domain}`)) return `is inside the cluster domain ${facts.dnsDomain}, which the kubernetes plugin answers`;
  if (z === 'ip6.arpa' || z.endsWith('.ip6.arpa')) {
    if (facts.serviceCidrs.some((c) => c.family === 6) || facts.podCidrs.some((c) => c.family === 6)) return 'is an IPv6 reverse zone of a dual-stack cluster: reverse lookups of Service and pod IPs would leave the cluster';
    return undefined;
  }
  const reverse = reverseZoneCidr(z);
  const covered = reverse && [...facts.serviceCidrs, ...facts.podCidrs].find((c) => c.overlaps(reverse));
  if (covered) return `is a reverse zone overlapping ${covered}: reverse lookups of its IPs would leave the cluster instead of reaching the kubernetes plugin`;
  return undefined;
}

/**
 * Refuses forward loops and shadowed cluster zones in the CoreDNS section: upstreams (of the main block and of each
 * stub domain) that point back into the cluster, and stub zones that take the cluster's own names.
 */
export function dnsLoopIssues(coredns: { readonly upstreams: readonly string[]; readonly stubDomains: Readonly<Record<string, readonly string[]>> }, facts: DnsLoopFacts): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  coredns.upstreams.forEach((u, i) => {
    const why = loopingUpstream(u, facts);
    if (why) issues.push({ path: `components.coredns.upstreams[${i}]`, value: u, message: why, hint: OUTSIDE_HINT });
  });
  for (const [zone, upstreams] of Object.entries(coredns.stubDomains)) {
    const shadow = shadowingStubZone(zone, facts);
    if (shadow) issues.push({ path: `components.coredns.stubDomains.${zone}`, value: zone, message: shadow, hint: `pick a zone outside ${facts.dnsDomain} and outside the reverse zones of the pod and service CIDRs, e.g. corp.example` });
    upstreams.forEach((u, i) => {
      const why = loopingUpstream(u, facts);
      if (why) issues.push({ path: `components.coredns.stubDomains.${zone}[${i}]`, value: u, message: why, hint: 'name the stub domain\'s own DNS servers, outside the cluster' });
    });
  }
  return issues;
}
