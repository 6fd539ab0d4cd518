import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { kubectlOk } from './harness/cluster';
import { dig, metricSum, startCoreDns, waitAnswers, waitCoreDnsReady, type CoreDnsServer } from './harness/coredns';
import { applyFile, serviceAccountIdentity, waitServedPods, type PodAddress } from './harness/dns-cluster';
import { addPod, apiIn, OUTSIDE, startDnsNetwork, stopDnsNetwork, type DnsNetwork } from './harness/dns-topology';
import { ensureConntrackMax, ensureKubeProxyServiceAccount, serviceRules, startKubeProxy, stopKubeProxy, type RunningKubeProxy } from './harness/kube-proxy';
import { ipIn, liveNetns, requireNetnsSupport, type Netns } from './harness/netns';
import { startNodeCache, stopNodeCache, type RunningNodeCache } from './harness/node-cache';
import { cluster, findObject, objectsIn, synthConfig } from './support';

// The path a pod's lookup takes: from a "pod" namespace to the address our kubelet config names (clusterDNS),
// through the real kube-proxy's rules on the node (iptables and nftables modes, on our kube-proxy-config.yaml) to
// a CoreDNS pod at the IP its EndpointSlice names, or through NodeLocal DNSCache on our Corefile. IPVS mode is not
// run: this kernel has no IPVS ("Protocol not available"), see the README.

const NODE_NAME = 'linux-worker-0';
const CLIENT_IP = '10.244.255.250';
const MODES = ['iptables', 'nftables'] as const;

let kubeconfig: string;
let dir: string;
let restoreConntrack: () => void = () => undefined;

beforeAll(() => {
  requireNetnsSupport(['dig', 'curl', 'socat', 'iptables', 'nft']);
  kubeconfig = cluster().kubeconfig;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-dns-path-'));
  restoreConntrack = ensureConntrackMax();
  ensureKubeProxyServiceAccount(kubeconfig);
});

