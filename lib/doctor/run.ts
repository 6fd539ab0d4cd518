// Runs every check in order and never stops at the first failure. When the API server cannot be used at all
// (no connection, credentials refused) the cluster checks are reported as not checked instead of each waiting
// out its own timeout; the static check needs no cluster and always runs.
import type { DoctorClient } from './api-client';
import { checkApiServer, checkApiServices, checkWebhooks } from './api-checks';
import type { CheckContext, KonnectivityFacts } from './check-context';
import { CHECKS, type CheckId, type DoctorReport, type Finding } from './findings';
import { checkAgents, checkServer } from './konnectivity-checks';
import { checkKubeletLogs } from './kubelet-checks';
import { checkStaticConsistency, type KonnectivityDocuments } from './static-consistency';

export interface DoctorOptions {
  readonly client: DoctorClient;
  readonly timeoutMs: number;
  readonly konnectivity: KonnectivityFacts;
  /** The synthesized documents to compare, when --config or --dist was given (null: given, Konnectivity off). */
  readonly documents?: KonnectivityDocuments | null;
}

export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const ctx: CheckContext = { client: o.client, timeoutMs: o.timeoutMs, konnectivity: o.konnectivity };
  const findings: Finding[] = [];
  const api = await checkApiServer(ctx);
  findings.push(...api.findings);
  if (api.usable) {
    const agents = await checkAgents(ctx);
    findings.push(...agents.findings);
    findings.push(...(await checkServer(ctx, agents.deployed)));
    findings.push(...(await checkKubeletLogs(ctx)));
    findings.push(...(await checkApiServices(ctx)));
    findings.push(...(await checkWebhooks(ctx)));
  } else {
    const why = api.findings[0]?.detail ?? 'the API server cannot be used';
    const skipped: CheckId[] = ['konnectivity-agents', 'konnectivity-server', 'kubelet-logs', 'apiservices', 'webhooks'];
    findings.push(...skipped.map((check): Finding => ({ check, subject: '', status: 'unchecked', detail: `not checked: ${why.split(':')[0]} (see ${CHECKS['api-server']})` })));
  }
  if (o.documents === undefined) findings.push({ check: 'static-consistency', subject: '', status: 'skipped', detail: 'give --config or --dist to compare the synthesized flags' });
  else findings.push(...checkStaticConsistency(o.documents ?? undefined));
  return { server: o.client.server, user: o.client.user, findings };
}
