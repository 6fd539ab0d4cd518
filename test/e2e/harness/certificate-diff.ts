import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata API
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, X509Certificate as NodeX509, type KeyObject } from 'crypto';
import { IpAddress } from '../../../lib/net/cidr';

/**
 * Two certificates of the same name, one from kubeadm and one from our PKI, compared field by field. Parsing is
 * left to @peculiar/x509 (extensions, names) and node's X509Certificate (the public key); `diffCertificates` and
 * `explain` are pure, so test/harness/certificate-diff.test.ts checks them without kubeadm.
 */

/** A public key as kubeadm's `encryptionAlgorithm` names it: `RSA-2048`, `ECDSA-P256`, ... */
export type KeyDescription = string;

/** What of a certificate the comparison looks at; set-valued fields are sorted, IPs in canonical text form. */
export interface CertificateDescription {
  readonly subjectCommonName: string;
  readonly subjectOrganizations: readonly string[];
  readonly subjectOrganizationalUnits: readonly string[];
  readonly issuerCommonName: string;
  readonly issuerOrganizationalUnits: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** RFC 5280 names (`digitalSignature`, ...); empty without the extension. */
  readonly keyUsages: readonly string[];
  readonly keyUsageCritical: boolean;
  /** `serverAuth`, `clientAuth`, or the OID of any other. */
  readonly extendedKeyUsages: readonly string[];
  readonly isCa: boolean;
  /** The CA's path length limit, `none` without one. */
  readonly pathLength: string;
  readonly basicConstraintsCritical: boolean;
  /** The extensions present, by name (`subjectKeyIdentifier`, ...) or OID. */
  readonly extensions: readonly string[];
  readonly key: KeyDescription;
  /** e.g. `RSASSA-PKCS1-v1_5/SHA-256`, `ECDSA/SHA-256`. */
  readonly signatureAlgorithm: string;
  /** notAfter - notBefore, whole seconds. */
  readonly validitySeconds: number;
  /** With the key file: its PEM label and whether it is the certificate's key. */
  readonly privateKeyFormat?: string;
  readonly halvesMatch?: boolean;
}

/** A bare key pair (sa.key/sa.pub): the key, its file format, and whether the two halves belong together. */
export interface KeyPairDescription {
  readonly key: KeyDescription;
  /** The PEM label of the private key file, e.g. `RSA PRIVATE KEY` (never its content). */
  readonly privateKeyFormat: string;
  readonly halvesMatch: boolean;
}

const SET_FIELDS = ['subjectOrganizations', 'subjectOrganizationalUnits', 'issuerOrganizationalUnits', 'dnsNames', 'ipAddresses', 'keyUsages', 'extendedKeyUsages', 'extensions'] as const;
const SCALAR_FIELDS = [
  'subjectCommonName',
  'issuerCommonName',
  'keyUsageCritical',
  'isCa',
  'pathLength',
  'basicConstraintsCritical',
  'key',
  'signatureAlgorithm',
  'validitySeconds',
  'privateKeyFormat',
  'halvesMatch',
] as const;
export type SetField = (typeof SET_FIELDS)[number];
export type ScalarField = (typeof SCALAR_FIELDS)[number];

/** One difference: a value of a set field only one side has, or a scalar field with two values. */
export type Difference =
  | { readonly certificate: string; readonly field: SetField; readonly only: 'ours' | 'kubeadm'; readonly value: string }
  | { readonly certificate: string; readonly field: ScalarField; readonly ours: string; readonly kubeadm: string };

export interface DiffOptions {
  /** Validity lengths closer than this count as equal (X.509 times are whole seconds). @default 0 */
  readonly validityToleranceSeconds?: number;
}

const KEY_USAGE_NAMES = Object.entries(x509.KeyUsageFlags).filter(([, v]) => typeof v === 'number') as [string, number][];
const EKU_NAMES: Record<string, string> = { [x509.ExtendedKeyUsage.serverAuth]: 'serverAuth', [x509.ExtendedKeyUsage.clientAuth]: 'clientAuth' };
/** RFC 5280 extension OIDs by name. */
const EXTENSION_NAMES: Record<string, string> = {
  '2.5.29.14': 'subjectKeyIdentifier',
  '2.5.29.15': 'keyUsage',
  '2.5.29.17': 'subjectAltName',
  '2.5.29.19': 'basicConstraints',
  '2.5.29.30': 'nameConstraints',
  '2.5.29.35': 'authorityKeyIdentifier',
  '2.5.29.37': 'extKeyUsage',
};

const sorted = (values: Iterable<string>) => [...values].sort();

/** `RSA-2048` / `ECDSA-P256` from a public key; anything else by node's own names. */
export function describeKey(key: KeyObject): KeyDescription {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `RSA-${details.modulusLength}`;
  if (key.asymmetricKeyType === 'ec') return details.namedCurve === 'prime256v1' ? 'ECDSA-P256' : `EC-${details.namedCurve}`;
  return String(key.asymmetricKeyType);
}

const pemLabel = (pem: string) => /^-----BEGIN ([A-Z ]+)-----/.exec(pem)?.[1] ?? 'not PEM';

/**
 * Parses a PEM certificate into the fields the comparison looks at; with its private key, also the key file's
 * format and whether it belongs to the certificate (the key is parsed in memory only, never returned).
 */
