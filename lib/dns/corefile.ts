import { IpAddress } from '../net/cidr';

/**
 * A typed model of the Corefile a cluster DNS server runs, and a pure renderer. Plugins the model does not
 * know go in as `raw` lines (the escape hatch); everything else is checked by `checkCorefile`.
 */
export type CorefilePlugin =
  | { readonly name: 'errors' }
  | { readonly name: 'health'; readonly address?: string; readonly lameduck?: string }
  | { readonly name: 'ready'; readonly address?: string }
  | {
      readonly name: 'kubernetes';
      readonly zones: readonly string[];
      readonly pods?: 'disabled' | 'insecure' | 'verified';
      /** Zones to fall through for (empty list = all zones). */
      readonly fallthrough?: readonly string[];
      readonly ttl?: number;
    }
  | { readonly name: 'prometheus'; readonly address: string }
  | {
      readonly name: 'forward';
      readonly from: string;
      /** Upstreams: IP[:port] addresses, or a resolv.conf path such as /etc/resolv.conf. */
      readonly to: readonly string[];
      readonly maxConcurrent?: number;
      readonly forceTcp?: boolean;
      readonly policy?: 'random' | 'round_robin' | 'sequential';
    }
  | {
      readonly name: 'cache';
      readonly ttl: number;
      readonly success?: { readonly capacity: number; readonly ttl?: number };
      readonly denial?: { readonly capacity: number; readonly ttl?: number };
      /** Zones whose positive/negative answers are not cached (kubeadm does this for the cluster domain). */
      readonly disable?: { readonly success?: readonly string[]; readonly denial?: readonly string[] };
    }
  | { readonly name: 'loop' }
  | { readonly name: 'reload' }
  | { readonly name: 'loadbalance' }
  | { readonly name: 'bind'; readonly addresses: readonly string[] }
  /** kube-dns federations, as kubeadm's migration keeps them (the plugin left CoreDNS in 1.7.0). */
  | { readonly name: 'federation'; readonly domain: string; readonly federations: Readonly<Record<string, string>> }
  /** Escape hatch: a plugin line (or block) written verbatim. */
  | { readonly name: 'raw'; readonly text: string };

export interface ServerBlock {
  readonly zones: readonly string[];
  /** @default 53 */
  readonly port?: number;
  readonly plugins: readonly CorefilePlugin[];
}

export type Corefile = readonly ServerBlock[];

/** A problem in a Corefile model: where (block/plugin), what, and what to do. */
export class CorefileError extends Error {
  constructor(
    readonly where: string,
    problem: string,
    readonly hint: string,
  ) {
    super(`${where}: ${problem}; hint: ${hint}`);
    this.name = 'CorefileError';
  }
}

