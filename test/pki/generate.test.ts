import { createPrivateKey, createPublicKey, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { inspect } from 'util';
import { parseClusterConfig } from '../../lib/config/parse';
import { BACKDATE_MS, generatePki, type GeneratedPki } from '../../lib/pki/generate';
import { CA_BASE_NAMES, type PkiPlan } from '../../lib/pki/plan';
import { pkiPlan } from '../support/wired';
import { PkiExistsError, writePki } from '../../lib/pki/write';
import { listFiles, modeOf, opensslVerifies, opensslView, splitSanText, tempDir, x509 } from '../support/pki';

const DAY_MS = 24 * 60 * 60 * 1000;
const OPENSSL_KU: Record<string, string> = { digitalSignature: 'Digital Signature', keyEncipherment: 'Key Encipherment', keyCertSign: 'Certificate Sign' };
const OPENSSL_EKU: Record<string, string> = { serverAuth: 'TLS Web Server Authentication', clientAuth: 'TLS Web Client Authentication' };
const EKU_OID: Record<string, string> = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' };

const config = parseClusterConfig({
  clusterName: 'edge',
  networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/12,fd00:10:96::/112', dnsDomain: 'edge.internal' },
  apiServer: { host: 'api.edge.internal' },
  components: { konnectivity: { enabled: true } },
  pki: { keyAlgorithm: 'ECDSA-P256', caValidityDays: 730, certificateValidityDays: 90, apiServerCertSANs: ['10.0.0.11', 'cp-1.edge.internal'] },
});

let plan: PkiPlan;
let pki: GeneratedPki;
let dir: string;
const now = new Date();

beforeAll(async () => {
  plan = pkiPlan(config);
  pki = await generatePki(plan, { now });
  dir = tempDir();
  writePki(dir, pki);
});

describe('generated certificates (ECDSA P-256, dual-stack, Konnectivity)', () => {
  test("kubeadm's file layout; private keys 0600, certificates and sa.pub 0644", () => {
    expect(listFiles(dir)).toEqual(
      [
        'apiserver', 'apiserver-etcd-client', 'apiserver-kubelet-client', 'ca', 'front-proxy-ca', 'front-proxy-client', 'konnectivity-server',
        'etcd/ca', 'etcd/healthcheck-client', 'etcd/peer', 'etcd/server',
      ].flatMap((b) => [`${b}.crt`, `${b}.key`]).concat(['sa.key', 'sa.pub']).sort(),
    );
    for (const file of listFiles(dir)) expect([file, modeOf(path.join(dir, file))]).toEqual([file, file.endsWith('.key') ? 0o600 : 0o644]);
    expect(fs.readFileSync(path.join(dir, 'ca.key'), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(createPublicKey(fs.readFileSync(path.join(dir, 'sa.pub'))).equals(createPublicKey(createPrivateKey(fs.readFileSync(path.join(dir, 'sa.key')))))).toBe(true);
  });

  test('openssl x509 -text and node X509Certificate both show the planned subject, SANs, usages and CA flag', () => {
    for (const cert of plan.certificates) {
      const file = path.join(dir, `${cert.baseName}.crt`);
      const view = opensslView(file);
      const subject = [...cert.organizations.map((o) => `O = ${o}`), ...cert.organizationalUnits.map((o) => `OU = ${o}`), `CN = ${cert.commonName}`].join(', ');
      expect([cert.name, view.subject]).toEqual([cert.name, subject]);
      expect([cert.name, view.ca, view.keyUsageCritical]).toEqual([cert.name, cert.isCa, true]);
      expect([cert.name, view.keyUsage]).toEqual([cert.name, cert.keyUsages.map((u) => OPENSSL_KU[u])]);
      expect([cert.name, view.extendedKeyUsage]).toEqual([cert.name, cert.extendedKeyUsages.map((u) => OPENSSL_EKU[u])]);
      expect([cert.name, view.dns, view.ips]).toEqual([cert.name, cert.dnsNames, cert.ipAddresses]);
      expect(view.publicKey).toBe('id-ecPublicKey');

      const node = x509(file);
      expect([cert.name, node.ca]).toEqual([cert.name, cert.isCa]);
      expect(node.subject.split('\n')).toEqual(subject.split(', ').map((s) => s.replace(' = ', '=')));
      expect(splitSanText(node.subjectAltName)).toEqual({ dns: cert.dnsNames, ips: cert.ipAddresses });
      if (!cert.isCa) expect([cert.name, node.keyUsage]).toEqual([cert.name, cert.extendedKeyUsages.map((u) => EKU_OID[u])]);
    }
  });

  test('the apiserver certificate carries the in-cluster names, the endpoint and both service IPs', () => {
    const view = opensslView(path.join(dir, 'apiserver.crt'));
    expect(view.dns).toEqual(['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster', 'kubernetes.default.svc.edge.internal', 'api.edge.internal', 'cp-1.edge.internal']);
    expect(view.ips).toEqual(['10.96.0.1', 'fd00:10:96::1', '10.0.0.11']);
    const node = x509(path.join(dir, 'apiserver.crt'));
    expect(node.checkHost('kubernetes.default.svc.edge.internal')).toBe('kubernetes.default.svc.edge.internal');
    expect(node.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(node.checkIP('fd00:10:96::1')).toBe('fd00:10:96::1');
    expect(node.checkIP('10.96.0.2')).toBeUndefined();
  });

  test('the chain: each leaf verifies against its CA (openssl verify, X509Certificate) and no other', () => {
    for (const cert of plan.certificates.filter((c) => !c.isCa)) {
      const file = path.join(dir, `${cert.baseName}.crt`);
      const caFile = path.join(dir, `${CA_BASE_NAMES[cert.signer!]}.crt`);
      expect([cert.name, opensslVerifies(caFile, file)]).toEqual([cert.name, true]);
      const leaf = x509(file);
      const ca = x509(caFile);
      expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
      for (const other of Object.values(CA_BASE_NAMES).filter((b) => b !== CA_BASE_NAMES[cert.signer!])) {
        const wrong = path.join(dir, `${other}.crt`);
        expect([cert.name, other, opensslVerifies(wrong, file), leaf.verify(x509(wrong).publicKey)]).toEqual([cert.name, other, false, false]);
      }
      // SKI/AKI link the leaf to its CA
      expect(opensslView(file).authorityKeyId).toBe(opensslView(caFile).subjectKeyId);
      expect(leaf.checkPrivateKey(createPrivateKey(fs.readFileSync(path.join(dir, `${cert.baseName}.key`))))).toBe(true);
    }
    for (const base of Object.values(CA_BASE_NAMES)) {
      const ca = x509(path.join(dir, `${base}.crt`));
      expect(ca.checkIssued(ca) && ca.verify(ca.publicKey)).toBe(true);
      expect(opensslView(path.join(dir, `${base}.crt`)).subjectKeyId).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    }
  });

  test('validity: backdated a little, CAs and leaves for their configured days', () => {
    for (const cert of plan.certificates) {
      const node = x509(path.join(dir, `${cert.baseName}.crt`));
      const from = Date.parse(node.validFrom);
      const to = Date.parse(node.validTo);
      // X.509 times have whole seconds
      expect(Math.abs(from - (now.getTime() - BACKDATE_MS))).toBeLessThan(1000);
      expect(Math.abs(to - (now.getTime() + cert.validityDays * DAY_MS))).toBeLessThan(1000);
    }
  });

  test('serial numbers are unique and positive', () => {
    const serials = plan.certificates.map((c) => x509(path.join(dir, `${c.baseName}.crt`)).serialNumber);
    expect(new Set(serials).size).toBe(serials.length);
    for (const s of serials) expect(parseInt(s.slice(0, 2), 16)).toBeLessThan(0x80);
  });

  test('key material never prints itself', () => {
    const key = pki.certificates[0].privateKey;
    expect(String(key)).toBe('[private key]');
    expect(JSON.stringify(pki)).not.toContain('PRIVATE KEY');
    expect(inspect(pki, { depth: 10 })).not.toContain('PRIVATE KEY');
    expect(key.reveal()).toContain('PRIVATE KEY');
  });
});

describe('writing keys', () => {
  test('refuses to overwrite existing files before writing any, unless forced', () => {
    const target = tempDir();
    fs.mkdirSync(path.join(target, 'etcd'));
    fs.writeFileSync(path.join(target, 'etcd', 'ca.key'), 'precious');
    expect(() => writePki(target, pki)).toThrow(PkiExistsError);
    expect(() => writePki(target, pki)).toThrow(/etcd\/ca\.key.*--force/);
    expect(listFiles(target)).toEqual(['etcd/ca.key']);
    expect(fs.readFileSync(path.join(target, 'etcd', 'ca.key'), 'utf8')).toBe('precious');

    fs.chmodSync(path.join(target, 'etcd', 'ca.key'), 0o644);
    writePki(target, pki, { force: true });
    expect(fs.readFileSync(path.join(target, 'etcd', 'ca.key'), 'utf8')).toMatch(/BEGIN EC PRIVATE KEY/);
    expect(modeOf(path.join(target, 'etcd', 'ca.key'))).toBe(0o600); // a replaced key does not keep the old mode
  });

  test('a leaf never outlives its CA, even in a hand-made plan that asks for it', async () => {
    const base = pkiPlan(parseClusterConfig({ pki: { keyAlgorithm: 'ECDSA-P256', caValidityDays: 10, certificateValidityDays: 10 } }));
    const greedy: PkiPlan = { ...base, certificates: base.certificates.map((c) => (c.isCa ? c : { ...c, validityDays: 100 })) };
    const out = await generatePki(greedy, { now });
    const caEnd = Date.parse(new X509Certificate(out.certificates[0].certificatePem).validTo);
    const leafEnds = out.certificates.filter((c) => !c.plan.isCa).map((c) => Date.parse(new X509Certificate(c.certificatePem).validTo));
    expect(leafEnds.every((end) => end === caEnd)).toBe(true);
    expect(caEnd - now.getTime()).toBeLessThan(11 * DAY_MS);
  });
});

describe('RSA-2048 (kubeadm default)', () => {
  test('PKCS#1 keys, keyEncipherment on, chain verifies', async () => {
    const rsaPlan = pkiPlan(parseClusterConfig({}));
    const started = Date.now();
    const rsa = await generatePki(rsaPlan);
    const target = tempDir();
    writePki(target, rsa);
    const elapsed = Date.now() - started;
    expect(fs.readFileSync(path.join(target, 'apiserver.key'), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(createPrivateKey(fs.readFileSync(path.join(target, 'sa.key'))).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const view = opensslView(path.join(target, 'apiserver.crt'));
    expect(view.publicKey).toBe('rsaEncryption');
    expect(view.keyUsage).toEqual(['Digital Signature', 'Key Encipherment']);
    expect(opensslView(path.join(target, 'ca.crt')).keyUsage).toEqual(['Digital Signature', 'Key Encipherment', 'Certificate Sign']);
    expect(opensslVerifies(path.join(target, 'etcd', 'ca.crt'), path.join(target, 'etcd', 'server.crt'))).toBe(true);
    expect(elapsed).toBeLessThan(30_000);
  });
});
