import * as fs from 'fs';
import * as path from 'path';
import { createNetns, deleteNetns, execIn, type Netns } from './netns';
import { onNode, type PodNetworkNode } from './pod-network';
import { toolsDir } from './tools';

/**
 * Pods the way a container runtime makes them: a network namespace, then the CNI conflist on the node (ours,
 * installed by our DaemonSet's install-cni step) run by cnitool with the real plugins (flannel -> bridge +
 * host-local, portmap). cnitool reads the conflist from /etc/cni/net.d in the node's mount namespace.
 */

export const CNI_CONF_DIR = '/etc/cni/net.d';

function cniBin(): { cnitool: string; pluginDir: string } {
  const bin = path.join(toolsDir(), 'bin');
  const cnitool = path.join(bin, 'cnitool');
  for (const f of [cnitool, path.join(bin, 'cni', 'flannel'), path.join(bin, 'cni', 'bridge')]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`bash test/e2e/setup-tools.sh\` first`);
  }
  return { cnitool, pluginDir: path.join(bin, 'cni') };
}

export interface CniPod {
  readonly name: string;
  readonly node: PodNetworkNode;
  readonly ns: Netns;
  readonly ip: string;
  readonly gateway: string;
  /** The CNI result cnitool printed (the runtime's view of the pod's network). */
  readonly result: any;
}

function cnitool(node: PodNetworkNode, verb: 'add' | 'del', network: string, ns: Netns) {
  const { cnitool: bin, pluginDir } = cniBin();
  return onNode(node, 'env', [`CNI_PATH=${pluginDir}`, `NETCONFPATH=${CNI_CONF_DIR}`, bin, verb, network, `/run/netns/${ns.name}`], 30_000);
}

/** A pod namespace on `node`, wired by CNI ADD of the conflist named `network` (ours: cbr0). */
export function addCniPod(node: PodNetworkNode, name: string, network: string, nameserver?: string): CniPod {
  const ns = createNetns('p', nameserver);
  const r = cnitool(node, 'add', network, ns);
  if (r.status !== 0) {
    deleteNetns(ns);
    throw new Error(`CNI ADD of ${network} for pod ${name} on ${node.name} failed (${r.command}):\n${r.stdout}${r.stderr}`);
  }
  const result = JSON.parse(r.stdout);
  const ip4 = (result.ips ?? []).find((i: any) => !String(i.address).includes(':'));
  if (!ip4) throw new Error(`CNI ADD for pod ${name} returned no IPv4 address: ${r.stdout}`);
  return { name, node, ns, ip: ip4.address.split('/')[0], gateway: ip4.gateway, result };
}

/** CNI DEL (the runtime's tear-down: IP released, veth removed), then the namespace. */
export function removeCniPod(pod: CniPod, network: string): void {
  const r = cnitool(pod.node, 'del', network, pod.ns);
  deleteNetns(pod.ns);
  if (r.status !== 0) throw new Error(`CNI DEL of ${network} for pod ${pod.name} failed (${r.command}):\n${r.stdout}${r.stderr}`);
}

/** `ping` from a pod: bounded count and time. `size` with `dontFragment` probes the path MTU. */
export function ping(from: Netns, to: string, options: { count?: number; size?: number; dontFragment?: boolean } = {}) {
  const args = ['-n', '-c', String(options.count ?? 2), '-i', '0.2', '-W', '2'];
  if (options.size !== undefined) args.push('-s', String(options.size));
  if (options.dontFragment) args.push('-M', 'do');
  return execIn(from, 'ping', [...args, to], 15_000);
}

/** One TCP connection from a pod: what the server sent back ('' when it could not connect), bounded at 3 s. */
export function tcpHello(from: Netns, to: string, port: number): string {
  const r = execIn(from, 'socat', ['-T', '3', '-', `TCP:${to}:${port},connect-timeout=3`], 6_000, '');
  return r.status === 0 ? r.stdout.trim() : '';
}
