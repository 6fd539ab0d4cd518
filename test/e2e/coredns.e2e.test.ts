import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { migrateKubeDnsConfigMap } from '../../lib/dns/cluster-corefile';
import { renderCorefile } from '../../lib/dns/corefile';
import { kubectl, kubectlOk, waitFor } from './harness/cluster';
import { readControlPlane } from './harness/control-plane';
import { coreDnsDied, coreDnsLog, dig, httpGetIn, metricSum, startCoreDns, waitAnswers, waitCoreDnsReady, waitLog, type CoreDnsServer } from './harness/coredns';
import { ablatedServiceAccount, applyFile, serviceAccountIdentity, waitServedPods, type PodAddress } from './harness/dns-cluster';
import { addPod, apiIn, OUTSIDE, startDnsNetwork, stopDnsNetwork, type DnsNetwork } from './harness/dns-topology';
import { liveNetns, requireNetnsSupport, type Netns } from './harness/netns';
import { kubeadm } from './harness/kubeadm';
import { tierVersions, versions } from './harness/tools';
import { cluster, findObject, objectsIn, synthConfig } from './support';

// CoreDNS on exactly our Corefile, in pod namespaces at the IPs our Deployment's pods were given, reading the
// API as our `coredns` ServiceAccount under our ClusterRole; the upstream and the stub-domain server are CoreDNS
// servers of the test's own in an "outside" namespace (harness/dns-topology.ts).

const CLUSTER_YAML = `components:\n  coredns:\n    stubDomains:\n      ${OUTSIDE.stubZone}: [${OUTSIDE.stub}]\n`;
const CUSTOM_DOMAIN = 'k8s.example.internal';
const CLIENT_IP = '10.244.255.250';

let kubeconfig: string;
let dir: string;
let network: DnsNetwork;
let objects: Record<string, any>[];
let corefile: string;
let dnsPods: PodAddress[];
let webPods: PodAddress[];
let servers: CoreDnsServer[] = [];
let client: Netns;
let probes: { health: { port: number; path: string }; ready: { port: number; path: string }; metrics: number };

const dnsIP = () => findObject(objects, 'Service', 'kube-dns').spec.clusterIP as string;
const ask = (name: string, type = 'A', server = dnsPods[0].ip) => dig(client, server, name, type);
const metricsUrl = (ip: string) => `http://${ip}:${probes.metrics}/metrics`;
// A queries only: each server's loop plugin sends an HINFO probe through every forward at start-up, which can land
// at the stub or the upstream at any moment of the first seconds
const requestsAt = (ns: Netns, ip: string) => metricSum(ns, metricsUrl(ip), 'coredns_dns_requests_total', { type: 'A' });

function portOf(container: any, name: string | number): number {
  return typeof name === 'number' ? name : container.ports.find((p: any) => p.name === name).containerPort;
}

/** A CoreDNS pod of ours: namespace at the pod's IP, API bridge, our ServiceAccount's token. */
async function startOurCoreDns(name: string, ip: string, text: string, identity = serviceAccountIdentity(kubeconfig, 'kube-system', 'coredns')): Promise<CoreDnsServer> {
  const pod = network.pods.get(name) ?? addPod(network, name, ip, OUTSIDE.upstream);
  const server = startCoreDns({ ns: pod, dir, name, corefile: text, api: await apiIn(network, pod), identity });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  requireNetnsSupport(['dig', 'curl', 'socat']);
  kubeconfig = cluster().kubeconfig;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-coredns-'));
  const dist = synthConfig('coredns', CLUSTER_YAML);
  objects = objectsIn(dist);
  corefile = findObject(objects, 'ConfigMap', 'coredns').data.Corefile;
  const container = findObject(objects, 'Deployment', 'coredns').spec.template.spec.containers[0];
  probes = {
    health: { port: portOf(container, container.livenessProbe.httpGet.port), path: container.livenessProbe.httpGet.path },
    ready: { port: portOf(container, container.readinessProbe.httpGet.port), path: container.readinessProbe.httpGet.path },
    metrics: portOf(container, 'metrics'),
  };
  applyFile(kubeconfig, path.join(dist, 'coredns.k8s.yaml'));
  // a headless Service with two pods, for its A and SRV records
  kubectlOk(kubeconfig, ['create', 'namespace', 'dns-e2e']);
  kubectlOk(kubeconfig, ['create', 'deployment', 'web', '-n', 'dns-e2e', '--image=registry.k8s.io/pause:3.10', '--replicas=2']);
  const headless = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'dns-e2e' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } };
  kubectlOk(kubeconfig, ['apply', '-f', '-'], JSON.stringify(headless));
  dnsPods = await waitServedPods(kubeconfig, 'kube-system', 'k8s-app=kube-dns', 'kube-dns', 2);
  webPods = await waitServedPods(kubeconfig, 'dns-e2e', 'app=web', 'web', 2);

  network = await startDnsNetwork(path.join(dir, 'net'), kubeconfig);
  client = addPod(network, 'client', CLIENT_IP, dnsIP());
  for (const [i, pod] of dnsPods.entries()) await startOurCoreDns(`coredns-${i}`, pod.ip, corefile);
  for (const [i, s] of servers.entries()) await waitCoreDnsReady(s, `http://${dnsPods[i].ip}:${probes.ready.port}${probes.ready.path}`);
}, 240_000);