const ZONE = /^(\.|([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?\.?)$/;

/**
 * An upstream's host and port as written (`10.0.0.53`, `10.0.0.53:5353`, `fd00::53`, `[fd00::53]:53`); undefined
 * for a resolv.conf path or a placeholder node-cache fills at run time. The host is not checked to be an IP.
 */
export function splitUpstream(upstream: string): { readonly host: string; readonly port?: string } | undefined {
  if (upstream.startsWith('/') || /^__PILLAR__[A-Z_]+__$/.test(upstream)) return undefined;
  const v6 = /^\[(.+)\](?::(\d+))?$/.exec(upstream);
  const [host, port] = v6 ? [v6[1], v6[2]] : upstream.includes(':') && upstream.split(':').length === 2 ? upstream.split(':') : [upstream, undefined];
  return port === undefined ? { host } : { host, port };
}

/** Checks an upstream: an IP with optional port, or an absolute resolv.conf path. */
export function checkUpstream(where: string, upstream: string): void {
  const split = splitUpstream(upstream);
  if (!split) return;
  const { host, port } = split;
  try {
    IpAddress.parse(host);
  } catch {
    throw new CorefileError(where, `upstream "${upstream}" is not an IP address`, 'give IPs such as 10.0.0.53 or 10.0.0.53:5353, or a path such as /etc/resolv.conf');
  }
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    throw new CorefileError(where, `upstream "${upstream}" has an invalid port`, 'use a port from 1 to 65535');
  }
}

function normalizeZone(zone: string): string {
  return zone === '.' ? '.' : `${zone.replace(/\.$/, '')}.`;
}

/** Refuses duplicate zone/port pairs, forwards without upstreams, bad upstreams and zone names. */
export function checkCorefile(corefile: Corefile): void {
  const seen = new Map<string, number>();
  corefile.forEach((block, i) => {
    const where = `server block ${i} (${block.zones.join(' ')})`;
    if (!block.zones.length) throw new CorefileError(where, 'has no zones', 'list at least one zone, "." for the root');
    for (const zone of block.zones) {
      if (!ZONE.test(zone)) throw new CorefileError(where, `zone "${zone}" is not a domain name`, 'use lower-case DNS names such as example.com');
      const key = `${normalizeZone(zone)}:${block.port ?? 53}`;
      if (seen.has(key)) throw new CorefileError(where, `zone "${zone}" on port ${block.port ?? 53} is also served by server block ${seen.get(key)}`, 'merge the blocks or remove one: a zone may appear once per port');
      seen.set(key, i);
    }
    for (const plugin of block.plugins) {
      if (plugin.name === 'forward') {
        if (!plugin.to.length) throw new CorefileError(`${where} forward`, 'has no upstreams', 'list at least one upstream, e.g. /etc/resolv.conf');
        plugin.to.forEach((u) => checkUpstream(`${where} forward`, u));
      }
    }
  });
}

function block(head: string, lines: readonly string[]): string[] {
  return lines.length ? [`${head} {`, ...lines.map((l) => `    ${l}`), '}'] : [head];
}

function renderPlugin(p: CorefilePlugin): string[] {
  switch (p.name) {
    case 'health':
      return block(['health', p.address].filter(Boolean).join(' '), p.lameduck ? [`lameduck ${p.lameduck}`] : []);
    case 'ready':
      return [['ready', p.address].filter(Boolean).join(' ')];
    case 'kubernetes':
      return block(`kubernetes ${p.zones.join(' ')}`, [
        ...(p.pods ? [`pods ${p.pods}`] : []),
        ...(p.fallthrough ? [['fallthrough', ...p.fallthrough].join(' ')] : []),
        ...(p.ttl !== undefined ? [`ttl ${p.ttl}`] : []),
      ]);
    case 'prometheus':
      return [`prometheus ${p.address}`];
    case 'forward':
      return block(`forward ${p.from} ${p.to.join(' ')}`, [
        ...(p.forceTcp ? ['force_tcp'] : []),
        ...(p.maxConcurrent !== undefined ? [`max_concurrent ${p.maxConcurrent}`] : []),
        ...(p.policy ? [`policy ${p.policy}`] : []),
      ]);
    case 'cache':
      return block(`cache ${p.ttl}`, [
        ...(p.success ? [['success', p.success.capacity, p.success.ttl].filter((v) => v !== undefined).join(' ')] : []),
        ...(p.denial ? [['denial', p.denial.capacity, p.denial.ttl].filter((v) => v !== undefined).join(' ')] : []),
        ...(p.disable?.success?.length ? [`disable success ${p.disable.success.join(' ')}`] : []),
        ...(p.disable?.denial?.length ? [`disable denial ${p.disable.denial.join(' ')}`] : []),
      ]);
    case 'bind':
      return [`bind ${p.addresses.join(' ')}`];
    case 'federation':
      return block(`federation ${p.domain}`, Object.entries(p.federations).map(([name, zone]) => `${name} ${zone}`));
    case 'raw':
      return p.text.split('\n');
    default:
      return [p.name];
  }
}

/** Renders the Corefile text (4-space indentation, one blank line between server blocks). */
export function renderCorefile(corefile: Corefile): string {
  checkCorefile(corefile);
  return (
    corefile
      .map((b) => {
        const head = b.zones.map((z) => `${z}:${b.port ?? 53}`).join(' ');
        return [`${head} {`, ...b.plugins.flatMap(renderPlugin).map((l) => `    ${l}`), '}'].join('\n');
      })
      .join('\n') + '\n'
  );
}
