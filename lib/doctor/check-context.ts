// What every live check gets: the client, its time budget, what is known about Konnectivity, and one way to
// turn a failed request into a finding.
import { ApiRequestError, type DoctorClient } from './api-client';
import { causeOf, CAUSES } from './causes';
import type { CheckId, Finding } from './findings';

/**
 * Where this library puts Konnectivity (the Konnectivity component's namespace, names and `k8s-app` labels; a
 * unit test keeps them equal to what it emits). `--config`/`--dist` replace them with the synthesized values.
 */
export interface KonnectivityFacts {
  readonly namespace: string;
  readonly agentName: string;
  readonly agentSelector: string;
  readonly serverName: string;
  readonly serverSelector: string;
  /** The server's health port when the config says it (else read from the live pod). */
  readonly healthPort?: number;
  /** True when the config enables Konnectivity (then its absence is a problem, not "does not apply"). */
  readonly enabled?: boolean;
}

export const DEFAULT_KONNECTIVITY_FACTS: KonnectivityFacts = {
  namespace: 'kube-system',
  agentName: 'konnectivity-agent',
  agentSelector: 'k8s-app=konnectivity-agent',
  serverName: 'konnectivity-server',
  serverSelector: 'k8s-app=konnectivity-server',
};

export interface CheckContext {
  readonly client: DoctorClient;
  /** Budget of one request, in milliseconds (--timeout). */
  readonly timeoutMs: number;
  readonly konnectivity: KonnectivityFacts;
}

/**
 * A failed request as a finding: credentials refused or a missing right, and no connection, are "could not
 * check" (with the URL and user); any other error answer is a problem, with its cause when the table knows it.
 */
export function errorFinding(ctx: CheckContext, check: CheckId, subject: string, e: unknown, extra: Partial<Finding> = {}): Finding {
  if (!(e instanceof ApiRequestError)) throw e;
  const base = { check, subject, url: e.url, ...extra };
  if (e.status === 401) return { ...base, status: 'unchecked', detail: `unauthorized: ${e.url} refused the credentials of user "${ctx.client.user}"`, cause: CAUSES.unauthorized };
  if (e.status === 403) return { ...base, status: 'unchecked', detail: `forbidden: ${e.url} for user "${ctx.client.user}": ${e.message}`, cause: CAUSES.forbidden };
  if (e.kind !== 'http') return { ...base, status: 'unchecked', detail: `unreachable: ${e.url}: ${e.message}` };
  return { ...base, status: 'problem', detail: `HTTP ${e.status}: ${e.message}`, cause: causeOf({ message: e.message, status: e.status }) };
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiRequestError && e.status === 404;
}

/** `?labelSelector=...` etc., encoded. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return q ? `?${q}` : '';
}
