import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ClusterBootstrap } from '../../lib/cluster-bootstrap';
import { parseClusterConfig } from '../../lib/config/parse';
import { synthCharts, writeFiles } from '../../lib/output/synth';
import { formatSummary, summarize } from '../../lib/output/summary';
import type { CfsslConfig, CfsslCsr } from '../../lib/pki/cfssl';
import { generatePki } from '../../lib/pki/generate';
import type { PlannedCertificate } from '../../lib/pki/plan';
import { pkiPlan, pkiPlanFiles } from '../support/wired';
import { writePki } from '../../lib/pki/write';
import { listFiles, modeOf, opensslView, tempDir, x509 } from '../support/pki';

const config = parseClusterConfig({
  networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/12,fd00:10:96::/112' },
  components: { konnectivity: { enabled: true } },
  pki: { keyAlgorithm: 'ECDSA-P256', certificateValidityDays: 200, apiServerCertSANs: ['cp-1.example.internal', '10.0.0.11'], etcdCertSANs: ['10.0.0.21'] },
});
const plan = pkiPlan(config);

/** A minimal reader of openssl's config format: section → ordered [key, value] pairs. */
function readOpensslConf(text: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const header = /^\[\s*(\S+)\s*\]$/.exec(line);
    if (header) sections.set((current = header[1]), []);
    else {
      const eq = line.indexOf('=');
      sections.get(current)!.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
    }
  }
  return sections;
}

let synthDir: string;
beforeAll(() => {
  synthDir = tempDir('cb-pki-plan-');
  writeFiles(pkiPlanFiles(config), synthDir);
});

const fileOf = (...parts: string[]) => path.join(synthDir, 'pki', ...parts);
const csrJson = (c: PlannedCertificate): CfsslCsr => JSON.parse(fs.readFileSync(fileOf('cfssl', `${c.baseName}-csr.json`), 'utf8'));
const csrConf = (c: PlannedCertificate) => readOpensslConf(fs.readFileSync(fileOf('openssl', `${c.baseName}.csr.conf`), 'utf8'));

