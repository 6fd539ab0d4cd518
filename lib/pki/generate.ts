import { KeyObject, randomBytes, webcrypto } from 'crypto';
import { inspect } from 'util';
import type { PkiKeyAlgorithm } from '../config/types';
import type { CaName, ExtendedKeyUsage, KeyUsage, PkiPlan, PlannedCertificate, PlannedKeyPair } from './plan';

type X509 = typeof import('@peculiar/x509');
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/**
 * PEM of a private key that does not print itself: `String(key)`, `JSON.stringify` and `console.log` show
 * `[private key]`. Only `reveal()` returns the PEM, for writing the key file.
 */
export class PrivateKeyPem {
  readonly #pem: string;
  constructor(pem: string) {
    this.#pem = pem;
  }
  reveal(): string {
    return this.#pem;
  }
  toString(): string {
    return '[private key]';
  }
  toJSON(): string {
    return '[private key]';
  }
  [inspect.custom](): string {
    return '[private key]';
  }
}

export interface GeneratedCertificate {
  readonly plan: PlannedCertificate;
  readonly certificatePem: string;
  readonly privateKey: PrivateKeyPem;
}

export interface GeneratedKeyPair {
  readonly plan: PlannedKeyPair;
  readonly publicKeyPem: string;
  readonly privateKey: PrivateKeyPem;
}

export interface GeneratedPki {
  readonly certificates: readonly GeneratedCertificate[];
  readonly keyPairs: readonly GeneratedKeyPair[];
}

export interface GenerateOptions {
  /**
   * The moment the certificates are issued.
   * @default - now
   */
  readonly now?: Date;
}

/** Certificates start this much before `now`, so a node whose clock lags a little still accepts them. */
export const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

let x509Module: Promise<X509> | undefined;
/** Loads @peculiar/x509 on first use, on Node's WebCrypto; synth never pays for it. */
function loadX509(): Promise<X509> {
  x509Module ??= (async () => {
    await import('reflect-metadata'); // the library's dependency injection (tsyringe) needs the Reflect metadata API
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<X509['cryptoProvider']['set']>[0]);
    return x509;
  })();
  return x509Module;
}

function keyGenParams(algorithm: PkiKeyAlgorithm): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  if (algorithm === 'ECDSA-P256') return { name: 'ECDSA', namedCurve: 'P-256' };
  return { name: 'RSASSA-PKCS1-v1_5', modulusLength: Number(algorithm.slice('RSA-'.length)), publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
}

function signingAlgorithm(algorithm: PkiKeyAlgorithm): webcrypto.Algorithm & { hash: string } {
  return algorithm === 'ECDSA-P256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

async function generateKeyPair(algorithm: PkiKeyAlgorithm): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(keyGenParams(algorithm), true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** kubeadm's key file formats: PKCS#1 `RSA PRIVATE KEY` and SEC 1 `EC PRIVATE KEY`. */
function privateKeyPem(keys: CryptoKeyPair, algorithm: PkiKeyAlgorithm): PrivateKeyPem {
  const type = algorithm === 'ECDSA-P256' ? 'sec1' : 'pkcs1';
  return new PrivateKeyPem(KeyObject.from(keys.privateKey).export({ type, format: 'pem' }) as string);
}

function publicKeyPem(keys: CryptoKeyPair): string {
  return KeyObject.from(keys.publicKey).export({ type: 'spki', format: 'pem' }) as string;
}

/** A positive, non-zero 128-bit serial number in hex (RFC 5280 allows up to 20 octets). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function subject(cert: PlannedCertificate): { [attribute: string]: string[] }[] {
  return [
    ...(cert.organizations.length ? [{ O: [...cert.organizations] }] : []),
    ...(cert.organizationalUnits.length ? [{ OU: [...cert.organizationalUnits] }] : []),
    { CN: [cert.commonName] },
  ];
}

function keyUsageFlags(x509: X509, usages: readonly KeyUsage[]): number {
  const flag: Record<KeyUsage, number> = {
    digitalSignature: x509.KeyUsageFlags.digitalSignature,
    keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
    keyCertSign: x509.KeyUsageFlags.keyCertSign,
  };
  return usages.reduce((flags, u) => flags | flag[u], 0);
}

function extendedKeyUsageOids(x509: X509, usages: readonly ExtendedKeyUsage[]): string[] {
  return usages.map((u) => (u === 'serverAuth' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth));
}

interface IssuedCa {
  readonly cert: InstanceType<X509['X509Certificate']>;
  readonly keys: CryptoKeyPair;
  readonly keyId: string;
}

/**
 * Makes every key and certificate of the plan: self-signed CAs, then the leaves they sign, with the plan's
 * subjects, SANs, key usages, extended key usages, basic constraints, SKI/AKI and validity. A leaf never
 * outlives its CA. Keys stay in memory as `PrivateKeyPem`; writing them is `writePki`'s job.
 */
export async function generatePki(plan: PkiPlan, options: GenerateOptions = {}): Promise<GeneratedPki> {
  const x509 = await loadX509();
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const alg = signingAlgorithm(plan.keyAlgorithm);
  // key generation dominates the run time (RSA especially): make every key pair at once
  const [certKeys, pairKeys] = await Promise.all([
    Promise.all(plan.certificates.map(() => generateKeyPair(plan.keyAlgorithm))),
    Promise.all(plan.keyPairs.map(() => generateKeyPair(plan.keyAlgorithm))),
  ]);

  const cas = new Map<CaName, IssuedCa>();
  const certificates: GeneratedCertificate[] = [];
  for (const [i, cert] of plan.certificates.entries()) {
    const keys = certKeys[i];
    const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false);
    const extensions: InstanceType<X509['Extension']>[] = [new x509.BasicConstraintsExtension(cert.isCa, undefined, true), new x509.KeyUsagesExtension(keyUsageFlags(x509, cert.keyUsages), true)];
    if (cert.extendedKeyUsages.length) extensions.push(new x509.ExtendedKeyUsageExtension(extendedKeyUsageOids(x509, cert.extendedKeyUsages), false));
    extensions.push(ski);
    const names = [...cert.dnsNames.map((value) => ({ type: 'dns' as const, value })), ...cert.ipAddresses.map((value) => ({ type: 'ip' as const, value }))];
    if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));

    let notAfter = new Date(now.getTime() + cert.validityDays * DAY_MS);
    let issued;
    if (cert.isCa) {
      issued = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: serialNumber(), name: subject(cert), notBefore, notAfter, keys, signingAlgorithm: alg, extensions });
      cas.set(cert.name as CaName, { cert: issued, keys, keyId: ski.keyId });
    } else {
      const ca = cas.get(cert.signer!);
      if (!ca) throw new Error(`the plan lists ${cert.name} before its CA ${cert.signer}`);
      if (notAfter > ca.cert.notAfter) notAfter = ca.cert.notAfter;
      extensions.push(new x509.AuthorityKeyIdentifierExtension(ca.keyId, false));
      issued = await x509.X509CertificateGenerator.create({
        serialNumber: serialNumber(),
        subject: subject(cert),
        issuer: ca.cert.subjectName,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: ca.keys.privateKey,
        signingAlgorithm: alg,
        extensions,
      });
    }
    certificates.push({ plan: cert, certificatePem: issued.toString('pem') + '\n', privateKey: privateKeyPem(keys, plan.keyAlgorithm) });
  }
  const keyPairs = plan.keyPairs.map((pair, i) => ({ plan: pair, publicKeyPem: publicKeyPem(pairKeys[i]), privateKey: privateKeyPem(pairKeys[i], plan.keyAlgorithm) }));
  return { certificates, keyPairs };
}
