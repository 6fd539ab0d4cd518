// `npm run bench:dns` (and the DNS part of `npm run bench`): dnsperf against the real CoreDNS on our Corefile, the
// same binary on kubeadm's Corefile for the same release, and NodeLocal DNSCache on our Corefile with our CoreDNS
// behind it, through the real kube-proxy. Everything runs in network namespaces of its own (harness/dns-topology.ts)
// against a fresh e2e cluster; servers on one core, dnsperf on the other (taskset). Writes the DNS section of
// BENCHMARKS.md (scripts/dns-bench-lib.ts renders it); the targets are reported, never asserted.
//
// Environment: BENCH_DNS_RUNS (default 5) rounds, BENCH_DNS_SECONDS (default 8) per dnsperf run,
// BENCH_DNS_MAX_QPS (default 50000) dnsperf's -Q cap; BENCH_SKIP_CLUSTER=1 skips it; BENCH_OUT (default
// BENCHMARKS.md).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { kubectlOk, startCluster, stopCluster, type ClusterState } from '../test/e2e/harness/cluster';
import type { ApiBridge } from '../test/e2e/harness/api-bridge';
import { startCoreDns, waitAnswers, waitCoreDnsReady, type CoreDnsServer, type PodIdentity } from '../test/e2e/harness/coredns';
import { applyFile, serviceAccountIdentity, waitServedPods } from '../test/e2e/harness/dns-cluster';
import { addPod, apiIn, OUTSIDE, startDnsNetwork, stopDnsNetwork, type DnsNetwork } from '../test/e2e/harness/dns-topology';
import { runDnsperf } from '../test/e2e/harness/dnsperf';
import { kubeadmCorefile } from '../test/e2e/harness/kubeadm';
import { ensureConntrackMax, ensureKubeProxyServiceAccount, startKubeProxy, stopKubeProxy, type RunningKubeProxy } from '../test/e2e/harness/kube-proxy';
import { ipIn, requireNetnsSupport, type Netns } from '../test/e2e/harness/netns';
import { startNodeCache, stopNodeCache, type RunningNodeCache } from '../test/e2e/harness/node-cache';
import { stopProcesses } from '../test/e2e/harness/processes';
import { repoRoot, tierVersions, tool, versions } from '../test/e2e/harness/tools';
import { cachingClusterNames, kubernetesOnly, MIN_HOT_QPS, QUERY_SETS, queryLines, renderDnsSection, SERVERS, spliceDnsSection, summarizeDns, withoutPrometheus, type DnsSample, type QuerySet } from './dns-bench-lib';

const root = repoRoot();
const MIN_HOT_QPS_TEXT = MIN_HOT_QPS.toLocaleString('en-US');
const ROUNDS = Number(process.env.BENCH_DNS_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_DNS_SECONDS ?? 8);
const MAX_QPS = Number(process.env.BENCH_DNS_MAX_QPS ?? 50_000);
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENT_IP = '10.244.255.250';
const NODE_NAME = 'linux-worker-0';
const HOT_SERVICES = ['bench-0', 'bench-1', 'bench-2'];

interface Bench {
  readonly dir: string;
  readonly dist: string;
  readonly objects: Record<string, any>[];
  readonly network: DnsNetwork;
  readonly client: Netns;
  /** pod 0's namespace, IP and its current server; pod 1 runs ours throughout (node-local's second backend). */
  readonly pod0: { ns: Netns; ip: string; server: CoreDnsServer; api: ApiBridge; identity: PodIdentity };
  readonly domain: string;
  readonly hotNames: string[];
}

function synthDefault(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cluster.yaml'), `kubernetesVersion: ${tierVersions().kubernetes}\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'build', 'synth.js')], { cwd: dir, encoding: 'utf8', env: { ...process.env, CLUSTER_CONFIG: '' } });
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  return path.join(dir, 'dist');
}

function objectsOf(file: string): Record<string, any>[] {
  return fs.readFileSync(file, 'utf8').split(/^---$/m).map((d) => parse(d)).filter(Boolean);
}

