import * as path from 'path';
import { addCniPod, removeCniPod, tcpHello, type CniPod } from './cni';
import { serviceAccountIdentity } from './dns-cluster';
import { flannelManifests, startFlannel, stopFlannel, type FlannelManifests, type RunningFlannel } from './flannel';
import { kubectl, kubectlOk } from './kubectl';
import { startInNetns } from './netns';
import { onNode, startPodNetwork, stopPodNetwork, type PodNetwork, type PodNetworkNode } from './pod-network';
import { waitFor } from './processes';

/**
 * A running overlay: the pod-network nodes (pod-network.ts), our node sysctls applied, flanneld on each node
 * (flannel.ts) and pods made by CNI (cni.ts). The scenarios of the pod-network and policy suites start from here.
 */

export interface Overlay {
  readonly network: PodNetwork;
  readonly manifests: FlannelManifests;
  readonly flannels: RunningFlannel[];
  readonly pods: CniPod[];
  readonly dist: string;
  /** The CNI network name of our conflist (cbr0). */
  readonly cniNetwork: string;
}

/**
 * Our flannel objects but the DaemonSet (no kubelet would run its Pods here): Namespace, ServiceAccount, RBAC and
 * ConfigMap, applied per scenario (the same objects; apply is idempotent) and deleted at the end when they were
 * not there before.
 */
export class FlannelObjects {
  private readonly applied = new Map<string, any>();
  private namespaceExisted: boolean | undefined;

  constructor(private readonly kubeconfig: string) {}

  apply(manifests: FlannelManifests): void {
    this.namespaceExisted ??= kubectl(this.kubeconfig, ['get', 'namespace', manifests.namespace]).status === 0;
    kubectlOk(this.kubeconfig, ['apply', '-f', '-'], manifests.supportObjects.map((o) => JSON.stringify(o)).join('\n'));
    for (const o of manifests.supportObjects) this.applied.set(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
  }

  async deleteAll(): Promise<void> {
    if (this.namespaceExisted !== false) return;
    const objects = [...this.applied.values()].reverse();
    for (const o of objects) kubectl(this.kubeconfig, ['delete', '--ignore-not-found', '--wait=false', o.kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : [])]);
    const namespace = objects.find((o) => o.kind === 'Namespace');
    if (namespace) await waitFor(`namespace ${namespace.metadata.name} to go`, () => kubectl(this.kubeconfig, ['get', 'namespace', namespace.metadata.name]).status !== 0, 60_000);
    this.applied.clear();
  }
}

/** The nodes, our node-preparation sysctls on each (as `sysctl --system` applies them at boot), flanneld on each. */
export async function startOverlay(options: { name: string; dist: string; dir: string; kubeconfig: string; objects: FlannelObjects; vni: number }): Promise<Overlay> {
  const manifests = flannelManifests(options.dist);
  options.objects.apply(manifests);
  const network = await startPodNetwork(options.dir, options.kubeconfig, `pn-${options.name}`);
  const overlay: Overlay = { network, manifests, flannels: [], pods: [], dist: options.dist, cniNetwork: JSON.parse(manifests.configFiles['cni-conf.json']).name };
  try {
    const sysctls = path.join(options.dist, 'node', 'linux', 'sysctl.d', '90-cluster-bootstrap-flannel.conf');
    for (const node of network.nodes) {
      const r = onNode(node, 'sysctl', ['-p', sysctls]);
      if (r.status !== 0) throw new Error(`sysctl -p ${sysctls} on ${node.name} exited ${r.status}: ${r.stderr}`);
    }
    const identity = serviceAccountIdentity(options.kubeconfig, manifests.namespace, manifests.serviceAccount);
    for (const node of network.nodes) overlay.flannels.push(await startFlannel(network, node, manifests, identity, options.vni));
    return overlay;
  } catch (e) {
    stopOverlay(overlay);
    throw e;
  }
}

/** A pod by CNI ADD on `node`, with a TCP listener on each port that answers with the pod's name. */
export async function addListeningPod(overlay: Overlay, node: PodNetworkNode, name: string, ports: readonly number[]): Promise<CniPod> {
  const pod = addCniPod(node, name, overlay.cniNetwork);
  overlay.pods.push(pod);
  for (const port of ports) {
    const listener = startInNetns(pod.ns, `listener-${name}-${port}`, 'socat', [`TCP-LISTEN:${port},fork,reuseaddr`, `SYSTEM:echo ${name}`], path.join(overlay.network.dir, `${name}-${port}.log`));
    overlay.network.pids.push(listener.pid);
  }
  for (const port of ports) await waitFor(`${name} listening on ${port}`, () => tcpHello(pod.ns, '127.0.0.1', port) === name, 10_000);
  return pod;
}

/** How a CNI pod appears in the API: its Pod object's name, namespace, labels and named container ports. */
export interface PodObject {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ports?: readonly { readonly name: string; readonly port: number; readonly protocol?: string }[];
}

/** The harness as the kubelet: a Pod bound to the pod's node, its status carrying the IP CNI gave the namespace. */
export function registerPod(kubeconfig: string, pod: CniPod, object: PodObject): void {
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: object.name, namespace: object.namespace, ...(object.labels ? { labels: object.labels } : {}) },
    spec: {
      nodeName: pod.node.name,
      // the node lifecycle controller taints nodes without a kubelet; the Pod must stay for the test
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', ports: (object.ports ?? []).map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? 'TCP' })) }],
    },
  };
  kubectlOk(kubeconfig, ['apply', '-f', '-'], JSON.stringify(manifest));
  const status = { status: { phase: 'Running', podIP: pod.ip, podIPs: [{ ip: pod.ip }], hostIP: pod.node.address, hostIPs: [{ ip: pod.node.address }] } };
  kubectlOk(kubeconfig, ['patch', 'pod', object.name, '-n', object.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
}

/** CNI DEL of every pod, then flanneld, the nodes and the underlay. Throws (after cleaning up) if a DEL failed. */
export function stopOverlay(overlay: Overlay): void {
  const errors: string[] = [];
  for (const pod of overlay.pods.splice(0)) {
    try {
      removeCniPod(pod, overlay.cniNetwork);
    } catch (e) {
      errors.push(String(e));
    }
  }
  overlay.flannels.splice(0).forEach(stopFlannel);
  stopPodNetwork(overlay.network);
  if (errors.length) throw new Error(errors.join('\n'));
}
