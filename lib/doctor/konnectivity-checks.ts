// Konnectivity in the live cluster: the agents Ready on every node they belong on, the server's pods Ready,
// and the server's /healthz when this host is the control plane (the API server is on loopback).
import * as http from 'http';
import { getJson } from './api-client';
import { errorFinding, isNotFound, query, type CheckContext } from './check-context';
import type { Finding } from './findings';
import { daemonSetRunsOn, nodeFacts } from './placement';

/** Ready condition, restarts, and why not ready, of one pod. */
export function podState(pod: any): { ready: boolean; restarts: number; why: string } {
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
  const ready = (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  const waiting = statuses.map((s) => s.state?.waiting?.reason ?? s.lastState?.terminated?.reason).filter(Boolean);
  return { ready, restarts, why: [pod.status?.phase ?? 'Unknown', ...waiting].join(', ') };
}

const restartsText = (n: number) => `${n} restart${n === 1 ? '' : 's'}`;

async function workload(ctx: CheckContext, name: string): Promise<{ kind: 'DaemonSet' | 'Deployment'; object: any } | undefined> {
  const ns = ctx.konnectivity.namespace;
  for (const [kind, plural] of [['DaemonSet', 'daemonsets'], ['Deployment', 'deployments']] as const) {
    try {
      return { kind, object: await getJson(ctx.client, `/apis/apps/v1/namespaces/${ns}/${plural}/${name}`, ctx.timeoutMs) };
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return undefined;
}

export interface AgentResult {
  readonly findings: Finding[];
  /** Whether agents are deployed (then a missing server is a problem). */
  readonly deployed: boolean;
}

/** 2. The agents are Ready on every node their DaemonSet belongs on (or every replica of their Deployment). */
export async function checkAgents(ctx: CheckContext): Promise<AgentResult> {
  const k = ctx.konnectivity;
  const check = 'konnectivity-agents';
  try {
    const w = await workload(ctx, k.agentName);
    if (!w) {
      const detail = `no ${k.agentName} DaemonSet or Deployment in ${k.namespace}`;
      return { deployed: false, findings: [k.enabled ? { check, subject: '', status: 'problem', detail: `${detail}, but the config enables Konnectivity: apply dist/konnectivity.k8s.yaml` } : { check, subject: '', status: 'skipped', detail: `${detail}: Konnectivity is not in use` }] };
    }
    const pods: any[] = (await getJson(ctx.client, `/api/v1/namespaces/${k.namespace}/pods${query({ labelSelector: k.agentSelector })}`, ctx.timeoutMs)).items ?? [];
    if (w.kind === 'Deployment') {
      const want = w.object.spec?.replicas ?? 1;
      const findings: Finding[] = pods.map((p) => {
        const s = podState(p);
        return { check, subject: p.spec?.nodeName ?? `pod ${p.metadata.name}`, node: !!p.spec?.nodeName, status: s.ready ? 'ok' : 'problem', detail: s.ready ? `ready, ${restartsText(s.restarts)}` : `pod ${p.metadata.name} not ready (${s.why}), ${restartsText(s.restarts)}` };
      });
      const ready = pods.filter((p) => podState(p).ready).length;
      findings.unshift({ check, subject: `Deployment ${k.namespace}/${k.agentName}`, status: ready >= want ? 'ok' : 'problem', detail: `${ready} of ${want} replicas ready` });
      return { deployed: true, findings };
    }
    const template = w.object.spec?.template?.spec ?? {};
    const nodes: any[] = (await getJson(ctx.client, '/api/v1/nodes', ctx.timeoutMs)).items ?? [];
    const expected = nodes.map(nodeFacts).filter((n) => daemonSetRunsOn(n, template.nodeSelector, template.tolerations));
    if (!expected.length) return { deployed: true, findings: [{ check, subject: '', status: 'problem', detail: `no node matches the ${k.agentName} DaemonSet's nodeSelector and tolerations` }] };
    const findings = expected.map((n): Finding => {
      const onNode = pods.filter((p) => p.spec?.nodeName === n.name);
      if (!onNode.length) return { check, subject: n.name, node: true, status: 'problem', detail: 'no agent pod on this node' };
      const states = onNode.map(podState);
      const restarts = states.reduce((a, s) => a + s.restarts, 0);
      const ready = states.some((s) => s.ready);
      return { check, subject: n.name, node: true, status: ready ? 'ok' : 'problem', detail: ready ? `ready, ${restartsText(restarts)}` : `not ready (${states.map((s) => s.why).join('; ')}), ${restartsText(restarts)}` };
    });
    return { deployed: true, findings };
  } catch (e) {
    return { deployed: true, findings: [errorFinding(ctx, check, '', e)] };
  }
}

/** The server's health port: from the config, else the pod's `healthport` port, else its liveness probe. */
export function healthPortOf(pod: any, configured?: number): number | undefined {
  if (configured) return configured;
  const c = pod?.spec?.containers?.[0];
  const named = (c?.ports ?? []).find((p: any) => p.name === 'healthport')?.containerPort;
  const probe = c?.livenessProbe?.httpGet?.port;
  const port = named ?? (typeof probe === 'number' ? probe : undefined);
  return typeof port === 'number' ? port : undefined;
}

export function isLoopbackUrl(server: string): boolean {
  const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function healthz(port: number, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ ok: res.statusCode === 200, detail: `HTTP ${res.statusCode}: ${body.trim().slice(0, 200)}` }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, detail: e.code ? `${e.code}: ${e.message}` : e.message }));
  });
}

/** 3. The server's pods (static Pods or DaemonSet) are Ready; /healthz answers when this host is the control plane. */
export async function checkServer(ctx: CheckContext, agentsDeployed: boolean): Promise<Finding[]> {
  const k = ctx.konnectivity;
  const check = 'konnectivity-server';
  let pods: any[];
  try {
    pods = (await getJson(ctx.client, `/api/v1/namespaces/${k.namespace}/pods${query({ labelSelector: k.serverSelector })}`, ctx.timeoutMs)).items ?? [];
  } catch (e) {
    return [errorFinding(ctx, check, '', e)];
  }
  if (!pods.length) {
    if (!agentsDeployed && !k.enabled) return [{ check, subject: '', status: 'skipped', detail: 'no Konnectivity server pod: Konnectivity is not in use' }];
    return [{ check, subject: '', status: 'problem', detail: `no pod labelled ${k.serverSelector} in ${k.namespace}: copy dist/control-plane/manifests/${k.serverName}.yaml to /etc/kubernetes/manifests/ on every control-plane node (or apply the server DaemonSet)` }];
  }
  const findings: Finding[] = pods.map((p) => {
    const s = podState(p);
    return { check, subject: p.spec?.nodeName ?? `pod ${p.metadata.name}`, node: !!p.spec?.nodeName, status: s.ready ? 'ok' : 'problem', detail: s.ready ? `ready, ${restartsText(s.restarts)}` : `pod ${p.metadata.name} not ready (${s.why}), ${restartsText(s.restarts)}` };
  });
  const port = healthPortOf(pods[0], k.healthPort);
  if (port === undefined) return findings;
  if (!isLoopbackUrl(ctx.client.server)) {
    findings.push({ check, subject: `healthz :${port}`, status: 'skipped', detail: 'the API server is not on this host, so neither is a server to ask (run the doctor on a control-plane node for /healthz)' });
    return findings;
  }
  const h = await healthz(port, ctx.timeoutMs);
  findings.push({ check, subject: `healthz 127.0.0.1:${port}`, status: h.ok ? 'ok' : 'problem', detail: h.detail, url: `http://127.0.0.1:${port}/healthz` });
  return findings;
}
