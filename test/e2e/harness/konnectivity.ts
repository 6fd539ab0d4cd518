import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { probeOk } from './control-plane';
import { konnectivityAgentRewrites, konnectivityServerRewrites, type HostRewrite, type StaticPodVolume } from './host-rewrites';
import { kubectl, kubectlOk } from './kubectl';
import { freePort, startProcess, stopProcesses, waitReady, type StartedProcess } from './processes';
import { tool } from './tools';

/**
 * The Konnectivity server and agents as the tier runs them: apiserver-network-proxy's own commands
 * (tools/konnectivity) on exactly the args of our static Pod and DaemonSet, with the changes one machine forces
 * (konnectivityServerRewrites, konnectivityAgentRewrites). Every wait is bounded.
 */
export interface KonnectivityServerRun {
  readonly process: StartedProcess;
  readonly args: readonly string[];
  readonly rewrites: readonly HostRewrite[];
  readonly agentPort: number;
  readonly adminPort: number;
  readonly healthPort: number;
  /** Where its Unix socket is (our `--uds-name`, under the tier's root). */
  readonly socket: string;
}

export interface KonnectivityAgentRun {
  readonly node: string;
  readonly process: StartedProcess;
  readonly args: readonly string[];
  readonly rewrites: readonly HostRewrite[];
  readonly adminPort: number;
  readonly healthPort: number;
  /** The paths our DaemonSet's probes ask on the health port, as a kubelet would. */
  readonly probes: { readonly liveness: string; readonly readiness: string };
}

type HttpProbe = { httpGet?: { path: string; port: number | string } };
interface Container {
  readonly args: string[];
  readonly livenessProbe?: HttpProbe;
  readonly readinessProbe?: HttpProbe;
  readonly env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  readonly volumeMounts?: { name: string; mountPath: string }[];
}

/** The server container and its host volumes from our static Pod file (dist/control-plane/manifests/). */
export function serverPod(dist: string): { container: Container; volumes: (StaticPodVolume & { type?: string })[] } {
  const file = path.join(dist, 'control-plane', 'manifests', 'konnectivity-server.yaml');
  if (!fs.existsSync(file)) throw new Error(`synth did not write ${file} (components.konnectivity.serverForm static-pod)`);
  const pod = parse(fs.readFileSync(file, 'utf8'));
  const container: Container = pod.spec.containers[0];
  const volumes = (pod.spec.volumes ?? []).flatMap((v: any) => {
    const mount = container.volumeMounts?.find((m) => m.name === v.name);
    return v.hostPath && mount ? [{ hostPath: v.hostPath.path, mountPath: mount.mountPath, type: v.hostPath.type }] : [];
  });
  return { container, volumes };
}

/** Our agent DaemonSet (or Deployment) and its container, from dist/konnectivity.k8s.yaml. */
export function agentWorkload(dist: string): { workload: Record<string, any>; container: Container; objects: Record<string, any>[] } {
  const objects = parseAllDocuments(fs.readFileSync(path.join(dist, 'konnectivity.k8s.yaml'), 'utf8')).map((d) => d.toJS());
  const workload = objects.find((o) => (o.kind === 'DaemonSet' || o.kind === 'Deployment') && o.metadata.name === 'konnectivity-agent');
  if (!workload) throw new Error('dist/konnectivity.k8s.yaml has no konnectivity-agent workload');
  return { workload, container: workload.spec.template.spec.containers[0], objects };
}

/**
 * The server's kubeconfig, made as the README tells users (`kubectl config set-cluster/set-credentials/...` with
 * `konnectivity-server.crt/.key` from `cluster-pki generate`), at the path our static Pod mounts, in `root`.
 */
export function writeServerKubeconfig(root: string, server: string): string {
  const conf = path.join(root, 'etc', 'kubernetes', 'konnectivity-server.conf');
  const pki = path.join(root, 'etc', 'kubernetes', 'pki');
  for (const f of ['konnectivity-server.crt', 'konnectivity-server.key']) {
    if (!fs.existsSync(path.join(pki, f))) throw new Error(`cluster-pki generate made no ${f}: the Konnectivity server has no client certificate`);
  }
  const steps = [
    ['config', 'set-cluster', 'kubernetes', `--server=${server}`, `--certificate-authority=${pki}/ca.crt`, '--embed-certs'],
    ['config', 'set-credentials', 'system:konnectivity-server', `--client-certificate=${pki}/konnectivity-server.crt`, `--client-key=${pki}/konnectivity-server.key`, '--embed-certs'],
    ['config', 'set-context', 'system:konnectivity-server@kubernetes', '--cluster=kubernetes', '--user=system:konnectivity-server'],
    ['config', 'use-context', 'system:konnectivity-server@kubernetes'],
  ];
  for (const s of steps) kubectlOk(conf, s);
  fs.chmodSync(conf, 0o600);
  return conf;
}