function find(objects: readonly Record<string, any>[], kind: string, name: string): Record<string, any> {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`our output has no ${kind} ${name}`);
  return o;
}

/** Replaces pod 0's server with one on `corefile`, and waits until it answers. */
async function serveOnPod0(b: Bench, label: string, corefile: string): Promise<void> {
  stopProcesses([b.pod0.server.process.pid]);
  const server = startCoreDns({ ns: b.pod0.ns, dir: b.dir, name: `pod0-${label}`, corefile, api: b.pod0.api, identity: b.pod0.identity, cpu: SERVER_CPU });
  b.pod0.server = server;
  if (/^\s*ready\b/m.test(corefile)) await waitCoreDnsReady(server, `http://${b.pod0.ip}:8181/ready`);
  else await waitAnswers(server, b.pod0.ip, `kubernetes.default.svc.${b.domain}`);
}

// distinct names never repeat within a query set, so each set counts its own runs
const runsOf = new Map<QuerySet, number>();
function nextRun(set: QuerySet): number {
  const n = runsOf.get(set) ?? 0;
  runsOf.set(set, n + 1);
  return n;
}
function measure(b: Bench, server: string, address: string, set: QuerySet, samples: DnsSample[]): void {
  const file = path.join(b.dir, `queries-${set}.txt`);
  const count = set.endsWith('distinct') ? SECONDS * MAX_QPS : 0;
  fs.writeFileSync(file, queryLines(set, { domain: b.domain, externalZone: OUTSIDE.externalZone, run: nextRun(set), count, hotNames: b.hotNames }).join('\n') + '\n');
  const run = runDnsperf({ ns: b.client, server: address, queryFile: file, outFile: path.join(b.dir, 'dnsperf.out'), seconds: SECONDS, maxQps: MAX_QPS, cpu: CLIENT_CPU });
  fs.rmSync(file, { force: true });
  samples.push({ server, queries: set, run });
  console.log(`  ${server} / ${set}: ${Math.round(run.qps)} QPS, mean ${run.meanMs.toFixed(3)} ms, p99 ${run.p99Ms.toFixed(3)} ms, lost ${run.lost}/${run.sent}`);
}

/** The servers that get every query set, the distinct ones included, once a round. */
const SERVERS_MEASURING_DISTINCT = [SERVERS.ours, SERVERS.nodeLocal, SERVERS.kubeadm];

function preflight(): void {
  requireNetnsSupport(['dig', 'curl', 'socat', 'iptables', 'dnsperf', 'taskset']);
  if (os.cpus().length < 2) throw new Error(`the DNS benchmark pins the servers and dnsperf to a core each and needs 2 cores (this machine has ${os.cpus().length})`);
  for (const t of ['coredns', 'kube-apiserver', 'kube-proxy', 'kubeadm', 'kwok'] as const) tool(t);
  // the last distinct run of a round count must still fit its address block: fail now, not minutes in
  const distinctRunsPerRound = SERVERS_MEASURING_DISTINCT.length;
  queryLines('cluster-distinct', { domain: 'cluster.local', externalZone: OUTSIDE.externalZone, run: ROUNDS * distinctRunsPerRound - 1, count: SECONDS * MAX_QPS, hotNames: [] });
}

