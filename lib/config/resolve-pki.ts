import { IpAddress } from '../net/cidr';
import type { ResolvedPki, SubjectAltName } from './cluster-config';
import { DEFAULT_CLUSTER_CONFIG as D } from './defaults';
import type { ConfigIssue } from './errors';
import { isDnsSubdomain } from '../net/names';
import type { ClusterConfigFile } from './types';

/** A DNS name a certificate may carry: an RFC 1123 subdomain, each label at most 63 characters, optionally `*.` first. */
export function isCertificateDnsName(text: string): boolean {
  const name = text.startsWith('*.') ? text.slice(2) : text;
  return isDnsSubdomain(name) && name.split('.').every((label) => label.length <= 63);
}

/** Types a SAN as written in the config: an IP address, else a DNS name, else undefined. */
export function parseSubjectAltName(text: string): SubjectAltName | undefined {
  const ip = IpAddress.tryParse(text);
  if (ip) return { kind: 'ip', ip };
  return isCertificateDnsName(text) ? { kind: 'dns', name: text } : undefined;
}

function resolveSans(field: string, values: readonly string[] | undefined, issues: ConfigIssue[]): SubjectAltName[] {
  const out: SubjectAltName[] = [];
  (values ?? []).forEach((value, i) => {
    const san = parseSubjectAltName(value);
    if (san) {
      out.push(san);
      return;
    }
    const lowered = value.toLowerCase();
    const hint =
      lowered !== value && parseSubjectAltName(lowered)
        ? `DNS names in certificates are written in lower case: "${lowered}"`
        : value.includes('://')
          ? 'write the host only, without scheme or port, e.g. "api.example.internal"'
          : value.includes('/')
            ? 'a SAN names one address, not a range: drop the /prefix'
            : 'write an IP address such as "10.0.0.10" or a DNS name such as "cp-1.example.internal"';
    issues.push({ path: `pki.${field}.${i}`, value, message: 'neither an IP address nor a DNS name', hint });
  });
  return out;
}

export function resolvePki(file: ClusterConfigFile, issues: ConfigIssue[]): ResolvedPki {
  const p = { ...D.pki, ...file.pki };
  if (p.certificateValidityDays > p.caValidityDays) {
    issues.push({
      path: 'pki.certificateValidityDays',
      value: p.certificateValidityDays,
      message: `outlives the CAs that sign the certificates (pki.caValidityDays is ${p.caValidityDays})`,
      hint: `use at most ${p.caValidityDays} days, or raise pki.caValidityDays`,
    });
  }
  return {
    planFiles: p.planFiles,
    keyAlgorithm: p.keyAlgorithm,
    caValidityDays: p.caValidityDays,
    certificateValidityDays: p.certificateValidityDays,
    apiServerCertSANs: resolveSans('apiServerCertSANs', file.pki?.apiServerCertSANs, issues),
    etcdCertSANs: resolveSans('etcdCertSANs', file.pki?.etcdCertSANs, issues),
  };
}
