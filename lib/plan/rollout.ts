import type { Rollout } from './types';

/** Kinds whose pod template change replaces their pods by an update strategy. */
export const WORKLOAD_KINDS = new Set(['DaemonSet', 'Deployment', 'StatefulSet']);

/**
 * How a workload replaces its pods, from the manifest as synthesized; fields the manifest leaves out are
 * filled in with the API server's defaults (apps/v1) and named in `defaulted`.
 */
export function rolloutOf(manifest: Record<string, any>): Rollout {
  const spec = manifest.spec ?? {};
  const defaulted: Rollout['defaulted'][number][] = [];
  if (manifest.kind === 'Deployment') {
    const strategy = spec.strategy?.type ?? (defaulted.push('strategy'), 'RollingUpdate');
    const replicas: number = spec.replicas ?? 1;
    if (strategy === 'Recreate') {
      return { strategy, defaulted, replicas, atOnce: `all ${replicas} pod(s) are stopped before new ones start: the Deployment is down in between` };
    }
    const maxUnavailable = spec.strategy?.rollingUpdate?.maxUnavailable ?? (defaulted.push('maxUnavailable'), '25%');
    const maxSurge = spec.strategy?.rollingUpdate?.maxSurge ?? (defaulted.push('maxSurge'), '25%');
    const down = resolveCount(maxUnavailable, replicas, 'down');
    const up = resolveCount(maxSurge, replicas, 'up');
    return { strategy, maxUnavailable, maxSurge, defaulted, replicas, atOnce: `of ${replicas} pod(s): at most ${down} unavailable and ${up} extra at a time` };
  }
  if (manifest.kind === 'StatefulSet') {
    const strategy = spec.updateStrategy?.type ?? (defaulted.push('strategy'), 'RollingUpdate');
    const replicas: number = spec.replicas ?? 1;
    if (strategy === 'OnDelete') return { strategy, defaulted, replicas, atOnce: 'no pod is replaced until you delete it' };
    const maxUnavailable = spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? (defaulted.push('maxUnavailable'), 1);
    return { strategy, maxUnavailable, defaulted, replicas, atOnce: `of ${replicas} pod(s): ${maxUnavailable} at a time, highest ordinal first` };
  }
  // DaemonSet: one pod per matching node
  const strategy = spec.updateStrategy?.type ?? (defaulted.push('strategy'), 'RollingUpdate');
  if (strategy === 'OnDelete') return { strategy, defaulted, atOnce: 'no pod is replaced until you delete it, node by node' };
  const maxUnavailable = spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? (defaulted.push('maxUnavailable'), 1);
  const maxSurge = spec.updateStrategy?.rollingUpdate?.maxSurge ?? (defaulted.push('maxSurge'), 0);
  const atOnce =
    maxSurge === 0 || maxSurge === '0%'
      ? `${nodes(maxUnavailable)} at a time: each node's old pod stops before its new one starts`
      : `${nodes(maxSurge)} at a time with the new pod started before the old one stops (maxUnavailable ${maxUnavailable})`;
  return { strategy, maxUnavailable, maxSurge, defaulted, atOnce };
}

function nodes(value: number | string): string {
  return typeof value === 'number' ? `${value} node${value === 1 ? '' : 's'}` : `${value} of the nodes`;
}

/** A count or percentage of `replicas`, rounded as the Deployment controller does (unavailable down, surge up). */
function resolveCount(value: number | string, replicas: number, round: 'down' | 'up'): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number(value);
  const exact = (Number(m[1]) * replicas) / 100;
  return round === 'down' ? Math.floor(exact) : Math.ceil(exact);
}
