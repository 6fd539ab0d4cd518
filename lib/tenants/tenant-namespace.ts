import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ClusterConfig, ResolvedTenant } from '../config/cluster-config';
import { ConfigError, type ConfigIssue } from '../config/errors';
import { isValidatedTenant, resolveTenant } from '../config/resolve-tenants';
import type { PodSecurityConfig, TenantConfig, TenantLimitRangeConfig, TenantNetworkPoliciesConfig, TenantResourceQuotaConfig } from '../config/types';
import { allowDnsEgress, defaultDeny, denyMetadataEgress, isolateNamespace, NetworkPolicySet } from '../network-policy';
import type { NetworkPolicyJson } from '../network-policy/values';
import { limitRangeItems } from './limit-range';
import { podSecurityLabels } from './pod-security';

export interface TenantNamespaceProps extends TenantConfig {
  /** The validated cluster config: the DNS policy reads the cluster DNS and NodeLocal DNS addresses from it. */
  readonly cluster: ClusterConfig;

  /**
   * Extra labels of the Namespace.
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * Pod Security admission levels and versions.
   * @default - restricted, version latest, for enforce, audit and warn
   */
  readonly podSecurity?: PodSecurityConfig;

  /**
   * The LimitRange.
   * @default - container default limit 512Mi and default request 256Mi of memory
   */
  readonly limitRange?: TenantLimitRangeConfig;

  /**
   * The ResourceQuota.
   * @default - none
   */
  readonly resourceQuota?: TenantResourceQuotaConfig;

  /**
   * The default NetworkPolicies.
   * @default - default-deny-all, allow-dns-egress and deny-cloud-metadata-egress
   */
  readonly networkPolicies?: TenantNetworkPoliciesConfig;
}

// The helpers' policies differ between namespaces only in metadata.namespace: they are built once per
// cluster and variant, and stamped with each tenant's namespace (a thousand tenants parse no CIDR twice).
const policyTemplates = new WeakMap<ClusterConfig, Map<string, readonly NetworkPolicyJson[]>>();
const TEMPLATE_NAMESPACE = 'tenant';

/** The default NetworkPolicies of a tenant, from the NetworkPolicy library's helpers. */
export function tenantNetworkPolicies(tenant: ResolvedTenant, cluster: ClusterConfig): NetworkPolicyJson[] {
  const p = tenant.networkPolicies;
  if (!p.enabled) return [];
  const byVariant = policyTemplates.get(cluster) ?? new Map<string, readonly NetworkPolicyJson[]>();
  policyTemplates.set(cluster, byVariant);
  const variant = `${p.ingress}/${p.egress}`;
  let templates = byVariant.get(variant);
  if (!templates) {
    templates = [
      defaultDeny(TEMPLATE_NAMESPACE, 'both'),
      allowDnsEgress(TEMPLATE_NAMESPACE, cluster),
      ...(p.ingress === 'same-namespace' ? [isolateNamespace(TEMPLATE_NAMESPACE)] : []),
      ...(p.egress === 'all-except-metadata' ? [denyMetadataEgress(TEMPLATE_NAMESPACE, cluster)] : []),
    ];
    byVariant.set(variant, templates);
  }
  // NetworkPolicySet copies each spec, so the templates' specs are never shared between objects
  return templates.map((t) => ({ metadata: { ...t.metadata, namespace: tenant.name }, spec: t.spec }));
}

const VALIDATED = Symbol('validated tenant');

/** Props for a tenant that `parseClusterConfig` already validated: the construct does not check it again. */
export function validatedTenantProps(cluster: ClusterConfig, tenant: ResolvedTenant): TenantNamespaceProps {
  return { ...tenant, cluster, [VALIDATED]: tenant } as TenantNamespaceProps;
}

/**
 * A team's namespace with its guard rails: the Namespace with Pod Security admission labels (restricted by
 * default), a LimitRange (by default every container without its own gets a 256Mi memory request and a
 * 512Mi limit), a ResourceQuota when `resourceQuota.hard` is set, and default NetworkPolicies (deny all,
 * allow DNS, and egress anywhere but the cloud metadata endpoint). Invalid props throw a `ConfigError`
 * naming each field, its value and a hint, the checks the API server's LimitRange validation makes.
 */
export class TenantNamespace extends Construct {
  readonly tenant: ResolvedTenant;
  readonly namespace: ApiObject;
  readonly limitRange?: ApiObject;
  readonly resourceQuota?: ApiObject;
  readonly networkPolicies?: NetworkPolicySet;

  constructor(scope: Construct, id: string, props: TenantNamespaceProps) {
    super(scope, id);
    const { cluster, ...config } = props;
    // a tenant from parseClusterConfig was checked there; anything else is checked here
    let tenant = (props as { [VALIDATED]?: ResolvedTenant })[VALIDATED];
    if (!tenant || !isValidatedTenant(tenant)) {
      const issues: ConfigIssue[] = [];
      tenant = resolveTenant(config, '', issues);
      if (issues.length) throw new ConfigError(issues, `tenant ${JSON.stringify(props.name)}`);
    }
    this.tenant = tenant;

    this.namespace = new ApiObject(this, 'namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: tenant.name, labels: { ...tenant.labels, ...podSecurityLabels(tenant.podSecurity) } },
    });
    const limits = limitRangeItems(tenant.limitRange);
    if (limits.length) {
      this.limitRange = new ApiObject(this, 'limit-range', {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'tenant-limits', namespace: tenant.name },
        spec: { limits },
      });
    }
    if (Object.keys(tenant.resourceQuota.hard).length) {
      this.resourceQuota = new ApiObject(this, 'resource-quota', {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'tenant-quota', namespace: tenant.name },
        spec: { hard: { ...tenant.resourceQuota.hard } },
      });
    }
    const policies = tenantNetworkPolicies(tenant, cluster);
    if (policies.length) this.networkPolicies = new NetworkPolicySet(this, 'network-policies', policies);
  }
}
