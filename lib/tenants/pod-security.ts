import type { PodSecurityConfig } from '../config/types';

/** Pod Security admission settings with every mode spelled out. */
export type ResolvedPodSecurity = Required<PodSecurityConfig>;

export const POD_SECURITY_LABEL_PREFIX = 'pod-security.kubernetes.io/';

/** The Namespace labels Pod Security admission reads (`pod-security.kubernetes.io/enforce: restricted`, ...). */
export function podSecurityLabels(p: ResolvedPodSecurity): Record<string, string> {
  return {
    [`${POD_SECURITY_LABEL_PREFIX}enforce`]: p.enforce,
    [`${POD_SECURITY_LABEL_PREFIX}enforce-version`]: p.enforceVersion,
    [`${POD_SECURITY_LABEL_PREFIX}audit`]: p.audit,
    [`${POD_SECURITY_LABEL_PREFIX}audit-version`]: p.auditVersion,
    [`${POD_SECURITY_LABEL_PREFIX}warn`]: p.warn,
    [`${POD_SECURITY_LABEL_PREFIX}warn-version`]: p.warnVersion,
  };
}

