// 4. A real API server -> kubelet request on every node: the last line of one pod's log (what `kubectl logs`
// does, through Konnectivity when the egress selector is set). Bounded: per node one pod list and at most two
// log requests, each within --timeout, a few nodes at a time.
import { ApiRequestError, getJson } from './api-client';
import { causeOf, CAUSES } from './causes';
import { errorFinding, query, type CheckContext } from './check-context';
import type { Finding } from './findings';

/** Requests per node: the pod list, then a log; a second log only when the first failed for its pod's own reasons. */
export const MAX_REQUESTS_PER_NODE = 3;
const PODS_PER_NODE = 2;
const NODES_AT_ONCE = 4;

/** Pods to try on a node: Running ones first, each with a container that runs. */
export function logTargets(pods: readonly any[]): { namespace: string; pod: string; container: string }[] {
  const running = (p: any) => (p.status?.containerStatuses ?? []).find((s: any) => s.state?.running)?.name;
  return pods
    .map((p) => ({ namespace: p.metadata.namespace, pod: p.metadata.name, container: running(p) ?? p.spec?.containers?.[0]?.name }))
    .filter((t) => t.container)
    .slice(0, PODS_PER_NODE);
}

/** An answer that says this pod cannot give a log (not the node path): another pod may still tell. */
function podSpecific(e: unknown): boolean {
  return e instanceof ApiRequestError && (e.status === 400 || e.status === 404);
}

async function checkNode(ctx: CheckContext, node: string): Promise<Finding> {
  const check = 'kubelet-logs';
  let pods: any[];
  try {
    pods = (await getJson(ctx.client, `/api/v1/pods${query({ fieldSelector: `spec.nodeName=${node},status.phase=Running`, limit: 5 })}`, ctx.timeoutMs)).items ?? [];
  } catch (e) {
    return errorFinding(ctx, check, node, e, { node: true });
  }
  const targets = logTargets(pods);
  if (!targets.length) return { check, subject: node, node: true, status: 'skipped', detail: 'no running pod to read a log from' };
  let last: unknown;
  for (const t of targets) {
    const path = `/api/v1/namespaces/${t.namespace}/pods/${t.pod}/log${query({ container: t.container, tailLines: 1, limitBytes: 2048 })}`;
    try {
      await ctx.client.get(path, ctx.timeoutMs);
      return { check, subject: node, node: true, status: 'ok', detail: `log of ${t.namespace}/${t.pod} read` };
    } catch (e) {
      last = e;
      if (!podSpecific(e)) break;
    }
  }
  if (last instanceof ApiRequestError && last.kind === 'timeout') {
    // the API server holds the request while it dials the kubelet: the path to the node is the suspect. With
    // Konnectivity a stopped server looks the same (measured: the API server redials the socket until the client
    // gives up), so the cause names both
    const cause = ctx.konnectivity.enabled ? CAUSES['tunnel-timeout'] : CAUSES['kubelet-port-blocked'];
    return { check, subject: node, node: true, status: 'problem', url: last.url, detail: `${last.message}: the API server did not get through to the kubelet`, cause };
  }
  const f = errorFinding(ctx, check, node, last, { node: true });
  return f.status === 'problem' && !f.cause ? { ...f, cause: causeOf({ message: f.detail }) } : f;
}

export async function checkKubeletLogs(ctx: CheckContext): Promise<Finding[]> {
  let nodes: string[];
  try {
    nodes = ((await getJson(ctx.client, '/api/v1/nodes', ctx.timeoutMs)).items ?? []).map((n: any) => n.metadata.name);
  } catch (e) {
    return [errorFinding(ctx, 'kubelet-logs', '', e)];
  }
  if (!nodes.length) return [{ check: 'kubelet-logs', subject: '', status: 'skipped', detail: 'the cluster has no nodes' }];
  const findings: Finding[] = [];
  for (let i = 0; i < nodes.length; i += NODES_AT_ONCE) findings.push(...(await Promise.all(nodes.slice(i, i + NODES_AT_ONCE).map((n) => checkNode(ctx, n)))));
  return findings;
}
