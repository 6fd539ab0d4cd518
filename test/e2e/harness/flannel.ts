import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { bridgeApiInto, stopBridge, tokenKubeconfig, type ApiBridge } from './api-bridge';
import type { PodIdentity } from './coredns';
import { flannelRewrites, type FlannelContainer, type HostRewrite } from './host-rewrites';
import { onNode, readOnNode, vxlanDevice, writeOnNode, type PodNetwork, type PodNetworkNode } from './pod-network';
import { startProcess, stopProcesses, waitReady, type StartedProcess } from './processes';
import { toolsDir } from './tools';

/** flanneld at a pinned release on a pod-network node, on our ConfigMap and DaemonSet (rewrites: host-rewrites.ts). */

/** What our synthesized flannel.k8s.yaml gives a node: the ConfigMap's files and the flanneld container. */
export interface FlannelManifests {
  readonly version: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** ConfigMap `data`, key -> file content, as the DaemonSet mounts it at /etc/kube-flannel/. */
  readonly configFiles: Readonly<Record<string, string>>;
  readonly container: FlannelContainer & { readonly readinessProbe?: { httpGet: { path: string; port: string | number } }; readonly ports?: readonly { name?: string; containerPort: number }[] };
  /** The install-cni init container's copy: source and target path. */
  readonly installCni: { readonly from: string; readonly to: string };
  /** Every object but the DaemonSet (Namespace, ServiceAccount, RBAC, ConfigMap): what flanneld needs from the API. */
  readonly supportObjects: readonly any[];
}

export function flannelManifests(dist: string): FlannelManifests {
  const docs = parseAllDocuments(fs.readFileSync(path.join(dist, 'flannel.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
  // the Linux DaemonSet is the one whose node affinity names linux (the Windows one selects windows nodes)
  const ds = docs.find((d) => d.kind === 'DaemonSet' && JSON.stringify(d.spec.template.spec.affinity ?? {}).includes('"linux"'));
  if (!ds) throw new Error(`${dist}/flannel.k8s.yaml has no Linux flannel DaemonSet`);
  const spec = ds.spec.template.spec;
  const container = spec.containers.find((c: any) => c.name === 'kube-flannel');
  const version = /:([^:]+)$/.exec(container.image)![1];
  const cfgVolume = spec.volumes.find((v: any) => v.name === 'flannel-cfg');
  const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === cfgVolume.configMap.name);
  if (!cm) throw new Error(`no ConfigMap ${cfgVolume.configMap.name} for the flannel-cfg volume`);
  const install = spec.initContainers.find((c: any) => c.name === 'install-cni');
  const [from, to] = install.args;
  return {
    version,
    namespace: ds.metadata.namespace,
    serviceAccount: spec.serviceAccountName,
    configFiles: cm.data,
    container,
    installCni: { from, to },
    supportObjects: docs.filter((d) => d.kind !== 'DaemonSet'),
  };
}

/** flanneld of a release, as setup-tools.sh builds it. */
export function flanneldBinary(version: string): string {
  const file = path.join(toolsDir(), 'bin', `flannel-${version}`, 'flanneld');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash test/e2e/setup-tools.sh\` first (flannel ${version} is one of test/e2e/tools/versions.env)`);
  return file;
}

export interface RunningFlannel {
  readonly node: PodNetworkNode;
  readonly process: StartedProcess;
  readonly bridge: ApiBridge;
  readonly rewrites: readonly HostRewrite[];
  /** /run/flannel/subnet.env as flanneld wrote it, parsed. */
  readonly subnetEnv: Readonly<Record<string, string>>;
}

export function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** The readiness URL of our DaemonSet's probe, when the release has one (v0.28.9's /readyz on the healthz port). */
function readinessUrl(container: FlannelManifests['container']): string | undefined {
  const probe = container.readinessProbe?.httpGet;
  if (!probe) return undefined;
  const port = typeof probe.port === 'number' ? probe.port : container.ports?.find((p) => p.name === probe.port)?.containerPort;
  if (port === undefined) throw new Error(`flannel readiness probe names port ${probe.port}, which the container does not declare`);
  return `http://127.0.0.1:${port}${probe.path}`;
}

/**
 * Puts our ConfigMap's files where the DaemonSet mounts them, does the install-cni init container's copy, and
 * starts flanneld; ready when its VXLAN device is up, subnet.env is written and (where our DaemonSet has one) its
 * readiness probe answers 200.
 */
export async function startFlannel(network: PodNetwork, node: PodNetworkNode, manifests: FlannelManifests, identity: PodIdentity, vni: number): Promise<RunningFlannel> {
  const home = path.join(network.dir, `flannel-${node.name}`);
  fs.mkdirSync(home, { recursive: true });
  for (const [key, content] of Object.entries(manifests.configFiles)) writeOnNode(node, path.join('/etc/kube-flannel', key), content);
  const installFrom = manifests.configFiles[path.basename(manifests.installCni.from)];
  if (installFrom === undefined) throw new Error(`install-cni copies ${manifests.installCni.from}, which the ConfigMap does not hold`);
  writeOnNode(node, manifests.installCni.to, installFrom);

  const bridge = await bridgeApiInto(node.ns, network.apiSocket, home);
  const kubeconfig = path.join(home, 'kubeconfig');
  fs.writeFileSync(kubeconfig, tokenKubeconfig(bridge, identity, 'flannel'), { mode: 0o600 });
  const { args, env, rewrites } = flannelRewrites(manifests.container, { nodeName: node.name, podName: `kube-flannel-ds-${node.name}`, podNamespace: manifests.namespace, kubeconfig });
  const log = path.join(home, 'flanneld.log');
  const p = startProcess(`flanneld-${node.name}`, 'nsenter', [`--target=${node.holder.pid}`, '--mount', '--net', flanneldBinary(manifests.version), ...args], log, env);
  network.pids.push(p.pid);
  const ready = readinessUrl(manifests.container);
  await waitReady(
    p,
    `flanneld ${manifests.version} on ${node.name}: flannel.${vni}, /run/flannel/subnet.env${ready ? ` and ${ready}` : ''}`,
    () =>
      vxlanDevice(node, `flannel.${vni}`) !== undefined &&
      readOnNode(node, '/run/flannel/subnet.env') !== undefined &&
      (!ready || onNode(node, 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '2', ready], 5_000).stdout === '200'),
    60_000,
  );
  return { node, process: p, bridge, rewrites, subnetEnv: parseEnvFile(readOnNode(node, '/run/flannel/subnet.env')!) };
}

export function stopFlannel(f: RunningFlannel): void {
  stopProcesses([f.process.pid]);
  stopBridge(f.bridge);
}
