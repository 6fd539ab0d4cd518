import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { cloudControllerManagerRewrites, type HostRewrite } from './host-rewrites';
import { kubectl } from './kubectl';
import { freePort, startProcess, stopProcesses, waitReady, type StartedProcess } from './processes';
import { tool } from './tools';

/**
 * Our cloud-controller-manager as the tier runs it: tools/cloud-controller-manager (k8s.io/cloud-provider's command
 * with its fake cloud) on the args of our container, as our ServiceAccount, with the additions one machine forces
 * (cloudControllerManagerRewrites). Every wait is bounded; stop() ends the process whatever state it is in.
 */
export interface CloudControllerManagerRun {
  readonly process: StartedProcess;
  readonly rewrites: readonly HostRewrite[];
  readonly securePort: number;
  readonly startedAt: number;
}

/** The lease the CCM's leader election holds (its defaults: `--leader-elect-resource-{namespace,name}`). */
export const CCM_LEASE = { namespace: 'kube-system', name: 'cloud-controller-manager' } as const;

/**
 * A kubeconfig for a ServiceAccount: the server and CA of `adminKubeconfig` (the tier's), and `token`. Written
 * 0600 into `file`; the token is never logged.
 */
export function serviceAccountKubeconfig(adminKubeconfig: string, token: string, user: string, file: string): string {
  const admin = parse(fs.readFileSync(adminKubeconfig, 'utf8'));
  const cluster = admin?.clusters?.[0]?.cluster;
  if (!cluster?.server || !cluster['certificate-authority-data']) throw new Error(`${adminKubeconfig} has no server and inline CA in its first cluster`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tier', cluster: { server: cluster.server, 'certificate-authority-data': cluster['certificate-authority-data'] } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: 'tier', user } }],
    'current-context': user,
  };
  fs.writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

/** A token for a ServiceAccount from the TokenRequest API (`kubectl create token`), as its Pod would be given. */
export function serviceAccountToken(adminKubeconfig: string, namespace: string, name: string): string {
  const r = kubectl(adminKubeconfig, ['create', 'token', name, '-n', namespace, '--duration=1h']);
  // stderr only: stdout would be the token
  if (r.status !== 0 || !r.stdout.trim()) throw new Error(`kubectl create token ${name} -n ${namespace} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

function healthz(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // its own self-signed serving certificate: only the answer matters here, on loopback
    const req = https.get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * Starts the CCM with `args` (our container's, untouched) plus the host rewrites, logging into `log`, and waits
 * until its secure port answers /healthz (or fails at once with its log when it exits). `env` is added to its
 * environment, as a Pod's `env` would be.
 */
export async function startCloudControllerManager(args: readonly string[], kubeconfig: string, log: string, timeoutMs = 60_000, env?: Readonly<Record<string, string>>): Promise<CloudControllerManagerRun> {
  const securePort = await freePort();
  const run = cloudControllerManagerRewrites(args, { kubeconfig, securePort });
  const startedAt = Date.now();
  const p = startProcess('cloud-controller-manager', tool('cloud-controller-manager'), run.args, log, env);
  try {
    await waitReady(p, `cloud-controller-manager /healthz on 127.0.0.1:${securePort}`, () => healthz(securePort), timeoutMs);
  } catch (e) {
    stopProcesses([p.pid]);
    throw e;
  }
  return { process: p, rewrites: run.rewrites, securePort, startedAt };
}

export function stopCloudControllerManager(run: CloudControllerManagerRun | undefined): void {
  if (run) stopProcesses([run.process.pid]);
}

/** The lease's holder, or '' when there is no lease or no holder. */
export function leaseHolder(adminKubeconfig: string): string {
  const r = kubectl(adminKubeconfig, ['get', 'lease', CCM_LEASE.name, '-n', CCM_LEASE.namespace, '-o', 'jsonpath={.spec.holderIdentity}']);
  return r.status === 0 ? r.stdout.trim() : '';
}

/** Removes the lease, so a new run does not wait out the previous run's lease (15 s) before it can lead. */
export function deleteLease(adminKubeconfig: string): void {
  kubectl(adminKubeconfig, ['delete', 'lease', CCM_LEASE.name, '-n', CCM_LEASE.namespace, '--ignore-not-found', '--wait=true']);
}

/** The log lines that report a request our RBAC refused. */
export function forbiddenLines(log: string): string[] {
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter((l) => /forbidden/i.test(l));
}

export function logFile(dir: string, name: string): string {
  return path.join(dir, `${name}.log`);
}