export function describeCertificate(pem: string, privateKeyPem?: string): CertificateDescription {
  const cert = new x509.X509Certificate(pem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  const publicKey = new NodeX509(pem).publicKey;
  // a WebCrypto algorithm; this project compiles without the DOM lib that types it
  const signature = cert.signatureAlgorithm as unknown as { name: string; hash: { name: string } };
  return {
    subjectCommonName: cert.subjectName.getField('CN').join(','),
    subjectOrganizations: sorted(cert.subjectName.getField('O')),
    subjectOrganizationalUnits: sorted(cert.subjectName.getField('OU')),
    issuerCommonName: cert.issuerName.getField('CN').join(','),
    issuerOrganizationalUnits: sorted(cert.issuerName.getField('OU')),
    dnsNames: sorted(names.filter((n) => n.type === 'dns').map((n) => n.value)),
    ipAddresses: sorted(names.filter((n) => n.type === 'ip').map((n) => IpAddress.parse(n.value).toString())),
    keyUsages: ku ? KEY_USAGE_NAMES.filter(([, flag]) => (ku.usages & flag) !== 0).map(([name]) => name).sort() : [],
    keyUsageCritical: ku?.critical ?? false,
    extendedKeyUsages: sorted((eku?.usages ?? []).map((u) => EKU_NAMES[String(u)] ?? String(u))),
    isCa: bc?.ca ?? false,
    pathLength: bc?.pathLength === undefined ? 'none' : String(bc.pathLength),
    basicConstraintsCritical: bc?.critical ?? false,
    extensions: sorted(cert.extensions.map((e) => EXTENSION_NAMES[e.type] ?? e.type)),
    key: describeKey(publicKey),
    signatureAlgorithm: `${signature.name}/${signature.hash.name}`,
    validitySeconds: Math.round((cert.notAfter.getTime() - cert.notBefore.getTime()) / 1000),
    ...(privateKeyPem === undefined ? {} : { privateKeyFormat: pemLabel(privateKeyPem), halvesMatch: createPublicKey(createPrivateKey(privateKeyPem)).equals(publicKey) }),
  };
}

/** Describes sa.key/sa.pub; the private key is parsed in memory only and never returned or printed. */
export function describeKeyPair(privateKeyPem: string, publicKeyPem: string): KeyPairDescription {
  const publicKey = createPublicKey(publicKeyPem);
  return { key: describeKey(publicKey), privateKeyFormat: pemLabel(privateKeyPem), halvesMatch: createPublicKey(createPrivateKey(privateKeyPem)).equals(publicKey) };
}

type Described = Partial<Record<SetField, readonly string[]> & Record<ScalarField, string | number | boolean>>;

/** Every difference between our description and kubeadm's of the certificate (or key pair) `certificate`. */
export function diffCertificates(certificate: string, ours: CertificateDescription | KeyPairDescription, kubeadm: CertificateDescription | KeyPairDescription, options: DiffOptions = {}): Difference[] {
  const a = ours as Described;
  const b = kubeadm as Described;
  const out: Difference[] = [];
  for (const field of SET_FIELDS) {
    if (!(field in a) && !(field in b)) continue;
    const left = new Set(a[field] ?? []);
    const right = new Set(b[field] ?? []);
    for (const value of sorted(left)) if (!right.has(value)) out.push({ certificate, field, only: 'ours', value });
    for (const value of sorted(right)) if (!left.has(value)) out.push({ certificate, field, only: 'kubeadm', value });
  }
  for (const field of SCALAR_FIELDS) {
    if (!(field in a) && !(field in b)) continue;
    const [x, y] = [a[field], b[field]];
    const equal = field === 'validitySeconds' ? Math.abs(Number(x) - Number(y)) <= (options.validityToleranceSeconds ?? 0) : x === y;
    if (!equal) out.push({ certificate, field, ours: String(x), kubeadm: String(y) });
  }
  return out;
}

/**
 * A difference that is known and why: it matches a difference when the difference's certificate is in
 * `certificates` and every other property given here is equal to the difference's.
 */
export interface Explanation {
  readonly certificates: readonly string[];
  readonly field: SetField | ScalarField;
  readonly only?: 'ours' | 'kubeadm';
  readonly value?: string;
  readonly ours?: string;
  readonly kubeadm?: string;
  readonly reason: string;
}

export interface Explained {
  readonly explained: readonly { difference: Difference; reason: string }[];
  readonly unexplained: readonly Difference[];
  /** Explanations no difference matched: a stale list, or a difference that went away. */
  readonly unused: readonly Explanation[];
}

export function matches(explanation: Explanation, difference: Difference): boolean {
  if (!explanation.certificates.includes(difference.certificate) || explanation.field !== difference.field) return false;
  const d = difference as Partial<Record<'only' | 'value' | 'ours' | 'kubeadm', string>>;
  return (['only', 'value', 'ours', 'kubeadm'] as const).every((k) => explanation[k] === undefined || explanation[k] === d[k]);
}

/** Splits differences into explained (first matching explanation) and unexplained, and names the unused explanations. */
export function explain(differences: readonly Difference[], explanations: readonly Explanation[]): Explained {
  const used = new Set<Explanation>();
  const explained: { difference: Difference; reason: string }[] = [];
  const unexplained: Difference[] = [];
  for (const difference of differences) {
    const by = explanations.find((e) => matches(e, difference));
    if (by) {
      used.add(by);
      explained.push({ difference, reason: by.reason });
    } else unexplained.push(difference);
  }
  return { explained, unexplained, unused: explanations.filter((e) => !used.has(e)) };
}

/** One line per difference, for an assertion message. */
export function formatDifference(d: Difference): string {
  return 'only' in d ? `${d.certificate}: ${d.field} ${JSON.stringify(d.value)} only in ${d.only === 'ours' ? 'our PKI' : "kubeadm's"}` : `${d.certificate}: ${d.field} ours ${JSON.stringify(d.ours)}, kubeadm ${JSON.stringify(d.kubeadm)}`;
}
