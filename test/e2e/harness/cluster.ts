import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { createPki, IDENTITIES, kubeconfig } from './pki';
import { kwokStages, tool, type ToolName } from './tools';

/** What the harness started; written to a state file so global teardown can stop it. */
export interface ClusterState {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly pids: number[];
  /** False when the tests run against an existing cluster ($E2E_KUBECONFIG). */
  readonly owned: boolean;
}

/** The simulated nodes: one control plane, three Linux workers, two Windows workers. */
export const NODES = [
  { name: 'control-plane-0', os: 'linux', controlPlane: true },
  { name: 'linux-worker-0', os: 'linux', controlPlane: false },
  { name: 'linux-worker-1', os: 'linux', controlPlane: false },
  { name: 'linux-worker-2', os: 'linux', controlPlane: false },
  { name: 'windows-worker-0', os: 'windows', controlPlane: false },
  { name: 'windows-worker-1', os: 'windows', controlPlane: false },
] as const;

const SERVICE_CIDR = '10.96.0.0/12';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns true; fails with the description (and a log tail) after `timeoutMs`. */
export async function waitFor(description: string, check: () => boolean | Promise<boolean>, timeoutMs: number, log?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = log && fs.existsSync(log) ? `\n--- last lines of ${log} ---\n${fs.readFileSync(log, 'utf8').split('\n').slice(-25).join('\n')}` : '';
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${description}${tail}`);
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

export interface KubectlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built kubectl against a kubeconfig, bounded in time. */
export function kubectl(kubeconfigPath: string, args: readonly string[], input?: string, timeoutMs = 60_000): KubectlResult {
  const r = spawnSync(tool('kubectl'), ['--kubeconfig', kubeconfigPath, ...args], { input, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

export function kubectlOk(kubeconfigPath: string, args: readonly string[], input?: string): string {
  const r = kubectl(kubeconfigPath, args, input);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function nodeManifest(node: (typeof NODES)[number]): object {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': node.os,
    'kubernetes.io/arch': 'amd64',
    type: 'kwok',
  };
  if (node.controlPlane) labels['node-role.kubernetes.io/control-plane'] = '';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: node.controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
      nodeInfo: { operatingSystem: node.os, architecture: 'amd64', kubeletVersion: 'fake', kubeProxyVersion: 'fake' },
    },
  };
}

/**
 * Starts etcd, kube-apiserver (RBAC + Node authorization, loopback only, fresh PKI), kube-controller-manager,
 * kube-scheduler and KWOK, then registers the simulated nodes and waits until they are Ready. Every started
 * process is stopped again if any step fails or times out.
 */
export async function startCluster(dir: string): Promise<ClusterState> {
  const pki = path.join(dir, 'pki');
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const pids: number[] = [];
  const state: ClusterState = { dir, kubeconfig: path.join(dir, 'admin.kubeconfig'), pids, owned: true };
  const start = (name: string, args: string[]) => {
    const log = path.join(logs, `${name}.log`);
    const fd = fs.openSync(log, 'w');
    const child = spawn(tool(name as ToolName), args, { stdio: ['ignore', fd, fd], detached: false });
    fs.closeSync(fd);
    pids.push(child.pid!);
    return log;
  };
  try {
    createPki(pki);
    const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort, kwokPort] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => freePort()));
    const etcdLog = start('etcd', [
      '--name=e2e',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
    ]);
    await waitFor('etcd health', () => httpOk(`http://127.0.0.1:${etcdClient}/health`), 30_000, etcdLog);

    const server = `https://127.0.0.1:${apiPort}`;
    const apiLog = start('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki}/apiserver.crt`,
      `--tls-private-key-file=${pki}/apiserver.key`,
      `--client-ca-file=${pki}/ca.crt`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki}/sa.pub`,
      `--service-account-signing-key-file=${pki}/sa.key`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--authorization-mode=Node,RBAC',
      // as kubeadm sets it: CNI and HostProcess pods need privileged/host access
      '--allow-privileged=true',
      // the built-in reconciler refuses loopback endpoints for the `kubernetes` Service
      '--endpoint-reconciler-type=none',
    ]);
    for (const id of IDENTITIES) fs.writeFileSync(path.join(dir, `${id.file}.kubeconfig`), kubeconfig(pki, id.file, server));
    await waitFor('kube-apiserver /readyz', () => kubectl(state.kubeconfig, ['get', '--raw', '/readyz'], undefined, 5_000).status === 0, 90_000, apiLog);

    const kcm = path.join(dir, 'kube-controller-manager.kubeconfig');
    start('kube-controller-manager', [
      `--kubeconfig=${kcm}`,
      `--authentication-kubeconfig=${kcm}`,
      `--authorization-kubeconfig=${kcm}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${pki}/sa.key`,
      `--root-ca-file=${pki}/ca.crt`,
      '--use-service-account-credentials=true',
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
    ]);
    const sched = path.join(dir, 'kube-scheduler.kubeconfig');
    start('kube-scheduler', [`--kubeconfig=${sched}`, `--authentication-kubeconfig=${sched}`, `--authorization-kubeconfig=${sched}`, '--bind-address=127.0.0.1', `--secure-port=${schedPort}`, '--leader-elect=false']);

    const kwokConfig = path.join(dir, 'kwok.yaml');
    fs.writeFileSync(
      kwokConfig,
      [
        'apiVersion: config.kwok.x-k8s.io/v1alpha1',
        'kind: KwokConfiguration',
        'options:',
        '  cidr: 10.244.0.0/16',
        '  nodeIP: 10.0.0.1',
        `  serverAddress: 127.0.0.1:${kwokPort}`,
        "  manageNodesWithAnnotationSelector: 'kwok.x-k8s.io/node=fake'",
        '  nodeLeaseDurationSeconds: 40',
        '  nodeLeaseParallelism: 4',
        '  podPlayStageParallelism: 4',
        '  nodePlayStageParallelism: 4',
        '  enablePodsOnNodeSyncStreamWatch: true',
        fs.readFileSync(kwokStages(), 'utf8'),
      ].join('\n'),
    );
    const kwokLog = start('kwok', [`--kubeconfig=${path.join(dir, 'kwok.kubeconfig')}`, `--config=${kwokConfig}`]);

    kubectlOk(state.kubeconfig, ['apply', '-f', '-'], NODES.map((n) => JSON.stringify(nodeManifest(n))).join('\n'));
    await waitFor(
      `${NODES.length} Ready nodes`,
      () => {
        const r = kubectl(state.kubeconfig, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
        return r.status === 0 && r.stdout.split('\n').filter((s) => s === 'True').length === NODES.length;
      },
      60_000,
      kwokLog,
    );
    await waitFor('the default ServiceAccount', () => kubectl(state.kubeconfig, ['get', 'serviceaccount', 'default', '-n', 'default']).status === 0, 60_000);
    return state;
  } catch (e) {
    stopCluster(state);
    throw e;
  }
}

/** Stops every process the harness started (SIGTERM, then SIGKILL) and removes its folder. */
export function stopCluster(state: ClusterState): void {
  if (!state.owned) return;
  for (const pid of [...state.pids].reverse()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 10_000;
  for (const pid of state.pids) {
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      spawnSync('sleep', ['0.1']);
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // stopped
    }
  }
  if (!process.env.E2E_KEEP) fs.rmSync(state.dir, { recursive: true, force: true });
}
