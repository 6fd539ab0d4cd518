import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ping, tcpHello, type CniPod } from './harness/cni';
import { kubectl, kubectlOk } from './harness/kubectl';
import { addListeningPod, FlannelObjects, registerPod, startOverlay, stopOverlay, type Overlay } from './harness/overlay';
import { deleteAllNetns, execIn, liveNetns, requireNetnsSupport, startInNetns } from './harness/netns';
import { NODE_PRIVATE_DIRS, nodePodCidr, onNode, routes, vxlanDevice } from './harness/pod-network';
import { stopProcesses, waitFor } from './harness/processes';
import { cluster, synthConfig } from './support';

/**
 * The pod network for real: three Linux nodes (network + mount namespaces on one underlay bridge), registered
 * as Nodes that the real kube-controller-manager gives podCIDRs; flanneld at our pinned release on each, on
 * exactly our ConfigMap and DaemonSet (rewrites: host-rewrites.ts `flannelRewrites`); pods made by the real CNI
 * plugins from our conflist through cnitool; traffic only between these namespaces.
 */

const kubeconfig = cluster().kubeconfig;
const POD_CIDR = '10.244.0.0/16'; // the default config's pod network, which the tier's kubeadm gave the controller-manager
const LISTEN_PORT = 8080;

// mount points the harness creates on the machine (and removes) when they are not there already
const preexisting = new Set(NODE_PRIVATE_DIRS.filter((d) => fs.existsSync(d)));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-pod-network-'));
const flannelObjects = new FlannelObjects(kubeconfig);
let running: Overlay | undefined;

/** Synthesizes `clusterYaml` and starts the overlay with one pod per node, each listening on LISTEN_PORT. */
async function overlayWithPods(name: string, clusterYaml: string, vni: number): Promise<Overlay> {
  running = await startOverlay({ name, dist: synthConfig(name, clusterYaml), dir: path.join(work, name), kubeconfig, objects: flannelObjects, vni });
  for (const node of running.network.nodes) await addListeningPod(running, node, `pod-${node.index}`, [LISTEN_PORT]);
  return running;
}

// root, namespaces and the node tools; a missing one fails every test with what to install, never a skip
beforeAll(() => requireNetnsSupport(['nsenter', 'unshare', 'socat', 'ping', 'curl', 'iptables', 'sysctl']));
afterEach(() => {
  const overlay = running;
  running = undefined;
  if (overlay) stopOverlay(overlay);
});
afterAll(async () => {
  deleteAllNetns();
  await flannelObjects.deleteAll();
  fs.rmSync(work, { recursive: true, force: true });
});

function nodePairs(overlay: Overlay): [CniPod, CniPod][] {
  return overlay.pods.flatMap((a) => overlay.pods.filter((b) => b !== a).map((b) => [a, b] as [CniPod, CniPod]));
}

/** Every pod reaches every pod on the other nodes (ping and TCP, both directions); returns the failures. */
function crossNodeFailures(overlay: Overlay): string[] {
  const failures: string[] = [];
  for (const [a, b] of nodePairs(overlay)) {
    const p = ping(a.ns, b.ip);
    if (p.status !== 0) failures.push(`ping ${a.name} (${a.node.name}) -> ${b.name} ${b.ip}: ${p.stdout}${p.stderr}`);
    const hello = tcpHello(a.ns, b.ip, LISTEN_PORT);
    if (hello !== b.name) failures.push(`TCP ${a.name} -> ${b.ip}:${LISTEN_PORT} answered '${hello}', expected '${b.name}'`);
  }
  return failures;
}

interface OverlayCase {
  readonly name: string;
  readonly yaml: string;
  readonly vni: number;
  readonly port: number;
  /** MTU of the VXLAN device and of the pods' interfaces (underlay: 1500). */
  readonly mtu: number;
  readonly directRouting: boolean;
  readonly version: string;
}

const CASES: OverlayCase[] = [
  { name: 'default', yaml: '', vni: 1, port: 8472, mtu: 1450, directRouting: false, version: 'v0.28.9' },
  // the settings Windows nodes require, which the Linux nodes of a mixed cluster run too
  { name: 'windows-compatible', yaml: 'windows:\n  enabled: true\n', vni: 4096, port: 4789, mtu: 1450, directRouting: false, version: 'v0.28.9' },
  { name: 'direct-routing', yaml: 'components:\n  flannel:\n    vxlan:\n      directRouting: true\n', vni: 1, port: 8472, mtu: 1450, directRouting: true, version: 'v0.28.9' },
  { name: 'explicit-mtu', yaml: 'components:\n  flannel:\n    vxlan:\n      mtu: 1400\n', vni: 1, port: 8472, mtu: 1400, directRouting: false, version: 'v0.28.9' },
  { name: 'flannel-v0.27', yaml: 'components:\n  flannel:\n    version: v0.27.0\n', vni: 1, port: 8472, mtu: 1450, directRouting: false, version: 'v0.27.0' },
];