export async function startKonnectivityServer(dist: string, root: string, log: string, pids: number[], timeoutMs = 30_000): Promise<KonnectivityServerRun> {
  const { container, volumes } = serverPod(dist);
  // as the kubelet does for our volumes' DirectoryOrCreate (the socket folder)
  for (const v of volumes) if (v.type === 'DirectoryOrCreate') fs.mkdirSync(path.join(root, v.hostPath), { recursive: true });
  const [agentPort, adminPort, healthPort] = [await freePort(), await freePort(), await freePort()];
  const run = konnectivityServerRewrites(container.args, volumes, { root, agentPort, adminPort, healthPort });
  const socket = run.args.find((a) => a.startsWith('--uds-name='))!.slice('--uds-name='.length);
  // sun_path holds 108 bytes with its NUL; longer, the server cannot listen (in http-connect mode v0.34.0 panics)
  if (Buffer.byteLength(socket) > 107) throw new Error(`konnectivity-server: the socket path ${socket} is ${Buffer.byteLength(socket)} bytes, more than a Unix socket address holds (107): use a shorter tier folder`);
  const p = startProcess('konnectivity-server', tool('konnectivity-server'), run.args, log);
  pids.push(p.pid);
  await waitReady(p, `konnectivity-server /healthz on 127.0.0.1:${healthPort} and its socket ${socket}`, async () => fs.existsSync(socket) && (await probeOk(`http://127.0.0.1:${healthPort}/healthz`)), timeoutMs);
  return { process: p, args: run.args, rewrites: run.rewrites, agentPort, adminPort, healthPort, socket };
}

/** A token for our agent ServiceAccount with the audience of our projected volume, from the TokenRequest API. */
export function agentToken(adminKubeconfig: string, workload: Record<string, any>, file: string): string {
  const spec = workload.spec.template.spec;
  const source = spec.volumes.flatMap((v: any) => v.projected?.sources ?? []).find((s: any) => s.serviceAccountToken)?.serviceAccountToken;
  if (!source?.audience) throw new Error('our agent Pod has no projected ServiceAccount token with an audience');
  const r = kubectl(adminKubeconfig, ['create', 'token', spec.serviceAccountName, '-n', workload.metadata.namespace, `--audience=${source.audience}`, '--duration=1h']);
  // the token is stdout: never printed
  if (r.status !== 0 || !r.stdout.trim()) throw new Error(`kubectl create token ${spec.serviceAccountName} failed (${r.status}): ${r.stderr}`);
  fs.writeFileSync(file, r.stdout.trim(), { mode: 0o600 });
  return file;
}

/** The downward-API values of our container's env for a node (status.hostIP is the node's InternalIP). */
export function downwardEnv(container: Container, node: { name: string; ip: string }): Record<string, string> {
  const fields: Record<string, string> = { 'status.hostIP': node.ip, 'spec.nodeName': node.name };
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (field && fields[field] !== undefined) env[e.name] = fields[field];
  }
  return env;
}

/** The path our container's probe asks, after checking it targets the port `--health-server-port` names. */
function probePath(container: Container, kind: 'livenessProbe' | 'readinessProbe'): string {
  const get = container[kind]?.httpGet;
  const healthPort = container.args.find((a) => a.startsWith('--health-server-port='))?.split('=')[1];
  if (!get || String(get.port) !== healthPort) throw new Error(`our agent's ${kind} does not ask its health port ${healthPort}: ${JSON.stringify(get)}`);
  return get.path;
}

export async function startKonnectivityAgent(
  container: Container,
  node: { name: string; ip: string },
  files: { caCert: string; tokenFile: string },
  server: Pick<KonnectivityServerRun, 'agentPort'>,
  log: string,
  pids: number[],
  timeoutMs = 30_000,
): Promise<KonnectivityAgentRun> {
  const [adminPort, healthPort] = [await freePort(), await freePort()];
  const probes = { liveness: probePath(container, 'livenessProbe'), readiness: probePath(container, 'readinessProbe') };
  const env = downwardEnv(container, node);
  const run = konnectivityAgentRewrites(container.args, { ...files, env, serverPort: server.agentPort, adminPort, healthPort });
  const p = startProcess(`konnectivity-agent ${node.name}`, tool('konnectivity-agent'), run.args, log, env);
  pids.push(p.pid);
  const live = `http://127.0.0.1:${healthPort}${probes.liveness}`;
  await waitReady(p, `konnectivity-agent ${node.name} liveness ${live}`, () => probeOk(live), timeoutMs);
  return { node: node.name, process: p, args: run.args, rewrites: run.rewrites, adminPort, healthPort, probes };
}

/**
 * Whether the agent passes our DaemonSet's readiness probe (its /readyz: connected to a server), within one short
 * request: the tier waits on exactly what a kubelet would.
 */
export function agentReady(agent: KonnectivityAgentRun): Promise<boolean> {
  return probeOk(`http://127.0.0.1:${agent.healthPort}${agent.probes.readiness}`);
}

/** The sum of a Prometheus metric's samples on a loopback /metrics endpoint (0 when absent). The agent serves /metrics on its health port (its admin port only redirects there). */
export function metricSum(port: number, name: string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const re = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm');
        let sum = 0;
        for (const m of body.matchAll(re)) sum += Number(m[2]);
        resolve(sum);
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no /metrics answer on 127.0.0.1:${port} within ${timeoutMs} ms`)));
  });
}

export function stop(run: { process: StartedProcess } | undefined): void {
  if (run) stopProcesses([run.process.pid]);
}
