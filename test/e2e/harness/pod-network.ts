import * as fs from 'fs';
import * as path from 'path';
import { startApiSocket } from './api-bridge';
import { kubectl, kubectlOk } from './kubectl';
import { connect, createNetns, deleteNetns, ipIn, run, runOk, startInNetns, type Netns } from './netns';
import { stopProcesses, waitFor, waitReady, type StartedProcess } from './processes';
import type { CommandResult } from './kubeadm';

/**
 * The pod network's machines, all of them namespaces this test creates:
 *
 *   underlay: a bridge (198.51.100.1/24, TEST-NET-2) that every node's eth0 is plugged into, standing for the
 *      data-centre network; it forwards nothing further, so nothing leaves the test's namespaces
 *   node-<i>: a Linux node at 198.51.100.1<i>, default route via the underlay bridge (flanneld picks the
 *      interface of the default route, as on a real node). Each node also has its own mount namespace, so
 *      /etc/kube-flannel, /run/flannel, /etc/cni/net.d and /var/lib/cni are the node's own while keeping
 *      the paths our manifests name.
 *
 * Each node is a Node object outside KWOK's management (no kwok annotation): the real kube-controller-manager
 * (`--allocate-node-cidrs`, which kubeadm sets from our podSubnet) gives it its podCIDR, flanneld reads it.
 */
export const UNDERLAY = { gateway: '198.51.100.1', prefix: 24, nodeAddress: (i: number) => `198.51.100.${10 + i}` } as const;

/** The node-local folders our manifests name; each node gets a tmpfs over each, in its own mount namespace. */
export const NODE_PRIVATE_DIRS = ['/etc/kube-flannel', '/run/flannel', '/etc/cni/net.d', '/var/lib/cni'] as const;

export interface PodNetworkNode {
  readonly name: string;
  readonly index: number;
  readonly ns: Netns;
  readonly address: string;
  /** A process that holds the node's mount namespace; `onNode` enters it. */
  readonly holder: StartedProcess;
}

export interface PodNetwork {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly underlay: Netns;
  readonly nodes: PodNetworkNode[];
  readonly apiSocket: string;
  readonly pids: number[];
  /** Mount points this run had to create on the machine (removed again at the end). */
  readonly createdDirs: string[];
}

/** Runs a command on a node: in its network and mount namespaces. */
export function onNode(node: PodNetworkNode, command: string, args: readonly string[], timeoutMs = 20_000, input?: string): CommandResult {
  return run('nsenter', [`--target=${node.holder.pid}`, '--mount', '--net', command, ...args], timeoutMs, input);
}

