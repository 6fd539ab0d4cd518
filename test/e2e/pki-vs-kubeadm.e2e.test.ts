// Our PKI against kubeadm's: the tier's kubeadm reads OUR kubeadm-init.yaml and makes its certificates
// (`kubeadm init phase certs all --dry-run`), `cluster-pki generate` makes ours from the same cluster.yaml, and
// every certificate and sa.key/sa.pub is compared field by field (harness/certificate-diff.ts). Each difference
// must be one listed below with its reason; anything else fails, and so does a listed one that no longer occurs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeCertificate, describeKeyPair, diffCertificates, explain, formatDifference, type Difference, type Explanation } from './harness/certificate-diff';
import { describeFailure, kubeadmCerts, kubeadmNodeIdentity } from './harness/kubeadm';
import { clusterFolder, generatePkiIn, synthIn } from './harness/product';
import { tierVersions } from './harness/tools';
import { listFiles, modeOf } from '../support/pki';

const CAS = ['ca', 'etcd/ca', 'front-proxy-ca'];
const CA_NAMES: Record<string, string> = { ca: 'kubernetes', 'etcd/ca': 'etcd-ca', 'front-proxy-ca': 'front-proxy-ca' };
const LEAVES = ['apiserver', 'apiserver-kubelet-client', 'front-proxy-client', 'etcd/server', 'etcd/peer', 'etcd/healthcheck-client', 'apiserver-etcd-client'];
const CERTIFICATES = [...CAS, ...LEAVES];
/** The serving certificates kubeadm makes for one node: they name it. */
const NODE_SERVING = ['apiserver', 'etcd/server', 'etcd/peer'];
/** X.509 times are whole seconds, and kubeadm makes each certificate at its own moment. */
const VALIDITY_TOLERANCE_SECONDS = 5;

const node = kubeadmNodeIdentity();
const v1beta3 = Number(/^v?\d+\.(\d+)/.exec(tierVersions().kubernetes)?.[1]) < 31;

/** File modes that differ, file by file. */
const MODE_DIFFERENCES = [
  { file: 'sa.pub', ours: '644', kubeadm: '600', reason: 'kubeadm writes the public half like a private key; ours is public like the certificates (README: keys 0600, the rest 0644)' },
];

interface Scenario {
  readonly clusterYaml: string;
  readonly clusterName: string;
  readonly keyAlgorithm: 'RSA-2048' | 'RSA-3072' | 'ECDSA-P256';
  /** pki.caValidityDays / certificateValidityDays differ from kubeadm's defaults (3650 / 365). */
  readonly customValidity: boolean;
  /** The config lists this node's name and address in both SAN fields, as the README tells users to. */
  readonly nodeSansListed: boolean;
}

const SCENARIOS: Record<string, Scenario> = {
  default: { clusterYaml: '', clusterName: 'bootstrap', keyAlgorithm: 'RSA-2048', customValidity: false, nodeSansListed: false },
  'ecdsa-dual-stack-sans': {
    clusterYaml: [
      'apiServer: { host: api.k8s.example, port: 8443 }',
      'pki:',
      '  keyAlgorithm: ECDSA-P256',
      '  apiServerCertSANs: [api-internal.k8s.example, 10.0.0.100]',
      '  etcdCertSANs: [etcd-0.k8s.example]',
      'networking:',
      '  podSubnet: 10.244.0.0/16,fd00:10:244::/56',
      '  serviceSubnet: 10.96.0.0/16,fd00:10:96::/112',
      '',
    ].join('\n'),
    clusterName: 'bootstrap',
    keyAlgorithm: 'ECDSA-P256',
    customValidity: false,
    nodeSansListed: false,
  },
  // the README's multi-control-plane advice applied to this node; also a bigger RSA key, other validity and names
  'node-sans-rsa3072': {
    clusterYaml: [
      'clusterName: edge',
      'apiServer: { host: 192.0.2.10 }',
      'networking: { dnsDomain: edge.internal }',
      'pki:',
      '  keyAlgorithm: RSA-3072',
      '  caValidityDays: 730',
      '  certificateValidityDays: 90',
      `  apiServerCertSANs: [${node.name}, ${node.address}]`,
      `  etcdCertSANs: [${node.name}, ${node.address}]`,
      '',
    ].join('\n'),
    clusterName: 'edge',
    keyAlgorithm: 'RSA-3072',
    customValidity: true,
    nodeSansListed: true,
  },
};

