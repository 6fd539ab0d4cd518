import * as fs from 'fs';
import * as path from 'path';
import { execIn, startInNetns, type Netns } from './netns';
import { exitedEarly, waitFor, waitReady, type StartedProcess } from './processes';
import { tool } from './tools';
import type { ApiBridge } from './api-bridge';

/**
 * CoreDNS as the tier runs it: the real binary (tools/coredns, the release kubeadm pins) inside a network
 * namespace, on a Corefile given as text, which for the servers under test is exactly the one in our ConfigMap.
 * A server under test gets the Kubernetes API the way a pod does: KUBERNETES_SERVICE_HOST/PORT and a
 * ServiceAccount token and CA under /var/run/secrets/kubernetes.io/serviceaccount, mounted on a tmpfs in the
 * program's private mount namespace.
 */

/** What a CoreDNS pod's container is given by the kubelet: its ServiceAccount token and the cluster CA. */
export interface PodIdentity {
  readonly token: string;
  readonly caCert: string;
  readonly namespace: string;
}

export interface CoreDnsServer {
  readonly process: StartedProcess;
  readonly ns: Netns;
  readonly corefile: string;
  readonly name: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Starts CoreDNS with `corefile`; with `api`, as a pod of `identity` would see the API server. */
export function startCoreDns(options: { ns: Netns; dir: string; name: string; corefile: string; api?: ApiBridge; identity?: PodIdentity; cpu?: number }): CoreDnsServer {
  const { ns, dir, name, corefile } = options;
  const home = path.join(dir, name);
  fs.mkdirSync(home, { recursive: true });
  const conf = path.join(home, 'Corefile');
  fs.writeFileSync(conf, corefile);
  let setup: string | undefined;
  const env: Record<string, string> = {};
  if (options.api && options.identity) {
    const secrets = path.join(home, 'serviceaccount');
    fs.mkdirSync(secrets, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(secrets, 'token'), options.identity.token, { mode: 0o600 });
    fs.writeFileSync(path.join(secrets, 'ca.crt'), options.identity.caCert);
    fs.writeFileSync(path.join(secrets, 'namespace'), options.identity.namespace);
    // /var/run is /run here; a tmpfs over /run/secrets keeps the machine's own /run untouched
    setup = `mkdir -p /run/secrets && mount -t tmpfs -o size=1m,mode=755 tmpfs /run/secrets && mkdir -p ${SERVICE_ACCOUNT_DIR} && cp ${secrets}/token ${secrets}/ca.crt ${secrets}/namespace ${SERVICE_ACCOUNT_DIR}/`;
    env.KUBERNETES_SERVICE_HOST = options.api.host;
    env.KUBERNETES_SERVICE_PORT = String(options.api.port);
  }
  // -conf: the path our Deployment's args name is /etc/coredns/Corefile; the file is the same, only its folder differs
  const argv = [tool('coredns'), '-conf', conf];
  // the benchmark pins each server to one core (taskset execs, so the pid stays the program's)
  const [binary, ...args] = options.cpu === undefined ? argv : ['taskset', '-c', String(options.cpu), ...argv];
  const p = startInNetns(ns, `coredns-${name}`, binary, args, path.join(home, 'coredns.log'), { env, setup });
  return { process: p, ns, corefile, name };
}

/** An HTTP GET inside the namespace (curl, bounded): status code and body. */
export function httpGetIn(ns: Netns, url: string): { code: number; body: string } {
  const r = execIn(ns, 'curl', ['-s', '-m', '3', '-o', '-', '-w', '\n%{http_code}', url], 5_000);
  const lines = r.stdout.split('\n');
  return { code: Number(lines.pop()) || 0, body: lines.join('\n') };
}

/** Waits until CoreDNS answers on its `ready` plugin's port (every plugin that reports readiness is ready). */
export async function waitCoreDnsReady(server: CoreDnsServer, readyUrl: string, timeoutMs = 30_000): Promise<void> {
  await waitReady(server.process, `CoreDNS ${server.name} ready at ${readyUrl}`, () => httpGetIn(server.ns, readyUrl).code === 200, timeoutMs);
}

/** Waits until CoreDNS answers a query for `name` at `address` (servers without a `ready` plugin). */
export async function waitAnswers(server: CoreDnsServer, address: string, name: string, timeoutMs = 20_000): Promise<void> {
  await waitReady(server.process, `CoreDNS ${server.name} answering ${name} at ${address}`, () => dig(server.ns, address, name).status === 'NOERROR', timeoutMs);
}

export interface DigAnswer {
  readonly status: string;
  readonly answers: readonly { name: string; ttl: number; type: string; data: string }[];
  /** The server that answered, as dig prints it (`;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)`). */
  readonly server: string;
  readonly raw: string;
}

/**
 * One query with dig from inside a namespace, to exactly `server` (never the machine's resolver): two tries of 2 s,
 * as a resolver retransmits a lost UDP query (glibc's default is 2 attempts); one try alone lost answers on a loaded
 * CI machine. TIMEOUT therefore means no answer in 4 s.
 */
export function dig(ns: Netns, server: string, name: string, type = 'A', extra: readonly string[] = []): DigAnswer {
  const r = execIn(ns, 'dig', [`@${server}`, name, type, '+tries=2', '+time=2', '+nocookie', ...extra], 10_000);
  const raw = r.stdout + r.stderr;
  const status = /status: ([A-Z]+)/.exec(raw)?.[1] ?? (/timed out|no servers could be reached/.test(raw) ? 'TIMEOUT' : `FAILED(${r.status})`);
  const answers: { name: string; ttl: number; type: string; data: string }[] = [];
  const section = raw.split(';; ANSWER SECTION:')[1]?.split('\n\n')[0] ?? '';
  for (const line of section.split('\n').filter((l) => l && !l.startsWith(';'))) {
    const [rname, ttl, , rtype, ...data] = line.split(/\s+/);
    answers.push({ name: rname, ttl: Number(ttl), type: rtype, data: data.join(' ') });
  }
  return { status, answers, server: /;; SERVER: (\S+)/.exec(raw)?.[1] ?? '', raw };
}

/** Prometheus text from a metrics URL inside a namespace: the sum of every series of `metric` matching `labels`. */
export function metricSum(ns: Netns, url: string, metric: string, labels: Readonly<Record<string, string>> = {}): number {
  const { code, body } = httpGetIn(ns, url);
  if (code !== 200) throw new Error(`GET ${url} in ${ns.name} answered ${code}`);
  let sum = 0;
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== metric) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** The log of a server, for assertions and failure messages. */
export function coreDnsLog(server: CoreDnsServer): string {
  return fs.existsSync(server.process.log) ? fs.readFileSync(server.process.log, 'utf8') : '';
}

/** A failure message naming the CoreDNS error when a server under test has died. */
export function coreDnsDied(server: CoreDnsServer): string | undefined {
  return exitedEarly(server.process);
}

/** Waits until a log line matching `pattern` appears (bounded), and returns it. */
export async function waitLog(server: CoreDnsServer, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  let found = '';
  await waitFor(`CoreDNS ${server.name} to log ${pattern}`, () => Boolean((found = coreDnsLog(server).split('\n').find((l) => pattern.test(l)) ?? '')), timeoutMs, server.process.log);
  return found;
}

