import { checkLimitRange } from '../tenants/limit-range';
import { checkResourceQuota } from '../tenants/resource-quota';
import { POD_SECURITY_LABEL_PREFIX } from '../tenants/pod-security';
import { isQualifiedName } from '../resources/resource-names';
import type { ResolvedTenant } from './cluster-config';
import { DEFAULT_TENANT_CONFIG as T } from './defaults';
import type { ConfigIssue } from './errors';
import { isDnsLabel } from '../net/names';
import type { TenantConfig } from './types';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkName(name: unknown, path: string, issues: ConfigIssue[]): void {
  if (typeof name !== 'string' || !isDnsLabel(name)) {
    issues.push({ path, value: name, message: 'not a valid namespace name', hint: 'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit' });
  } else if (name === 'default' || name.startsWith('kube-')) {
    issues.push({ path, value: name, message: 'reserved for the system', hint: 'namespaces named "default" or starting with "kube-" belong to Kubernetes and its add-ons; pick a team name such as "team-a"' });
  }
}

function checkLabels(labels: Readonly<Record<string, string>>, path: string, issues: ConfigIssue[]): void {
  for (const [key, value] of Object.entries(labels)) {
    const at = `${path}.${key}`;
    if (!isQualifiedName(key)) {
      issues.push({ path: at, value, message: 'not a valid label key', hint: 'use [prefix/]name: a DNS subdomain prefix and a name of at most 63 letters, digits, "-", "_" or "."' });
    } else if (key.startsWith(POD_SECURITY_LABEL_PREFIX)) {
      issues.push({ path: at, value, message: 'set by podSecurity', hint: 'use the typed podSecurity fields (enforce, audit, warn and their versions) instead' });
    } else if (key === 'kubernetes.io/metadata.name') {
      issues.push({ path: at, value, message: 'set by the API server to the namespace name', hint: 'remove it' });
    } else if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      issues.push({ path: at, value, message: 'not a valid label value', hint: 'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' });
    }
  }
}

/** `defaults` overridden by the fields of `given` that are set (an explicit `undefined` keeps the default). */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): Required<T> {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) out[k] = v;
  return out as Required<T>;
}

/**
 * One tenant with its defaults applied, its problems appended to `issues` (paths below `path`, e.g.
 * `tenants.3`; an empty `path` gives paths relative to the tenant). Linear in the size of the tenant: callers with many tenants check names across them once.
 */
export function resolveTenant(tenant: TenantConfig, path: string, issues: ConfigIssue[]): ResolvedTenant {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  checkName(tenant.name, at('name'), issues);
  const labels = tenant.labels ?? {};
  checkLabels(labels, at('labels'), issues);
  const limitRange = tenant.limitRange?.container ? tenant.limitRange : { ...tenant.limitRange, container: T.limitRange.container };
  issues.push(...checkLimitRange(limitRange, at('limitRange')));
  const hard = tenant.resourceQuota?.hard ?? {};
  issues.push(...checkResourceQuota(hard, at('resourceQuota.hard')));
  const networkPolicies = withDefaults<ResolvedTenant['networkPolicies']>(T.networkPolicies, tenant.networkPolicies);
  if (networkPolicies.enabled && networkPolicies.ingress === 'same-namespace' && networkPolicies.egress === 'dns-only') {
    // measured on a real dataplane (test/e2e/network-policy-enforced.e2e.test.ts): no pod of the tenant reaches another
    issues.push({
      path: at('networkPolicies.ingress'),
      value: networkPolicies.ingress,
      message: 'same-namespace ingress with dns-only egress lets no pod of the tenant reach another: their egress allows only DNS',
      hint: 'use egress: all-except-metadata for pods that talk to each other, or ingress: deny to say what this does',
    });
  }
  return {
    name: tenant.name,
    labels,
    podSecurity: withDefaults<ResolvedTenant['podSecurity']>(T.podSecurity, tenant.podSecurity),
    limitRange,
    resourceQuota: { hard },
    networkPolicies,
    onRemoval: tenant.onRemoval ?? T.onRemoval,
  };
}

const validated = new WeakSet<ResolvedTenant>();

/** True for a tenant `resolveTenants` returned without issues (constructs need not check it again). */
export function isValidatedTenant(tenant: ResolvedTenant): boolean {
  return validated.has(tenant);
}

/** Every tenant of the config, checked on its own and for names used twice. */
export function resolveTenants(tenants: readonly TenantConfig[], issues: ConfigIssue[]): ResolvedTenant[] {
  const firstIndex = new Map<string, number>();
  const before = issues.length;
  const resolved = tenants.map((tenant, i) => {
    const first = firstIndex.get(tenant.name);
    if (first !== undefined) {
      issues.push({ path: `tenants.${i}.name`, value: tenant.name, message: `already used by tenants.${first}`, hint: 'each tenant needs its own namespace name; merge the two entries or rename one' });
    } else {
      firstIndex.set(tenant.name, i);
    }
    return resolveTenant(tenant, `tenants.${i}`, issues);
  });
  if (issues.length === before) for (const t of resolved) validated.add(Object.freeze(t));
  return resolved;
}
