import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** One certificate found by `checkExpiration`. */
export interface CertificateExpiry {
  /** kubeadm-style name: the path under the directory without `.crt`, `/` as `-` (`etcd/server` → `etcd-server`). */
  readonly name: string;
  readonly file: string;
  readonly isCa: boolean;
  readonly notAfter: Date;
  /** Milliseconds left at the time of the check; negative once expired. */
  readonly residualMs: number;
  /** Name of the CA in the directory that signed it; undefined for a self-signed CA or an unknown signer. */
  readonly authority?: string;
  /** No key to renew it here: a CA without its `.key`, or a certificate whose CA is missing or has no key. */
  readonly externallyManaged: boolean;
  /** Expired, or expires within the warning threshold. */
  readonly needsRenewal: boolean;
}

export interface ExpiryReport {
  readonly certificates: readonly CertificateExpiry[];
  /** Files that look like certificates but do not parse, with the reason. */
  readonly unreadable: readonly { readonly file: string; readonly reason: string }[];
}

export interface CheckExpirationOptions {
  /** @default - now */
  readonly now?: Date;
  /**
   * A certificate expiring within this many days counts as needing renewal.
   * @default 30
   */
  readonly warnWithinDays?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CERT_EXTENSIONS = ['.crt', '.pem'];

function certificateFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => CERT_EXTENSIONS.includes(path.extname(f)) && !f.endsWith('-key.pem'))
    .sort();
}

function nameOf(relative: string): string {
  return relative.slice(0, -path.extname(relative).length).split(path.sep).join('-');
}

/**
 * Reads every certificate under `dir` (kubeadm layout or any other) and reports its expiry, its signer among
 * the directory's CAs, and whether it is managed elsewhere — like `kubeadm certs check-expiration`.
 */
export function checkExpiration(dir: string, options: CheckExpirationOptions = {}): ExpiryReport {
  const now = options.now ?? new Date();
  const threshold = (options.warnWithinDays ?? 30) * DAY_MS;
  const unreadable: { file: string; reason: string }[] = [];
  const parsed: { relative: string; cert: X509Certificate }[] = [];
  for (const relative of certificateFiles(dir)) {
    try {
      parsed.push({ relative, cert: new X509Certificate(fs.readFileSync(path.join(dir, relative))) });
    } catch (e) {
      unreadable.push({ file: relative, reason: (e as Error).message });
    }
  }
  const cas = parsed.filter((p) => p.cert.ca);
  const hasKey = (relative: string) => {
    const base = relative.slice(0, -path.extname(relative).length);
    return fs.existsSync(path.join(dir, `${base}.key`)) || fs.existsSync(path.join(dir, `${base}-key.pem`));
  };
  const selfSigned = (cert: X509Certificate) => cert.checkIssued(cert) && cert.verify(cert.publicKey);
  const certificates = parsed.map(({ relative, cert }): CertificateExpiry => {
    const notAfter = new Date(cert.validTo);
    const residualMs = notAfter.getTime() - now.getTime();
    const issuer = selfSigned(cert) ? undefined : cas.find((ca) => ca.cert !== cert && cert.checkIssued(ca.cert) && cert.verify(ca.cert.publicKey));
    const externallyManaged = cert.ca && selfSigned(cert) ? !hasKey(relative) : !issuer || !hasKey(issuer.relative);
    return {
      name: nameOf(relative),
      file: relative,
      isCa: cert.ca,
      notAfter,
      residualMs,
      ...(issuer ? { authority: nameOf(issuer.relative) } : {}),
      externallyManaged,
      needsRenewal: residualMs <= threshold,
    };
  });
  certificates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { certificates, unreadable };
}

/** Time left the way kubeadm prints it (Kubernetes' short human duration): `<invalid>` once expired, else s, m, h, d, y. */
export function residualTime(ms: number): string {
  if (ms < 0) return '<invalid>';
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  if (seconds < 60) return `${seconds}s`;
  if (minutes < 60) return `${minutes}m`;
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

function formatDate(d: Date): string {
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${month} ${pad(d.getUTCDate())}, ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n');
}

/** The two tables of `kubeadm certs check-expiration`: certificates, then CAs, with a mark on those to renew. */
export function formatExpiryReport(report: ExpiryReport): string {
  const yesNo = (b: boolean) => (b ? 'yes' : 'no');
  const mark = (c: CertificateExpiry) => (c.residualMs < 0 ? 'EXPIRED' : c.needsRenewal ? 'RENEW SOON' : '');
  const leaves = report.certificates.filter((c) => !c.isCa);
  const cas = report.certificates.filter((c) => c.isCa);
  const parts: string[] = [];
  if (leaves.length) {
    parts.push(
      table([
        ['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED', ''],
        ...leaves.map((c) => [c.name, formatDate(c.notAfter), residualTime(c.residualMs), c.authority ?? '', yesNo(c.externallyManaged), mark(c)]),
      ]),
    );
  }
  if (cas.length) {
    parts.push(
      table([
        ['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED', ''],
        ...cas.map((c) => [c.name, formatDate(c.notAfter), residualTime(c.residualMs), yesNo(c.externallyManaged), mark(c)]),
      ]),
    );
  }
  for (const u of report.unreadable) parts.push(`unreadable: ${u.file}: ${u.reason}`);
  return parts.join('\n\n');
}