describe.each(CASES)('flannel overlay: $name (VNI $vni, port $port, MTU $mtu, flanneld $version)', (c) => {
  test('flanneld runs on our net-conf, makes the VXLAN device we configured and carries pod traffic between nodes', async () => {
    const overlay = await overlayWithPods(c.name, c.yaml, c.vni);
    expect(overlay.manifests.version).toBe(c.version);
    const netConf = JSON.parse(overlay.manifests.configFiles['net-conf.json']);
    expect(netConf.Network).toBe(POD_CIDR);

    for (const f of overlay.flannels) {
      const dev = vxlanDevice(f.node, `flannel.${c.vni}`)!;
      expect({ node: f.node.name, vni: dev.vni, port: dev.port, mtu: dev.mtu, local: dev.local }).toEqual({ node: f.node.name, vni: c.vni, port: c.port, mtu: c.mtu, local: f.node.address });
      const podCidr = nodePodCidr(kubeconfig, f.node.name);
      expect(f.subnetEnv).toMatchObject({ FLANNEL_NETWORK: POD_CIDR, FLANNEL_SUBNET: podCidr.replace(/0\/24$/, '1/24'), FLANNEL_MTU: String(c.mtu) });
      // a route to every other node's podCIDR: through the VXLAN device, or straight over the underlay with DirectRouting
      for (const other of overlay.network.nodes.filter((n) => n !== f.node)) {
        const route = routes(f.node).find((r) => r.dst === nodePodCidr(kubeconfig, other.name));
        expect({ to: other.name, dev: route?.dev, via: route?.gateway }).toEqual(
          c.directRouting ? { to: other.name, dev: 'eth0', via: other.address } : { to: other.name, dev: `flannel.${c.vni}`, via: nodePodCidr(kubeconfig, other.name).replace(/\/24$/, '') },
        );
      }
    }
    for (const pod of overlay.pods) {
      expect(pod.result.ips[0].address).toMatch(new RegExp(`^${nodePodCidr(kubeconfig, pod.node.name).replace(/0\/24$/, '')}\\d+/24$`));
      expect(JSON.parse(onNode(pod.node, 'ip', ['-j', 'link', 'show', 'cni0']).stdout)[0].mtu).toBe(c.mtu);
    }

    const before = overlay.flannels.map((f) => vxlanDevice(f.node, `flannel.${c.vni}`)!.txPackets);
    expect(crossNodeFailures(overlay)).toEqual([]);
    const sent = overlay.flannels.map((f, i) => vxlanDevice(f.node, `flannel.${c.vni}`)!.txPackets - before[i]);
    // encapsulated or not: with DirectRouting the nodes share a subnet, so nothing goes through the VXLAN device
    if (c.directRouting) expect(sent).toEqual([0, 0, 0]);
    else expect(sent.every((n) => n >= 8)).toBe(true);
  });
});

describe('pods on our overlay (default config)', () => {
  test('pod to pod across nodes both ways, pod to node, MTU-sized packets pass, and Pod objects carry the pods\' IPs', async () => {
    const overlay = await overlayWithPods('pods', '', 1);
    const mtu = Number(overlay.flannels[0].subnetEnv.FLANNEL_MTU);
    expect(crossNodeFailures(overlay)).toEqual([]);

    const [a, b] = overlay.pods;
    // pod to its own node and to another node (through the pod's default route via cni0, masqueraded by --ip-masq)
    expect(ping(a.ns, a.node.address).status).toBe(0);
    expect(ping(a.ns, b.node.address).status).toBe(0);
    // the largest packet the pod's MTU allows crosses the overlay without fragmenting; one byte more is refused
    // at the pod's own interface with an error, not silently dropped on the way
    const payload = mtu - 28; // IPv4 + ICMP headers
    expect(ping(a.ns, b.ip, { size: payload, dontFragment: true }).status).toBe(0);
    const tooBig = ping(a.ns, b.ip, { size: payload + 1, dontFragment: true });
    expect(tooBig.status).not.toBe(0);
    expect({ eth0: JSON.parse(execIn(a.ns, 'ip', ['-j', 'link', 'show', 'eth0']).stdout)[0].mtu, out: tooBig.stdout + tooBig.stderr }).toEqual({ eth0: mtu, out: expect.stringMatching(/message too long|mtu/i) });
    // a bulk TCP stream (full-size segments) arrives whole
    const bulk = startInNetns(b.ns, 'bulk-server', 'socat', ['TCP-LISTEN:9090,reuseaddr', 'SYSTEM:head -c 4194304 /dev/zero'], path.join(overlay.network.dir, 'bulk.log'));
    overlay.network.pids.push(bulk.pid);
    await waitFor('the bulk server', () => execIn(b.ns, 'ss', ['-Hltn', 'sport = :9090']).stdout.includes('9090'), 10_000);
    const received = execIn(a.ns, 'sh', ['-c', `socat -T 5 -u TCP:${b.ip}:9090,connect-timeout=3 - | wc -c`], 30_000);
    expect(received.stdout.trim()).toBe('4194304');
    stopProcesses([bulk.pid]);

    const ns = 'pod-network-e2e';
    kubectlOk(kubeconfig, ['create', 'namespace', ns]);
    try {
      for (const pod of overlay.pods) registerPod(kubeconfig, pod, { name: pod.name, namespace: ns });
      const listed = kubectlOk(kubeconfig, ['get', 'pods', '-n', ns, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.podIP}@{.spec.nodeName}{"\\n"}{end}']);
      expect(listed.trim().split('\n').sort()).toEqual(overlay.pods.map((p) => `${p.name}=${p.ip}@${p.node.name}`).sort());
    } finally {
      kubectl(kubeconfig, ['delete', 'namespace', ns, '--wait=false']);
    }
  });

  test('clean-up: no namespace, node mount point or Node object of the pod network is left', async () => {
    expect(running).toBeUndefined();
    expect(liveNetns()).toEqual([]);
    expect(NODE_PRIVATE_DIRS.filter((d) => !preexisting.has(d) && fs.existsSync(d))).toEqual([]);
    await waitFor('the pod-network Node objects to go', () => kubectlOk(kubeconfig, ['get', 'nodes', '-l', 'cluster-bootstrap.e2e/pod-network=true', '-o', 'name']).trim() === '', 30_000);
  });
});
