import { startCoreDns, type CoreDnsServer } from './coredns';
import { execIn, ipIn, type Netns } from './netns';
import { nodeCacheRewrites, type HostRewrite } from './host-rewrites';
import { stopProcesses } from './processes';

/**
 * NodeLocal DNSCache as node-cache 1.26.7 runs it, with its start-up step done here (the binary is not served by the
 * module proxy): node-cache is CoreDNS (the same release the tier builds) plus, before it starts,
 *   1. the Corefile from `-basecorefile`: __PILLAR__CLUSTER__DNS__ -> the `-upstreamsvc` Service's cluster IP,
 *      __PILLAR__UPSTREAM__SERVERS__ -> the kube-dns ConfigMap's upstreamNameservers, else /etc/resolv.conf;
 *   2. every `-localip` on the `nodelocaldns` link;
 *   3. with `-setupiptables` (its default), NOTRACK rules in raw and ACCEPT rules in filter for each local IP's
 *      port 53, so kube-proxy's DNAT of the Service IP never sees the node-local path.
 * Written from that behaviour; nothing of node-cache's is copied.
 */

export function renderNodeCacheCorefile(base: string, upstreamServiceIP: string, upstreamServers = '/etc/resolv.conf'): string {
  return base.replace(/__PILLAR__CLUSTER__DNS__/g, upstreamServiceIP).replace(/__PILLAR__UPSTREAM__SERVERS__/g, upstreamServers);
}

/** The rules node-cache adds for one local IP (iptables syntax, `-A` form), in the order it adds them. */
export function nodeCacheRules(localIp: string): string[][] {
  const rules: string[][] = [];
  for (const proto of ['udp', 'tcp']) {
    rules.push(['-t', 'raw', '-A', 'PREROUTING', '-p', proto, '-d', localIp, '--dport', '53', '-j', 'NOTRACK']);
    rules.push(['-t', 'filter', '-A', 'INPUT', '-p', proto, '-d', localIp, '--dport', '53', '-j', 'ACCEPT']);
    rules.push(['-t', 'raw', '-A', 'OUTPUT', '-p', proto, '-s', localIp, '--sport', '53', '-j', 'NOTRACK']);
    rules.push(['-t', 'filter', '-A', 'OUTPUT', '-p', proto, '-s', localIp, '--sport', '53', '-j', 'ACCEPT']);
    rules.push(['-t', 'raw', '-A', 'OUTPUT', '-p', proto, '-d', localIp, '--dport', '53', '-j', 'NOTRACK']);
  }
  return rules;
}

export interface RunningNodeCache {
  readonly server: CoreDnsServer;
  readonly ns: Netns;
  readonly localIps: readonly string[];
  readonly corefile: string;
  readonly rewrites: readonly HostRewrite[];
}

/** `-localip` taken from our DaemonSet's args. */
export function localIpsFromArgs(args: readonly string[]): string[] {
  const i = args.indexOf('-localip');
  if (i < 0) throw new Error(`our node-cache args name no -localip: ${args.join(' ')}`);
  return args[i + 1].split(',');
}

export function startNodeCache(options: { ns: Netns; dir: string; baseCorefile: string; args: readonly string[]; upstreamServiceIP: string; cpu?: number }): RunningNodeCache {
  const localIps = localIpsFromArgs(options.args);
  for (const ip of localIps) ipIn(options.ns, ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
  for (const ip of localIps) {
    for (const rule of nodeCacheRules(ip)) {
      const r = execIn(options.ns, 'iptables', ['-w', '5', ...rule]);
      if (r.status !== 0) throw new Error(`iptables ${rule.join(' ')}: ${r.stderr}`);
    }
  }
  const corefile = renderNodeCacheCorefile(options.baseCorefile, options.upstreamServiceIP);
  const server = startCoreDns({ ns: options.ns, dir: options.dir, name: 'node-cache', corefile, cpu: options.cpu });
  return { server, ns: options.ns, localIps, corefile, rewrites: nodeCacheRewrites() };
}

/** Stops it and takes away what its start-up added: the addresses and the rules (node-cache does so on exit). */
export function stopNodeCache(cache: RunningNodeCache): void {
  stopProcesses([cache.server.process.pid]);
  for (const ip of cache.localIps) {
    for (const rule of nodeCacheRules(ip)) execIn(cache.ns, 'iptables', ['-w', '5', ...rule.map((a) => (a === '-A' ? '-D' : a))]);
    execIn(cache.ns, 'ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo']);
  }
}