/** Every difference we know of between kubeadm's certificates and ours, and why it is right (or unavoidable). */
function explanations(s: Scenario): Explanation[] {
  return [
    {
      certificates: CAS,
      field: 'subjectOrganizationalUnits',
      only: 'ours',
      value: s.clusterName,
      reason: 'our CAs carry OU = the cluster name so trust stores tell clusters apart (lib/pki/plan.ts); kubeadm gives its CAs a CN only',
    },
    {
      certificates: CERTIFICATES,
      field: 'issuerOrganizationalUnits',
      only: 'ours',
      value: s.clusterName,
      reason: "the same OU in the issuer name: a CA's own (self-signed), and of every certificate it signs (the issuer is the CA's subject)",
    },
    ...CAS.map(
      (ca): Explanation => ({
        certificates: [ca],
        field: 'dnsNames',
        only: 'kubeadm',
        value: CA_NAMES[ca],
        reason: "kubeadm (client-go certutil.NewSelfSignedCACert) repeats a CA's CN as a DNS SAN; a CA's SANs take no part in chain verification, so ours have none",
      }),
    ),
    {
      certificates: CAS,
      field: 'extensions',
      only: 'kubeadm',
      value: 'subjectAltName',
      reason: "the extension that carries that CA SAN",
    },
    {
      certificates: LEAVES,
      field: 'extensions',
      only: 'ours',
      value: 'subjectKeyIdentifier',
      reason: 'RFC 5280 4.2.1.2: end-entity certificates SHOULD carry a subject key identifier; Go\'s crypto/x509 (kubeadm) adds one to CAs only',
    },
    ...(['etcd/server', 'etcd/peer'] as const).map(
      (cert): Explanation => ({
        certificates: [cert],
        field: 'subjectCommonName',
        ours: cert === 'etcd/server' ? 'kube-etcd' : 'kube-etcd-peer',
        kubeadm: node.name,
        reason:
          'kubeadm names the etcd serving and peer certificates after the node; ours are one pair for all control-plane nodes, so they take the CN of the Kubernetes docs\' certificate table. etcd checks no CN (no --peer-cert-allowed-cn/hostname)',
      }),
    ),
    ...(s.nodeSansListed
      ? []
      : [
          {
            certificates: NODE_SERVING,
            field: 'dnsNames' as const,
            only: 'kubeadm' as const,
            value: node.name,
            reason: "kubeadm adds the node's name (here the hostname); the config knows the cluster, not its nodes: the README tells users to list each control-plane node in pki.apiServerCertSANs and pki.etcdCertSANs",
          },
          {
            certificates: NODE_SERVING,
            field: 'ipAddresses' as const,
            only: 'kubeadm' as const,
            value: node.address,
            reason: "kubeadm adds the node's advertise address (here detected from the default route); listed per node by the user like the name",
          },
        ]),
    ...(s.keyAlgorithm === 'ECDSA-P256'
      ? [
          {
            certificates: CERTIFICATES,
            field: 'keyUsages' as const,
            only: 'kubeadm' as const,
            value: 'keyEncipherment',
            reason: 'kubeadm asserts keyEncipherment whatever the key; an EC key cannot encipher keys and RFC 5480 (as updated by RFC 8813) says its certificate must not assert it, so ours (deliberately) do not',
          },
        ]
      : []),
    ...(v1beta3 ? legacyExplanations(s) : []),
  ];
}

/**
 * Before 1.31 our kubeadm file is v1beta3, which has no encryptionAlgorithm, certificateValidityPeriod or
 * caCertificateValidityPeriod (README): kubeadm then makes RSA-2048 keys valid 1 and 10 years, whatever pki says.
 */
