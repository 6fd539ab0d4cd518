import * as fc from 'fast-check';
import { IpAddress } from '../../lib/net/cidr';
import { parseClusterConfig } from '../../lib/config/parse';
import { parseSubjectAltName } from '../../lib/config/resolve-pki';
import type { PlannedCertificate } from '../../lib/pki/plan';
import { pkiPlan } from '../support/wired';
import { issuesOf } from '../support/issues';

const DUAL_STACK = { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/12,fd00:10:96::/112' };

function cert(input: unknown, name: string): PlannedCertificate {
  const found = pkiPlan(parseClusterConfig(input)).certificates.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} in the plan`);
  return found;
}

describe('PKI plan', () => {
  test("kubeadm's certificates, CAs first, with kubeadm's identities and paths", () => {
    const plan = pkiPlan(parseClusterConfig({}));
    expect(plan.certificates.map((c) => [c.baseName, c.signer ?? 'self', c.commonName, c.organizations.join(',')])).toEqual([
      ['ca', 'self', 'kubernetes', ''],
      ['etcd/ca', 'self', 'etcd-ca', ''],
      ['front-proxy-ca', 'self', 'front-proxy-ca', ''],
      ['apiserver', 'ca', 'kube-apiserver', ''],
      ['apiserver-kubelet-client', 'ca', 'kube-apiserver-kubelet-client', 'kubeadm:cluster-admins'],
      ['front-proxy-client', 'front-proxy-ca', 'front-proxy-client', ''],
      ['etcd/server', 'etcd-ca', 'kube-etcd', ''],
      ['etcd/peer', 'etcd-ca', 'kube-etcd-peer', ''],
      ['etcd/healthcheck-client', 'etcd-ca', 'kube-etcd-healthcheck-client', ''],
      ['apiserver-etcd-client', 'etcd-ca', 'kube-apiserver-etcd-client', ''],
    ]);
    expect(plan.keyPairs.map((k) => k.baseName)).toEqual(['sa']);
    expect(plan.certificates.filter((c) => c.isCa).map((c) => c.organizationalUnits)).toEqual([['bootstrap'], ['bootstrap'], ['bootstrap']]);
  });

  test('usages: RSA keys carry keyEncipherment like kubeadm, EC keys do not (RFC 5480); EKUs by role', () => {
    const rsa = pkiPlan(parseClusterConfig({}));
    const ec = pkiPlan(parseClusterConfig({ pki: { keyAlgorithm: 'ECDSA-P256' } }));
    const byName = (plan: typeof rsa, name: string) => plan.certificates.find((c) => c.name === name)!;
    expect(byName(rsa, 'ca').keyUsages).toEqual(['digitalSignature', 'keyEncipherment', 'keyCertSign']);
    expect(byName(rsa, 'apiserver').keyUsages).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(byName(ec, 'apiserver').keyUsages).toEqual(['digitalSignature']);
    expect(byName(ec, 'etcd-ca').keyUsages).toEqual(['digitalSignature', 'keyCertSign']);
    expect(byName(rsa, 'apiserver').extendedKeyUsages).toEqual(['serverAuth']);
    expect(byName(rsa, 'etcd-server').extendedKeyUsages).toEqual(['serverAuth', 'clientAuth']);
    expect(byName(rsa, 'etcd-peer').extendedKeyUsages).toEqual(['serverAuth', 'clientAuth']);
    for (const name of ['apiserver-kubelet-client', 'front-proxy-client', 'etcd-healthcheck-client', 'apiserver-etcd-client']) {
      expect([name, byName(rsa, name).extendedKeyUsages]).toEqual([name, ['clientAuth']]);
    }
    expect(rsa.certificates.filter((c) => c.isCa).every((c) => c.extendedKeyUsages.length === 0)).toBe(true);
  });

  test('apiserver SANs: the kubernetes Service names, the endpoint, the first service IP', () => {
    const c = cert({}, 'apiserver');
    expect(c.dnsNames).toEqual(['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster', 'kubernetes.default.svc.cluster.local']);
    expect(c.ipAddresses).toEqual(['192.0.2.10', '10.96.0.1']);
  });

  test('dual-stack: the first service IP of each service CIDR', () => {
    const c = cert({ networking: DUAL_STACK }, 'apiserver');
    expect(c.ipAddresses).toEqual(['192.0.2.10', '10.96.0.1', 'fd00:10:96::1']);
    expect(parseClusterConfig({ networking: DUAL_STACK }).network.firstServiceIPs.map(String)).toEqual(['10.96.0.1', 'fd00:10:96::1']);
  });

  test('a custom DNS domain, a host-name endpoint and an IPv6 endpoint', () => {
    const named = cert({ networking: { dnsDomain: 'corp.internal' }, apiServer: { host: 'api.example.internal' } }, 'apiserver');
    expect(named.dnsNames).toEqual(['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster', 'kubernetes.default.svc.corp.internal', 'api.example.internal']);
    expect(named.ipAddresses).toEqual(['10.96.0.1']);
    // domain "cluster": the two names coincide and appear once
    expect(cert({ networking: { dnsDomain: 'cluster' } }, 'apiserver').dnsNames.filter((d) => d === 'kubernetes.default.svc.cluster')).toHaveLength(1);
    const v6 = cert({ networking: { podSubnet: 'fd00:10:244::/56', serviceSubnet: 'fd00:10:96::/112' }, apiServer: { host: '2001:db8::0:10' } }, 'apiserver');
    expect(v6.ipAddresses).toEqual(['2001:db8::10', 'fd00:10:96::1']);
  });

  test('typed extra SANs land on the apiserver and etcd certificates, deduplicated', () => {
    const input = { pki: { apiServerCertSANs: ['cp-1.example.internal', '10.0.0.11', '*.api.example.internal', '10.96.0.1', 'KUBERNETES'.toLowerCase()], etcdCertSANs: ['etcd-1.example.internal', '10.0.0.21'] } };
    const api = cert(input, 'apiserver');
    expect(api.dnsNames.slice(5)).toEqual(['cp-1.example.internal', '*.api.example.internal']);
    expect(api.ipAddresses).toEqual(['192.0.2.10', '10.96.0.1', '10.0.0.11']);
    for (const name of ['etcd-server', 'etcd-peer']) {
      const etcd = cert(input, name);
      expect(etcd.dnsNames).toEqual(['localhost', 'etcd-1.example.internal']);
      expect(etcd.ipAddresses).toEqual(['127.0.0.1', '::1', '10.0.0.21']);
    }
    expect(cert(input, 'apiserver-etcd-client').dnsNames).toEqual([]);
  });

  test('Konnectivity on: the server client certificate with its documented identity, signed by the cluster CA', () => {
    expect(pkiPlan(parseClusterConfig({})).certificates.some((c) => c.name === 'konnectivity-server')).toBe(false);
    const k = cert({ components: { konnectivity: { enabled: true } } }, 'konnectivity-server');
    expect([k.commonName, k.organizations, k.signer, k.extendedKeyUsages, k.dnsNames, k.ipAddresses]).toEqual(['system:konnectivity-server', [], 'ca', ['clientAuth'], [], []]);
  });

  test('apiserver-kubelet-client: system:masters before 1.29, kubeadm:cluster-admins from 1.29', () => {
    expect(cert({ kubernetesVersion: '1.28.9' }, 'apiserver-kubelet-client').organizations).toEqual(['system:masters']);
    expect(cert({ kubernetesVersion: '1.29.0' }, 'apiserver-kubelet-client').organizations).toEqual(['kubeadm:cluster-admins']);
  });

  test('validity from the config: CAs and leaves apart', () => {
    const plan = pkiPlan(parseClusterConfig({ pki: { caValidityDays: 1000, certificateValidityDays: 90 } }));
    expect(new Set(plan.certificates.map((c) => `${c.isCa}:${c.validityDays}`))).toEqual(new Set(['true:1000', 'false:90']));
  });

  test('property: any service range and domain give an apiserver certificate naming both, with only valid SANs', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
    const domain = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.'));
    const v4 = fc.tuple(fc.integer({ min: 11, max: 172 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 24 })).map(([a, b, prefix]) => `${a}.${b}.0.0/${prefix}`);
    fc.assert(
      fc.property(domain, v4, fc.boolean(), (dnsDomain, serviceSubnet, dual) => {
        const networking = dual
          ? { dnsDomain, serviceSubnet: `${serviceSubnet},fd00:96::/112`, podSubnet: '10.244.0.0/16,fd00:244::/56' }
          : { dnsDomain, serviceSubnet, podSubnet: serviceSubnet.startsWith('10.') ? '192.168.0.0/16' : '10.244.0.0/16' };
        let config;
        try {
          config = parseClusterConfig({ networking });
        } catch {
          return; // e.g. overlapping ranges: the config layer's concern, tested there
        }
        const api = pkiPlan(config).certificates.find((c) => c.name === 'apiserver')!;
        expect(api.dnsNames).toContain(`kubernetes.default.svc.${dnsDomain}`);
        for (const ip of config.network.firstServiceIPs) expect(api.ipAddresses).toContain(ip.toString());
        expect(api.ipAddresses).toHaveLength(new Set(api.ipAddresses).size);
        for (const name of api.dnsNames) expect(parseSubjectAltName(name)?.kind).toBe('dns');
        for (const ip of api.ipAddresses) expect(IpAddress.parse(ip).toString()).toBe(ip);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
  });
});

describe('PKI config errors', () => {
  test('a SAN that is neither an IP nor a DNS name names its path, value and a hint', () => {
    const issues = issuesOf({ pki: { apiServerCertSANs: ['ok.example', 'not a host'], etcdCertSANs: ['10.0.0.0/24', 'Etcd-1.Example', 'https://api.example:6443'] } });
    expect(issues.map((i) => [i.path, i.value])).toEqual([
      ['pki.apiServerCertSANs.1', 'not a host'],
      ['pki.etcdCertSANs.0', '10.0.0.0/24'],
      ['pki.etcdCertSANs.1', 'Etcd-1.Example'],
      ['pki.etcdCertSANs.2', 'https://api.example:6443'],
    ]);
    expect(issues.every((i) => i.message === 'neither an IP address nor a DNS name')).toBe(true);
    expect(issues[0].hint).toMatch(/IP address such as .* or a DNS name/);
    expect(issues[1].hint).toMatch(/not a range/);
    expect(issues[2].hint).toContain('"etcd-1.example"');
    expect(issues[3].hint).toMatch(/without scheme or port/);
  });

  test('validity of 0 or less is refused by the schema with path and hint', () => {
    const [zero] = issuesOf({ pki: { certificateValidityDays: 0 } });
    expect(zero).toMatchObject({ path: 'pki.certificateValidityDays', value: 0, message: 'must be >= 1' });
    expect(zero.hint).toMatch(/at least 1/);
    expect(issuesOf({ pki: { caValidityDays: -5 } })[0]).toMatchObject({ path: 'pki.caValidityDays', value: -5 });
    expect(issuesOf({ pki: { caValidityDays: 1.5 } })[0].path).toBe('pki.caValidityDays');
  });

  test('a leaf may not outlive its CA', () => {
    const [issue] = issuesOf({ pki: { caValidityDays: 100, certificateValidityDays: 365 } });
    expect(issue).toMatchObject({ path: 'pki.certificateValidityDays', value: 365 });
    expect(issue.hint).toMatch(/at most 100 days/);
  });

  test('unknown key algorithms and fields are named with a suggestion', () => {
    const [alg] = issuesOf({ pki: { keyAlgorithm: 'RSA-1024' } });
    expect(alg.path).toBe('pki.keyAlgorithm');
    expect(alg.hint).toContain('"RSA-2048"');
    expect(issuesOf({ pki: { apiServerCertSans: ['x'] } })[0].hint).toContain('did you mean "apiServerCertSANs"?');
  });
});
