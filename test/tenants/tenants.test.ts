import { Testing } from 'cdk8s';
import { ConfigError } from '../../lib/config/errors';
import { parseClusterConfig } from '../../lib/config/parse';
import type { TenantConfig } from '../../lib/config/types';
import { TenantNamespace } from '../../lib/tenants/tenant-namespace';
import { issuesOf } from '../support/issues';
import { find, synthBootstrap } from '../support/synth';
import { KubernetesSchema } from '../../lib/validation/kubernetes-schema';

const tenantsChart = (tenants: TenantConfig[], extra: object = {}) => synthBootstrap({ tenants, ...extra }).charts.tenants;

describe('tenants component', () => {
  test('no tenants, no chart', () => {
    expect(Object.keys(synthBootstrap({}).charts)).not.toContain('tenants');
  });

  test('a tenant with only a name gets restricted Pod Security, the docs memory defaults and the default policies', () => {
    const objects = tenantsChart([{ name: 'team-a' }]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/team-a',
      'LimitRange/tenant-limits',
      'NetworkPolicy/default-deny-all',
      'NetworkPolicy/allow-dns-egress',
      'NetworkPolicy/deny-cloud-metadata-egress',
    ]);
    expect(find(objects, 'Namespace', 'team-a').metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
    const limitRange = find(objects, 'LimitRange', 'tenant-limits');
    expect(limitRange.metadata.namespace).toBe('team-a');
    expect(limitRange.spec).toEqual({ limits: [{ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } }] });
    for (const o of objects.slice(1)) expect(o.metadata.namespace).toBe('team-a');
    // DNS egress comes from the config's facts, not a re-derived address
    const dns = find(objects, 'NetworkPolicy', 'allow-dns-egress');
    expect(JSON.stringify(dns.spec)).toContain('10.96.0.10/32');
    expect(JSON.stringify(dns.spec)).toContain('169.254.20.10/32');
    expect(find(objects, 'NetworkPolicy', 'deny-cloud-metadata-egress').spec.egress[0].to[0].ipBlock).toEqual({ cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] });
  });

  test('typed settings: Pod Security levels and versions, quota, min/max, same-namespace ingress', () => {
    const objects = tenantsChart([
      {
        name: 'team-b',
        labels: { 'example.com/team': 'b' },
        podSecurity: { enforce: 'baseline', enforceVersion: 'v1.35', warn: 'restricted' },
        limitRange: { container: { max: { memory: '1Gi' }, min: { memory: '500Mi' } }, persistentVolumeClaim: { max: { storage: '20Gi' } } },
        resourceQuota: { hard: { 'requests.cpu': '4', 'limits.memory': '16Gi', pods: '50', 'count/deployments.apps': '10' } },
        networkPolicies: { ingress: 'same-namespace' },
      },
    ]);
    const labels = find(objects, 'Namespace', 'team-b').metadata.labels;
    expect(labels['example.com/team']).toBe('b');
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(labels['pod-security.kubernetes.io/enforce-version']).toBe('v1.35');
    expect(labels['pod-security.kubernetes.io/audit']).toBe('restricted');
    expect(find(objects, 'LimitRange', 'tenant-limits').spec.limits).toEqual([
      { type: 'Container', max: { memory: '1Gi' }, min: { memory: '500Mi' } },
      { type: 'PersistentVolumeClaim', max: { storage: '20Gi' } },
    ]);
    expect(find(objects, 'ResourceQuota', 'tenant-quota').spec).toEqual({ hard: { 'requests.cpu': '4', 'limits.memory': '16Gi', pods: '50', 'count/deployments.apps': '10' } });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).toEqual(['default-deny-all', 'allow-dns-egress', 'isolate-namespace', 'deny-cloud-metadata-egress']);
  });

  test('same-namespace ingress with dns-only egress is refused: the real matrix showed no pod of the tenant reaching another', () => {
    expect(() => parseClusterConfig({ tenants: [{ name: 'team-c', networkPolicies: { ingress: 'same-namespace', egress: 'dns-only' } }] })).toThrow(
      /tenants\.0\.networkPolicies\.ingress.*same-namespace[\s\S]*egress: all-except-metadata/,
    );
    expect(() => parseClusterConfig({ tenants: [{ name: 'team-c', networkPolicies: { ingress: 'deny', egress: 'dns-only' } }] })).not.toThrow();
  });

  test('policies can be turned off, and an empty container section means no LimitRange', () => {
    const objects = tenantsChart([{ name: 'lab', limitRange: { container: {} }, networkPolicies: { enabled: false } }]);
    expect(objects.map((o) => o.kind)).toEqual(['Namespace']);
  });

  test('every object passes the Kubernetes schema', () => {
    const objects = tenantsChart([
      { name: 'team-a' },
      { name: 'team-b', resourceQuota: { hard: { pods: '10' } }, limitRange: { pod: { max: { cpu: '4' } } } },
    ]);
    expect(KubernetesSchema.forVersion('1.35.4').validateAll(objects)).toEqual([]);
    expect(KubernetesSchema.forVersion('1.27.0').validateAll(objects)).toEqual([]);
  });

  test('dual-stack clusters get the IPv6 side of the metadata policy', () => {
    const objects = tenantsChart([{ name: 'team-a' }], { networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/12,fd00:10:96::/112' } });
    expect(find(objects, 'NetworkPolicy', 'deny-cloud-metadata-egress').spec.egress[0].to).toHaveLength(2);
  });
});

