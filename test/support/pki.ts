import { execFileSync, spawnSync } from 'child_process';
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { IpAddress } from '../../lib/net/cidr';
import { tempDir as removedAfterAll } from './temp-dir';

export function tempDir(prefix = 'cb-pki-'): string {
  return removedAfterAll(prefix);
}

/** `openssl x509 -noout -text` of a certificate file. */
export function opensslText(file: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text', '-in', file], { encoding: 'utf8' });
}

/** `openssl verify -CAfile ca file`: true when the chain verifies. */
export function opensslVerifies(caFile: string, file: string): boolean {
  const r = spawnSync('openssl', ['verify', '-CAfile', caFile, file], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === `${file}: OK`;
}

/** What a certificate says, read from openssl's text form. */
export interface OpensslView {
  readonly subject: string;
  readonly issuer: string;
  readonly ca: boolean;
  readonly keyUsage: string[];
  readonly keyUsageCritical: boolean;
  readonly extendedKeyUsage: string[];
  readonly dns: string[];
  readonly ips: string[];
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
  readonly publicKey: string;
}

function extension(text: string, name: string): { value?: string; critical: boolean } {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith(`X509v3 ${name}:`));
  if (at < 0) return { critical: false };
  return { value: lines[at + 1].trim(), critical: lines[at].includes('critical') };
}

/** SAN entries as printed by openssl or node (`DNS:a, IP Address:1.2.3.4`), IPs canonicalized. */
export function splitSanText(text: string | undefined): { dns: string[]; ips: string[] } {
  const parts = (text ?? '').split(', ').filter(Boolean);
  return {
    dns: parts.filter((p) => p.startsWith('DNS:')).map((p) => p.slice(4)),
    ips: parts.filter((p) => p.startsWith('IP Address:')).map((p) => IpAddress.parse(p.slice('IP Address:'.length).toLowerCase()).toString()),
  };
}

export function opensslView(file: string): OpensslView {
  const text = opensslText(file);
  const line = (prefix: string) => text.split('\n').find((l) => l.trim().startsWith(prefix))?.trim().slice(prefix.length).trim() ?? '';
  const list = (value?: string) => (value ? value.split(', ') : []);
  const ku = extension(text, 'Key Usage');
  const keyId = (v?: string) => v?.replace(/^keyid:/, '');
  return {
    subject: line('Subject:'),
    issuer: line('Issuer:'),
    ca: extension(text, 'Basic Constraints').value === 'CA:TRUE',
    keyUsage: list(ku.value),
    keyUsageCritical: ku.critical,
    extendedKeyUsage: list(extension(text, 'Extended Key Usage').value),
    ...splitSanText(extension(text, 'Subject Alternative Name').value),
    subjectKeyId: keyId(extension(text, 'Subject Key Identifier').value),
    authorityKeyId: keyId(extension(text, 'Authority Key Identifier').value),
    publicKey: line('Public Key Algorithm:'),
  };
}

export function x509(file: string): X509Certificate {
  return new X509Certificate(fs.readFileSync(file));
}

export function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}