export function onNodeOk(node: PodNetworkNode, command: string, args: readonly string[], timeoutMs = 20_000, input?: string): string {
  const r = onNode(node, command, args, timeoutMs, input);
  if (r.status !== 0) throw new Error(`on ${node.name}: ${r.command} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Writes a file inside the node's mount namespace (one of NODE_PRIVATE_DIRS), byte for byte. */
export function writeOnNode(node: PodNetworkNode, file: string, content: string): void {
  onNodeOk(node, 'sh', ['-c', 'mkdir -p "$(dirname "$1")" && cat > "$1"', 'sh', file], 10_000, content);
}

export function readOnNode(node: PodNetworkNode, file: string): string | undefined {
  const r = onNode(node, 'cat', [file], 10_000);
  return r.status === 0 ? r.stdout : undefined;
}

function nodeObject(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    // no kwok.x-k8s.io/node annotation: KWOK leaves these nodes alone; flanneld writes their annotations
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'cluster-bootstrap.e2e/pod-network': 'true' } },
  };
}

/** The podCIDR the controller-manager gave a node ('' while it has none). */
export function nodePodCidr(kubeconfig: string, name: string): string {
  const r = kubectl(kubeconfig, ['get', 'node', name, '-o', 'jsonpath={.spec.podCIDR}']);
  return r.status === 0 ? r.stdout.trim() : '';
}

/**
 * The underlay and `count` nodes, each registered as a Node and given its podCIDR by the real
 * kube-controller-manager. `prefix` names the Node objects (unique per scenario, so scenarios never share one).
 */
export async function startPodNetwork(dir: string, kubeconfig: string, prefix: string, count = 3): Promise<PodNetwork> {
  fs.mkdirSync(dir, { recursive: true });
  const network: PodNetwork = { dir, kubeconfig, underlay: undefined!, nodes: [], apiSocket: '', pids: [], createdDirs: [] };
  try {
    for (const d of NODE_PRIVATE_DIRS) {
      if (!fs.existsSync(d)) {
        // the outermost folder this run creates, so clean-up removes exactly what it added
        let created: string = d;
        while (!fs.existsSync(path.dirname(created))) created = path.dirname(created);
        fs.mkdirSync(d, { recursive: true });
        network.createdDirs.push(created);
      }
    }
    const underlay = createNetns('und');
    Object.assign(network, { underlay });
    ipIn(underlay, ['link', 'add', 'br0', 'type', 'bridge']);
    ipIn(underlay, ['addr', 'add', `${UNDERLAY.gateway}/${UNDERLAY.prefix}`, 'dev', 'br0']);
    ipIn(underlay, ['link', 'set', 'br0', 'up']);
    for (let i = 0; i < count; i++) {
      const name = `${prefix}-${i}`;
      const ns = createNetns(`n${i}`);
      const address = UNDERLAY.nodeAddress(i);
      connect({ ns, ifname: 'eth0', address: `${address}/${UNDERLAY.prefix}` }, { ns: underlay, ifname: `port${i}` });
      ipIn(underlay, ['link', 'set', `port${i}`, 'master', 'br0']);
      ipIn(ns, ['route', 'add', 'default', 'via', UNDERLAY.gateway]);
      // slave propagation: pod namespaces created later (bind mounts under /run/netns) show up on the node, while
      // the node's own tmpfs mounts never reach the machine
      const mounts = NODE_PRIVATE_DIRS.map((d) => `mount -t tmpfs -o mode=0755 cb-node ${d}`).join('; ');
      const holder = startInNetns(ns, `node-${name}`, 'unshare', ['--mount', '--propagation', 'slave', 'sh', '-c', `set -e; ${mounts}; echo ready; exec sleep 86400`], path.join(dir, `${name}-holder.log`));
      network.pids.push(holder.pid);
      await waitReady(holder, `the mount namespace of ${name}`, () => fs.readFileSync(holder.log, 'utf8').includes('ready'), 10_000);
      network.nodes.push({ name, index: i, ns, address, holder });
    }
    Object.assign(network, { apiSocket: startApiSocket(kubeconfig, dir, network.pids) });
    kubectlOk(kubeconfig, ['apply', '-f', '-'], network.nodes.map((n) => JSON.stringify(nodeObject(n.name))).join('\n'));
    // what a kubelet reports first: the node's addresses (programs that look a node up by name read its InternalIP)
    for (const n of network.nodes) {
      const status = { status: { addresses: [{ type: 'InternalIP', address: n.address }, { type: 'Hostname', address: n.name }] } };
      kubectlOk(kubeconfig, ['patch', 'node', n.name, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    }
    await waitFor(`podCIDRs from kube-controller-manager for ${network.nodes.map((n) => n.name).join(', ')}`, () => network.nodes.every((n) => nodePodCidr(kubeconfig, n.name) !== ''), 30_000);
    return network;
  } catch (e) {
    stopPodNetwork(network);
    throw e;
  }
}

/** A node's VXLAN device as the kernel reports it (`ip -d -j link show`). */
export interface VxlanDevice {
  readonly name: string;
  readonly mtu: number;
  readonly vni: number;
  readonly port: number;
  readonly local: string;
  readonly txPackets: number;
  readonly rxPackets: number;
}

export function vxlanDevice(node: PodNetworkNode, name: string): VxlanDevice | undefined {
  const r = run('ip', ['-n', node.ns.name, '-d', '-s', '-j', 'link', 'show', name]);
  if (r.status !== 0) return undefined;
  const [link] = JSON.parse(r.stdout);
  const info = link.linkinfo?.info_data ?? {};
  return { name, mtu: link.mtu, vni: info.id, port: info.port, local: info.local, txPackets: link.stats64?.tx?.packets ?? 0, rxPackets: link.stats64?.rx?.packets ?? 0 };
}

/** The routes of a node's main table, as `ip -j route` objects. */
export function routes(node: PodNetworkNode): { dst: string; gateway?: string; dev: string }[] {
  return JSON.parse(runOk('ip', ['-n', node.ns.name, '-j', 'route', 'show']));
}

/** Deletes the Node objects, stops every program and removes every namespace and mount point of the network. */
export function stopPodNetwork(network: PodNetwork): void {
  if (network.nodes.length) kubectl(network.kubeconfig, ['delete', 'node', '--ignore-not-found', '--wait=false', ...network.nodes.map((n) => n.name)]);
  for (const node of network.nodes) deleteNetns(node.ns);
  network.nodes.length = 0;
  if (network.underlay) deleteNetns(network.underlay);
  stopProcesses(network.pids);
  for (const d of network.createdDirs.reverse()) fs.rmSync(d, { recursive: true, force: true });
}
