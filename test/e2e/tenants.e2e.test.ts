// Tenant namespaces against the real API server: its LimitRange defaulting and validation, LimitRanger and
// Pod Security admission, compared with what lib/tenants predicts statically.
import { parseAllDocuments } from 'yaml';
import * as fs from 'fs';
import { parseClusterConfig } from '../../lib/config/parse';
import type { TenantLimitRangeConfig } from '../../lib/config/types';
import { admitContainer, checkLimitRange, storedLimitRangeItems, type ContainerResources } from '../../lib/tenants/limit-range';
import { kubectl, kubectlOk } from './harness/cluster';
import { cluster, manifestFiles, SCENARIOS, synthScenario } from './support';

const config = parseClusterConfig(parseAllDocuments(SCENARIOS.tenants)[0].toJS());
const tenant = (name: string) => config.tenants.find((t) => t.name === name)!;

/** A pod the restricted Pod Security level admits, with the given resources. */
function pod(name: string, namespace: string, resources?: ContainerResources): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      containers: [
        {
          name: `${name}-ctr`,
          image: 'registry.k8s.io/pause:3.9',
          ...(resources ? { resources } : {}),
          securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 65535, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
        },
      ],
    },
  };
}

describe('tenants on the real API server', () => {
  const { kubeconfig } = cluster();
  beforeAll(() => {
    for (const file of manifestFiles(synthScenario('tenants'))) kubectlOk(kubeconfig, ['apply', '--server-side', '--field-manager=cluster-bootstrap', '-f', file]);
  });
  afterAll(() => {
    for (const t of config.tenants) kubectl(kubeconfig, ['delete', 'pods', '--all', '-n', t.name, '--wait=false']);
  });

  test('the API server stores each LimitRange as storedLimitRangeItems predicts (the docs example comes back with default and defaultRequest 1Gi)', () => {
    for (const t of config.tenants) {
      const stored = JSON.parse(kubectlOk(kubeconfig, ['get', 'limitrange', 'tenant-limits', '-n', t.name, '-o', 'json']));
      expect({ tenant: t.name, limits: stored.spec.limits }).toEqual({ tenant: t.name, limits: storedLimitRangeItems(t.limitRange) });
    }
    expect(storedLimitRangeItems(tenant('constraints-mem-example').limitRange)[0]).toMatchObject({ default: { memory: '1Gi' }, defaultRequest: { memory: '1Gi' } });
  });

  const admissionCases: [string, string, ContainerResources | undefined][] = [
    ['default-mem-example', 'default-mem-demo', undefined],
    ['default-mem-example', 'default-mem-demo-2', { limits: { memory: '1Gi' } }],
    ['default-mem-example', 'default-mem-demo-3', { requests: { memory: '128Mi' } }],
    ['constraints-mem-example', 'constraints-mem-demo', { limits: { memory: '800Mi' }, requests: { memory: '600Mi' } }],
    ['constraints-mem-example', 'constraints-mem-demo-2', { limits: { memory: '1.5Gi' }, requests: { memory: '800Mi' } }],
    ['constraints-mem-example', 'constraints-mem-demo-3', { limits: { memory: '800Mi' }, requests: { memory: '100Mi' } }],
    ['constraints-mem-example', 'constraints-mem-demo-4', undefined],
    ['team-baseline', 'cpu-over-max', { limits: { cpu: '3' } }],
  ];

  test.each(admissionCases)('in %s, pod %s: LimitRanger admission does what admitContainer predicts', (namespace, name, resources) => {
    const predicted = admitContainer(tenant(namespace).limitRange, resources ?? {});
    // a real server-side create: admission plugins run as for any client
    const r = kubectl(kubeconfig, ['create', '-o', 'json', '-f', '-'], JSON.stringify(pod(name, namespace, resources)));
    if (predicted.violations.length) {
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`pods "${name}" is forbidden`);
      for (const v of predicted.violations) expect(r.stderr).toContain(v);
    } else {
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(JSON.parse(r.stdout).spec.containers[0].resources).toEqual(predicted.resources);
    }
  });

  test('the docs outcomes: 256Mi/512Mi defaults, and "maximum memory usage per Container is 1Gi, but limit is 1536Mi"', () => {
    const created = JSON.parse(kubectlOk(kubeconfig, ['get', 'pod', 'default-mem-demo', '-n', 'default-mem-example', '-o', 'json']));
    expect(created.spec.containers[0].resources).toEqual({ requests: { memory: '256Mi' }, limits: { memory: '512Mi' } });
    expect(admitContainer(tenant('constraints-mem-example').limitRange, { limits: { memory: '1.5Gi' }, requests: { memory: '800Mi' } }).violations).toEqual([
      'maximum memory usage per Container is 1Gi, but limit is 1536Mi',
    ]);
  });

  test('Pod Security: the restricted tenant refuses a privileged pod; the baseline tenant enforces baseline', () => {
    const privileged = { ...(pod('privileged', 'default-mem-example') as any) };
    privileged.spec.containers[0].securityContext = { privileged: true };
    const r = kubectl(kubeconfig, ['create', '--dry-run=server', '-f', '-'], JSON.stringify(privileged));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('violates PodSecurity "restricted:latest"');
    privileged.metadata.namespace = 'team-baseline';
    const b = kubectl(kubeconfig, ['create', '--dry-run=server', '-f', '-'], JSON.stringify(privileged));
    expect(b.stderr).toContain('violates PodSecurity "baseline:v1.30"');
    const ns = JSON.parse(kubectlOk(kubeconfig, ['get', 'namespace', 'team-baseline', '-o', 'json']));
    expect(ns.metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
  });

  // Each config our checks refuse, the API server refuses too (and each one we accept, it accepts).
  const limitCases: [string, TenantLimitRangeConfig][] = [
    ['default > max', { container: { default: { memory: '2Gi' }, max: { memory: '1Gi' } } }],
    ['defaultRequest > default', { container: { default: { memory: '512Mi' }, defaultRequest: { memory: '1Gi' } } }],
    ['min > max', { container: { min: { cpu: '2' }, max: { cpu: '1500m' } } }],
    ['min > defaultRequest', { container: { min: { memory: '600Mi' }, defaultRequest: { memory: '500Mi' }, default: { memory: '1Gi' } } }],
    ['min > default', { container: { min: { memory: '1Gi' }, default: { memory: '512Mi' } } }],
    ['defaultRequest > max (default from max)', { container: { max: { memory: '1Gi' }, defaultRequest: { memory: '1.5Gi' } } }],
    ['ratio < 1', { container: { maxLimitRequestRatio: { cpu: '500m' } } }],
    ['ratio > max/min', { container: { min: { cpu: '1' }, max: { cpu: '2' }, maxLimitRequestRatio: { cpu: '4' } } }],
    ['extended default != defaultRequest', { container: { max: { 'example.com/gpu': '4' }, defaultRequest: { 'example.com/gpu': '1' } } }],
    ['pod min > max', { container: {}, pod: { min: { memory: '2Gi' }, max: { memory: '1Gi' } } }],
    ['fine: the docs defaults', { container: { default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } } }],
    ['fine: everything ordered', { container: { min: { cpu: '100m' }, defaultRequest: { cpu: '200m' }, default: { cpu: '500m' }, max: { cpu: '1' }, maxLimitRequestRatio: { cpu: '5' } }, persistentVolumeClaim: { min: { storage: '1Gi' } } }],
  ];

  test.each(limitCases)('LimitRange validation agrees: %s', (_, limits) => {
    const ours = checkLimitRange(limits, 'limitRange');
    const items = Object.entries(limits).flatMap(([section, v]) => {
      const type = { container: 'Container', pod: 'Pod', persistentVolumeClaim: 'PersistentVolumeClaim' }[section];
      return Object.keys(v ?? {}).length ? [{ type, ...v }] : [];
    });
    const object = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'probe', namespace: 'default-mem-example' }, spec: { limits: items } };
    const r = kubectl(kubeconfig, ['create', '--dry-run=server', '-f', '-'], JSON.stringify(object));
    if (!ours.length) {
      expect({ stderr: r.stderr, status: r.status }).toEqual({ stderr: '', status: 0 });
      return;
    }
    expect(r.status).not.toBe(0);
    // the API server's wording, up to its "must equal to" grammar
    for (const issue of ours) expect(r.stderr).toContain(issue.message.replace(' must equal defaultRequest', ' must equal to defaultRequest').replace(/ \(.*\)$/, ''));
  });

  test('the tenant policies and quota are in place', () => {
    const policies = JSON.parse(kubectlOk(kubeconfig, ['get', 'networkpolicies', '-n', 'constraints-mem-example', '-o', 'json'])).items.map((p: any) => p.metadata.name).sort();
    expect(policies).toEqual(['allow-dns-egress', 'default-deny-all', 'deny-cloud-metadata-egress', 'isolate-namespace']);
    const quota = JSON.parse(kubectlOk(kubeconfig, ['get', 'resourcequota', 'tenant-quota', '-n', 'constraints-mem-example', '-o', 'json']));
    expect(quota.spec.hard).toEqual({ pods: '10', 'limits.memory': '8Gi', 'count/deployments.apps': '5' });
    expect(fs.existsSync(manifestFiles(synthScenario('tenants')).find((f) => f.endsWith('tenants.k8s.yaml'))!)).toBe(true);
  });
});
