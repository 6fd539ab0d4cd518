// The comparison behind test/e2e/pki-vs-kubeadm.e2e.test.ts, checked without kubeadm: descriptions of
// certificates our generator makes, and the pure diff and explanation matching on hand-written descriptions.
import { parseClusterConfig } from '../../lib/config/parse';
import { generatePki, type GeneratedPki } from '../../lib/pki/generate';
import { pkiPlan } from '../support/wired';
import {
  describeCertificate,
  describeKeyPair,
  diffCertificates,
  explain,
  formatDifference,
  matches,
  type CertificateDescription,
  type Difference,
  type Explanation,
} from '../e2e/harness/certificate-diff';

const DAY = 24 * 60 * 60;

const base: CertificateDescription = {
  subjectCommonName: 'kube-apiserver',
  subjectOrganizations: [],
  subjectOrganizationalUnits: [],
  issuerCommonName: 'kubernetes',
  issuerOrganizationalUnits: [],
  dnsNames: ['kubernetes', 'kubernetes.default'],
  ipAddresses: ['10.96.0.1'],
  keyUsages: ['digitalSignature', 'keyEncipherment'],
  keyUsageCritical: true,
  extendedKeyUsages: ['serverAuth'],
  isCa: false,
  pathLength: 'none',
  basicConstraintsCritical: true,
  extensions: ['authorityKeyIdentifier', 'basicConstraints', 'extKeyUsage', 'keyUsage', 'subjectAltName'],
  key: 'RSA-2048',
  signatureAlgorithm: 'RSASSA-PKCS1-v1_5/SHA-256',
  validitySeconds: 365 * DAY + 300,
};

