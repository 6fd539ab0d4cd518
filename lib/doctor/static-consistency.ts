// 7. Static consistency of the Konnectivity server, its agents and the API server's egress selector, read from
// the synthesized files: what must agree (token audience, agent port, socket, protocol, agent identity) does.
// Pure: documents in, findings out.
import { CAUSES, type Cause } from './causes';
import type { KonnectivityFacts } from './check-context';
import type { Finding } from './findings';

/** The three documents, as synthesized; any may be missing. */
export interface KonnectivityDocuments {
  /** Where they were read from (a dist folder, or a config file). */
  readonly source: string;
  /** The agents' DaemonSet or Deployment. */
  readonly agent?: any;
  /** The server's static Pod or DaemonSet. */
  readonly server?: any;
  /** The API server's EgressSelectorConfiguration. */
  readonly egress?: any;
}

const PROTOCOL_OF_MODE: Readonly<Record<string, string>> = { grpc: 'GRPC', 'http-connect': 'HTTPConnect' };

/** `--name=value` or `--name value` in an argument list. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
    if (args[i] === `--${name}` && i + 1 < args.length && !args[i + 1].startsWith('--')) return args[i + 1];
  }
  return undefined;
}

export function podSpecOf(o: any): any {
  return o?.kind === 'Pod' ? o.spec : o?.spec?.template?.spec;
}

function containerRunning(o: any, binary: string): any {
  return (podSpecOf(o)?.containers ?? []).find((c: any) => (c.command ?? []).some((x: string) => x.endsWith(binary)));
}

/** Which workload is the agent and which the server: by the program their container runs. */
export function isAgent(o: any): boolean {
  return ['DaemonSet', 'Deployment'].includes(o?.kind) && !!containerRunning(o, '/proxy-agent');
}
export function isServer(o: any): boolean {
  return ['Pod', 'DaemonSet'].includes(o?.kind) && !!containerRunning(o, '/proxy-server');
}

/** The audience of the projected token the agent reads (the file --service-account-token-path names). */
export function agentTokenAudience(agent: any, tokenPath: string | undefined): string | undefined {
  const spec = podSpecOf(agent) ?? {};
  const container = containerRunning(agent, '/proxy-agent');
  const sources: { volume: string; path: string; audience?: string }[] = (spec.volumes ?? []).flatMap((v: any) =>
    (v.projected?.sources ?? []).filter((s: any) => s.serviceAccountToken).map((s: any) => ({ volume: v.name, path: s.serviceAccountToken.path, audience: s.serviceAccountToken.audience })),
  );
  const mounted = (s: { volume: string; path: string }) => (container?.volumeMounts ?? []).some((m: any) => m.name === s.volume && tokenPath === `${m.mountPath.replace(/\/$/, '')}/${s.path}`);
  return (sources.find(mounted) ?? (tokenPath ? undefined : sources[0]))?.audience;
}

function pair(subject: string, agentSide: string, a: string | undefined, serverSide: string, b: string | undefined, cause: Cause, equal = a === b): Finding {
  const show = (v: string | undefined) => (v === undefined ? '(not set)' : `"${v}"`);
  return equal && a !== undefined
    ? { check: 'static-consistency', subject, status: 'ok', detail: `${agentSide} = ${serverSide} = ${show(a)}` }
    : { check: 'static-consistency', subject, status: 'problem', detail: `${agentSide} ${show(a)} but ${serverSide} ${show(b)}`, cause };
}

export function checkStaticConsistency(docs: KonnectivityDocuments | undefined): Finding[] {
  const check = 'static-consistency';
  if (!docs) return [{ check, subject: '', status: 'skipped', detail: 'Konnectivity is not enabled in the given config' }];
  const missing = [!docs.agent && 'the agent DaemonSet/Deployment', !docs.server && 'the server Pod/DaemonSet', !docs.egress && 'the EgressSelectorConfiguration'].filter(Boolean);
  if (missing.length) return [{ check, subject: '', status: 'problem', detail: `${docs.source} lacks ${missing.join(', ')}` }];
  const agentArgs: string[] = containerRunning(docs.agent, '/proxy-agent').args ?? [];
  const serverArgs: string[] = containerRunning(docs.server, '/proxy-server').args ?? [];
  const cluster = (docs.egress.egressSelections ?? []).find((s: any) => s.name === 'cluster')?.connection;
  const mode = flagValue(serverArgs, 'mode') ?? 'grpc';
  const agentNamespace = docs.agent.metadata?.namespace ?? 'default';
  const agentAccount = podSpecOf(docs.agent)?.serviceAccountName ?? 'default';
  return [
    pair('audience', 'agent token audience', agentTokenAudience(docs.agent, flagValue(agentArgs, 'service-account-token-path')), 'server --authentication-audience', flagValue(serverArgs, 'authentication-audience'), CAUSES['agent-token-audience']),
    pair('agent port', 'agent --proxy-server-port', flagValue(agentArgs, 'proxy-server-port'), 'server --agent-port', flagValue(serverArgs, 'agent-port'), CAUSES['agent-port-mismatch']),
    pair('socket', 'egress selector udsName', cluster?.transport?.uds?.udsName, 'server --uds-name', flagValue(serverArgs, 'uds-name'), CAUSES['socket-mismatch']),
    pair('mode', 'egress selector proxyProtocol', cluster?.proxyProtocol, `server --mode=${mode} wants`, PROTOCOL_OF_MODE[mode], CAUSES['mode-mismatch']),
    pair('agent identity', 'agent ServiceAccount', `${agentNamespace}/${agentAccount}`, 'server --agent-namespace/--agent-service-account', `${flagValue(serverArgs, 'agent-namespace')}/${flagValue(serverArgs, 'agent-service-account')}`, CAUSES['agent-identity-mismatch']),
  ];
}

const labelSelector = (o: any) => Object.entries<string>(o?.spec?.selector?.matchLabels ?? o?.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');

/** Where the live checks look, as these documents put Konnectivity. */
export function factsFromDocuments(docs: KonnectivityDocuments | undefined, defaults: KonnectivityFacts): KonnectivityFacts {
  if (!docs) return { ...defaults, enabled: false };
  const port = Number(flagValue(containerRunning(docs.server, '/proxy-server')?.args ?? [], 'health-port'));
  return {
    namespace: docs.agent?.metadata?.namespace ?? defaults.namespace,
    agentName: docs.agent?.metadata?.name ?? defaults.agentName,
    agentSelector: labelSelector(docs.agent) || defaults.agentSelector,
    serverName: docs.server?.metadata?.name ?? defaults.serverName,
    serverSelector: labelSelector(docs.server) || defaults.serverSelector,
    ...(Number.isInteger(port) && port > 0 ? { healthPort: port } : {}),
    enabled: true,
  };
}
