import * as fs from 'fs';
import * as path from 'path';
import { bridgeApiInto, startApiSocket, type ApiBridge } from './api-bridge';
import { startCoreDns, waitAnswers, type CoreDnsServer } from './coredns';
import { connect, createNetns, deleteNetns, ipIn, sysctlIn, type Netns } from './netns';
import { stopProcesses } from './processes';

/**
 * The DNS tests' network, all of it namespaces this test creates:
 *
 *   outside (192.0.2.0/24, TEST-NET-1): the "internet" upstream resolver and a stub-domain server, both CoreDNS
 *      with zone files of the test's own
 *   node: a Linux node; routes to every pod, forwards between pods and outside; kube-proxy and node-cache run here
 *   pods: one namespace per pod at the IP the API gives it, wired like a routed CNI (a /32 on eth0, the default
 *      route via 169.254.1.1, which the node holds on every pod link)
 *
 * Every resolv.conf names a server of this network, so nothing reads the machine's own resolver.
 */
export const OUTSIDE = {
  node: '192.0.2.1',
  upstream: '192.0.2.53',
  stub: '192.0.2.54',
  /** what the upstream's zone answers for www.example.org */
  www: '192.0.2.80',
  /** what the stub server's zone answers for db.corp.example */
  db: '192.0.2.81',
  stubZone: 'corp.example',
  externalZone: 'example.org',
} as const;
const POD_GATEWAY = '169.254.1.1';

export interface DnsNetwork {
  readonly dir: string;
  readonly outside: Netns;
  readonly node: Netns;
  readonly pods: Map<string, Netns>;
  readonly upstream: CoreDnsServer;
  readonly stub: CoreDnsServer;
  /** the root-side end of the API bridges */
  readonly apiSocket: string;
  readonly pids: number[];
}

function zoneFile(zone: string, records: readonly string[]): string {
  return [`$ORIGIN ${zone}.`, `@ 3600 IN SOA ns.${zone}. admin.${zone}. 1 7200 3600 1209600 3600`, `@ 3600 IN NS ns.${zone}.`, ...records, ''].join('\n');
}

function authoritative(dir: string, name: string, zone: string, address: string, records: readonly string[]): string {
  const file = path.join(dir, `${name}.zone`);
  fs.writeFileSync(file, zoneFile(zone, records));
  return [`${zone}:53 {`, `    bind ${address}`, `    file ${file}`, `    prometheus ${address}:9153`, `    errors`, `}`, ''].join('\n');
}

export interface DnsNetworkOptions {
  /** Extra records of the upstream's zone (the benchmark adds a wildcard, so every distinct name is answered). */
  readonly upstreamRecords?: readonly string[];
  /** The core the upstream and stub servers are pinned to (the benchmark's server core). */
  readonly cpu?: number;
}

/** The outside network and the node, with the upstream and stub servers answering. */
export async function startDnsNetwork(dir: string, kubeconfig: string, options: DnsNetworkOptions = {}): Promise<DnsNetwork> {
  fs.mkdirSync(dir, { recursive: true });
  const pids: number[] = [];
  const outside = createNetns('out', OUTSIDE.upstream);
  const node = createNetns('node', OUTSIDE.upstream);
  const network: DnsNetwork = { dir, outside, node, pods: new Map(), upstream: undefined!, stub: undefined!, apiSocket: '', pids };
  try {
    connect({ ns: node, ifname: 'eth0', address: `${OUTSIDE.node}/24` }, { ns: outside, ifname: 'eth0', address: `${OUTSIDE.upstream}/24` });
    ipIn(outside, ['addr', 'add', `${OUTSIDE.stub}/24`, 'dev', 'eth0']);
    ipIn(outside, ['route', 'add', '10.0.0.0/8', 'via', OUTSIDE.node]);
    sysctlIn(node, 'net.ipv4.ip_forward', '1');
    const upstream = startCoreDns({
      ns: outside,
      dir,
      name: 'upstream',
      corefile: authoritative(dir, 'upstream', OUTSIDE.externalZone, OUTSIDE.upstream, [`www 300 IN A ${OUTSIDE.www}`, ...(options.upstreamRecords ?? [])]),
      cpu: options.cpu,
    });
    const stub = startCoreDns({ ns: outside, dir, name: 'stub', corefile: authoritative(dir, 'stub', OUTSIDE.stubZone, OUTSIDE.stub, [`db 300 IN A ${OUTSIDE.db}`]), cpu: options.cpu });
    Object.assign(network, { upstream, stub, apiSocket: startApiSocket(kubeconfig, dir, pids) });
    await waitAnswers(upstream, OUTSIDE.upstream, `www.${OUTSIDE.externalZone}`);
    await waitAnswers(stub, OUTSIDE.stub, `db.${OUTSIDE.stubZone}`);
    return network;
  } catch (e) {
    stopDnsNetwork(network);
    throw e;
  }
}

/** A pod namespace at `ip` on the node; `nameserver` is what its resolv.conf names. */
export function addPod(network: DnsNetwork, name: string, ip: string, nameserver: string): Netns {
  const pod = createNetns('pod', nameserver);
  const hostIf = `cali${network.pods.size}`;
  connect({ ns: network.node, ifname: hostIf, address: `${POD_GATEWAY}/32` }, { ns: pod, ifname: 'eth0', address: `${ip}/32` });
  ipIn(network.node, ['route', 'add', `${ip}/32`, 'dev', hostIf]);
  ipIn(pod, ['route', 'add', `${POD_GATEWAY}/32`, 'dev', 'eth0']);
  ipIn(pod, ['route', 'add', 'default', 'via', POD_GATEWAY]);
  network.pods.set(name, pod);
  return pod;
}

/** A bridge to the API server inside `ns` (see api-bridge.ts). */
export function apiIn(network: DnsNetwork, ns: Netns): Promise<ApiBridge> {
  return bridgeApiInto(ns, network.apiSocket, network.dir);
}

/** Stops every program and deletes every namespace of the network, pods first. */
export function stopDnsNetwork(network: DnsNetwork): void {
  for (const pod of network.pods.values()) deleteNetns(pod);
  network.pods.clear();
  deleteNetns(network.node);
  deleteNetns(network.outside);
  stopProcesses(network.pids);
}