describe('describeCertificate / describeKeyPair on generated certificates', () => {
  let pki: GeneratedPki;
  const config = parseClusterConfig({
    clusterName: 'edge',
    networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/16,fd00:10:96::/112' },
    apiServer: { host: 'api.edge.internal' },
    pki: { keyAlgorithm: 'ECDSA-P256', caValidityDays: 730, certificateValidityDays: 90, apiServerCertSANs: ['10.0.0.11'] },
  });
  beforeAll(async () => {
    pki = await generatePki(pkiPlan(config));
  });
  const cert = (name: string) => pki.certificates.find((c) => c.plan.name === name)!;

  test('the API server certificate: subject, issuer, SANs (IPv6 canonical), usages, key, validity', () => {
    const apiserver = cert('apiserver');
    expect(describeCertificate(apiserver.certificatePem, apiserver.privateKey.reveal())).toEqual({
      subjectCommonName: 'kube-apiserver',
      subjectOrganizations: [],
      subjectOrganizationalUnits: [],
      issuerCommonName: 'kubernetes',
      issuerOrganizationalUnits: ['edge'],
      dnsNames: ['api.edge.internal', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster', 'kubernetes.default.svc.cluster.local'],
      ipAddresses: ['10.0.0.11', '10.96.0.1', 'fd00:10:96::1'],
      keyUsages: ['digitalSignature'],
      keyUsageCritical: true,
      extendedKeyUsages: ['serverAuth'],
      isCa: false,
      pathLength: 'none',
      basicConstraintsCritical: true,
      extensions: ['authorityKeyIdentifier', 'basicConstraints', 'extKeyUsage', 'keyUsage', 'subjectAltName', 'subjectKeyIdentifier'],
      key: 'ECDSA-P256',
      signatureAlgorithm: 'ECDSA/SHA-256',
      validitySeconds: 90 * DAY + 300,
      privateKeyFormat: 'EC PRIVATE KEY',
      halvesMatch: true,
    });
  });

  test('a CA and a client certificate with O; another key is not the certificate\'s', () => {
    const ca = describeCertificate(cert('ca').certificatePem);
    expect([ca.isCa, ca.pathLength, ca.keyUsages, ca.subjectOrganizationalUnits, ca.validitySeconds, ca.privateKeyFormat]).toEqual([true, 'none', ['digitalSignature', 'keyCertSign'], ['edge'], 730 * DAY + 300, undefined]);
    expect(ca.extensions).toEqual(['basicConstraints', 'keyUsage', 'subjectKeyIdentifier']);
    const client = describeCertificate(cert('apiserver-kubelet-client').certificatePem, cert('ca').privateKey.reveal());
    expect([client.subjectOrganizations, client.extendedKeyUsages, client.dnsNames, client.halvesMatch]).toEqual([['kubeadm:cluster-admins'], ['clientAuth'], [], false]);
  });

  test('sa.key/sa.pub as a key pair; a mismatched pair is told', () => {
    const [sa] = pki.keyPairs;
    expect(describeKeyPair(sa.privateKey.reveal(), sa.publicKeyPem)).toEqual({ key: 'ECDSA-P256', privateKeyFormat: 'EC PRIVATE KEY', halvesMatch: true });
    expect(describeKeyPair(cert('ca').privateKey.reveal(), sa.publicKeyPem).halvesMatch).toBe(false);
  });
});

describe('diffCertificates', () => {
  test('equal descriptions: no difference', () => {
    expect(diffCertificates('apiserver', base, { ...base })).toEqual([]);
  });

  test('set fields: one difference per value only one side has, order does not matter', () => {
    const kubeadm = { ...base, dnsNames: ['kubernetes.default', 'vm', 'kubernetes'], ipAddresses: ['192.0.2.2'] };
    expect(diffCertificates('apiserver', base, kubeadm)).toEqual([
      { certificate: 'apiserver', field: 'dnsNames', only: 'kubeadm', value: 'vm' },
      { certificate: 'apiserver', field: 'ipAddresses', only: 'ours', value: '10.96.0.1' },
      { certificate: 'apiserver', field: 'ipAddresses', only: 'kubeadm', value: '192.0.2.2' },
    ]);
  });

  test('scalar fields: both values', () => {
    const kubeadm = { ...base, subjectCommonName: 'vm', isCa: true, pathLength: '0', key: 'ECDSA-P256', extensions: base.extensions.filter((e) => e !== 'subjectAltName') };
    expect(diffCertificates('etcd-server', base, kubeadm).map(formatDifference)).toEqual([
      'etcd-server: extensions "subjectAltName" only in our PKI',
      'etcd-server: subjectCommonName ours "kube-apiserver", kubeadm "vm"',
      'etcd-server: isCa ours "false", kubeadm "true"',
      'etcd-server: pathLength ours "none", kubeadm "0"',
      'etcd-server: key ours "RSA-2048", kubeadm "ECDSA-P256"',
    ]);
  });

  test('validity: equal within the tolerance only', () => {
    const kubeadm = { ...base, validitySeconds: base.validitySeconds + 3 };
    expect(diffCertificates('apiserver', base, kubeadm)).toEqual([{ certificate: 'apiserver', field: 'validitySeconds', ours: String(base.validitySeconds), kubeadm: String(base.validitySeconds + 3) }]);
    expect(diffCertificates('apiserver', base, kubeadm, { validityToleranceSeconds: 5 })).toEqual([]);
  });

  test('key file fields count when either side has them; key pairs compare key, format and halves', () => {
    expect(diffCertificates('ca', { ...base, privateKeyFormat: 'RSA PRIVATE KEY', halvesMatch: true }, { ...base, privateKeyFormat: 'PRIVATE KEY', halvesMatch: true })).toEqual([
      { certificate: 'ca', field: 'privateKeyFormat', ours: 'RSA PRIVATE KEY', kubeadm: 'PRIVATE KEY' },
    ]);
    expect(diffCertificates('ca', base, { ...base, halvesMatch: true })).toEqual([{ certificate: 'ca', field: 'halvesMatch', ours: 'undefined', kubeadm: 'true' }]);
    const pair = { key: 'RSA-2048', privateKeyFormat: 'RSA PRIVATE KEY', halvesMatch: true };
    expect(diffCertificates('sa', pair, { ...pair })).toEqual([]);
    expect(diffCertificates('sa', pair, { ...pair, key: 'RSA-4096', halvesMatch: false }).map((d) => d.field)).toEqual(['key', 'halvesMatch']);
  });
});

describe('explain', () => {
  const vm: Difference = { certificate: 'apiserver', field: 'dnsNames', only: 'kubeadm', value: 'vm' };
  const cn: Difference = { certificate: 'etcd-server', field: 'subjectCommonName', ours: 'kube-etcd', kubeadm: 'vm' };
  const nodeName: Explanation = { certificates: ['apiserver', 'etcd-server'], field: 'dnsNames', only: 'kubeadm', value: 'vm', reason: 'node name' };

  test('matches on certificate, field and every property the explanation gives', () => {
    expect(matches(nodeName, vm)).toBe(true);
    expect(matches({ ...nodeName, certificates: ['etcd-server'] }, vm)).toBe(false);
    expect(matches({ ...nodeName, value: 'other' }, vm)).toBe(false);
    expect(matches({ ...nodeName, only: 'ours' }, vm)).toBe(false);
    expect(matches({ certificates: ['apiserver'], field: 'dnsNames', reason: 'any name' }, vm)).toBe(true);
    expect(matches({ certificates: ['etcd-server'], field: 'subjectCommonName', kubeadm: 'vm', reason: 'node name' }, cn)).toBe(true);
    expect(matches({ certificates: ['etcd-server'], field: 'subjectCommonName', ours: 'kube-etcd-peer', reason: 'x' }, cn)).toBe(false);
    expect(matches({ certificates: ['etcd-server'], field: 'issuerCommonName', reason: 'x' }, cn)).toBe(false);
  });

  test('splits explained from unexplained and names the explanations nothing matched', () => {
    const stale: Explanation = { certificates: ['ca'], field: 'key', reason: 'stale' };
    const result = explain([vm, cn], [nodeName, stale]);
    expect(result.explained).toEqual([{ difference: vm, reason: 'node name' }]);
    expect(result.unexplained).toEqual([cn]);
    expect(result.unused).toEqual([stale]);
  });
});
