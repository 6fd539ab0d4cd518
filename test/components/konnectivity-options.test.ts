import { parse } from 'yaml';
import { parseClusterConfig } from '../../lib/config/parse';
import { formatWarnings } from '../../lib/config/errors';
import { isPairedKonnectivityVersion, KONNECTIVITY_FLAGS_SINCE, konnectivityVersionHasFlag, pairedKonnectivityVersion } from '../../lib/config/konnectivity-versions';
import { goDurationMs } from '../../lib/config/resolve-konnectivity';
import { konnectivityAgentArgs, konnectivityFiles, konnectivityServerArgs } from '../../lib/components/konnectivity';
import { KubernetesSchema } from '../../lib/validation/kubernetes-schema';
import { issuesOf as issues } from '../support/issues';
import { find, synthBootstrap } from '../support/synth';

const schema = KubernetesSchema.forVersion('1.35.4');
const on = (extra: object = {}, top: object = {}) => ({ ...top, components: { konnectivity: { enabled: true, ...extra } } });
/** Flag name → value (`true` for a bare flag); fails on a flag given twice. */
function flags(args: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (const a of args) {
    const [, name, value] = /^--([a-z-]+)(?:=(.*))?$/s.exec(a)!;
    if (name in out) throw new Error(`--${name} given twice`);
    out[name] = value ?? true;
  }
  return out;
}

describe('Konnectivity release table', () => {
  test('each minor from 1.28 takes the line of its own minor; 1.26-1.27 the 0.1 line; older the 0.0 line', () => {
    for (let minor = 28; minor <= 36; minor++) expect(pairedKonnectivityVersion(minor)).toMatch(new RegExp(`^v0\\.${minor}\\.[0-9]+$`));
    expect(pairedKonnectivityVersion(35)).toBe('v0.35.0');
    expect(pairedKonnectivityVersion(31)).toBe('v0.31.4');
    expect(pairedKonnectivityVersion(29)).toBe('v0.29.5');
    expect(pairedKonnectivityVersion(27)).toBe('v0.1.10');
    expect(pairedKonnectivityVersion(25)).toBe('v0.0.37');
    expect(pairedKonnectivityVersion(40)).toBe('v0.36.0');
  });

  test('the default version follows kubernetesVersion, as CoreDNS does', () => {
    expect(parseClusterConfig(on()).components.konnectivity.version).toBe('v0.35.0');
    expect(parseClusterConfig(on({}, { kubernetesVersion: '1.30.14' })).components.konnectivity.version).toBe('v0.30.4');
    expect(parseClusterConfig(on({}, { kubernetesVersion: '1.27.3' })).components.konnectivity.version).toBe('v0.1.10');
    const objects = synthBootstrap(on({}, { kubernetesVersion: '1.33.1' })).charts.konnectivity;
    expect(find(objects, 'DaemonSet', 'konnectivity-agent').spec.template.spec.containers[0].image).toBe('registry.k8s.io/kas-network-proxy/proxy-agent:v0.33.1');
  });

  test('pairing is by line: any patch of the paired minor counts', () => {
    expect(isPairedKonnectivityVersion('v0.35.7', 35)).toBe(true);
    expect(isPairedKonnectivityVersion('v0.34.0', 35)).toBe(false);
    expect(isPairedKonnectivityVersion('v0.1.2', 27)).toBe(true);
    expect(isPairedKonnectivityVersion('v0.0.37', 27)).toBe(false);
  });

  test('a version outside the pairing is used as written, with a warning naming the field and the paired one', () => {
    const cluster = parseClusterConfig(on({ version: 'v0.34.0' }));
    expect(cluster.components.konnectivity.version).toBe('v0.34.0');
    expect(cluster.warnings).toEqual([expect.objectContaining({ path: 'components.konnectivity.version', value: 'v0.34.0', message: 'not the release paired with Kubernetes 1.35 (v0.35.0)' })]);
    expect(formatWarnings(cluster.warnings)[0]).toMatch(/^warning: components\.konnectivity\.version: not the release paired .* \(got "v0\.34\.0"\)\n  hint: /);
    expect(parseClusterConfig(on({ version: 'v0.35.0' })).warnings).toEqual([]);
    expect(parseClusterConfig(on()).warnings).toEqual([]);
  });

  test('lease counting flags exist from v0.31.0 only; every other flag is known to all releases', () => {
    expect(Object.keys(KONNECTIVITY_FLAGS_SINCE).sort()).toEqual(['count-server-leases', 'enable-lease-controller']);
    expect(konnectivityVersionHasFlag('v0.30.4', 'count-server-leases')).toBe(false);
    expect(konnectivityVersionHasFlag('v0.1.10', 'enable-lease-controller')).toBe(false);
    expect(konnectivityVersionHasFlag('v0.31.0', 'enable-lease-controller')).toBe(true);
    expect(konnectivityVersionHasFlag('v0.0.37', 'proxy-strategies')).toBe(true);
  });
});

