import type { ConfigIssue } from '../../lib/config/errors';
import { issuesOf } from '../support/issues';
import { parseClusterConfig } from '../../lib/config/parse';


function only(input: unknown): ConfigIssue {
  const issues = issuesOf(input);
  expect(issues).toHaveLength(1);
  return issues[0];
}

describe('defaults and derived facts', () => {
  test('the empty config resolves to the documented defaults', () => {
    const c = parseClusterConfig({});
    expect(c.clusterName).toBe('bootstrap');
    expect(c.kubernetesVersion).toEqual({ major: 1, minor: 35, patch: 4, semver: '1.35.4', tag: 'v1.35.4' });
    expect(c.network.podCidrs.map(String)).toEqual(['10.244.0.0/16']);
    expect(c.network.serviceCidrs.map(String)).toEqual(['10.96.0.0/12']);
    expect(c.network.firstServiceIP.toString()).toBe('10.96.0.1');
    expect(c.network.dnsServiceIP.toString()).toBe('10.96.0.10');
    expect(c.network.nodeLocalDnsIP.toString()).toBe('169.254.20.10');
    expect(c.network.dnsDomain).toBe('cluster.local');
    expect(c.kubeProxyMode).toBe('iptables');
    expect(c.apiServer).toMatchObject({ host: '192.0.2.10', port: 6443, url: 'https://192.0.2.10:6443', endpoint: '192.0.2.10:6443' });
    expect(c.apiServer.audit.enabled).toBe(true);
    expect(c.apiServer.encryptionAtRest).toEqual({ enabled: false });
    expect(c.secretsDir).toBe('.cluster-secrets');
    expect(c.cloudProvider).toEqual({ type: 'none' });
    expect(c.components.flannel).toEqual({ enabled: true, version: 'v0.28.9', vxlan: { vni: 1, port: 8472, directRouting: false }, windowsVersion: 'v0.21.5' });
    expect(c.components.kubeProxyWindows).toEqual({ enabled: false }); // no Windows nodes
  });

  test('the DNS and first service IPs follow the service subnet', () => {
    const c = parseClusterConfig({ networking: { serviceSubnet: '172.20.0.0/16', podSubnet: '10.0.0.0/14' } });
    expect(c.network.firstServiceIP.toString()).toBe('172.20.0.1');
    expect(c.network.dnsServiceIP.toString()).toBe('172.20.0.10');
  });

  test('dual-stack subnets keep IPv4 first and derive IPs from it', () => {
    const c = parseClusterConfig({ networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/12,fd00:10:96::/112' } });
    expect(c.network.podCidrs.map((x) => x.family)).toEqual([4, 6]);
    expect(c.network.dnsServiceIP.toString()).toBe('10.96.0.10');
  });

  test('the joined pod subnet every consumer takes is derived once, IPv4 first', () => {
    expect(parseClusterConfig({}).network.podSubnet).toBe('10.244.0.0/16');
    expect(parseClusterConfig({ networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/12,fd00:10:96::/112' } }).network.podSubnet).toBe('10.244.0.0/16,fd00:10:244::/56');
  });

  test.each([
    ['iptables', true, 'intercept-service-ip', '10.96.0.10'],
    ['iptables', false, 'intercept-service-ip', '10.96.0.10'],
    ['ipvs', true, 'link-local-only', '169.254.20.10'],
    ['ipvs', false, 'link-local-only', '10.96.0.10'],
    ['nftables', true, 'link-local-only', '169.254.20.10'],
    ['nftables', false, 'link-local-only', '10.96.0.10'],
  ] as const)('kube-proxy %s, NodeLocal DNS %s: node-cache wiring %s, kubelet clusterDNS %s', (kubeProxyMode, enabled, mode, clusterDns) => {
    const c = parseClusterConfig({ networking: { kubeProxyMode }, components: { nodeLocalDns: { enabled } } });
    expect(c.network.nodeLocalDnsMode).toBe(mode);
    expect(c.network.kubeletClusterDNS).toBe(clusterDns);
  });

  test('IPv6 API server hosts are bracketed in the URL', () => {
    expect(parseClusterConfig({ apiServer: { host: 'fd00::10' } }).apiServer.url).toBe('https://[fd00::10]:6443');
  });

  test('Windows clusters default the VXLAN VNI and port to what Windows requires', () => {
    const c = parseClusterConfig({ windows: { enabled: true } });
    expect(c.components.flannel.vxlan).toMatchObject({ vni: 4096, port: 4789 });
  });

  test('external cloud provider keeps its name; v-prefixed versions are accepted', () => {
    const c = parseClusterConfig({
      cloudProvider: { type: 'external', name: 'openstack' },
      kubernetesVersion: 'v1.31.2',
      components: { cloudControllerManager: { image: 'registry.k8s.io/provider-os/openstack-cloud-controller-manager:v1.31.0' } },
    });
    expect(c.cloudProvider).toEqual({ type: 'external', name: 'openstack' });
    expect(c.kubernetesVersion.tag).toBe('v1.31.2');
  });
});

describe('bad input names the field, the value and a hint', () => {
  test('malformed CIDR', () => {
    expect(only({ networking: { podSubnet: '10.244.0.0/33' } })).toMatchObject({ path: 'networking.podSubnet', value: '10.244.0.0/33' });
    expect(only({ networking: { serviceSubnet: '10.96.0/12' } }).hint).toMatch(/CIDR like|address like/);
  });

  test('host bits set suggests the network address', () => {
    expect(only({ networking: { podSubnet: '10.244.3.0/16' } }).hint).toBe('did you mean 10.244.0.0/16?');
  });

  test('pod and service CIDRs overlap', () => {
    const issue = only({ networking: { podSubnet: '10.96.0.0/16' } });
    expect(issue).toMatchObject({ path: 'networking.podSubnet', value: '10.96.0.0/16' });
    expect(issue.message).toMatch(/overlaps the service subnet 10.96.0.0\/12/);
  });

  test.each([
    ['172.16.0.10', /outside the service subnet/],
    ['10.112.0.10', /outside the service subnet/],
    ['10.96.0.0', /network address/],
    ['10.96.0.1', /first service address/],
    ['10.111.255.255', /broadcast/],
  ])('DNS service IP %s is refused', (ip, message) => {
    const issue = only({ networking: { dnsServiceIP: ip } });
    expect(issue.path).toBe('networking.dnsServiceIP');
    expect(issue.value).toBe(ip);
    expect(issue.message).toMatch(message);
    expect(issue.hint).toMatch(/10\.96\.0\.10/);
  });

  test('unknown kube-proxy mode lists the allowed values and a guess', () => {
    const issue = only({ networking: { kubeProxyMode: 'ipvss' } });
    expect(issue).toMatchObject({ path: 'networking.kubeProxyMode', value: 'ipvss' });
    expect(issue.hint).toMatch(/"iptables", "ipvs", "nftables"/);
    expect(issue.hint).toMatch(/did you mean "ipvs"/);
  });

  test('nftables needs Kubernetes 1.31', () => {
    expect(only({ kubernetesVersion: '1.29.0', networking: { kubeProxyMode: 'nftables' } }).path).toBe('networking.kubeProxyMode');
    expect(() => parseClusterConfig({ kubernetesVersion: '1.31.0', networking: { kubeProxyMode: 'nftables' } })).not.toThrow();
  });

  test.each(['1.35', 'latest', '1.35.x', ''])('malformed Kubernetes version %p', (v) => {
    expect(only({ kubernetesVersion: v })).toMatchObject({ path: 'kubernetesVersion', value: v, message: 'not a semver version' });
  });

  test('Kubernetes older than 1.27', () => {
    expect(only({ kubernetesVersion: '1.26.15' })).toMatchObject({ path: 'kubernetesVersion', message: 'older than 1.27.0' });
  });

  test.each(['Cluster.Local', 'cluster..local', '-cluster.local', 'cluster_local'])('invalid DNS domain %p', (domain) => {
    expect(only({ networking: { dnsDomain: domain } })).toMatchObject({ path: 'networking.dnsDomain', value: domain });
  });

  test('a typo in a key gets a "did you mean"', () => {
    const issue = only({ networking: { podSubnett: '10.244.0.0/16' } });
    expect(issue).toMatchObject({ path: 'networking.podSubnett', value: '10.244.0.0/16', message: 'unknown field' });
    expect(issue.hint).toMatch(/did you mean "podSubnet"/);
    expect(only({ kubernetesVersoin: '1.30.0' }).hint).toMatch(/did you mean "kubernetesVersion"/);
  });

  test('wrong types', () => {
    expect(only({ apiServer: { port: '6443' } })).toMatchObject({ path: 'apiServer.port', value: '6443', message: 'expected integer, found a string' });
    expect(only({ windows: { enabled: 'yes' } })).toMatchObject({ path: 'windows.enabled', message: 'expected boolean, found a string' });
    expect(only({ networking: [] })).toMatchObject({ path: 'networking', message: 'expected object, found a list' });
    expect(only('just a string')).toMatchObject({ path: '<root>' });
  });

  test('all problems are reported together', () => {
    const issues = issuesOf({ kubernetesVersion: '1.20.0', networking: { dnsDomain: 'UPPER', dnsServiceIP: '10.96.0.1' } });
    expect(issues.map((i) => i.path).sort()).toEqual(['kubernetesVersion', 'networking.dnsDomain', 'networking.dnsServiceIP']);
  });

  test('Windows forbids VNI < 4096, ports other than 4789 and DirectRouting, and says why', () => {
    const issues = issuesOf({ windows: { enabled: true }, components: { flannel: { vxlan: { vni: 1, port: 8472, directRouting: true } } } });
    expect(issues.map((i) => i.path)).toEqual(['components.flannel.vxlan.vni', 'components.flannel.vxlan.port', 'components.flannel.vxlan.directRouting']);
    expect(issues[0].message).toMatch(/Windows nodes need a VNI of at least 4096/);
    expect(issues[1].message).toMatch(/Windows nodes only use VXLAN port 4789/);
  });

  test('external cloud provider needs a name; none refuses one', () => {
    expect(only({ cloudProvider: { type: 'external' } }).path).toBe('cloudProvider.name');
    expect(only({ cloudProvider: { name: 'aws' } }).message).toMatch(/while cloudProvider.type is "none"/);
  });

  test('cluster name, API host, registry, node-local IP and small service ranges', () => {
    expect(only({ clusterName: 'My Cluster' }).path).toBe('clusterName');
    expect(only({ apiServer: { host: 'https://api:6443' } }).path).toBe('apiServer.host');
    expect(only({ imageRegistry: 'https://mirror.local/' }).path).toBe('imageRegistry');
    expect(only({ networking: { nodeLocalDnsIP: '10.96.0.20' } }).message).toMatch(/inside 10.96.0.0\/12/);
    expect(only({ networking: { nodeLocalDnsIP: '192.168.0.10' } }).message).toMatch(/not a link-local/);
    expect(only({ networking: { serviceSubnet: '10.96.0.0/29' } }).message).toMatch(/too small/);
    expect(only({ networking: { serviceSubnet: '10.0.0.0/8', podSubnet: '192.168.0.0/16' } }).hint).toMatch(/\/12 or longer/);
  });

  // each of these synthesized, and then the real `kubeadm config validate` refused the kubeadm-init.yaml
  // (test/e2e/node-config.e2e.test.ts runs kubeadm on what is accepted)
  test('pod ranges kubeadm refuses: smaller than a node range, or more than 2^16 node ranges', () => {
    const small = only({ networking: { podSubnet: '10.244.0.0/25' } });
    expect(small).toMatchObject({ path: 'networking.podSubnet', value: '10.244.0.0/25' });
    expect(small.message).toMatch(/smaller than one node's pod range \(\/24\)/);
    expect(small.hint).toMatch(/\/24 or shorter/);
    const small6 = only({ networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/70', serviceSubnet: '10.96.0.0/16,fd00:10:96::/112' } });
    expect(small6.message).toMatch(/fd00:10:244::\/70 is smaller than one node's pod range \(\/64\)/);
    const huge = only({ networking: { podSubnet: '10.0.0.0/7', serviceSubnet: '192.168.0.0/16' } });
    expect(huge.message).toMatch(/more than 65536 node ranges/);
    expect(huge.hint).toMatch(/\/8 or longer/);
    expect(only({ networking: { podSubnet: '10.244.0.0/16,fd00:10::/47', serviceSubnet: '10.96.0.0/16,fd01::/112' } }).hint).toMatch(/\/48 or longer/);
    // the edges kubeadm accepts
    expect(() => parseClusterConfig({ networking: { podSubnet: '10.244.0.0/24' } })).not.toThrow();
    expect(() => parseClusterConfig({ networking: { podSubnet: '10.0.0.0/8', serviceSubnet: '192.168.0.0/16' } })).not.toThrow();
    expect(() => parseClusterConfig({ networking: { podSubnet: 'fd00:10:244::/64', serviceSubnet: 'fd00:10:96::/112' } })).not.toThrow();
  });

  test('CRI endpoints the Linux node files cannot use: npipe:// (kubeadm prefixes unix://) and unix:// with a relative path', () => {
    for (const endpoint of ['npipe:////./pipe/containerd-containerd', 'unix://run/containerd/containerd.sock', 'unix:///run/containerd/']) {
      const issue = only({ components: { nodeConfig: { containerRuntimeEndpoint: endpoint } } });
      expect(issue).toMatchObject({ path: 'components.nodeConfig.containerRuntimeEndpoint', value: endpoint });
      expect(issue.hint).toMatch(/absolute Unix socket URL \(three slashes\)/);
    }
    expect(parseClusterConfig({ components: { nodeConfig: { containerRuntimeEndpoint: 'unix:///run/crio/crio.sock' } } }).components.nodeConfig.containerRuntimeEndpoint).toBe('unix:///run/crio/crio.sock');
  });

  test('the error message names each path, value and hint', () => {
    try {
      parseClusterConfig({ networking: { podSubnet: '10.96.0.0/16' } }, 'cluster.yaml');
      throw new Error('accepted');
    } catch (e) {
      expect((e as Error).message).toBe(
        'invalid cluster.yaml: 1 problem\n' +
          '  - networking.podSubnet: overlaps the service subnet 10.96.0.0/12 (got "10.96.0.0/16")\n' +
          '    hint: pod and service ranges must be disjoint; pick e.g. 10.244.0.0/16 and 10.96.0.0/12',
      );
    }
  });
});