function legacyExplanations(s: Scenario): Explanation[] {
  const reason = 'kubeadm v1beta3 (Kubernetes < 1.31) cannot carry pki.keyAlgorithm or the validity days: kubeadm makes RSA-2048 keys valid 1 and 10 years (README)';
  const all = [...CERTIFICATES, 'sa'];
  return [
    ...(s.keyAlgorithm === 'RSA-2048' ? [] : [{ certificates: all, field: 'key' as const, ours: s.keyAlgorithm, kubeadm: 'RSA-2048', reason }]),
    ...(s.keyAlgorithm === 'ECDSA-P256'
      ? [
          { certificates: all, field: 'privateKeyFormat' as const, ours: 'EC PRIVATE KEY', kubeadm: 'RSA PRIVATE KEY', reason },
          { certificates: CERTIFICATES, field: 'signatureAlgorithm' as const, ours: 'ECDSA/SHA-256', kubeadm: 'RSASSA-PKCS1-v1_5/SHA-256', reason },
        ]
      : []),
    ...(s.customValidity ? [{ certificates: CERTIFICATES, field: 'validitySeconds' as const, reason }] : []),
  ];
}

const roots: string[] = [];
afterAll(() => roots.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

interface Made {
  readonly root: string;
  readonly kubeadmInit: string;
  readonly ours: string;
  readonly kubeadm: string;
}

/** Synth and `cluster-pki generate` on the scenario's cluster.yaml, then kubeadm's dry run on our kubeadm-init.yaml. */
function make(name: string, s: Scenario): Made {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `cb-e2e-pki-${name}-`));
  roots.push(root);
  const work = clusterFolder(path.join(root, 'work'), `kubernetesVersion: ${tierVersions().kubernetes}\n${s.clusterYaml}`);
  const dist = synthIn(work);
  const ours = path.join(root, 'ours');
  generatePkiIn(work, ours);
  const kubeadm = path.join(root, 'kubeadm');
  fs.mkdirSync(kubeadm);
  const kubeadmInit = path.join(dist, 'node-config', 'kubeadm-init.yaml');
  const r = kubeadmCerts(kubeadmInit, kubeadm);
  if (r.status !== 0) throw new Error(describeFailure(r));
  return { root, kubeadmInit, ours, kubeadm };
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

/** Every difference of the ten certificates (with their keys) and sa.key/sa.pub. */
function differences(made: Made, pairs: readonly [string, string][] = CERTIFICATES.map((c) => [c, c])): Difference[] {
  const certs = pairs.flatMap(([ours, theirs]) =>
    diffCertificates(
      ours,
      describeCertificate(read(made.ours, `${ours}.crt`), read(made.ours, `${ours}.key`)),
      describeCertificate(read(made.kubeadm, `${theirs}.crt`), read(made.kubeadm, `${theirs}.key`)),
      { validityToleranceSeconds: VALIDITY_TOLERANCE_SECONDS },
    ),
  );
  const sa = diffCertificates('sa', describeKeyPair(read(made.ours, 'sa.key'), read(made.ours, 'sa.pub')), describeKeyPair(read(made.kubeadm, 'sa.key'), read(made.kubeadm, 'sa.pub')));
  return [...certs, ...sa];
}

const withModes = (dir: string) => listFiles(dir).map((f) => `${f} ${modeOf(path.join(dir, f)).toString(8)}`);