describe('tenant validation', () => {
  const paths = (tenants: unknown) => issuesOf({ tenants }).map((i) => [i.path, i.message]);

  test('names: DNS label, not reserved, not twice', () => {
    expect(paths([{ name: 'team-a' }, { name: 'kube-team' }, { name: 'default' }, { name: 'team-a' }, { name: 'x'.repeat(64) }])).toEqual([
      ['tenants.1.name', 'reserved for the system'],
      ['tenants.2.name', 'reserved for the system'],
      ['tenants.3.name', 'already used by tenants.0'],
      ['tenants.4.name', 'not a valid namespace name'],
    ]);
    expect(issuesOf({ tenants: [{ name: 'Team_A' }] })[0]).toMatchObject({ path: 'tenants.0.name', value: 'Team_A' });
  });

  test('LimitRange errors name the tenant path, the value and a hint', () => {
    const [issue] = issuesOf({ tenants: [{ name: 'ok' }, { name: 'team-b', limitRange: { container: { default: { memory: '2Gi' }, max: { memory: '1Gi' } } } }] });
    expect(issue).toEqual({
      path: 'tenants.1.limitRange.container.default.memory',
      value: '2Gi',
      message: 'default value 2Gi is greater than max value 1Gi',
      hint: 'memory: keep min <= defaultRequest <= default <= max; lower default.memory or raise max.memory',
    });
  });

  test('quota names and values', () => {
    expect(paths([{ name: 'a', resourceQuota: { hard: { cpus: '4', pods: '1.5', 'requests.memory': '-1Gi', 'limits.cpu': 'lots', 'requests.example.com/gpu': '2' } } }])).toEqual([
      ['tenants.0.resourceQuota.hard.cpus', 'unknown quota resource "cpus"'],
      ['tenants.0.resourceQuota.hard.pods', 'must be an integer'],
      ['tenants.0.resourceQuota.hard.requests.memory', 'must be greater than or equal to 0'],
      ['tenants.0.resourceQuota.hard.limits.cpu', 'not a quantity'],
    ]);
  });

  test('labels: valid keys and values, and not the Pod Security ones', () => {
    expect(paths([{ name: 'a', labels: { 'pod-security.kubernetes.io/enforce': 'privileged', 'bad key': 'x', team: 'not ok!' } }])).toEqual([
      ['tenants.0.labels.pod-security.kubernetes.io/enforce', 'set by podSecurity'],
      ['tenants.0.labels.bad key', 'not a valid label key'],
      ['tenants.0.labels.team', 'not a valid label value'],
    ]);
  });

  test('Pod Security levels and versions are typed', () => {
    expect(issuesOf({ tenants: [{ name: 'a', podSecurity: { enforce: 'strict' } }] })[0]).toMatchObject({ path: 'tenants.0.podSecurity.enforce', message: 'not one of the allowed values' });
    expect(issuesOf({ tenants: [{ name: 'a', podSecurity: { warnVersion: '1.35' } }] })[0]).toMatchObject({ path: 'tenants.0.podSecurity.warnVersion', hint: 'use "latest" or a minor release such as "v1.35"' });
  });

  test('the resolved tenant carries every default and resolves to itself', () => {
    const [tenant] = parseClusterConfig({ tenants: [{ name: 'a', podSecurity: { enforce: 'baseline' } }] }).tenants;
    expect(tenant.podSecurity).toEqual({ enforce: 'baseline', enforceVersion: 'latest', audit: 'restricted', auditVersion: 'latest', warn: 'restricted', warnVersion: 'latest' });
    expect(tenant.networkPolicies).toEqual({ enabled: true, ingress: 'deny', egress: 'all-except-metadata' });
    expect(parseClusterConfig({ tenants: [tenant] }).tenants[0]).toEqual(tenant);
  });
});

describe('TenantNamespace construct', () => {
  test('used directly, it validates its props and names the field', () => {
    const cluster = parseClusterConfig({});
    const chart = Testing.chart();
    expect(() => new TenantNamespace(chart, 'bad', { cluster, name: 'team-x', limitRange: { container: { min: { memory: '2Gi' }, max: { memory: '1Gi' } } } })).toThrow(ConfigError);
    expect(() => new TenantNamespace(chart, 'bad2', { cluster, name: 'team-x', limitRange: { container: { min: { memory: '2Gi' }, max: { memory: '1Gi' } } } })).toThrow(
      /invalid tenant "team-x": 1 problem\n {2}- limitRange.container.min.memory: min value 2Gi is greater than max value 1Gi \(got "2Gi"\)/,
    );
  });

  test('exposes its objects for patching', () => {
    const cluster = parseClusterConfig({});
    const chart = Testing.chart();
    const ns = new TenantNamespace(chart, 'team-a', { cluster, name: 'team-a', resourceQuota: { hard: { pods: '5' } } });
    ns.namespace.metadata.addAnnotation('example.com/owner', 'a');
    const out = Testing.synth(chart);
    expect(find(out, 'Namespace', 'team-a').metadata.annotations).toEqual({ 'example.com/owner': 'a' });
    expect(ns.resourceQuota).toBeDefined();
    expect(ns.networkPolicies!.objects).toHaveLength(3);
  });
});