afterAll(() => {
  if (network) stopDnsNetwork(network);
  kubectl(kubeconfig, ['delete', 'namespace', 'dns-e2e', '--ignore-not-found', '--wait=false']);
  if (dir && !process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});

describe('CoreDNS on our Corefile', () => {
  test('our config pins the CoreDNS kubeadm pins for the tier, and the tier runs that release', () => {
    const image = findObject(objects, 'Deployment', 'coredns').spec.template.spec.containers[0].image;
    const listed = kubeadm(['config', 'images', 'list', `--kubernetes-version=${tierVersions().kubernetes}`], 20_000);
    expect(listed.status).toBe(0);
    expect(listed.stdout.split('\n')).toContain(image);
    // one CoreDNS build serves both tiers: the older tier (1.30, v1.11.3) runs the default tier's release
    const built = versions().COREDNS_VERSION;
    if (tierVersions().kubernetes === versions().KUBERNETES_VERSION) expect(image).toBe(`registry.k8s.io/coredns/coredns:${built}`);
    expect(coreDnsLog(servers[0])).toContain(`CoreDNS-${built.slice(1)}`);
  });

  test('kubernetes.default and kube-dns resolve to the first service IP and the DNS IP, with our TTL', () => {
    const domain = 'cluster.local';
    const api = ask(`kubernetes.default.svc.${domain}`);
    expect(api.status).toBe('NOERROR');
    expect(api.answers.map((a) => a.data)).toEqual(['10.96.0.1']);
    expect(api.answers[0].ttl).toBe(30);
    expect(ask(`kube-dns.kube-system.svc.${domain}`).answers.map((a) => a.data)).toEqual([dnsIP()]);
  });

  test('a headless Service gives its pods as A records and its port as SRV records', () => {
    const a = ask('web.dns-e2e.svc.cluster.local');
    expect(a.answers.map((x) => x.data).sort()).toEqual(webPods.map((p) => p.ip).sort());
    const srv = ask('_http._tcp.web.dns-e2e.svc.cluster.local', 'SRV');
    expect(srv.status).toBe('NOERROR');
    expect(srv.answers).toHaveLength(2);
    for (const record of srv.answers) expect(record.data).toMatch(/^0 50 80 [0-9-]+\.web\.dns-e2e\.svc\.cluster\.local\.$/);
  });

  test('pod A records follow `pods insecure`: the dashed IP answers, whether or not such a pod exists', () => {
    const dashed = (ip: string) => ip.replace(/\./g, '-');
    expect(ask(`${dashed(webPods[0].ip)}.dns-e2e.pod.cluster.local`).answers.map((a) => a.data)).toEqual([webPods[0].ip]);
    // insecure mode does not look the pod up; `verified` would answer NXDOMAIN here
    expect(ask('10-244-254-1.dns-e2e.pod.cluster.local').answers.map((a) => a.data)).toEqual(['10.244.254.1']);
  });

  test('a Service IP has a PTR record', () => {
    const reverse = `${dnsIP().split('.').reverse().join('.')}.in-addr.arpa`;
    const ptr = dig(client, dnsPods[0].ip, reverse, 'PTR');
    expect(ptr.answers.map((a) => a.data)).toEqual(['kube-dns.kube-system.svc.cluster.local.']);
  });

  test('a stub-domain name is answered by the stub server, an external one by the upstream', () => {
    const stubBefore = requestsAt(network.outside, OUTSIDE.stub);
    const upstreamBefore = requestsAt(network.outside, OUTSIDE.upstream);
    expect(ask(`db.${OUTSIDE.stubZone}`).answers.map((a) => a.data)).toEqual([OUTSIDE.db]);
    expect(requestsAt(network.outside, OUTSIDE.stub)).toBe(stubBefore + 1);
    expect(requestsAt(network.outside, OUTSIDE.upstream)).toBe(upstreamBefore);
    expect(ask(`www.${OUTSIDE.externalZone}`).answers.map((a) => a.data)).toEqual([OUTSIDE.www]);
    expect(requestsAt(network.outside, OUTSIDE.upstream)).toBe(upstreamBefore + 1);
  });

  test('unknown names get NXDOMAIN, inside the cluster domain and outside it', () => {
    expect(ask('nope.default.svc.cluster.local').status).toBe('NXDOMAIN');
    expect(ask('no-such-namespace.svc.cluster.local').status).toBe('NXDOMAIN');
    expect(ask(`nope.${OUTSIDE.externalZone}`).status).toBe('NXDOMAIN');
  });

  test('external answers are cached for at most 30 s; cluster answers are not cached (kubeadm 1.33+)', () => {
    const server = dnsPods[1].ip;
    const pod = servers[1].ns;
    const hits = () => metricSum(pod, metricsUrl(server), 'coredns_cache_hits_total');
    const upstream = () => requestsAt(network.outside, OUTSIDE.upstream);
    const name = `www.${OUTSIDE.externalZone}`;
    const before = { hits: hits(), upstream: upstream() };
    const first = ask(name, 'A', server);
    const second = ask(name, 'A', server);
    // the upstream's zone says 300 s; `cache 30` caps what is kept and what clients are told
    expect(first.answers[0].ttl).toBeLessThanOrEqual(30);
    expect(second.answers[0].ttl).toBeLessThanOrEqual(first.answers[0].ttl);
    expect(upstream() - before.upstream).toBeLessThanOrEqual(1);
    expect(hits()).toBeGreaterThan(before.hits);
    const clusterHits = hits();
    ask('kubernetes.default.svc.cluster.local', 'A', server);
    ask('kubernetes.default.svc.cluster.local', 'A', server);
    expect(hits()).toBe(clusterHits);
  });

  test('/health, /ready and metrics answer on the ports our probes and port list name', () => {
    const pod = servers[0].ns;
    const ip = dnsPods[0].ip;
    expect(httpGetIn(pod, `http://${ip}:${probes.health.port}${probes.health.path}`).code).toBe(200);
    expect(httpGetIn(pod, `http://${ip}:${probes.ready.port}${probes.ready.path}`).code).toBe(200);
    expect(probes).toEqual({ health: { port: 8080, path: '/health' }, ready: { port: 8181, path: '/ready' }, metrics: 9153 });
    expect(metricSum(pod, metricsUrl(ip), 'coredns_build_info')).toBe(1);
  });

  test('a custom dnsDomain answers under that domain and no longer under cluster.local', async () => {
    const custom = findObject(objectsIn(synthConfig('coredns-domain', `networking:\n  dnsDomain: ${CUSTOM_DOMAIN}\n`)), 'ConfigMap', 'coredns').data.Corefile;
    expect(custom).toContain(`kubernetes ${CUSTOM_DOMAIN} in-addr.arpa ip6.arpa`);
    const ip = '10.244.255.240';
    const server = await startOurCoreDns('coredns-domain', ip, custom);
    await waitCoreDnsReady(server, `http://${ip}:${probes.ready.port}/ready`);
    // bounded wait for the first answer: a loaded CI machine once got none right after /ready
    await waitAnswers(server, ip, `kubernetes.default.svc.${CUSTOM_DOMAIN}`);
    expect(ask(`kubernetes.default.svc.${CUSTOM_DOMAIN}`, 'A', ip).answers.map((a) => a.data)).toEqual(['10.96.0.1']);
    // cluster.local is just another external name now: the upstream is not authoritative for it (an answer, not a timeout)
    const old = ask('kubernetes.default.svc.cluster.local', 'A', ip);
    expect({ status: old.status, answers: old.answers }).toEqual({ status: expect.stringMatching(/^(NXDOMAIN|NOERROR|REFUSED)$/), answers: [] });
  });

  test("kubeadm's kube-dns migration: stub domains and upstream servers from a kube-dns ConfigMap answer the same names", async () => {
    const migrated = migrateKubeDnsConfigMap(
      { stubDomains: JSON.stringify({ [OUTSIDE.stubZone]: [OUTSIDE.stub] }), upstreamNameservers: JSON.stringify([OUTSIDE.upstream]) },
      { domain: 'cluster.local', kubernetesMinor: 35 },
    );
    const ip = '10.244.255.241';
    const server = await startOurCoreDns('coredns-migrated', ip, renderCorefile(migrated.corefile));
    await waitCoreDnsReady(server, `http://${ip}:${probes.ready.port}/ready`);
    expect(ask(`db.${OUTSIDE.stubZone}`, 'A', ip).answers.map((a) => a.data)).toEqual([OUTSIDE.db]);
    expect(ask(`www.${OUTSIDE.externalZone}`, 'A', ip).answers.map((a) => a.data)).toEqual([OUTSIDE.www]);
    expect(ask('kube-dns.kube-system.svc.cluster.local', 'A', ip).answers.map((a) => a.data)).toEqual([dnsIP()]);
  });

  test('a CoreDNS that cannot start on a Corefile fails the wait with its own error', async () => {
    const broken = `${corefile.replace('loadbalance', 'loadbalance\n        no_such_plugin')}`;
    const server = await startOurCoreDns('coredns-broken', '10.244.255.242', broken);
    await expect(waitCoreDnsReady(server, `http://10.244.255.242:${probes.ready.port}/ready`, 15_000)).rejects.toThrow(/exited 1[\s\S]*Unknown directive 'no_such_plugin'/);
    servers.splice(servers.indexOf(server), 1);
  });

  test('the loop plugin did not trip and every server is still running', () => {
    for (const s of servers) {
      expect(coreDnsDied(s)).toBeUndefined();
      expect(coreDnsLog(s)).not.toMatch(/Loop \(.*\) detected/);
    }
  });
});

describe('our ClusterRole is what CoreDNS needs', () => {
  const role = () => findObject(objects, 'ClusterRole', 'system:coredns');
  const grants = () => role().rules.flatMap((r: any) => r.resources.map((res: string) => ({ group: (r.apiGroups ?? [''])[0], resource: res })));

  /** What the API server answered this ServiceAccount, from its audit log: `<verb> <resource> <code>` lines. */
  function auditedAnswers(user: string): string[] {
    const plane = readControlPlane(cluster().dir);
    const log = plane.pods.find((p) => p.program === 'kube-apiserver')!.command.find((a) => a.startsWith('--audit-log-path='))!.split('=')[1];
    return fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes(user))
      .map((l) => JSON.parse(l))
      .filter((e) => e.user?.username === user)
      .map((e) => `${e.verb} ${e.objectRef?.resource} ${e.responseStatus?.code}`);
  }

  test.each([
    ['', 'services'],
    ['', 'namespaces'],
    ['discovery.k8s.io', 'endpointslices'],
  ])('without %s/%s the API server refuses CoreDNS (403), CoreDNS logs "Failed to watch" and never becomes ready', async (group, resource) => {
    expect(grants()).toContainEqual({ group, resource });
    const name = `coredns-no-${resource}`;
    const ablated = ablatedServiceAccount(kubeconfig, role(), group, [resource], name);
    try {
      const ip = `10.244.255.${220 + grants().findIndex((g: any) => g.resource === resource)}`;
      const server = await startOurCoreDns(name, ip, corefile, ablated.identity);
      // CoreDNS 1.13's klog adapter prints the reflector's message without its error: the 403 is in the audit log
      await waitLog(server, /Failed to watch/, 30_000);
      await waitLog(server, /starting server with unsynced Kubernetes API/, 30_000);
      const user = `system:serviceaccount:kube-system:${name}`;
      await waitFor(`a 403 for ${user} in the audit log`, () => auditedAnswers(user).includes(`list ${resource} 403`), 10_000);
      expect(auditedAnswers(user).filter((a) => a.endsWith(' 403')).every((a) => a === `list ${resource} 403`)).toBe(true);
      expect(httpGetIn(server.ns, `http://${ip}:${probes.ready.port}/ready`).code).toBe(503);
    } finally {
      ablated.cleanup();
    }
  });

  test('kubeadm also grants endpoints and pods; with `pods insecure` CoreDNS is ready and answers without them', () => {
    // the servers of the first describe run under exactly our role: no 403 for them in the audit log
    expect(grants()).toEqual([
      { group: '', resource: 'services' },
      { group: '', resource: 'namespaces' },
      { group: 'discovery.k8s.io', resource: 'endpointslices' },
    ]);
    expect(auditedAnswers('system:serviceaccount:kube-system:coredns').filter((a) => a.endsWith(' 403'))).toEqual([]);
    expect(auditedAnswers('system:serviceaccount:kube-system:coredns').some((a) => a.startsWith('watch endpointslices'))).toBe(true);
  });
});

afterAll(() => {
  // runs after the clean-up above: no namespace of this file is left
  expect(liveNetns()).toEqual([]);
});

