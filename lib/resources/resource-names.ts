import { isDnsSubdomain } from '../net/names';

// the name part of a qualified name (label keys, resource names): at most 63 characters
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A qualified name as the API validates it: `name` or `dns.subdomain/name`, the name part at most 63 characters. */
export function isQualifiedName(text: string): boolean {
  const parts = text.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (name.length > 63 || !NAME_PART.test(name)) return false;
  return parts.length === 1 || (parts[0].length > 0 && isDnsSubdomain(parts[0]));
}

/** Resources a container (and a LimitRange of type Container or Pod) may name without a domain. */
export function isStandardContainerResourceName(name: string): boolean {
  return name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || isHugePagesResourceName(name);
}

export function isHugePagesResourceName(name: string): boolean {
  return name.startsWith('hugepages-') && name.length > 'hugepages-'.length;
}

/**
 * An extended resource name, by the API server's rules: domain-qualified (`example.com/dongle`), outside
 * `kubernetes.io/` and its subdomains (everything there is native and kept for Kubernetes itself: there is no
 * exception for extended resources), not starting with `requests.` (quota's prefix), and still a qualified
 * name once quota prefixes it (`requests.example.com/dongle`).
 */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/') || name.includes('kubernetes.io/') || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`);
}

/** Why `name` is not an extended resource name (undefined when it is one), for error messages. */
export function extendedResourceNameProblem(name: string): string | undefined {
  if (!name.includes('/')) return 'has no domain: extended resources are named <domain>/<name>';
  if (name.includes('kubernetes.io/')) return 'is in the kubernetes.io domain, which is reserved for Kubernetes';
  if (name.startsWith('requests.')) return 'starts with "requests.", which is the prefix quotas use';
  if (!isQualifiedName(`requests.${name}`)) return 'is not a qualified name (a DNS subdomain, "/", and at most 63 letters, digits, "-", "_" or ".")';
  return undefined;
}