describe('plan files: openssl csr.conf and cfssl JSON agree with the plan', () => {
  test('one csr.conf and one CSR JSON per certificate, ca-config.json and the openssl script; no key material', () => {
    const expected = plan.certificates.flatMap((c) => [`cfssl/${c.baseName}-csr.json`, `openssl/${c.baseName}.csr.conf`]);
    expect(listFiles(path.join(synthDir, 'pki'))).toEqual([...expected, 'cfssl/ca-config.json', 'openssl/generate.sh'].sort());
    for (const f of listFiles(synthDir)) expect(fs.readFileSync(path.join(synthDir, f), 'utf8')).not.toMatch(/PRIVATE KEY|BEGIN /);
  });

  test('csr.conf: [dn], [alt_names] and the extensions section say what the plan says', () => {
    for (const cert of plan.certificates) {
      const conf = csrConf(cert);
      const dn = conf.get('dn')!;
      expect([cert.name, dn.filter(([k]) => k === 'CN').map(([, v]) => v)]).toEqual([cert.name, [cert.commonName]]);
      expect([cert.name, dn.filter(([k]) => /^(\d+\.)?O$/.test(k)).map(([, v]) => v)]).toEqual([cert.name, cert.organizations]);
      expect([cert.name, dn.filter(([k]) => /^(\d+\.)?OU$/.test(k)).map(([, v]) => v)]).toEqual([cert.name, cert.organizationalUnits]);
      const alt = conf.get('alt_names') ?? [];
      expect([cert.name, alt.filter(([k]) => k.startsWith('DNS.')).map(([, v]) => v)]).toEqual([cert.name, cert.dnsNames]);
      expect([cert.name, alt.filter(([k]) => k.startsWith('IP.')).map(([, v]) => v)]).toEqual([cert.name, cert.ipAddresses]);
      const ext = new Map(conf.get(cert.isCa ? 'v3_ca' : 'v3_ext')!);
      expect(ext.get('basicConstraints')).toBe(`critical, CA:${cert.isCa ? 'TRUE' : 'FALSE'}`);
      expect(ext.get('keyUsage')).toBe(`critical, ${cert.keyUsages.join(', ')}`);
      expect(ext.get('extendedKeyUsage')).toBe(cert.extendedKeyUsages.length ? cert.extendedKeyUsages.join(', ') : undefined);
      expect(ext.get('subjectAltName')).toBe(alt.length ? '@alt_names' : undefined);
    }
  });

  test('cfssl: CSR JSON names and hosts match the plan; ca-config profiles carry the usages and expiry', () => {
    const caConfig: CfsslConfig = JSON.parse(fs.readFileSync(fileOf('cfssl', 'ca-config.json'), 'utf8'));
    expect(caConfig.signing.default.expiry).toBe('4800h');
    expect(caConfig.signing.profiles).toEqual({
      server: { usages: ['digital signature', 'server auth'], expiry: '4800h' },
      client: { usages: ['digital signature', 'client auth'], expiry: '4800h' },
      peer: { usages: ['digital signature', 'server auth', 'client auth'], expiry: '4800h' },
    });
    for (const cert of plan.certificates) {
      const csr = csrJson(cert);
      expect([cert.name, csr.CN]).toEqual([cert.name, cert.commonName]);
      expect([cert.name, csr.names.flatMap((n) => (n.O ? [n.O] : []))]).toEqual([cert.name, cert.organizations]);
      expect([cert.name, csr.names.flatMap((n) => (n.OU ? [n.OU] : []))]).toEqual([cert.name, cert.organizationalUnits]);
      expect(csr.key).toEqual({ algo: 'ecdsa', size: 256 });
      if (cert.isCa) expect([cert.name, csr.ca, csr.hosts]).toEqual([cert.name, { expiry: '87600h' }, undefined]);
      else expect([cert.name, csr.hosts]).toEqual([cert.name, [...cert.dnsNames, ...cert.ipAddresses]]);
    }
    const rsa = pkiPlanFiles(parseClusterConfig({ pki: { keyAlgorithm: 'RSA-4096' } })).find((f) => f.path === 'pki/cfssl/apiserver-csr.json')!;
    expect(JSON.parse(rsa.content).key).toEqual({ algo: 'rsa', size: 4096 });
  });

  test('the openssl form, run as is, makes certificates equal to the TypeScript ones in all but keys', async () => {
    const byOpenssl = tempDir('cb-pki-openssl-');
    const script = fileOf('openssl', 'generate.sh');
    const run = spawnSync('sh', [script, byOpenssl], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const byTs = tempDir('cb-pki-ts-');
    writePki(byTs, await generatePki(plan));
    expect(listFiles(byOpenssl)).toEqual(listFiles(byTs));
    for (const f of listFiles(byOpenssl)) expect([f, modeOf(path.join(byOpenssl, f))]).toEqual([f, modeOf(path.join(byTs, f))]);
    for (const cert of plan.certificates) {
      const a = opensslView(path.join(byOpenssl, `${cert.baseName}.crt`));
      const b = opensslView(path.join(byTs, `${cert.baseName}.crt`));
      const comparable = (v: typeof a) => ({ ...v, subjectKeyId: undefined, authorityKeyId: undefined });
      expect([cert.name, comparable(a)]).toEqual([cert.name, comparable(b)]);
      if (!cert.isCa) expect([cert.name, typeof a.authorityKeyId]).toEqual([cert.name, 'string']);
      const days = (file: string) => Math.round((Date.parse(x509(file).validTo) - Date.parse(x509(file).validFrom)) / 86_400_000);
      expect([cert.name, days(path.join(byOpenssl, `${cert.baseName}.crt`))]).toEqual([cert.name, cert.validityDays]);
    }
    // a second run refuses to overwrite the keys
    const again = spawnSync('sh', [script, byOpenssl], { encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/refusing to overwrite .*ca\.key/);
  });
});

describe('the PKI plan as a files-only component of ClusterBootstrap', () => {
  test('files under pki/, no objects and so no manifest; the summary says files only', () => {
    const app = Testing.app();
    const bootstrap = new ClusterBootstrap(app, { config });
    expect(Object.keys(bootstrap.charts.get('pki')!.toJson())).toEqual([]);
    expect(bootstrap.files.get('pki')!.map((f) => f.path)).toEqual(pkiPlanFiles(config).map((f) => f.path));
    const outputs = synthCharts(app, tempDir('cb-pki-synth-'));
    expect(outputs.find((o) => o.id === 'pki')?.file).toBeUndefined();
    const rows = summarize(outputs, bootstrap.registered, bootstrap.files, config, 'dist');
    const text = formatSummary(rows, config, 'test');
    expect(text).toContain('pki v1.35.4: files only');
    expect(text).toContain('file  dist/pki/openssl/generate.sh');
  });

  test('pki.planFiles: false turns it off', () => {
    const off = parseClusterConfig({ pki: { planFiles: false } });
    expect(new ClusterBootstrap(Testing.app(), { config: off }).files.has('pki')).toBe(false);
  });
});
