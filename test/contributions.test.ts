import type { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { builtInComponents, ClusterBootstrap } from '../lib/cluster-bootstrap';
import type { ClusterComponent } from '../lib/component';
import { collectContributions, ContributionConflictError, type ComponentContributions, type HostPathMount } from '../lib/contributions';
import { parseClusterConfig } from '../lib/config/parse';
import { pkiPlan } from '../lib/pki/plan';
import type { ClusterConfigFile } from '../lib/config/types';
import { Testing } from 'cdk8s';

const mount = (name: string, path: string): HostPathMount => ({ name, hostPath: path, mountPath: path, readOnly: true, pathType: 'File' });

describe('collectContributions (pure)', () => {
  test('nothing contributed: empty, in every part', () => {
    const w = collectContributions([{ id: 'a', contributions: {} }]);
    expect(w.apiServer).toEqual({ args: {}, mounts: [] });
    expect(w.kubelet).toEqual({ args: {}, config: {} });
    expect(w.certificates).toEqual({ apiServerSANs: [], clientCertificates: [] });
  });

  test('flags are sorted by name, mounts and SANs keep component order, identical duplicates merge', () => {
    const w = collectContributions([
      { id: 'b', contributions: { apiServer: { args: { zeta: '1', alpha: '2' }, mounts: [mount('m2', '/etc/b')] }, certificates: { apiServerSANs: ['b.example', '10.0.0.2'] } } },
      { id: 'a', contributions: { apiServer: { args: { alpha: '2', mid: '3' }, mounts: [mount('m1', '/etc/a'), mount('m2', '/etc/b')] }, certificates: { apiServerSANs: ['a.example', 'b.example'] } } },
    ]);
    expect(Object.entries(w.apiServer.args)).toEqual([['alpha', '2'], ['mid', '3'], ['zeta', '1']]);
    expect(w.apiServer.mounts.map((m) => m.name)).toEqual(['m2', 'm1']);
    expect(w.certificates.apiServerSANs).toEqual(['b.example', '10.0.0.2', 'a.example']);
  });

  test.each<[string, ComponentContributions, ComponentContributions, RegExp]>([
    ['a flag with two values', { apiServer: { args: { 'oidc-issuer-url': 'https://a' } } }, { apiServer: { args: { 'oidc-issuer-url': 'https://b' } } },
      /^kube-apiserver flag --oidc-issuer-url: component "one" sets "https:\/\/a" but component "two" sets "https:\/\/b"$/],
    ['a mount path used twice', { scheduler: { mounts: [mount('x', '/etc/x')] } }, { scheduler: { mounts: [{ ...mount('y', '/etc/x'), readOnly: false }] } },
      /^kube-scheduler mount path \/etc\/x: component "one" mounts .*"name":"x".* but component "two" mounts .*"name":"y"/],
    ['a volume name used twice', { apiServer: { mounts: [mount('x', '/etc/x')] } }, { apiServer: { mounts: [mount('x', '/etc/y')] } }, /^kube-apiserver volume name "x": component "one"/],
    ['a forbidden flag', { controllerManager: { forbiddenArgs: ['cloud-provider'] } }, { controllerManager: { args: { 'cloud-provider': 'aws' } } },
      /^kube-controller-manager flag --cloud-provider: component "one" forbids it but component "two" sets "aws"$/],
    ['a kubelet flag', { kubelet: { args: { 'image-credential-provider-config': '/a' } } }, { kubelet: { args: { 'image-credential-provider-config': '/b' } } }, /^kubelet flag --image-credential-provider-config: component "one" sets "\/a" but component "two" sets "\/b"$/],
    ['a kubelet config field', { kubelet: { config: { maxPods: 110 } } }, { kubelet: { config: { maxPods: 250 } } }, /^KubeletConfiguration field maxPods: component "one" sets 110 but component "two" sets 250$/],
    ['a client certificate name', { certificates: { clientCertificates: [{ name: 'c', commonName: 'x', purpose: 'p' }] } }, { certificates: { clientCertificates: [{ name: 'c', commonName: 'y', purpose: 'p' }] } }, /^client certificate "c": component "one"/],
  ])('refuses %s, naming both components and both values', (_what, one, two, message) => {
    expect(() => collectContributions([{ id: 'one', contributions: one }, { id: 'two', contributions: two }])).toThrow(ContributionConflictError);
    expect(() => collectContributions([{ id: 'one', contributions: one }, { id: 'two', contributions: two }])).toThrow(message);
  });
});

/** An app repo's component: an OIDC issuer for the API server (a flag, a mounted CA file) and an extra SAN. */
class OidcComponent implements ClusterComponent {
  readonly id = 'oidc';
  constructor(private readonly extra: ComponentContributions = {}) {}
  isEnabled(): boolean {
    return true;
  }
  version(): string {
    return 'v1';
  }
  addTo(chart: Chart): Construct {
    return new Construct(chart, 'oidc');
  }
  contributions(): ComponentContributions {
    return {
      apiServer: {
        args: { 'oidc-issuer-url': 'https://sso.example.com', 'oidc-ca-file': '/etc/kubernetes/oidc/ca.crt', ...this.extra.apiServer?.args },
        mounts: [mount('oidc-ca', '/etc/kubernetes/oidc/ca.crt')],
      },
      certificates: { apiServerSANs: ['api.sso.example.com'], ...this.extra.certificates },
    };
  }
}

function synthFiles(file: ClusterConfigFile, extra: ClusterComponent[]): Record<string, string> {
  const bootstrap = new ClusterBootstrap(Testing.app(), { config: parseClusterConfig(file), components: [...builtInComponents(), ...extra] });
  return Object.fromEntries([...bootstrap.files.values()].flat().map((f) => [f.path, f.content]));
}
const clusterConfigurationIn = (files: Record<string, string>) => parseAllDocuments(files['node-config/kubeadm-init.yaml']).map((d) => d.toJS()).find((d) => d.kind === 'ClusterConfiguration');

describe('an app component contributes through the contract', () => {
  test('its flag, mount and SAN reach kubeadm and the PKI plan, beside the built-in ones', () => {
    const files = synthFiles({ components: { konnectivity: { enabled: true } } }, [new OidcComponent()]);
    const api = clusterConfigurationIn(files).apiServer;
    const args = Object.fromEntries(api.extraArgs.map((a: { name: string; value: string }) => [a.name, a.value]));
    expect(args).toMatchObject({ 'oidc-issuer-url': 'https://sso.example.com', 'egress-selector-config-file': '/etc/kubernetes/egress-selector-configuration.yaml', 'audit-policy-file': '/etc/kubernetes/audit/policy.yaml' });
    expect(api.extraArgs.map((a: { name: string }) => a.name)).toEqual([...api.extraArgs.map((a: { name: string }) => a.name)].sort());
    expect(api.extraVolumes.map((v: HostPathMount) => v.name)).toContain('oidc-ca');
    expect(api.certSANs).toContain('api.sso.example.com');
    expect(files['pki/openssl/apiserver.csr.conf']).toMatch(/DNS\.\d+ = api\.sso\.example\.com/);
    expect(JSON.parse(files['pki/cfssl/apiserver-csr.json']).hosts).toContain('api.sso.example.com');
    expect(files['pki/cfssl/konnectivity-server-csr.json']).toBeDefined();
  });

  test('a clash with node-config (audit) or the CCM is refused, naming both', () => {
    expect(() => synthFiles({}, [new OidcComponent({ apiServer: { args: { 'audit-policy-file': '/tmp/mine.yaml' } } })])).toThrow(
      /kube-apiserver flag --audit-policy-file: component "node-config \(audit\)" sets "\/etc\/kubernetes\/audit\/policy.yaml" but component "oidc" sets "\/tmp\/mine.yaml"/,
    );
    const external: ClusterConfigFile = { cloudProvider: { type: 'external', name: 'aws' }, components: { cloudControllerManager: { image: 'registry.example/ccm:v1' } } };
    expect(() => synthFiles(external, [new OidcComponent({ apiServer: { args: { 'cloud-provider': 'aws' } } })])).toThrow(/--cloud-provider: component "cloud-controller-manager" forbids it but component "oidc" sets "aws"/);
  });

  test('a SAN that is no name is refused, naming the component', () => {
    expect(() => synthFiles({}, [new OidcComponent({ certificates: { apiServerSANs: ['not a name'] } })])).toThrow(/SAN "not a name" from component "oidc": neither an IP address nor a DNS name/);
  });
});

describe('ClusterBootstrap and the wiring', () => {
  test('is merged before any addTo or files, so the first component sees what a later one contributes; disabled ones contribute nothing', () => {
    const seen: string[][] = [];
    const reader: ClusterComponent = {
      id: 'reader',
      isEnabled: () => true,
      version: () => 'v1',
      addTo: (chart, _config, wiring) => {
        seen.push(Object.keys(wiring.apiServer.args));
        return new Construct(chart, 'reader');
      },
      files: (_config, wiring) => {
        seen.push(wiring.certificates.apiServerSANs.slice());
        return [];
      },
    };
    const off: ClusterComponent = { id: 'off', isEnabled: () => false, version: () => 'v1', addTo: (chart) => new Construct(chart, 'off'), contributions: () => ({ kubelet: { args: { 'off-flag': 'x' } } }) };
    const bootstrap = new ClusterBootstrap(Testing.app(), { config: parseClusterConfig({}), components: [reader, new OidcComponent(), off] });
    expect(seen).toEqual([['oidc-ca-file', 'oidc-issuer-url'], ['api.sso.example.com']]);
    expect(bootstrap.wiring.sources.map((s) => s.id)).toEqual(['reader', 'oidc']);
    expect(bootstrap.wiring.kubelet.args).toEqual({});
  });

  test('the built-in components wire Konnectivity and the external cloud provider through it', () => {
    const config = parseClusterConfig({ cloudProvider: { type: 'external', name: 'aws' }, components: { cloudControllerManager: { image: 'registry.example/ccm:v1' }, konnectivity: { enabled: true } } });
    const { wiring } = new ClusterBootstrap(Testing.app(), { config });
    expect(wiring.apiServer.args).toEqual({ 'egress-selector-config-file': '/etc/kubernetes/egress-selector-configuration.yaml', 'kubelet-certificate-authority': '/etc/kubernetes/pki/ca.crt' });
    expect(wiring.apiServer.mounts.map((m) => m.name)).toEqual(['egress-selector-config', 'konnectivity-uds']);
    expect(wiring.kubelet.args).toEqual({ 'cloud-provider': 'external' });
    expect(wiring.certificates.clientCertificates.map((c) => [c.name, c.commonName])).toEqual([['konnectivity-server', 'system:konnectivity-server']]);
    expect(new ClusterBootstrap(Testing.app(), { config: parseClusterConfig({}) }).wiring.sources.every((s) => Object.keys(s.contributions).length === 0)).toBe(true);
  });
});

describe('contributions that are wrong by themselves', () => {
  const one = (contributions: ComponentContributions) => () => collectContributions([{ id: 'one', contributions }]);

  test('a SAN that is neither an IP nor a DNS name (the config rule: lower case, no scheme) is refused when collected, naming its component', () => {
    for (const bad of ['not a name', 'https://api.example:6443', 'API.example.com', '10.0.0.0/24']) {
      expect(one({ certificates: { apiServerSANs: [bad] } })).toThrow(new RegExp(`^API server certificate SAN ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} from component "one": neither an IP address nor a DNS name`));
    }
    expect(one({ certificates: { apiServerSANs: ['*.api.example.internal', 'fd00::10'] } })().certificates.apiServerSANs).toEqual(['*.api.example.internal', 'fd00::10']);
  });

  test('a client certificate whose name is not kebab-case, or is already kubeadm\'s, is refused naming its component', () => {
    expect(one({ certificates: { clientCertificates: [{ name: 'My_Cert', commonName: 'x', purpose: 'p' }] } })).toThrow(/^client certificate "My_Cert" from component "one": the name must be kebab-case/);
    const wiring = one({ certificates: { clientCertificates: [{ name: 'apiserver-kubelet-client', commonName: 'x', purpose: 'p' }] } })();
    expect(() => pkiPlan(parseClusterConfig({}), wiring)).toThrow(/^client certificate "apiserver-kubelet-client" from component "one": the PKI plan already has a certificate of that name$/);
  });
});
