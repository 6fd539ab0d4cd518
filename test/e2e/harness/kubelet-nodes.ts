import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { kubectl, kubectlOk } from './kubectl';
import { freePort, startProcess, stopProcesses, waitFor, waitReady, type StartedProcess } from './processes';
import { kwokStages, tool } from './tools';

/**
 * Simulated nodes whose kubelet endpoint is real enough for the API server to talk to: one KWOK per node, serving
 * the kubelet's `/containerLogs`, `/exec` and `/portForward` on the node's own loopback address (its InternalIP)
 * over HTTPS with a serving certificate for that address. KWOK answers for the node's pods from its debugging
 * configuration (ClusterLogs, ClusterExec, ClusterPortForward documents in its config file).
 */
export interface SimulatedNode {
  readonly name: string;
  /** Its InternalIP and where its kubelet endpoint listens: a loopback address of its own. */
  readonly ip: string;
}

/** A node's KWOK debugging documents (ClusterLogs, ClusterExec, ClusterPortForward): what its pods answer. */
export type Debugging = (node: SimulatedNode) => readonly object[];

export interface KubeletNodeRun {
  readonly node: SimulatedNode;
  readonly process: StartedProcess;
  readonly cert: string;
}

/** The signer of a kubelet serving certificate: the cluster CA (`ca.crt`/`ca.key`) or another CA. */
export interface Signer {
  readonly cert: string;
  readonly key: string;
}

function openssl(args: readonly string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

/** A self-signed CA that is not the cluster's (for the "kubelet certificate from another CA" case). */
export function otherCa(dir: string): Signer {
  const key = path.join(dir, 'other-ca.key');
  const cert = path.join(dir, 'other-ca.crt');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=not-the-cluster-ca']);
  return { cert, key };
}

/**
 * A kubelet serving certificate as the kubelet-serving signer issues one (CN system:node:<name>, O system:nodes,
 * server auth, the node's name and IP as SANs), signed by `signer`.
 */
export function kubeletServingCertificate(dir: string, node: SimulatedNode, signer: Signer): { cert: string; key: string } {
  const key = path.join(dir, `${node.name}-serving.key`);
  const csr = path.join(dir, `${node.name}-serving.csr`);
  const cert = path.join(dir, `${node.name}-serving.crt`);
  const ext = path.join(dir, `${node.name}-serving.ext`);
  fs.writeFileSync(ext, `subjectAltName=DNS:${node.name},IP:${node.ip}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/O=system:nodes/CN=system:node:${node.name}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', signer.cert, '-CAkey', signer.key, '-CAcreateserial', '-out', cert, '-days', '1', '-extfile', ext]);
  fs.chmodSync(key, 0o600);
  return { cert, key };
}

function nodeManifest(node: SimulatedNode, port: number): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: node.ip },
        { type: 'Hostname', address: node.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      nodeInfo: { operatingSystem: 'linux', architecture: 'amd64', kubeletVersion: 'fake', kubeProxyVersion: 'fake' },
    },
  };
}

/**
 * Registers `nodes` and starts one KWOK per node (each managing only its node), its kubelet endpoint on
 * `<node ip>:<port>` with a certificate `signer` signed; `debugging` are the ClusterLogs/ClusterExec/
 * ClusterPortForward documents. Waits until every node is Ready.
 */
export async function startKubeletNodes(
  superAdminKubeconfig: string,
  nodes: readonly SimulatedNode[],
  signer: Signer,
  debugging: Debugging,
  dir: string,
  pids: number[],
  timeoutMs = 60_000,
): Promise<{ port: number; runs: KubeletNodeRun[] }> {
  const port = await freePort();
  kubectlOk(superAdminKubeconfig, ['apply', '-f', '-'], nodes.map((n) => JSON.stringify(nodeManifest(n, port))).join('\n'));
  const runs: KubeletNodeRun[] = [];
  for (const [i, node] of nodes.entries()) runs.push(startKubeletNode(superAdminKubeconfig, node, port, kubeletServingCertificate(dir, node, signer), debugging, i, dir, pids));
  for (const run of runs) {
    await waitReady(
      run.process,
      `node ${run.node.name} Ready`,
      () => kubectl(superAdminKubeconfig, ['get', 'node', run.node.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout === 'True',
      timeoutMs,
    );
  }
  return { port, runs };
}

function startKubeletNode(kubeconfig: string, node: SimulatedNode, port: number, serving: { cert: string; key: string }, debugging: Debugging, index: number, dir: string, pids: number[]): KubeletNodeRun {
  const config = path.join(dir, `kwok-${node.name}.yaml`);
  const options = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokConfiguration',
    options: {
      // each node's pods get their own /24, as a node's podCIDR would give them
      cidr: `10.244.${index}.0/24`,
      nodeIP: node.ip,
      nodePort: port,
      serverAddress: `${node.ip}:${port}`,
      tlsCertFile: serving.cert,
      tlsPrivateKeyFile: serving.key,
      manageSingleNode: node.name,
      nodeLeaseDurationSeconds: 40,
      // KWOK's own flags default these; its config file does not, and refuses 0
      nodeLeaseParallelism: 1,
      podPlayStageParallelism: 2,
      nodePlayStageParallelism: 1,
      enableDebuggingHandlers: true,
    },
  };
  fs.writeFileSync(config, [stringify(options), fs.readFileSync(kwokStages(), 'utf8'), ...debugging(node).map((d) => stringify(d))].join('\n---\n'));
  const p = startProcess(`kwok ${node.name}`, tool('kwok'), [`--kubeconfig=${kubeconfig}`, `--config=${config}`], path.join(dir, `kwok-${node.name}.log`));
  pids.push(p.pid);
  return { node, process: p, cert: serving.cert };
}

/** Restarts one node's KWOK with a serving certificate from another signer (same address and port). */
export async function reissueServingCertificate(kubeconfig: string, run: KubeletNodeRun, port: number, signer: Signer, debugging: Debugging, index: number, dir: string, pids: number[]): Promise<KubeletNodeRun> {
  stopProcesses([run.process.pid]);
  const next = startKubeletNode(kubeconfig, run.node, port, kubeletServingCertificate(dir, run.node, signer), debugging, index, dir, pids);
  await waitFor(`kwok ${run.node.name} serving again on ${run.node.ip}:${port}`, () => spawnSync('bash', ['-c', `exec 3<>/dev/tcp/${run.node.ip}/${port}`], { timeout: 2000 }).status === 0, 30_000, next.process.log);
  return next;
}