afterAll(() => {
  restoreConntrack();
  if (dir && !process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  expect(liveNetns()).toEqual([]);
});

describe.each(MODES)('kube-proxy in %s mode', (mode) => {
  let dist: string;
  let objects: Record<string, any>[];
  let network: DnsNetwork;
  let dnsPods: PodAddress[];
  let coredns: CoreDnsServer[] = [];
  let client: Netns;
  let proxy: RunningKubeProxy | undefined;
  let cache: RunningNodeCache | undefined;
  let clusterDNS: string;
  const dnsIP = () => findObject(objects, 'Service', 'kube-dns').spec.clusterIP as string;
  // A queries only: the loop plugin's start-up HINFO probes pass through the same servers at moments of their own
  const podRequests = () => coredns.reduce((n, s, i) => n + metricSum(s.ns, `http://${dnsPods[i].ip}:9153/metrics`, 'coredns_dns_requests_total', { type: 'A' }), 0);
  const upstreamRequests = () => metricSum(network.outside, `http://${OUTSIDE.upstream}:9153/metrics`, 'coredns_dns_requests_total', { type: 'A' });
  const proxyReady = (rules: string) => rules.includes(dnsIP()) && dnsPods.every((p) => rules.includes(p.ip));

  beforeAll(async () => {
    dist = synthConfig(`dns-${mode}`, `networking:\n  kubeProxyMode: ${mode}\n`);
    objects = objectsIn(dist);
    clusterDNS = parse(fs.readFileSync(path.join(dist, 'node-config', 'kubelet-config.yaml'), 'utf8')).clusterDNS[0];
    applyFile(kubeconfig, path.join(dist, 'coredns.k8s.yaml'));
    applyFile(kubeconfig, path.join(dist, 'node-local-dns.k8s.yaml'));
    dnsPods = await waitServedPods(kubeconfig, 'kube-system', 'k8s-app=kube-dns', 'kube-dns', 2);
    network = await startDnsNetwork(path.join(dir, mode), kubeconfig);
    // a node has a default route; without one the node's own queries to a Service IP fail before kube-proxy's DNAT
    ipIn(network.node, ['route', 'add', 'default', 'via', OUTSIDE.upstream]);
    client = addPod(network, 'client', CLIENT_IP, clusterDNS);
    const corefile = findObject(objects, 'ConfigMap', 'coredns').data.Corefile;
    for (const [i, pod] of dnsPods.entries()) {
      const ns = addPod(network, `coredns-${i}`, pod.ip, OUTSIDE.upstream);
      coredns.push(startCoreDns({ ns, dir: network.dir, name: `coredns-${i}`, corefile, api: await apiIn(network, ns), identity: serviceAccountIdentity(kubeconfig, 'kube-system', 'coredns') }));
    }
    for (const [i, s] of coredns.entries()) await waitCoreDnsReady(s, `http://${dnsPods[i].ip}:8181/ready`);
  }, 240_000);

  afterAll(() => {
    if (cache) stopNodeCache(cache);
    if (proxy) stopKubeProxy(proxy);
    if (network) stopDnsNetwork(network);
    coredns = [];
  });

  test(`our kubelet config's clusterDNS is the address for ${mode} mode`, () => {
    expect(clusterDNS).toBe(mode === 'iptables' ? dnsIP() : '169.254.20.10');
  });

  test('before kube-proxy runs, the DNS Service IP answers nothing', () => {
    expect(dig(client, dnsIP(), 'kubernetes.default.svc.cluster.local').status).toBe('TIMEOUT');
  });

  test('kube-proxy writes the kube-dns rules, and a pod reaches CoreDNS through the Service IP', async () => {
    const ns = network.node;
    proxy = await startKubeProxy({
      ns,
      dir: network.dir,
      configText: fs.readFileSync(path.join(dist, 'node-config', 'kube-proxy-config.yaml'), 'utf8'),
      bridge: await apiIn(network, ns),
      identity: serviceAccountIdentity(kubeconfig, 'kube-system', 'kube-proxy'),
      nodeName: NODE_NAME,
      mode,
      ready: proxyReady,
    });
    const rules = serviceRules(ns, mode);
    if (mode === 'iptables') {
      expect(rules).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.10\/32 -p udp -m comment --comment "kube-system\/kube-dns:dns cluster IP"/);
      for (const p of dnsPods) expect(rules).toContain(`-j DNAT --to-destination ${p.ip}:53`);
    } else {
      expect(rules).toContain(`${dnsIP()} . udp . 53`);
      for (const p of dnsPods) expect(rules).toContain(`dnat to ${p.ip}:53`);
    }
    const before = podRequests();
    const answer = dig(client, dnsIP(), 'kubernetes.default.svc.cluster.local');
    expect(answer.answers.map((a) => a.data)).toEqual(['10.96.0.1']);
    // the reply comes back from the Service IP (conntrack undoes the DNAT), and one of our CoreDNS pods counted it
    expect(answer.server).toBe(`${dnsIP()}#53(${dnsIP()})`);
    expect(podRequests()).toBe(before + 1);
  }, 90_000);

  test('NodeLocal DNSCache on our Corefile answers at clusterDNS, forwards cluster names to CoreDNS once and caches them', async () => {
    const ds = findObject(objects, 'DaemonSet', 'node-local-dns');
    const upstreamService = JSON.parse(kubectlOk(kubeconfig, ['get', 'service', 'kube-dns-upstream', '-n', 'kube-system', '-o', 'json'])).spec.clusterIP;
    cache = startNodeCache({ ns: network.node, dir: network.dir, baseCorefile: findObject(objects, 'ConfigMap', 'node-local-dns').data.Corefile, args: ds.spec.template.spec.containers[0].args, upstreamServiceIP: upstreamService });
    expect(cache.localIps).toEqual(mode === 'iptables' ? ['169.254.20.10', dnsIP()] : ['169.254.20.10']);
    await waitAnswers(cache.server, clusterDNS, 'kube-dns.kube-system.svc.cluster.local');
    const nodeMetrics = 'http://169.254.20.10:9253/metrics';
    const cacheRequests = () => metricSum(network.node, nodeMetrics, 'coredns_dns_requests_total', { zone: 'cluster.local.', type: 'A' });
    const hits = () => metricSum(network.node, nodeMetrics, 'coredns_cache_hits_total', { server: `dns://${cache!.localIps[0]}:53` }) + (cache!.localIps[1] ? metricSum(network.node, nodeMetrics, 'coredns_cache_hits_total', { server: `dns://${cache!.localIps[1]}:53` }) : 0);
    const before = { pods: podRequests(), cache: cacheRequests(), hits: hits() };
    const name = 'kubernetes.default.svc.cluster.local';
    expect(dig(client, clusterDNS, name).answers.map((a) => a.data)).toEqual(['10.96.0.1']);
    const second = dig(client, clusterDNS, name);
    expect(second.answers.map((a) => a.data)).toEqual(['10.96.0.1']);
    expect(cacheRequests() - before.cache).toBe(2);
    expect(podRequests() - before.pods).toBe(1);
    expect(hits() - before.hits).toBe(1);
  }, 60_000);

  test('external names go from the node-local cache straight to the upstream in /etc/resolv.conf, not through CoreDNS', () => {
    const before = { pods: podRequests(), upstream: upstreamRequests() };
    expect(dig(client, clusterDNS, `www.${OUTSIDE.externalZone}`).answers.map((a) => a.data)).toEqual([OUTSIDE.www]);
    expect(upstreamRequests() - before.upstream).toBe(1);
    expect(podRequests()).toBe(before.pods);
  });

  test('without node-cache and with kube-proxy stopped and cleaned up, clusterDNS answers nothing', () => {
    stopNodeCache(cache!);
    cache = undefined;
    if (mode === 'iptables') expect(dig(client, clusterDNS, 'kubernetes.default.svc.cluster.local').answers.map((a) => a.data)).toEqual(['10.96.0.1']);
    if (!proxy) throw new Error('kube-proxy did not start (see the test above)');
    stopKubeProxy(proxy);
    proxy = undefined;
    expect(serviceRules(network.node, mode)).not.toContain(dnsIP());
    expect(dig(client, dnsIP(), 'kubernetes.default.svc.cluster.local').status).toBe('TIMEOUT');
  });
});
