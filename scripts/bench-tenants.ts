// The scale rows of `npm run bench`: the app alone with 10, 100 and 1,000 tenant namespaces, each with a
// Namespace, a LimitRange, a ResourceQuota and the default NetworkPolicies (default deny, DNS egress, egress
// except the metadata endpoint, same-namespace ingress).
import * as path from 'path';
import { stringify } from 'yaml';
import type { Row } from './bench';

export const TENANT_COUNTS = [10, 100, 1000] as const;

/** A cluster.yaml with `count` tenants, every one with the full set of guard rails. */
export function tenantsConfig(count: number): string {
  const tenants = Array.from({ length: count }, (_, i) => ({
    name: `team-${String(i).padStart(4, '0')}`,
    labels: { 'example.com/cost-center': `cc-${i % 17}` },
    limitRange: { container: { default: { memory: '512Mi', cpu: '500m' }, defaultRequest: { memory: '256Mi', cpu: '100m' }, max: { memory: '1Gi' } } },
    resourceQuota: { hard: { 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.memory': '16Gi', pods: '50' } },
    networkPolicies: { ingress: 'same-namespace' },
  }));
  return stringify({ tenants });
}

/**
 * Measures each tenant count. The time per object is marginal, over the default bootstrap: (t(N) − t(default))
 * / (objects(N) − objects(default)), so the fixed start-up cost does not flatter the larger runs.
 */
export function benchTenants(
  work: string,
  measure: (name: string, dir: string) => Row,
  synthInto: (dir: string, clusterYaml: string) => { objects: number },
  base: Row,
): { rows: Row[]; targets: string[] } {
  const rows: Row[] = [];
  const perObject = new Map<number, number>();
  for (const count of TENANT_COUNTS) {
    const dir = path.join(work, `tenants-${count}`);
    const { objects } = synthInto(dir, tenantsConfig(count));
    const row = measure(`app alone, ${count} tenants`, dir);
    const marginal = (row.median - base.median) / (objects - (base.objects ?? 0));
    perObject.set(count, marginal);
    rows.push({ ...row, objects, note: `${(marginal * 1e6).toFixed(0)} µs per added object` });
  }
  const big = rows[rows.length - 1];
  const ratio = perObject.get(1000)! / perObject.get(100)!;
  const targets = [
    `1,000 tenants, app alone ≤ 3 s: ${big.median.toFixed(3)} s — ${big.median <= 3 ? 'met' : 'MISSED'}`,
    `1,000 tenants, peak RSS ≤ 200 MB: ${big.rssMb.toFixed(0)} MB — ${big.rssMb <= 200 ? 'met' : 'MISSED'}`,
    `time per added object at 1,000 ≤ 1.2× at 100 (linear): ${(perObject.get(1000)! * 1e6).toFixed(0)} µs vs ${(perObject.get(100)! * 1e6).toFixed(0)} µs = ${ratio.toFixed(2)}× — ${ratio <= 1.2 ? 'met' : 'MISSED'}`,
  ];
  return { rows, targets };
}
