import { Cidr, IpAddress } from '../net/cidr';
import { splitUpstream } from './corefile';

/**
 * What the loop checks know of the cluster network. The address facts are missing when the networking section
 * is itself invalid (its own errors are reported then); the zone checks need only the domain.
 */
export interface DnsLoopFacts {
  /** Cluster DNS domain, e.g. `cluster.local`. */
  readonly dnsDomain: string;
  readonly dnsServiceIP?: IpAddress;
  readonly nodeLocalDnsIP?: IpAddress;
  readonly serviceCidrs?: readonly Cidr[];
  readonly podCidrs?: readonly Cidr[];
}

/** The forwarding part of the CoreDNS config the checks read. */
export interface DnsForwarding {
  readonly upstreams: readonly string[];
  readonly stubDomains: Readonly<Record<string, readonly string[]>>;
}

/** One refused upstream or zone: the shape of a config issue, with the field path under `base`. */
export interface DnsLoopIssue {
  readonly path: string;
  readonly value: unknown;
  readonly message: string;
  readonly hint: string;
}

const SELF_LOOP = 'a forward loop the loop plugin stops by exiting';

/**
 * Why forwarding to `upstream` comes back into the cluster DNS (or goes nowhere), or undefined when it does not.
 * `zone` is the stub domain forwarded, or undefined for the main block's upstreams.
 */
function upstreamLoop(upstream: string, facts: DnsLoopFacts, zone: string | undefined): string | undefined {
  const forwarded = zone ?? 'names outside the cluster';
  // paths and node-cache placeholders are no address; a host that is no IP is refused by the Corefile check
  const split = splitUpstream(upstream);
  const ip = split && IpAddress.tryParse(split.host)?.unmapped();
  if (!split || !ip) return undefined;
  if (facts.nodeLocalDnsIP && ip.equals(facts.nodeLocalDnsIP)) {
    // node-cache forwards the cluster domain and the reverse zones to CoreDNS, everything else to the node's resolvers
    return zone === undefined
      ? 'is the NodeLocal DNS address (networking.nodeLocalDnsIP): node-cache forwards reverse lookups (in-addr.arpa, ip6.arpa) to CoreDNS, whose kubernetes plugin passes those it cannot answer on to this upstream, so they would circle between the two (a forward loop)'
      : `is the NodeLocal DNS address (networking.nodeLocalDnsIP): node-cache is no server for ${zone}; it passes the query to the node's resolvers, or for a reverse or cluster zone back to CoreDNS (a forward loop)`;
  }
  if (facts.dnsServiceIP && ip.equals(facts.dnsServiceIP)) {
    return `is the cluster DNS Service IP: CoreDNS would forward ${forwarded} to itself (${SELF_LOOP})`;
  }
  if (ip.isLoopback()) {
    // the CoreDNS pod has its own network namespace (not the host's), where only CoreDNS listens
    return split.port === undefined || split.port === '53'
      ? `is a loopback address: in the CoreDNS pod that is CoreDNS itself, so it would forward ${forwarded} to itself (${SELF_LOOP})`
      : `is a loopback address: nothing but CoreDNS listens in the CoreDNS pod, so ${forwarded} would get no answer`;
  }
  const service = facts.serviceCidrs?.find((c) => c.contains(ip));
  if (service) {
    return `is inside the service subnet ${service}: a ClusterIP is reached through kube-proxy, so CoreDNS would depend on kube-proxy and that Service's pods for ${forwarded}, and a resolver there that uses cluster DNS sends it back (a forward loop)`;
  }
  return undefined;
}

/** Lower-case, without the trailing dot; the root zone is "". */
function normalize(zone: string): string {
  return zone === '.' ? '' : zone.toLowerCase().replace(/\.$/, '');
}

