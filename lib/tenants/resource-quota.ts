import type { ConfigIssue } from '../config/errors';
import type { ResourceQuantities } from '../config/types';
import { Quantity } from '../resources/quantity';
import { isExtendedResourceName, isQualifiedName } from '../resources/resource-names';

// resource names a quota may use without a domain (the API server's standard quota resources)
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
]);
// object counts: a fraction of an object makes no sense (the API server refuses it for the standard ones)
const OBJECT_COUNTS = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers']);

function isStandardQuotaResource(name: string): boolean {
  return STANDARD_QUOTA_RESOURCES.has(name) || name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
}

function mustBeInteger(name: string): boolean {
  return OBJECT_COUNTS.has(name) || name.startsWith('count/') || (name.startsWith('requests.') && isExtendedResourceName(name.slice('requests.'.length)));
}

/**
 * Checks a ResourceQuota's `spec.hard` as the API server would: each name is a standard quota resource
 * (`requests.cpu`, `limits.memory`, `pods`, ...) or domain-qualified (`count/deployments.apps`,
 * `requests.example.com/gpu`, `<class>.storageclass.storage.k8s.io/requests.storage`), each value a
 * non-negative quantity, and object counts and extended resources whole numbers.
 */
export function checkResourceQuota(hard: ResourceQuantities, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, text] of Object.entries(hard)) {
    const at = `${path}.${name}`;
    if (!isQualifiedName(name) || (!name.includes('/') && !isStandardQuotaResource(name))) {
      issues.push({
        path: at,
        value: text,
        message: `unknown quota resource "${name}"`,
        hint: 'use requests.cpu, requests.memory, limits.cpu, limits.memory, requests.storage, pods, services, secrets, configmaps, persistentvolumeclaims, count/<resource>.<group> or requests.<domain>/<extended resource>',
      });
      continue;
    }
    const quantity = typeof text === 'string' ? Quantity.tryParse(text) : undefined;
    if (!quantity) issues.push({ path: at, value: text, message: 'not a quantity', hint: 'write e.g. "10", "8Gi" or "4000m"' });
    else if (quantity.isNegative()) issues.push({ path: at, value: text, message: 'must be greater than or equal to 0', hint: 'use 0 to forbid the resource, or a positive amount' });
    else if (mustBeInteger(name) && !quantity.isInteger()) issues.push({ path: at, value: text, message: 'must be an integer', hint: `${name} counts whole objects or units` });
  }
  return issues;
}
