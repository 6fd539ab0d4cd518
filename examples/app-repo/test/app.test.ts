import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Yaml } from 'cdk8s';
import { builtInComponents, ClusterBootstrap, ConfigError, parseClusterConfig, storedLimitRangeItems } from 'cluster-bootstrap';
import { platformConfig, synth, withAppAdditions } from '../src/app';
import { SsoAuthenticationComponent } from '../src/sso-authentication';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-repo-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function synthesized(): Record<string, any[]> {
  synth(outdir);
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml'));
  return Object.fromEntries(files.map((f) => [f.replace(/^\d+-/, '').replace('.k8s.yaml', ''), Yaml.load(path.join(outdir, f))]));
}

describe('the app repo extends the bootstrap', () => {
  const charts = synthesized();
  const find = (chart: string, kind: string, name: string) => charts[chart].find((o) => o.kind === kind && o.metadata.name === name);

  test('synthesizes the built-in components and its own', () => {
    expect(Object.keys(charts).sort()).toEqual(['cluster-doctor-rbac', 'coredns', 'flannel', 'node-config', 'node-local-dns', 'pki', 'platform-info', 'sso-authentication', 'tenants']);
    expect(find('platform-info', 'ConfigMap', 'platform-info').data).toEqual({ clusterName: 'shop-prod', dnsServiceIP: '10.96.0.10', tenants: 'platform-tools,payments' });
  });

  test('its tenant gets a namespace with Pod Security labels, its LimitRange and quota', () => {
    expect(find('tenants', 'Namespace', 'payments').metadata.labels).toMatchObject({ 'example.com/team': 'payments', 'pod-security.kubernetes.io/enforce': 'restricted' });
    const limitRange = charts.tenants.find((o) => o.kind === 'LimitRange' && o.metadata.namespace === 'payments');
    expect(limitRange.spec.limits[0].max).toEqual({ memory: '2Gi' });
    expect(charts.tenants.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'payments').spec.hard.pods).toBe('100');
    expect(charts.tenants.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'payments').map((o) => o.metadata.name)).toContain('isolate-namespace');
    // the library's prediction of what the API server stores
    const [payments] = parseClusterConfig(withAppAdditions(platformConfig)).tenants.filter((t) => t.name === 'payments');
    expect(storedLimitRangeItems(payments.limitRange)[0].defaultRequest).toEqual({ cpu: '100m', memory: '256Mi' });
  });

  test('CoreDNS answers consul.local from the stub servers', () => {
    const corefile: string = find('coredns', 'ConfigMap', 'coredns').data.Corefile;
    expect(corefile).toMatch(/consul\.local:53 \{[^}]*forward \. 10\.150\.0\.1 10\.150\.0\.2/);
  });

  test('the built-in CoreDNS Deployment carries the patch', () => {
    expect(find('coredns', 'Deployment', 'coredns').spec.template.metadata.annotations).toEqual({ 'example.com/owner': 'platform' });
  });

  test('a bad tenant is refused with the field path, value and hint', () => {
    const bad = withAppAdditions({ tenants: [{ name: 'kube-apps' }] });
    expect(() => parseClusterConfig(bad)).toThrow(ConfigError);
    expect(() => parseClusterConfig(bad)).toThrow(/tenants\.0\.name: reserved for the system \(got "kube-apps"\)/);
  });

  test('its SSO component reaches the API server flags, mounts and certificate in the synthesized files', () => {
    const read = (file: string) => fs.readFileSync(path.join(outdir, file), 'utf8');
    const cluster = Yaml.load(path.join(outdir, 'node-config/kubeadm-init.yaml')).find((d) => d.kind === 'ClusterConfiguration');
    const args = Object.fromEntries(cluster.apiServer.extraArgs.map((a: { name: string; value: string }) => [a.name, a.value]));
    expect(args).toMatchObject({ 'oidc-issuer-url': 'https://sso.shop.example.com', 'oidc-ca-file': '/etc/kubernetes/sso/ca.crt', 'audit-policy-file': '/etc/kubernetes/audit/policy.yaml' });
    expect(cluster.apiServer.extraVolumes).toContainEqual({ name: 'sso-ca', hostPath: '/etc/kubernetes/sso', mountPath: '/etc/kubernetes/sso', readOnly: true, pathType: 'Directory' });
    expect(cluster.apiServer.certSANs).toContain('kubectl.shop.example.com');
    expect(read('pki/openssl/apiserver.csr.conf')).toMatch(/^DNS\.\d+ = kubectl\.shop\.example\.com$/m);
    expect(JSON.parse(read('pki/cfssl/apiserver-csr.json')).hosts).toContain('kubectl.shop.example.com');
  });

  test('a second component that wants another issuer is refused, naming both', () => {
    class OtherSso extends SsoAuthenticationComponent {
      override readonly id = 'other-sso';
    }
    const build = () =>
      new ClusterBootstrap(new App({ outdir }), { config: parseClusterConfig({}), components: [...builtInComponents(), new SsoAuthenticationComponent(), new OtherSso('https://other.example.com')] });
    expect(build).toThrow(/kube-apiserver flag --oidc-issuer-url: component "sso-authentication" sets "https:\/\/sso.shop.example.com" but component "other-sso" sets "https:\/\/other.example.com"/);
  });
});