/** Whether `name` is `zone` or a name under it (`zone` "" is the root, which holds every name). */
function within(name: string, zone: string): boolean {
  return zone === '' || name === zone || name.endsWith(`.${zone}`);
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;
const NIBBLE = /^[0-9a-f]$/;

/**
 * The address ranges whose reverse (PTR) names lie in `zone`, or undefined when it is no reverse zone.
 * `10.in-addr.arpa` is 10.0.0.0/8; `arpa` holds both families. A label that is no octet or nibble (an RFC 2317
 * classless delegation such as `0-25.2.0.192.in-addr.arpa`) ends the walk, so the range is the one the labels
 * to its right name: a superset, which only makes the check stricter.
 */
export function reverseZoneRanges(zone: string): Cidr[] | undefined {
  const z = normalize(zone);
  if (z === 'arpa') return [Cidr.parse('0.0.0.0/0'), Cidr.parse('::/0')];
  const family = within(z, 'in-addr.arpa') ? 4 : within(z, 'ip6.arpa') ? 6 : undefined;
  if (!family) return undefined;
  const labels = z.split('.').slice(0, -2).reverse();
  const parts: string[] = [];
  for (const label of labels) {
    if (family === 4 ? !OCTET.test(label) || Number(label) > 255 || parts.length === 4 : !NIBBLE.test(label) || parts.length === 32) break;
    parts.push(label);
  }
  if (family === 4) return [Cidr.parse(`${[...parts, '0', '0', '0', '0'].slice(0, 4).join('.')}/${parts.length * 8}`)];
  const hex = parts.join('').padEnd(32, '0');
  return [Cidr.parse(`${hex.match(/.{4}/g)!.join(':')}/${parts.length * 4}`)];
}

/** Why a stub zone takes names away from the cluster's own block, or undefined when it does not. */
function zoneShadow(zone: string, facts: DnsLoopFacts): { message: string; hint: string } | undefined {
  const z = normalize(zone);
  const domain = normalize(facts.dnsDomain);
  const outside = `pick a zone outside ${domain} that does not contain it either`;
  if (z === '') {
    return {
      message: 'is the root zone: its server block would take "." from the main block, and with it the cluster domain and every other name',
      hint: 'set the resolvers for names outside the cluster in components.coredns.upstreams, and give stub domains their own zones',
    };
  }
  if (within(z, domain)) {
    return { message: `is inside the cluster domain ${domain}: its server block would answer those names instead of the kubernetes plugin, sending cluster names out of the cluster`, hint: outside };
  }
  if (within(domain, z)) {
    return { message: `contains the cluster domain ${domain}: CoreDNS picks the server block with the longest matching zone, so ${domain} names would go to this stub instead of the kubernetes plugin`, hint: outside };
  }
  const ranges = reverseZoneRanges(z);
  if (!ranges) return undefined;
  const covered = [
    ...(facts.serviceCidrs ?? []).filter((c) => ranges.some((r) => r.overlaps(c))).map((c) => `${c} (Services)`),
    ...(facts.podCidrs ?? []).filter((c) => ranges.some((r) => r.overlaps(c))).map((c) => `${c} (pods)`),
  ];
  if (!covered.length) return undefined;
  return {
    message: `covers the reverse lookups of ${covered.join(' and ')}: the kubernetes plugin answers PTR queries for Service and pod IPs, and this block would send them out of the cluster`,
    hint: 'give only the reverse zone of your own network, outside the service and pod subnets, e.g. 0.168.192.in-addr.arpa for 192.168.0.0/24',
  };
}

/**
 * Upstreams and stub domains that would make CoreDNS forward back into the cluster DNS (the Service IP, the
 * NodeLocal DNS address, a loopback address, any Service IP) or take names from the cluster's own server block
 * (the root zone, the cluster domain, a zone containing it, reverse zones of the service or pod subnets).
 * Paths, placeholders and hosts that are no IP are left to the Corefile check.
 */
export function findDnsLoops(forwarding: DnsForwarding, facts: DnsLoopFacts, base = 'components.coredns'): DnsLoopIssue[] {
  const issues: DnsLoopIssue[] = [];
  forwarding.upstreams.forEach((upstream, i) => {
    const message = upstreamLoop(upstream, facts, undefined);
    if (message) issues.push({ path: `${base}.upstreams.${i}`, value: upstream, message, hint: 'name resolvers outside the cluster by their own addresses, or /etc/resolv.conf (the node\'s resolvers)' });
  });
  for (const [zone, upstreams] of Object.entries(forwarding.stubDomains)) {
    const shadow = zoneShadow(zone, facts);
    if (shadow) issues.push({ path: `${base}.stubDomains.${zone}`, value: zone, ...shadow });
    upstreams.forEach((upstream, i) => {
      const message = upstreamLoop(upstream, facts, zone);
      if (message) issues.push({ path: `${base}.stubDomains.${zone}.${i}`, value: upstream, message, hint: `list the name servers of ${zone} by their own addresses, outside the cluster` });
    });
  }
  return issues;
}
