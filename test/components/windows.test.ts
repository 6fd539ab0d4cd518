import { parseClusterConfig } from '../../lib/config/parse';
import { flannelWindowsCniConf } from '../../lib/components/flannel/net-conf';
import { kubeProxyWindowsConfig } from '../../lib/components/kube-proxy-windows';
import { ConfigError } from '../../lib/config/errors';
import { find, synthBootstrap } from '../support/synth';

const WINDOWS = { windows: { enabled: true } } as const;

describe('Windows CNI config (pure)', () => {
  test('network name follows the VNI; service and pod ranges come from the config', () => {
    const c = parseClusterConfig({ ...WINDOWS, networking: { serviceSubnet: '172.20.0.0/16', podSubnet: '10.32.0.0/16' } });
    const conf = flannelWindowsCniConf(c.network, c.components.flannel.vxlan) as any;
    expect(conf.name).toBe('flannel.4096');
    expect(conf.delegate.type).toBe('sdnoverlay');
    expect(conf.delegate.AdditionalArgs.map((a: any) => a.Value.Type)).toEqual(['OutBoundNAT', 'SDNROUTE', 'ProviderAddress']);
    expect(conf.delegate.AdditionalArgs[0].Value.Settings.Exceptions).toEqual(['172.20.0.0/16', '10.32.0.0/16']);
    expect(conf.delegate.AdditionalArgs[1].Value.Settings).toEqual({ DestinationPrefix: '172.20.0.0/16', NeedEncap: true });
  });

  test('kube-proxy runs the kernelspace proxier on the flannel network', () => {
    const c = parseClusterConfig({ ...WINDOWS, components: { flannel: { vxlan: { vni: 5000 } } } });
    expect(kubeProxyWindowsConfig(c)).toMatchObject({ mode: 'kernelspace', clusterCIDR: '10.244.0.0/16', winkernel: { networkName: 'flannel.5000' } });
  });
});

describe('Windows objects', () => {
  test('nothing Windows-specific without Windows nodes', () => {
    const { charts } = synthBootstrap();
    expect(Object.keys(charts)).toEqual(['flannel', 'coredns', 'node-local-dns', 'node-config', 'cluster-doctor-rbac', 'pki']);
    expect(charts.flannel.some((o) => o.metadata.name.includes('windows'))).toBe(false);
  });

  test('Windows Flannel: HostProcess on Windows/amd64 only, API endpoint and service range typed from the config', () => {
    const { charts } = synthBootstrap({ ...WINDOWS, apiServer: { host: '10.1.2.3', port: 8443 } });
    const ds = find(charts.flannel, 'DaemonSet', 'kube-flannel-ds-windows-amd64');
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.securityContext.windowsOptions).toEqual({ hostProcess: true, runAsUserName: 'NT AUTHORITY\\system' });
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'kubernetes.io/os', operator: 'In', values: ['windows'] },
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
    ]);
    const env = Object.fromEntries(pod.containers[0].env.filter((e: any) => e.value).map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ KUBERNETES_SERVICE_HOST: '10.1.2.3', KUBERNETES_SERVICE_PORT: '8443', SERVICE_SUBNET: '10.96.0.0/12' });
    expect(pod.containers[0].image).toBe('docker.io/sigwindowstools/flannel:v0.21.5-hostprocess');
    expect(ds.spec.selector.matchLabels).toEqual({ app: 'flannel-windows' });
    expect(pod.volumes.map((v: any) => v.configMap.name)).toEqual(['kube-flannel-cfg', 'kube-flannel-windows-cfg']);
    // Burstable like the Linux flanneld (never BestEffort, evicted first), and no limits
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '50Mi' } });
  });

  test('Linux Flannel keeps to Linux nodes when Windows is on', () => {
    const { charts } = synthBootstrap(WINDOWS);
    const pod = find(charts.flannel, 'DaemonSet', 'kube-flannel-ds').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['linux']);
  });

  test('Windows kube-proxy: image tag follows kubernetesVersion, Windows nodes only, rolling update', () => {
    const { charts } = synthBootstrap({ ...WINDOWS, kubernetesVersion: '1.33.2', imageRegistry: 'mirror.local' });
    const ds = find(charts['kube-proxy-windows'], 'DaemonSet', 'kube-proxy-windows');
    const pod = ds.spec.template.spec;
    expect(pod.containers[0].image).toBe('mirror.local/sigwindowstools/kube-proxy:v1.33.2-flannel-hostprocess');
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'windows' });
    expect(pod.securityContext.windowsOptions.hostProcess).toBe(true);
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    expect(pod.containers[0].env[0]).toEqual({ name: 'KUBE_NETWORK', value: 'flannel.4096' });
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '50Mi' } });
    const cm = find(charts['kube-proxy-windows'], 'ConfigMap', 'kube-proxy-windows');
    expect(cm.data['kubeconfig.conf']).toContain('server: https://192.0.2.10:6443');
    expect(find(charts['kube-proxy-windows'], 'ClusterRoleBinding', 'kube-proxy-windows').roleRef.name).toBe('system:node-proxier');
  });

  test('Windows kube-proxy can be turned off', () => {
    expect(Object.keys(synthBootstrap({ ...WINDOWS, components: { kubeProxyWindows: { enabled: false } } }).charts)).not.toContain('kube-proxy-windows');
    expect(Object.keys(synthBootstrap(WINDOWS).charts)).toContain('kube-proxy-windows');
  });

  test('a malformed Windows flannel version is refused', () => {
    expect(() => parseClusterConfig({ components: { flannel: { windowsVersion: '0.21' } } })).toThrow(ConfigError);
    expect(() => parseClusterConfig({ components: { flannel: { windowsVersion: '0.21' } } })).toThrow(/components.flannel.windowsVersion: does not match/);
  });
});
