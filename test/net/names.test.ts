import { isDnsLabel, isDnsSubdomain } from '../../lib/net/names';

describe('RFC 1123 names', () => {
  test('a label: lower-case alphanumerics and "-", alphanumeric at both ends, at most 63 characters', () => {
    for (const ok of ['a', 'kube-system', '0abc', 'a'.repeat(63)]) expect(isDnsLabel(ok)).toBe(true);
    for (const bad of ['', '-a', 'a-', 'A', 'a.b', 'a_b', 'a'.repeat(64)]) expect(isDnsLabel(bad)).toBe(false);
  });

  test('a subdomain: labels joined by dots, at most 253 characters', () => {
    for (const ok of ['cluster.local', 'api.example.internal', 'a']) expect(isDnsSubdomain(ok)).toBe(true);
    for (const bad of ['', '.a', 'a.', 'a..b', 'Api.example', `${'a.'.repeat(126)}ab`]) expect(isDnsSubdomain(bad)).toBe(false);
  });
});
