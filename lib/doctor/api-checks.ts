// Checks of the API server itself and of what it reaches over the cluster network: is it ready, are the
// aggregated APIServices available, do the admission webhooks' Services have ready endpoints.
import { ApiRequestError, getJson } from './api-client';
import { causeOf } from './causes';
import { errorFinding, isNotFound, query, type CheckContext } from './check-context';
import type { Finding } from './findings';

export interface ApiServerResult {
  readonly findings: Finding[];
  /** False when the other checks need not try (no connection, or credentials refused). */
  readonly usable: boolean;
  readonly gitVersion?: string;
}

/** 1. The API server answers /readyz (and /version, for the release it runs). */
export async function checkApiServer(ctx: CheckContext): Promise<ApiServerResult> {
  let gitVersion: string | undefined;
  try {
    gitVersion = (await getJson<{ gitVersion?: string }>(ctx.client, '/version', ctx.timeoutMs)).gitVersion;
  } catch (e) {
    const f = errorFinding(ctx, 'api-server', '', e);
    // unreachable or 401: nothing else can be asked; 403 on /version alone still lets the rest try
    const usable = e instanceof ApiRequestError && e.kind === 'http' && e.status !== 401;
    return { findings: [f], usable };
  }
  try {
    const r = await ctx.client.get('/readyz', ctx.timeoutMs);
    return { findings: [{ check: 'api-server', subject: '', status: 'ok', detail: `ready (${r.text.trim() || 'ok'}), ${gitVersion ?? 'unknown version'}` }], usable: true, gitVersion };
  } catch (e) {
    if (e instanceof ApiRequestError && e.kind === 'http' && e.status === 500) {
      return { findings: [{ check: 'api-server', subject: '', status: 'problem', url: e.url, detail: `not ready: ${e.message.split('\n').filter((l) => l.includes('failed')).join('; ') || e.message}` }], usable: true, gitVersion };
    }
    return { findings: [errorFinding(ctx, 'api-server', '', e)], usable: true, gitVersion };
  }
}

/** 5. APIServices whose Available condition is False (the API server cannot reach their backing Service). */
export async function checkApiServices(ctx: CheckContext): Promise<Finding[]> {
  let list: any;
  try {
    list = await getJson(ctx.client, '/apis/apiregistration.k8s.io/v1/apiservices', ctx.timeoutMs);
  } catch (e) {
    return [errorFinding(ctx, 'apiservices', '', e)];
  }
  const items: any[] = list.items ?? [];
  const unavailable = items.filter((a) => (a.status?.conditions ?? []).some((c: any) => c.type === 'Available' && c.status === 'False'));
  if (!unavailable.length) return [{ check: 'apiservices', subject: '', status: 'ok', detail: `${items.length} available` }];
  return unavailable.map((a) => {
    const c = a.status.conditions.find((x: any) => x.type === 'Available');
    const message = `${c.reason ?? 'Unavailable'}: ${c.message ?? ''}`.trim();
    return { check: 'apiservices', subject: `APIService ${a.metadata.name}`, status: 'problem', detail: message, cause: causeOf({ message }) };
  });
}

interface WebhookService {
  readonly namespace: string;
  readonly name: string;
  readonly webhooks: string[];
}

/** The Services admission webhooks call, each once, with the webhooks that use it. */
export function webhookServices(configurations: readonly any[]): WebhookService[] {
  const byService = new Map<string, WebhookService>();
  for (const cfg of configurations) {
    for (const w of cfg.webhooks ?? []) {
      const s = w.clientConfig?.service;
      if (!s?.name || !s?.namespace) continue; // a URL webhook has no Service to check
      const key = `${s.namespace}/${s.name}`;
      const entry: WebhookService = byService.get(key) ?? { namespace: s.namespace, name: s.name, webhooks: [] };
      entry.webhooks.push(`${cfg.kind ?? 'WebhookConfiguration'} ${cfg.metadata?.name}: ${w.name}`);
      byService.set(key, entry);
    }
  }
  return [...byService.values()];
}

/** 6. Every Service an admission webhook calls exists and has a ready endpoint (EndpointSlices). */
export async function checkWebhooks(ctx: CheckContext): Promise<Finding[]> {
  const configurations: any[] = [];
  for (const kind of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']) {
    try {
      const list = await getJson(ctx.client, `/apis/admissionregistration.k8s.io/v1/${kind}`, ctx.timeoutMs);
      const k = kind.startsWith('validating') ? 'ValidatingWebhookConfiguration' : 'MutatingWebhookConfiguration';
      configurations.push(...(list.items ?? []).map((i: any) => ({ ...i, kind: k })));
    } catch (e) {
      return [errorFinding(ctx, 'webhooks', '', e)];
    }
  }
  const services = webhookServices(configurations);
  if (!services.length) return [{ check: 'webhooks', subject: '', status: 'skipped', detail: 'no webhook calls a Service' }];
  const findings: Finding[] = [];
  for (const s of services) {
    const subject = `Service ${s.namespace}/${s.name}`;
    try {
      await ctx.client.get(`/api/v1/namespaces/${s.namespace}/services/${s.name}`, ctx.timeoutMs);
    } catch (e) {
      findings.push(isNotFound(e) ? { check: 'webhooks', subject, status: 'problem', detail: `missing, called by ${s.webhooks.join(', ')}` } : errorFinding(ctx, 'webhooks', subject, e));
      continue;
    }
    try {
      const slices = await getJson(ctx.client, `/apis/discovery.k8s.io/v1/namespaces/${s.namespace}/endpointslices${query({ labelSelector: `kubernetes.io/service-name=${s.name}` })}`, ctx.timeoutMs);
      // an endpoint without conditions.ready counts as ready (the API's own reading of an unknown state)
      const ready = (slices.items ?? []).flatMap((sl: any) => sl.endpoints ?? []).filter((ep: any) => ep.conditions?.ready !== false).length;
      findings.push(
        ready
          ? { check: 'webhooks', subject, status: 'ok', detail: `${ready} ready endpoint(s)` }
          : { check: 'webhooks', subject, status: 'problem', detail: `no ready endpoint; called by ${s.webhooks.join(', ')} (admission of what they match fails or is skipped, by their failurePolicy)` },
      );
    } catch (e) {
      findings.push(errorFinding(ctx, 'webhooks', subject, e));
    }
  }
  return findings;
}