describe('Konnectivity options', () => {
  test('defaults: DaemonSet agents with destHost,default and their node IP from the downward API', () => {
    const cluster = parseClusterConfig(on());
    const server = flags(konnectivityServerArgs(cluster));
    const agent = flags(konnectivityAgentArgs(cluster));
    expect(server['proxy-strategies']).toBe('destHost,default');
    expect(server['server-count']).toBe('1');
    expect(agent['agent-identifiers']).toBe('ipv4=$(HOST_IP)');
    expect([agent['sync-interval'], agent['probe-interval']]).toEqual(['5s', '5s']);
    const container = find(synthBootstrap(on()).charts.konnectivity, 'DaemonSet', 'konnectivity-agent').spec.template.spec.containers[0];
    expect(container.env).toEqual([{ name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }]);
    // the variable the flag expands is the one the env defines
    expect(container.args).toContain(`--agent-identifiers=ipv4=$(${container.env[0].name})`);
  });

  test('Deployment agents default to the default strategy, with no identifiers and no env', () => {
    const cluster = parseClusterConfig(on({ agentForm: 'deployment' }));
    expect(flags(konnectivityServerArgs(cluster))['proxy-strategies']).toBe('default');
    expect(flags(konnectivityAgentArgs(cluster))['agent-identifiers']).toBeUndefined();
    const container = find(synthBootstrap(on({ agentForm: 'deployment' })).charts.konnectivity, 'Deployment', 'konnectivity-agent').spec.template.spec.containers[0];
    expect(container.env).toBeUndefined();
  });

  test('keepalive comes from one value on both ends; serverCount reaches the server', () => {
    const cluster = parseClusterConfig(on({ keepaliveTime: '2m30s', serverCount: 3, syncInterval: '10s', probeInterval: '2s' }));
    const server = flags(konnectivityServerArgs(cluster));
    const agent = flags(konnectivityAgentArgs(cluster));
    expect([server['keepalive-time'], agent['keepalive-time']]).toEqual(['2m30s', '2m30s']);
    expect(server['server-count']).toBe('3');
    expect([agent['sync-interval'], agent['probe-interval']]).toEqual(['10s', '2s']);
    expect(goDurationMs('2m30s')).toBe(150_000);
    expect(goDurationMs('500ms')).toBe(500);
  });

  test('agents get requests and a memory limit (Burstable), no CPU limit; overrides apply', () => {
    const pod = (extra: object) => find(synthBootstrap(on(extra)).charts.konnectivity, 'DaemonSet', 'konnectivity-agent').spec.template.spec.containers[0];
    expect(pod({}).resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } });
    expect(pod({ agentResources: { memoryLimit: '256Mi' } }).resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '256Mi' } });
  });

  test('the server gets requests (Burstable) and no limits, in both forms; overrides apply', () => {
    const server = (extra: object) => find(synthBootstrap(on({ serverForm: 'daemonset', ...extra })).charts.konnectivity, 'DaemonSet', 'konnectivity-server').spec.template.spec;
    expect(server({}).containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' } });
    expect(server({ serverResources: { memoryRequest: '256Mi' } }).containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' } });
    const staticPod = parse(konnectivityFiles(parseClusterConfig(on())).find((f) => f.path === 'control-plane/manifests/konnectivity-server.yaml')!.content);
    expect(staticPod.spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' } });
    expect(issues(on({ serverResources: { cpuRequest: '0.5 cores' } }))[0].path).toBe('components.konnectivity.serverResources.cpuRequest');
  });

  test('server and agent run under the runtime default seccomp profile; the server has no token, the agent a readiness probe', () => {
    const objects = synthBootstrap(on({ serverForm: 'daemonset' })).charts.konnectivity;
    const server = find(objects, 'DaemonSet', 'konnectivity-server').spec.template.spec;
    const agent = find(objects, 'DaemonSet', 'konnectivity-agent').spec.template.spec;
    expect([server.securityContext, agent.securityContext]).toEqual([{ seccompProfile: { type: 'RuntimeDefault' } }, { seccompProfile: { type: 'RuntimeDefault' } }]);
    expect(server.automountServiceAccountToken).toBe(false);
    expect(agent.containers[0].readinessProbe.httpGet).toEqual({ port: 8134, path: '/readyz' });
  });

  test('lease counting: both ends switch on together, with Roles for each; the forms pass the strict schema', () => {
    const cluster = parseClusterConfig(on({ serverCountFromLeases: true }));
    expect(flags(konnectivityServerArgs(cluster))['enable-lease-controller']).toBe(true);
    expect(flags(konnectivityAgentArgs(cluster))['count-server-leases']).toBe(true);
    const objects = synthBootstrap(on({ serverCountFromLeases: true, serverForm: 'daemonset' })).charts.konnectivity;
    expect(find(objects, 'Role', 'system:konnectivity-agent:leases').rules[0].verbs).toEqual(['get', 'list', 'watch']);
    expect(find(objects, 'RoleBinding', 'system:konnectivity-server:leases').subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:konnectivity-server' }]);
    expect(find(objects, 'RoleBinding', 'system:konnectivity-agent:leases').subjects).toEqual([{ kind: 'ServiceAccount', name: 'konnectivity-agent', namespace: 'kube-system' }]);
    expect(schema.validateAll(objects)).toEqual([]);
    const without = flags(konnectivityAgentArgs(parseClusterConfig(on())));
    expect(without['count-server-leases']).toBeUndefined();
    expect(synthBootstrap(on()).charts.konnectivity.filter((o: any) => o.kind === 'Role')).toEqual([]);
  });
});

describe('Konnectivity bad input', () => {
  const path = (field: string) => `components.konnectivity.${field}`;

  test('destHost with Deployment agents', () => {
    expect(issues(on({ agentForm: 'deployment', proxyStrategies: ['destHost', 'default'] }))).toEqual([
      { path: path('proxyStrategies'), value: ['destHost', 'default'], message: 'destHost needs an agent on every node, but agentForm is "deployment"', hint: 'use agentForm: daemonset, or proxyStrategies: ["default"]' },
    ]);
  });

  test('an empty or repeated strategy list, an unknown strategy', () => {
    expect(issues(on({ proxyStrategies: [] }))[0]).toMatchObject({ path: path('proxyStrategies'), message: 'lists no strategy' });
    expect(issues(on({ proxyStrategies: ['default', 'default'] }))[0]).toMatchObject({ path: path('proxyStrategies'), message: 'lists a strategy twice' });
    expect(issues(on({ proxyStrategies: ['defaultRoute'] }))[0].path).toBe('components.konnectivity.proxyStrategies.0');
  });

  test('a server count below one (the config lists no control-plane nodes to compare with)', () => {
    expect(issues(on({ serverCount: 0 }))[0]).toMatchObject({ path: path('serverCount'), value: 0, message: 'must be >= 1' });
  });

  test('lease counting on a release without its flags', () => {
    expect(issues(on({ serverCountFromLeases: true, version: 'v0.30.3' }))).toEqual([
      expect.objectContaining({ path: path('serverCountFromLeases'), value: true, message: 'version v0.30.3 has no --enable-lease-controller or --count-server-leases (from v0.31.0)' }),
    ]);
    // the default release for 1.30 lacks them too
    expect(issues(on({ serverCountFromLeases: true }, { kubernetesVersion: '1.30.14' }))[0]).toMatchObject({ path: path('serverCountFromLeases'), message: expect.stringContaining('v0.30.4 has no') });
    expect(() => parseClusterConfig(on({ serverCountFromLeases: true, version: 'v0.31.4' }))).not.toThrow();
  });

  test('a keepalive the server would refuse, zero intervals, malformed durations', () => {
    expect(issues(on({ keepaliveTime: '20s' }))[0]).toMatchObject({ path: path('keepaliveTime'), value: '20s', message: 'shorter than 30s' });
    expect(() => parseClusterConfig(on({ keepaliveTime: '30s' }))).not.toThrow();
    expect(issues(on({ syncInterval: '0s' }))[0]).toMatchObject({ path: path('syncInterval'), message: 'is zero' });
    expect(issues(on({ probeInterval: '5 seconds' }))[0].path).toBe(path('probeInterval'));
  });

  test('a memory request above the limit, a malformed quantity', () => {
    expect(issues(on({ agentResources: { memoryRequest: '256Mi' } }))[0]).toMatchObject({ path: path('agentResources.memoryRequest'), value: '256Mi', message: 'above memoryLimit 128Mi' });
    expect(issues(on({ agentResources: { cpuRequest: '0.5 cores' } }))[0].path).toBe(path('agentResources.cpuRequest'));
  });
});
