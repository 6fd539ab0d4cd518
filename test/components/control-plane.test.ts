import { parse } from 'yaml';
import { parseClusterConfig } from '../../lib/config/parse';
import { cloudControllerManagerArgs, cloudProviderFlags } from '../../lib/components/cloud-controller-manager';
import {
  egressSelectorConfiguration,
  KONNECTIVITY,
  konnectivityAgentArgs,
  konnectivityAgentEgressPolicy,
  konnectivityApiServerSettings,
  konnectivityFiles,
  konnectivityServerArgs,
} from '../../lib/components/konnectivity';
import { KubernetesSchema } from '../../lib/validation/kubernetes-schema';
import { issuesOf as issues } from '../support/issues';
import { find, synthBootstrap } from '../support/synth';

const EXTERNAL = { cloudProvider: { type: 'external', name: 'openstack' }, components: { cloudControllerManager: { image: 'registry.k8s.io/provider-os/openstack-cloud-controller-manager:v1.35.0' } } } as const;
const schema = KubernetesSchema.forVersion('1.35.4');


/** `--name=value` flags as a map. */
const flags = (args: string[]) => Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.replace(/^--/, '').split(/=(.*)/s).slice(0, 2)));

describe('cloud-controller-manager', () => {
  test('only with an external cloud provider', () => {
    expect(Object.keys(synthBootstrap().charts)).not.toContain('cloud-controller-manager');
    expect(Object.keys(synthBootstrap(EXTERNAL as object).charts)).toContain('cloud-controller-manager');
  });

  test('DaemonSet on control-plane nodes, tolerating the bootstrap taints', () => {
    const ds = find(synthBootstrap(EXTERNAL as object).charts['cloud-controller-manager'], 'DaemonSet', 'cloud-controller-manager');
    const pod = ds.spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(pod.tolerations).toEqual([
      { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(pod.containers[0].image).toBe(EXTERNAL.components.cloudControllerManager.image);
  });

  test('flags from typed options; --cluster-cidr is the pod subnet of the config', () => {
    const plain = parseClusterConfig(EXTERNAL);
    expect(cloudControllerManagerArgs(plain)).toEqual(['--cloud-provider=openstack', '--leader-elect=true', '--use-service-account-credentials', '--allocate-node-cidrs=false', '--configure-cloud-routes=false']);
    const routed = parseClusterConfig({ ...EXTERNAL, networking: { podSubnet: '10.32.0.0/16' }, components: { cloudControllerManager: { ...EXTERNAL.components.cloudControllerManager, allocateNodeCidrs: true, configureCloudRoutes: true } } });
    expect(flags(cloudControllerManagerArgs(routed))).toMatchObject({ 'allocate-node-cidrs': 'true', 'configure-cloud-routes': 'true', 'cluster-cidr': '10.32.0.0/16' });
  });

  test('least privilege by default; cluster-admin only when asked', () => {
    const objects = synthBootstrap(EXTERNAL as object).charts['cloud-controller-manager'];
    const role = find(objects, 'ClusterRole', 'system:cloud-controller-manager');
    expect(role.rules.map((r: any) => `${r.apiGroups[0] || 'core'}/${r.resources[0]}`)).toContain('coordination.k8s.io/leases');
    expect(find(objects, 'ClusterRoleBinding', 'system:cloud-controller-manager').roleRef.name).toBe('system:cloud-controller-manager');
    expect(find(objects, 'RoleBinding', 'cloud-controller-manager:apiserver-authentication-reader').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' });
    const admin = synthBootstrap({ ...EXTERNAL, components: { cloudControllerManager: { ...EXTERNAL.components.cloudControllerManager, clusterAdmin: true } } } as object).charts['cloud-controller-manager'];
    expect(find(admin, 'ClusterRoleBinding', 'system:cloud-controller-manager').roleRef.name).toBe('cluster-admin');
    expect(admin.some((o) => o.kind === 'ClusterRole')).toBe(false);
  });

  test('the cluster-side rules: kubelet --cloud-provider=external, nothing on the control plane', () => {
    expect(cloudProviderFlags(parseClusterConfig(EXTERNAL))).toEqual({ kubelet: { 'cloud-provider': 'external' }, forbiddenOnControlPlane: ['cloud-provider'] });
    expect(cloudProviderFlags(parseClusterConfig({}))).toEqual({ kubelet: {}, forbiddenOnControlPlane: [] });
  });

  test('external with no image, or a malformed image, is refused', () => {
    expect(issues({ cloudProvider: { type: 'external', name: 'aws' } })[0]).toMatchObject({ path: 'components.cloudControllerManager.image', message: 'required with an external cloud provider' });
    expect(issues({ ...EXTERNAL, components: { cloudControllerManager: { image: 'https://x/ccm' } } })[0].message).toBe('not an image reference');
  });
});

describe('Konnectivity', () => {
  const on = (extra: object = {}) => ({ components: { konnectivity: { enabled: true, ...extra } } });

  test('server, agent and API server agree on every shared value', () => {
    const cluster = parseClusterConfig({ ...on({ mode: 'http-connect' }), apiServer: { host: 'cp.example.internal' } });
    const server = flags(konnectivityServerArgs(cluster));
    const agent = flags(konnectivityAgentArgs(cluster));
    const egress = egressSelectorConfiguration(cluster) as any;
    const objects = synthBootstrap({ ...on({ mode: 'http-connect' }), apiServer: { host: 'cp.example.internal' } }).charts.konnectivity;
    const agentPod = find(objects, 'DaemonSet', 'konnectivity-agent').spec.template.spec;
    expect(server['agent-service-account']).toBe(agentPod.serviceAccountName);
    expect(server['agent-namespace']).toBe(find(objects, 'DaemonSet', 'konnectivity-agent').metadata.namespace);
    expect(server['authentication-audience']).toBe(agentPod.volumes[0].projected.sources[0].serviceAccountToken.audience);
    expect(agent['service-account-token-path']).toBe(`${agentPod.containers[0].volumeMounts[0].mountPath}/${agentPod.volumes[0].projected.sources[0].serviceAccountToken.path}`);
    expect(server['uds-name']).toBe(egress.egressSelections[0].connection.transport.uds.udsName);
    expect([server.mode, egress.egressSelections[0].connection.proxyProtocol]).toEqual(['http-connect', 'HTTPConnect']);
    expect([server['agent-port'], agent['proxy-server-port']]).toEqual(['8132', '8132']);
    expect(agent['proxy-server-host']).toBe('cp.example.internal');
    const binding = find(objects, 'ClusterRoleBinding', 'system:konnectivity-server');
    expect(binding.roleRef.name).toBe('system:auth-delegator');
    expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KONNECTIVITY.serverUser }]);
    const api = konnectivityApiServerSettings();
    expect(api.flags['egress-selector-config-file']).toBe(KONNECTIVITY.egressConfigPath);
    expect(api.volumes.map((v) => v.hostPath)).toContain(server['uds-name'].replace(/\/[^/]+$/, ''));
  });

  test('static Pod file (default) is a valid Pod; the DaemonSet form runs on control-plane nodes', () => {
    const files = konnectivityFiles(parseClusterConfig(on()));
    expect(files.map((f) => f.path)).toEqual(['control-plane/egress-selector-configuration.yaml', 'control-plane/manifests/konnectivity-server.yaml']);
    const pod = parse(files[1].content);
    expect(schema.validate(pod)).toEqual([]);
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.containers[0].ports.map((p: any) => [p.containerPort, p.hostPort])).toEqual([
      [8132, 8132],
      [8133, 8133],
      [8134, 8134],
    ]);
    const ds = find(synthBootstrap(on({ serverForm: 'daemonset' })).charts.konnectivity, 'DaemonSet', 'konnectivity-server');
    expect(ds.spec.template.spec.nodeSelector).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(konnectivityFiles(parseClusterConfig(on({ serverForm: 'daemonset' }))).map((f) => f.path)).toEqual(['control-plane/egress-selector-configuration.yaml']);
  });

  test('the agent as a Deployment; every form passes the strict schema', () => {
    const objects = synthBootstrap(on({ agentForm: 'deployment', agentReplicas: 3, serverForm: 'daemonset' })).charts.konnectivity;
    expect(find(objects, 'Deployment', 'konnectivity-agent').spec.replicas).toBe(3);
    expect(schema.validateAll(objects)).toEqual([]);
  });

  test('the agent egress rule targets the server port (and address when it is an IP)', () => {
    const p = konnectivityAgentEgressPolicy(parseClusterConfig({ ...on(), apiServer: { host: '10.0.0.10' } }));
    expect(p.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 8132 }] }]);
  });

  test('bad input: colliding ports, out-of-range ports, a server host that is neither name nor IP', () => {
    expect(issues(on({ adminPort: 8132 }))[0]).toMatchObject({ path: 'components.konnectivity.adminPort', message: 'collides with agentPort' });
    expect(issues(on({ healthPort: 70000 }))[0]).toMatchObject({ path: 'components.konnectivity.healthPort', message: 'must be <= 65535' });
    expect(issues(on({ serverHost: 'https://cp:8132' }))[0]).toMatchObject({ path: 'components.konnectivity.serverHost', message: 'neither a host name nor an IP address' });
  });
});