async function main(): Promise<void> {
  const out = path.join(root, process.env.BENCH_OUT ?? 'BENCHMARKS.md');
  if (process.env.BENCH_SKIP_CLUSTER) {
    console.log('DNS benchmark skipped (BENCH_SKIP_CLUSTER); its section of BENCHMARKS.md is left as it was');
    return;
  }
  preflight();
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-dns-'));
  const restoreConntrack = ensureConntrackMax();
  let state: ClusterState | undefined;
  let network: DnsNetwork | undefined;
  let proxy: RunningKubeProxy | undefined;
  let cache: RunningNodeCache | undefined;
  const samples: DnsSample[] = [];
  try {
    state = await startCluster(path.join(dir, 'cluster'));
    const kubeconfig = state.kubeconfig;
    const dist = synthDefault(path.join(dir, 'synth'));
    const objects = [...objectsOf(path.join(dist, 'coredns.k8s.yaml')), ...objectsOf(path.join(dist, 'node-local-dns.k8s.yaml'))];
    const kubelet = parse(fs.readFileSync(path.join(dist, 'node-config', 'kubelet-config.yaml'), 'utf8'));
    const domain = kubelet.clusterDomain as string;
    const clusterDNS = kubelet.clusterDNS[0] as string;
    applyFile(kubeconfig, path.join(dist, 'coredns.k8s.yaml'));
    applyFile(kubeconfig, path.join(dist, 'node-local-dns.k8s.yaml'));
    kubectlOk(kubeconfig, ['apply', '-f', '-'], HOT_SERVICES.map((name) => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }] } })).join('\n'));
    const dnsPods = await waitServedPods(kubeconfig, 'kube-system', 'k8s-app=kube-dns', 'kube-dns', 2);
    ensureKubeProxyServiceAccount(kubeconfig);
    // every distinct external name gets an answer from the upstream (a wildcard), so each one is a real forward
    network = await startDnsNetwork(path.join(dir, 'net'), kubeconfig, { cpu: SERVER_CPU, upstreamRecords: [`* 300 IN A ${OUTSIDE.www}`] });
    ipIn(network.node, ['route', 'add', 'default', 'via', OUTSIDE.upstream]);
    const client = addPod(network, 'client', CLIENT_IP, clusterDNS);
    const ours = find(objects, 'ConfigMap', 'coredns').data.Corefile as string;
    const identity = serviceAccountIdentity(kubeconfig, 'kube-system', 'coredns');
    const servers: CoreDnsServer[] = [];
    const bridges: ApiBridge[] = [];
    for (const [i, pod] of dnsPods.entries()) {
      const ns = addPod(network, `coredns-${i}`, pod.ip, OUTSIDE.upstream);
      const api = await apiIn(network, ns);
      bridges.push(api);
      servers.push(startCoreDns({ ns, dir, name: `pod${i}-ours-start`, corefile: ours, api, identity, cpu: SERVER_CPU }));
    }
    for (const [i, s] of servers.entries()) await waitCoreDnsReady(s, `http://${dnsPods[i].ip}:8181/ready`);
    const dnsIP = find(objects, 'Service', 'kube-dns').spec.clusterIP as string;
    proxy = await startKubeProxy({
      ns: network.node,
      dir,
      configText: fs.readFileSync(path.join(dist, 'node-config', 'kube-proxy-config.yaml'), 'utf8'),
      bridge: await apiIn(network, network.node),
      identity: serviceAccountIdentity(kubeconfig, 'kube-system', 'kube-proxy'),
      nodeName: NODE_NAME,
      mode: 'iptables',
      ready: (rules) => rules.includes(dnsIP) && dnsPods.every((p) => rules.includes(p.ip)),
    });
    const ds = find(objects, 'DaemonSet', 'node-local-dns');
    const upstreamService = JSON.parse(kubectlOk(kubeconfig, ['get', 'service', 'kube-dns-upstream', '-n', 'kube-system', '-o', 'json'])).spec.clusterIP;
    cache = startNodeCache({ ns: network.node, dir, baseCorefile: find(objects, 'ConfigMap', 'node-local-dns').data.Corefile, args: ds.spec.template.spec.containers[0].args, upstreamServiceIP: upstreamService, cpu: SERVER_CPU });
    const nodeLocalIP = cache.localIps[0];
    await waitAnswers(cache.server, nodeLocalIP, `kube-dns.kube-system.svc.${domain}`);

    const kubeadmText = kubeadmCorefile(path.join(dist, 'node-config', 'kubeadm-init.yaml'));
    const hotNames = ['kubernetes.default', 'kube-dns.kube-system', 'kube-dns-upstream.kube-system', ...HOT_SERVICES.map((s) => `${s}.default`)].map((n) => `${n}.svc.${domain}`);
    const bench: Bench = { dir, dist, objects, network, client, pod0: { ns: network.pods.get('coredns-0')!, ip: dnsPods[0].ip, server: servers[0], api: bridges[0], identity }, domain, hotNames };
    const sets = Object.keys(QUERY_SETS) as QuerySet[];
    // each step is one server's share of a round; even rounds run them in reverse, so no server always goes
    // first (ours and kubeadm's Corefiles are the same text, and their gap is then the method's own noise)
    const steps: Array<(round: number) => Promise<void>> = [
      async (round) => {
        await serveOnPod0(bench, `ours-r${round}`, ours);
        for (const set of sets) measure(bench, SERVERS.ours, bench.pod0.ip, set, samples);
      },
      async () => {
        for (const set of sets) measure(bench, SERVERS.nodeLocal, nodeLocalIP, set, samples);
      },
      async (round) => {
        await serveOnPod0(bench, `kubeadm-r${round}`, kubeadmText);
        for (const set of sets) measure(bench, SERVERS.kubeadm, bench.pod0.ip, set, samples);
      },
      async (round) => {
        await serveOnPod0(bench, `noprom-r${round}`, withoutPrometheus(ours));
        measure(bench, SERVERS.oursNoPrometheus, bench.pod0.ip, 'cluster-hot', samples);
      },
      async (round) => {
        await serveOnPod0(bench, `cachecluster-r${round}`, cachingClusterNames(ours));
        measure(bench, SERVERS.oursCachingCluster, bench.pod0.ip, 'cluster-hot', samples);
      },
      async (round) => {
        await serveOnPod0(bench, `k8sonly-r${round}`, kubernetesOnly(ours));
        measure(bench, SERVERS.kubernetesOnly, bench.pod0.ip, 'cluster-hot', samples);
      },
    ];
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round} of ${ROUNDS}`);
      for (const step of round % 2 === 1 ? steps : [...steps].reverse()) await step(round);
    }
    const rows = summarizeDns(samples);
    const same = ours.replace(/\s+/g, ' ').trim() === kubeadmText.replace(/\s+/g, ' ').trim();
    const section = renderDnsSection(rows, {
      date: new Date().toISOString().slice(0, 10),
      seconds: (Date.now() - started) / 1000,
      sameCorefile: same,
      setup: [
        `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.type()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`,
        `CoreDNS ${versions().COREDNS_VERSION} (test/e2e/tools/coredns, built from the module proxy), kube-proxy ${tierVersions().kubernetes} in iptables mode (our kube-proxy-config.yaml), dnsperf ${toolLine(['dnsperf', '-h'], /Version (\S+)/)}`,
        `every server on core ${SERVER_CPU} (taskset: CoreDNS, node-cache, the upstream); dnsperf alone on core ${CLIENT_CPU}, ${SECONDS} s per run, at most ${MAX_QPS.toLocaleString('en-US')} QPS (-Q), 100 queries outstanding, 2 s timeout; ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}`,
        `queries go from a pod namespace to the pod IP of CoreDNS (ours, kubeadm's, the ablations) or to node-local's ${nodeLocalIP}; the kube-apiserver, etcd and KWOK behind the kubernetes plugin run unpinned and idle`,
        `our Corefile and kubeadm's (\`kubeadm init phase addon coredns --print-manifest\` on our kubeadm-init.yaml) are ${same ? 'the same text up to indentation' : 'different texts'}`,
        'p99 is the nearest rank over every answer of a run (dnsperf -v); dnsperf 2.10 prints no histogram',
      ],
      notes: [
        `the ${MIN_HOT_QPS_TEXT} QPS target stands beside CoreDNS's published figure of about 33,700 QPS on 2 vCPU; here CoreDNS has one core, which also carries the kernel's share of every packet it receives and sends`,
      ],
    });
    const old = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '# Benchmarks\n';
    fs.writeFileSync(out, spliceDnsSection(old, section));
    console.log(section);
  } finally {
    if (cache) stopNodeCache(cache);
    if (proxy) stopKubeProxy(proxy);
    if (network) stopDnsNetwork(network);
    if (state) stopCluster(state);
    restoreConntrack();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function toolLine(argv: string[], pattern: RegExp): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return pattern.exec((r.stdout ?? '') + (r.stderr ?? ''))?.[1] ?? 'unknown';
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
