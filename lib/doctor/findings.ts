// The doctor's report: one finding per check and subject (a node, an object, or the cluster), and the exit
// code that follows from them. Pure, so the rules are tested without a cluster.
import type { Cause } from './causes';

/** The checks, in the order they run and are shown. */
export const CHECKS = {
  'api-server': 'API server',
  'konnectivity-agents': 'Konnectivity agents',
  'konnectivity-server': 'Konnectivity server',
  'kubelet-logs': 'kubelet via API server (pod log)',
  apiservices: 'APIServices',
  webhooks: 'admission webhook services',
  'static-consistency': 'Konnectivity flags (static)',
} as const;
export type CheckId = keyof typeof CHECKS;

/**
 * `ok`: healthy. `problem`: something is wrong (exit 1). `skipped`: the check does not apply here (no
 * Konnectivity, no webhooks, no pod on a node). `unchecked`: the doctor could not look (API unreachable,
 * credentials refused or lacking a right: exit 2 unless a problem was found elsewhere).
 */
export type FindingStatus = 'ok' | 'problem' | 'skipped' | 'unchecked';

export interface Finding {
  readonly check: CheckId;
  /** A node name, `<kind> <namespace>/<name>`, or '' for the cluster as a whole. */
  readonly subject: string;
  /** Whether `subject` is a node (shown in the node table). */
  readonly node?: boolean;
  readonly status: FindingStatus;
  /** What was seen, in a few words (the error text for problems). */
  readonly detail: string;
  readonly cause?: Cause;
  /** The request that failed, without credentials. */
  readonly url?: string;
}

export interface DoctorReport {
  /** The API server URL and the user of the kubeconfig context. */
  readonly server: string;
  readonly user: string;
  readonly findings: readonly Finding[];
}

export const EXIT = { healthy: 0, problems: 1, couldNotCheck: 2 } as const;

/** 1 when any problem was found (a definite finding beats a partial view), else 2 when anything could not be checked, else 0. */
export function exitCode(findings: readonly Finding[]): number {
  if (findings.some((f) => f.status === 'problem')) return EXIT.problems;
  if (findings.some((f) => f.status === 'unchecked')) return EXIT.couldNotCheck;
  return EXIT.healthy;
}

export function verdict(findings: readonly Finding[]): string {
  const count = (s: FindingStatus) => findings.filter((f) => f.status === s).length;
  switch (exitCode(findings)) {
    case EXIT.problems:
      return `${count('problem')} problem(s) found${count('unchecked') ? `, ${count('unchecked')} not checked` : ''}`;
    case EXIT.couldNotCheck:
      return `could not check ${count('unchecked')} item(s); nothing found wrong in the rest`;
    default:
      return 'healthy: every check that applies passed';
  }
}
