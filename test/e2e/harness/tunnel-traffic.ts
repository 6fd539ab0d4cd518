import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { kubectl, kubectlOk } from './kubectl';
import { waitFor } from './processes';
import { tool } from './tools';
import type { SimulatedNode } from './kubelet-nodes';

const NAMESPACE = 'default';
const POD_PORT = 8080;
const REQUEST_TIMEOUT = '--request-timeout=20s';

/**
 * The traffic that crosses the API server → kubelet path: one pod per node whose logs, exec and port-forward
 * each node's KWOK answers with that node's name (a log file, an env var, a loopback HTTP server this module
 * starts), so an answer also shows which node's endpoint gave it. Every request has a timeout.
 */
export interface TunnelTraffic {
  /** The node's KWOK debugging documents. */
  debugging(node: SimulatedNode): object[];
  /** Creates the pods (one per node, bound to it) and waits until they run. */
  pods(kubeconfig: string): Promise<void>;
  logs(kubeconfig: string, node: string): string;
  exec(kubeconfig: string, node: string): string;
  portForward(kubeconfig: string, node: string): Promise<string>;
  /** kubectl's error (stderr) for `kubectl logs` when it fails; throws when it succeeds. */
  logsError(kubeconfig: string, node: string): string;
  execError(kubeconfig: string, node: string): string;
  close(): void;
}

export const podName = (node: string) => `tunnel-${node}`;

export function startTunnelTraffic(dir: string, nodes: readonly SimulatedNode[]): TunnelTraffic {
  const servers = new Map<string, { server: http.Server; port: number }>();
  for (const n of nodes) {
    fs.writeFileSync(path.join(dir, `${n.name}.log`), `${new Date().toISOString()} stdout F log line from ${n.name}\n`);
    const server = http.createServer((_req, res) => res.end(`served for ${n.name}`));
    server.listen(0, '127.0.0.1');
    servers.set(n.name, { server, port: 0 });
  }
  const portOf = (node: string) => (servers.get(node)!.server.address() as AddressInfo).port;
  const failing = (r: { status: number | null; stdout: string; stderr: string }, what: string) => {
    if (r.status === 0) throw new Error(`${what} succeeded (${r.stdout.trim()}), but the path was broken on purpose`);
    return r.stderr.trim();
  };
  return {
    debugging: (node) => {
      const selector = { matchNamespaces: [NAMESPACE], matchNames: [podName(node.name)] };
      return [
        { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'ClusterLogs', metadata: { name: 'tunnel-logs' }, spec: { selector, logs: [{ containers: ['app'], logsFile: path.join(dir, `${node.name}.log`) }] } },
        { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'ClusterExec', metadata: { name: 'tunnel-exec' }, spec: { selector, execs: [{ containers: ['app'], local: { workDir: dir, envs: [{ name: 'NODE_NAME', value: node.name }] } }] } },
        { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'ClusterPortForward', metadata: { name: 'tunnel-port-forward' }, spec: { selector, forwards: [{ ports: [POD_PORT], target: { address: '127.0.0.1', port: portOf(node.name) } }] } },
      ];
    },
    async pods(kubeconfig) {
      await waitFor(`the ServiceAccount ${NAMESPACE}/default`, () => kubectl(kubeconfig, ['get', 'serviceaccount', 'default', '-n', NAMESPACE]).status === 0, 60_000);
      const pods = nodes.map((n) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: podName(n.name), namespace: NAMESPACE },
        spec: { nodeName: n.name, containers: [{ name: 'app', image: 'registry.example.internal/tunnel-app:1', ports: [{ containerPort: POD_PORT }] }] },
      }));
      kubectlOk(kubeconfig, ['apply', '-f', '-'], pods.map((p) => JSON.stringify(p)).join('\n'));
      await waitFor('the tunnel pods Running', () => nodes.every((n) => kubectl(kubeconfig, ['get', 'pod', podName(n.name), '-n', NAMESPACE, '-o', 'jsonpath={.status.phase}']).stdout === 'Running'), 60_000);
    },
    logs: (kubeconfig, node) => kubectlOk(kubeconfig, ['logs', podName(node), '-n', NAMESPACE, REQUEST_TIMEOUT]),
    exec: (kubeconfig, node) => kubectlOk(kubeconfig, ['exec', podName(node), '-n', NAMESPACE, REQUEST_TIMEOUT, '--', 'sh', '-c', 'echo "exec on $NODE_NAME"']).trim(),
    portForward: (kubeconfig, node) => portForward(kubeconfig, podName(node)),
    logsError: (kubeconfig, node) => failing(kubectl(kubeconfig, ['logs', podName(node), '-n', NAMESPACE, REQUEST_TIMEOUT], undefined, 40_000), `kubectl logs ${podName(node)}`),
    execError: (kubeconfig, node) => failing(kubectl(kubeconfig, ['exec', podName(node), '-n', NAMESPACE, REQUEST_TIMEOUT, '--', 'true'], undefined, 40_000), `kubectl exec ${podName(node)}`),
    close: () => servers.forEach((s) => s.server.close()),
  };
}

/** `kubectl port-forward` to the pod's port on a free local port, one GET through it, then the forward ends. */
async function portForward(kubeconfig: string, pod: string, timeoutMs = 30_000): Promise<string> {
  const child = spawn(tool('kubectl'), [`--kubeconfig=${kubeconfig}`, 'port-forward', '-n', NAMESPACE, '--address=127.0.0.1', `pod/${pod}`, `:${POD_PORT}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  try {
    let local = 0;
    await waitFor(`kubectl port-forward ${pod} listening`, () => {
      local = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1] ?? 0);
      if (child.exitCode !== null) throw new Error(`kubectl port-forward exited ${child.exitCode}: ${out}`);
      return local > 0;
    }, timeoutMs);
    return await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: local, path: '/', timeout: 15_000 }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      });
      req.on('error', (e) => reject(new Error(`GET through the port-forward to ${pod}: ${e.message}; kubectl said: ${out}`)));
      req.on('timeout', () => req.destroy(new Error('timed out')));
    });
  } finally {
    child.kill('SIGTERM');
    spawnSync('sleep', ['0.2']);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
