import { IpAddress } from '../net/cidr';
import { isDnsSubdomain } from '../net/names';
import { Quantity } from '../resources/quantity';
import type { KubernetesVersion, ResolvedKonnectivity } from './cluster-config';
import { DEFAULT_CLUSTER_CONFIG as D } from './defaults';
import type { ConfigIssue } from './errors';
import { isPairedKonnectivityVersion, KONNECTIVITY_FLAGS_SINCE, konnectivityVersionHasFlag, pairedKonnectivityVersion } from './konnectivity-versions';
import type { ClusterConfigFile, KonnectivityProxyStrategy } from './types';

const PATH = 'components.konnectivity';
/** The server's gRPC keepalive enforcement (MinTime 30 s in v0.0.37 through v0.36.0): agents pinging more often are dropped. */
export const KONNECTIVITY_MIN_KEEPALIVE_MS = 30_000;
/** The flags `serverCountFromLeases` sets: server `--enable-lease-controller`, agent `--count-server-leases`. */
export const LEASE_FLAGS = ['enable-lease-controller', 'count-server-leases'] as const;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration of the form the schema admits (`90s`, `1m30s`, `500ms`). */
export function goDurationMs(text: string): number {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/([0-9]+)(ms|s|m|h)/g)) total += Number(n) * UNIT_MS[unit];
  return total;
}

function defaultStrategies(agentForm: 'daemonset' | 'deployment'): KonnectivityProxyStrategy[] {
  return agentForm === 'daemonset' ? ['destHost', 'default'] : ['default'];
}

/**
 * Resolves `components.konnectivity`: the version from `kubernetesVersion` unless set, the proxy strategies
 * from the agent form, and checks what the two ends must agree on. `warnings` gets a version outside the pairing.
 */
export function resolveKonnectivity(file: ClusterConfigFile, apiServerHost: string, kubernetes: KubernetesVersion | undefined, issues: ConfigIssue[], warnings: ConfigIssue[]): ResolvedKonnectivity {
  const k = file.components?.konnectivity ?? {};
  const d = D.components.konnectivity;
  // an unparsable kubernetesVersion is already an issue; the default release's minor keeps the rest checkable
  const minor = kubernetes?.minor ?? Number(D.kubernetesVersion.split('.')[1]);
  const agentForm = k.agentForm ?? d.agentForm;
  const r = k.agentResources ?? {};
  const resolved: ResolvedKonnectivity = {
    enabled: k.enabled ?? d.enabled,
    version: k.version ?? pairedKonnectivityVersion(minor),
    serverForm: k.serverForm ?? d.serverForm,
    agentForm,
    agentReplicas: k.agentReplicas ?? d.agentReplicas,
    mode: k.mode ?? d.mode,
    serverHost: k.serverHost ?? apiServerHost,
    agentPort: k.agentPort ?? d.agentPort,
    adminPort: k.adminPort ?? d.adminPort,
    healthPort: k.healthPort ?? d.healthPort,
    proxyStrategies: k.proxyStrategies ?? defaultStrategies(agentForm),
    serverCount: k.serverCount ?? d.serverCount,
    serverCountFromLeases: k.serverCountFromLeases ?? d.serverCountFromLeases,
    syncInterval: k.syncInterval ?? d.syncInterval,
    probeInterval: k.probeInterval ?? d.probeInterval,
    keepaliveTime: k.keepaliveTime ?? d.keepaliveTime,
    agentResources: {
      cpuRequest: r.cpuRequest ?? d.agentResources.cpuRequest,
      memoryRequest: r.memoryRequest ?? d.agentResources.memoryRequest,
      memoryLimit: r.memoryLimit ?? d.agentResources.memoryLimit,
    },
    serverResources: {
      cpuRequest: k.serverResources?.cpuRequest ?? d.serverResources.cpuRequest,
      memoryRequest: k.serverResources?.memoryRequest ?? d.serverResources.memoryRequest,
    },
  };
  const add = (field: string, value: unknown, message: string, hint: string) => issues.push({ path: `${PATH}.${field}`, value, message, hint });

  if (k.serverHost !== undefined && !IpAddress.tryParse(k.serverHost) && !isDnsSubdomain(k.serverHost)) {
    add('serverHost', k.serverHost, 'neither a host name nor an IP address', 'give the control-plane host agents dial, e.g. "10.0.0.10" or "cp.example.internal"');
  }
  const ports = [
    ['agentPort', resolved.agentPort],
    ['adminPort', resolved.adminPort],
    ['healthPort', resolved.healthPort],
  ] as const;
  ports.forEach(([name, port], i) => {
    const clash = ports.slice(0, i).find(([, other]) => other === port);
    if (clash) add(name, port, `collides with ${clash[0]}`, 'the agent, admin and health ports must differ (defaults 8132, 8133, 8134)');
  });

  const strategies = resolved.proxyStrategies;
  if (!strategies.length) {
    add('proxyStrategies', k.proxyStrategies, 'lists no strategy', 'remove it for the default, or list "default"');
  } else if (new Set(strategies).size !== strategies.length) {
    add('proxyStrategies', k.proxyStrategies, 'lists a strategy twice', 'list each strategy once, e.g. ["destHost", "default"]');
  }
  if (agentForm === 'deployment' && strategies.includes('destHost')) {
    add('proxyStrategies', k.proxyStrategies, 'destHost needs an agent on every node, but agentForm is "deployment"', 'use agentForm: daemonset, or proxyStrategies: ["default"]');
  }

  if (goDurationMs(resolved.keepaliveTime) < KONNECTIVITY_MIN_KEEPALIVE_MS) {
    add('keepaliveTime', resolved.keepaliveTime, 'shorter than 30s', 'the server drops agents that ping more often than every 30s (gRPC "too_many_pings"); use e.g. "1m"');
  }
  for (const name of ['syncInterval', 'probeInterval'] as const) {
    if (goDurationMs(resolved[name]) === 0) add(name, resolved[name], 'is zero', 'use a positive Go duration, e.g. "5s"');
  }

  const request = Quantity.tryParse(resolved.agentResources.memoryRequest);
  const limit = Quantity.tryParse(resolved.agentResources.memoryLimit);
  if (request && limit && request.compare(limit) > 0) {
    add('agentResources.memoryRequest', resolved.agentResources.memoryRequest, `above memoryLimit ${resolved.agentResources.memoryLimit}`, 'a request cannot exceed its limit; lower the request or raise the limit');
  }

  if (resolved.serverCountFromLeases) {
    const missing = LEASE_FLAGS.filter((flag) => !konnectivityVersionHasFlag(resolved.version, flag));
    if (missing.length) {
      add('serverCountFromLeases', true, `version ${resolved.version} has no ${missing.map((f) => `--${f}`).join(' or ')} (from v${KONNECTIVITY_FLAGS_SINCE[missing[0]]})`, 'use version v0.31.0 or newer (the default from Kubernetes 1.31), or count servers with serverCount');
    }
  }

  if (k.version !== undefined && kubernetes && !isPairedKonnectivityVersion(k.version, minor)) {
    warnings.push({ path: `${PATH}.version`, value: k.version, message: `not the release paired with Kubernetes ${kubernetes.major}.${minor} (${pairedKonnectivityVersion(minor)})`, hint: 'upstream tests each release with its Kubernetes minor; remove version to use the paired one' });
  }
  return resolved;
}