describe(`kubeadm ${tierVersions().kubernetes} makes the certificates our PKI plan makes, from our kubeadm-init.yaml`, () => {
  describe.each(Object.keys(SCENARIOS))('scenario %s', (name) => {
    const scenario = SCENARIOS[name];
    let made: Made;
    beforeAll(() => {
      made = make(name, scenario);
    });

    test("the same files in kubeadm's layout: 10 certificates with keys and sa.key/sa.pub, keys 0600", () => {
      const ours = withModes(made.ours);
      expect(ours).toEqual([...CERTIFICATES.flatMap((c) => [`${c}.crt 644`, `${c}.key 600`]), 'sa.key 600', 'sa.pub 644'].sort());
      // kubeadm's listing is ours with exactly the listed mode differences
      const expected = ours.map((line) => {
        const d = MODE_DIFFERENCES.find((m) => line === `${m.file} ${m.ours}`);
        return d ? `${d.file} ${d.kubeadm}` : line;
      });
      expect(withModes(made.kubeadm)).toEqual(expected);
    });

    test('every difference is a listed one, and every listed one occurs', () => {
      const result = explain(differences(made), explanations(scenario));
      expect(result.unexplained.map(formatDifference)).toEqual([]);
      expect(result.unused.map((e) => `${e.certificates.join(',')}: ${e.field} ${e.value ?? e.kubeadm ?? ''}`)).toEqual([]);
      // the fields that matter most agree outright: no explanation touches them
      const core = ['isCa', 'pathLength', 'extendedKeyUsages', 'subjectOrganizations', 'issuerCommonName', 'halvesMatch', ...(v1beta3 ? [] : ['key', 'signatureAlgorithm', 'validitySeconds', 'privateKeyFormat'])];
      expect(result.explained.filter((e) => core.includes(e.difference.field))).toEqual([]);
    });

    // README "On the control plane": copy our folder to /etc/kubernetes/pki before `kubeadm init`. With the files in
    // certificatesDir (not a dry run), kubeadm checks only each chain and validity period, not the SANs, so it takes
    // our folder whether or not the config lists the node.
    test('kubeadm uses our certificates as they are, byte for byte, from certificatesDir', () => {
      const pki = path.join(made.root, 'adopted');
      fs.cpSync(made.ours, pki, { recursive: true });
      const r = kubeadmCerts(made.kubeadmInit, pki);
      expect({ status: r.status, failure: r.status === 0 ? '' : describeFailure(r) }).toEqual({ status: 0, failure: '' });
      const used = (r.stdout.match(/Using (existing \S+ certificate (?:and key on disk|authority)|the existing "sa" key)/g) ?? []).length;
      expect(used).toBe(CERTIFICATES.length + 1);
      expect(r.stdout).not.toMatch(/Generating/);
      // byte for byte (compared in memory; key material is never printed)
      for (const file of listFiles(made.ours)) expect([file, read(pki, file) === read(made.ours, file)]).toEqual([file, true]);
      expect(listFiles(pki)).toEqual(listFiles(made.ours));
    });

    test('kubeadm refuses a certificate our CA did not sign (the check it does make)', () => {
      const pki = path.join(made.root, 'foreign');
      fs.cpSync(made.ours, pki, { recursive: true });
      for (const f of ['apiserver.crt', 'apiserver.key']) fs.copyFileSync(path.join(made.kubeadm, f), path.join(pki, f));
      const r = kubeadmCerts(made.kubeadmInit, pki);
      expect(r.status).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toMatch(/certificate apiserver not signed by CA certificate ca/);
    });
  });

  test('the comparison sees a real difference: our apiserver certificate against kubeadm\'s apiserver-kubelet-client', () => {
    const made = make('swapped', SCENARIOS.default);
    const unexplained = explain(differences(made, [['apiserver', 'apiserver-kubelet-client']]), explanations(SCENARIOS.default)).unexplained.map(formatDifference);
    expect(unexplained).toEqual(
      expect.arrayContaining([
        'apiserver: subjectOrganizations "kubeadm:cluster-admins" only in kubeadm\'s',
        'apiserver: extendedKeyUsages "serverAuth" only in our PKI',
        'apiserver: extendedKeyUsages "clientAuth" only in kubeadm\'s',
        'apiserver: subjectCommonName ours "kube-apiserver", kubeadm "kube-apiserver-kubelet-client"',
        'apiserver: dnsNames "kubernetes" only in our PKI',
      ]),
    );
  });
});
