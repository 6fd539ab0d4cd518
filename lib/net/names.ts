// Kubernetes name rules (RFC 1123), shared by config validation and manifest validation.
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An RFC 1123 label: at most 63 lower-case letters, digits and '-', alphanumeric at both ends. */
export function isDnsLabel(text: string): boolean {
  return text.length <= 63 && LABEL.test(text);
}

/** kebab-case: lower-case letters and digits in words joined by single '-' (component ids, file base names). */
export function isKebabCase(text: string): boolean {
  return KEBAB_CASE.test(text);
}

/** An RFC 1123 subdomain: labels joined by dots, at most 253 characters. */
export function isDnsSubdomain(text: string): boolean {
  return text.length <= 253 && SUBDOMAIN.test(text);
}
