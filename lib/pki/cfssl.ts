import type { PkiKeyAlgorithm } from '../config/types';
import type { ExtendedKeyUsage, KeyUsage, PkiPlan, PlannedCertificate } from './plan';

/** cfssl's names of the usages (cfssl `config.KeyUsage` / `ExtKeyUsage`). */
const CFSSL_USAGE: Readonly<Record<KeyUsage | ExtendedKeyUsage, string>> = {
  digitalSignature: 'digital signature',
  keyEncipherment: 'key encipherment',
  keyCertSign: 'cert sign',
  serverAuth: 'server auth',
  clientAuth: 'client auth',
};

export interface CfsslKey {
  readonly algo: 'rsa' | 'ecdsa';
  readonly size: number;
}

/** A cfssl CSR JSON (`cfssl gencert` input). */
export interface CfsslCsr {
  readonly CN: string;
  readonly hosts?: readonly string[];
  readonly key: CfsslKey;
  readonly names: readonly { readonly O?: string; readonly OU?: string }[];
  readonly ca?: { readonly expiry: string };
}

export interface CfsslSigningProfile {
  readonly usages: readonly string[];
  readonly expiry: string;
}

export interface CfsslConfig {
  readonly signing: { readonly default: { readonly expiry: string }; readonly profiles: Readonly<Record<string, CfsslSigningProfile>> };
}

export function cfsslKey(algorithm: PkiKeyAlgorithm): CfsslKey {
  return algorithm === 'ECDSA-P256' ? { algo: 'ecdsa', size: 256 } : { algo: 'rsa', size: Number(algorithm.slice('RSA-'.length)) };
}

/** cfssl writes durations in hours. */
export function cfsslExpiry(days: number): string {
  return `${days * 24}h`;
}

/** The signing profile a leaf uses: named by its extended key usages (`server`, `client`, `peer` for both). */
export function cfsslProfileName(cert: PlannedCertificate): string {
  const server = cert.extendedKeyUsages.includes('serverAuth');
  const client = cert.extendedKeyUsages.includes('clientAuth');
  return server && client ? 'peer' : server ? 'server' : 'client';
}

/** The CSR JSON of one certificate; a CA's carries its own `ca.expiry` (`cfssl gencert -initca`). */
export function cfsslCsr(plan: PkiPlan, cert: PlannedCertificate): CfsslCsr {
  const names = [...cert.organizations.map((O) => ({ O })), ...cert.organizationalUnits.map((OU) => ({ OU }))];
  const hosts = [...cert.dnsNames, ...cert.ipAddresses];
  return {
    CN: cert.commonName,
    ...(cert.isCa ? {} : { hosts }),
    key: cfsslKey(plan.keyAlgorithm),
    names,
    ...(cert.isCa ? { ca: { expiry: cfsslExpiry(cert.validityDays) } } : {}),
  };
}

/** `ca-config.json`: one signing profile per kind of leaf (server, client, peer), with usages and expiry. */
export function cfsslCaConfig(plan: PkiPlan): CfsslConfig {
  const leaves = plan.certificates.filter((c) => !c.isCa);
  const expiry = cfsslExpiry(Math.max(...leaves.map((c) => c.validityDays)));
  const profiles: Record<string, CfsslSigningProfile> = {};
  for (const cert of leaves) {
    profiles[cfsslProfileName(cert)] ??= {
      usages: [...cert.keyUsages, ...cert.extendedKeyUsages].map((u) => CFSSL_USAGE[u]),
      expiry: cfsslExpiry(cert.validityDays),
    };
  }
  return { signing: { default: { expiry }, profiles } };
}
