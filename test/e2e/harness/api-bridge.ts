import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import type { PodIdentity } from './coredns';
import { execIn, startInNetns, type Netns } from './netns';
import { startProcess, stopProcesses, waitFor, type StartedProcess } from './processes';

/**
 * The tier's API server listens on the machine's loopback, which no network namespace can reach. A pod reaches it
 * through the `kubernetes` Service, which this tier does not route (the API server runs with
 * `--endpoint-reconciler-type=none`). So a namespace that runs an API client gets a bridge: socat on the
 * namespace's own loopback, through a Unix socket (the file system is shared), to the API server. The client
 * still speaks TLS end to end and checks the API server's certificate (127.0.0.1 is one of its SANs).
 */
export interface ApiBridge {
  /** Where clients inside the namespace connect: 127.0.0.1:<port>. */
  readonly host: string;
  readonly port: number;
  readonly processes: readonly StartedProcess[];
}

/** The API server's loopback address and port, from a kubeconfig. */
export function apiServerAddress(kubeconfig: string): { host: string; port: number } {
  const m = /server:\s*https:\/\/([^:/\s]+):(\d+)/.exec(fs.readFileSync(kubeconfig, 'utf8'));
  if (!m) throw new Error(`${kubeconfig} names no https server`);
  return { host: m[1], port: Number(m[2]) };
}

/** One root-side forwarder per run; namespaces add their own listeners on it. */
export function startApiSocket(kubeconfig: string, dir: string, pids: number[]): string {
  const { host, port } = apiServerAddress(kubeconfig);
  const socket = path.join(dir, 'api.sock');
  const p = startProcess('api-socket', 'socat', [`UNIX-LISTEN:${socket},fork,mode=600`, `TCP:${host}:${port}`], path.join(dir, 'api-socket.log'));
  pids.push(p.pid);
  return socket;
}

/** A listener on the namespace's loopback that carries connections to the API server's socket. */
export async function bridgeApiInto(ns: Netns, socket: string, dir: string, port = 6443): Promise<ApiBridge> {
  await waitFor(`the API socket ${socket}`, () => fs.existsSync(socket), 10_000);
  const p = startInNetns(ns, `api-bridge-${ns.name}`, 'socat', [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${socket}`], path.join(dir, `api-bridge-${ns.name}.log`));
  await waitFor(`the API bridge in ${ns.name}`, () => execIn(ns, 'ss', ['-Hltn', `sport = :${port}`]).stdout.includes(`:${port}`), 10_000, p.log);
  return { host: '127.0.0.1', port, processes: [p] };
}

export function stopBridge(bridge: ApiBridge): void {
  stopProcesses(bridge.processes.map((p) => p.pid));
}

/** A kubeconfig for a program inside a namespace: a ServiceAccount token, through the namespace's API bridge. */
export function tokenKubeconfig(bridge: ApiBridge, identity: PodIdentity, user: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tier', cluster: { server: `https://${bridge.host}:${bridge.port}`, 'certificate-authority-data': Buffer.from(identity.caCert).toString('base64') } }],
    users: [{ name: user, user: { token: identity.token } }],
    contexts: [{ name: 'tier', context: { cluster: 'tier', user } }],
    'current-context': 'tier',
  });
}
