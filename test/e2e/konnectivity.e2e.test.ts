// Konnectivity carrying real traffic: kube-apiserver runs on kubeadm's reading of our config (with our
// EgressSelectorConfiguration and --kubelet-certificate-authority), one Konnectivity server on exactly our static
// Pod's args, one agent per simulated Linux node on exactly our DaemonSet's args with a real TokenRequest token,
// and KWOK as each node's kubelet endpoint on the node's own loopback address with a CA-signed serving
// certificate. `kubectl logs`, `exec` and `port-forward` must cross the tunnel (shown by the agents' metrics) and
// fail once the server is gone; then the path is broken on purpose, one way per test, and kubectl's error recorded.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probeOk, startControlPlane, type RunningControlPlane } from './harness/control-plane';
import { agentReady, agentToken, agentWorkload, metricSum, startKonnectivityAgent, startKonnectivityServer, stop, writeServerKubeconfig, type KonnectivityAgentRun, type KonnectivityServerRun } from './harness/konnectivity';
import { otherCa, reissueServingCertificate, startKubeletNodes, type KubeletNodeRun, type SimulatedNode } from './harness/kubelet-nodes';
import { kubectlOk } from './harness/kubectl';
import { kubeletLogFindings, runDoctor } from './harness/cluster-doctor';
import { startTunnelTraffic, type TunnelTraffic } from './harness/tunnel-traffic';
import { stopProcesses, waitFor } from './harness/processes';
import { tierVersions } from './harness/tools';

const NODES: readonly SimulatedNode[] = [
  { name: 'tunnel-worker-0', ip: '127.0.0.11' },
  { name: 'tunnel-worker-1', ip: '127.0.0.12' },
  { name: 'tunnel-worker-2', ip: '127.0.0.13' },
];
const DIAL_METRIC = 'konnectivity_network_proxy_agent_dial_duration_seconds_count';
const WAIT_MS = 60_000;
/** What kubectl printed in each broken state (the note and the doctor's cause table are built on these). */
const recorded: Record<string, string> = {};
/** How long cluster-doctor took in each state, for all three nodes. */
const doctorTimes: Record<string, number> = {};

function clusterYaml(mode: string): string {
  return [`kubernetesVersion: ${tierVersions().kubernetes}`, 'apiServer:', '  host: 127.0.0.1', 'components:', '  konnectivity:', '    enabled: true', `    mode: ${mode}`, ''].join('\n');
}

describe.each(['grpc', 'http-connect'])('Konnectivity in %s mode', (mode) => {
  let dir = '';
  const pids: number[] = [];
  let plane: RunningControlPlane;
  let kubeconfig = '';
  let server: KonnectivityServerRun | undefined;
  let agents: KonnectivityAgentRun[] = [];
  let kubelets: KubeletNodeRun[] = [];
  let kubeletPort = 0;
  let traffic: TunnelTraffic | undefined;
  let dist = '';
  const caCert = () => path.join(plane.root, 'etc', 'kubernetes', 'pki', 'ca.crt');
  const clusterCa = () => ({ cert: caCert(), key: path.join(plane.root, 'etc', 'kubernetes', 'pki', 'ca.key') });

  async function startAgents(options: { audience?: string; serverPort?: number } = {}): Promise<void> {
    const { workload, container } = agentWorkload(dist);
    const tokenWorkload = options.audience ? withAudience(workload, options.audience) : workload;
    agents = [];
    for (const node of NODES) {
      const tokenFile = agentToken(kubeconfig, tokenWorkload, path.join(dir, `${node.name}.token`));
      agents.push(await startKonnectivityAgent(container, node, { caCert: caCert(), tokenFile }, { agentPort: options.serverPort ?? server!.agentPort }, path.join(dir, `agent-${node.name}-${Date.now()}.log`), pids));
    }
  }
  // all at once: an agent takes its full grace period to go on SIGTERM, so one by one would wait it out three times
  const stopAgents = () => stopProcesses(agents.splice(0).map((a) => a.process.pid));
  const allAgentsReady = async () => (await Promise.all(agents.map(agentReady))).every(Boolean);

  beforeAll(async () => {
    // short: the server's socket path under it must fit a Unix socket address (107 bytes)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `cb-konn-${mode === 'grpc' ? 'g' : 'h'}-`));
    traffic = startTunnelTraffic(dir, NODES);
    plane = await startControlPlane(dir, pids, { clusterYaml: clusterYaml(mode), programs: ['etcd', 'kube-apiserver', 'kube-controller-manager'] });
    kubeconfig = plane.adminKubeconfig;
    dist = path.join(plane.work, 'dist');
    writeServerKubeconfig(plane.root, plane.server);
    server = await startKonnectivityServer(dist, plane.root, path.join(dir, 'konnectivity-server.log'), pids);
    // our RBAC and ServiceAccount (the agents themselves run as processes below, one per node)
    const { objects, workload } = agentWorkload(dist);
    kubectlOk(kubeconfig, ['apply', '--server-side', '-f', '-'], objects.filter((o) => o !== workload).map((o) => JSON.stringify(o)).join('\n'));
    const started = await startKubeletNodes(plane.superAdminKubeconfig, NODES, clusterCa(), (n) => traffic!.debugging(n), dir, pids);
    kubeletPort = started.port;
    kubelets = started.runs;
    await startAgents();
    await waitFor('every agent connected to the server (our readinessProbe, /readyz)', allAgentsReady, WAIT_MS);
    await traffic!.pods(kubeconfig);
  }, 300_000);

  afterAll(() => {
    stopProcesses(pids);
    traffic?.close();
    if (dir && !process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** cluster-doctor as a user runs it on this control plane, with our dist/: node -> [status, cause]. */
  async function diagnose(state: string): Promise<Record<string, [string, string | undefined]>> {
    const started = Date.now();
    const run = await runDoctor('--kubeconfig', kubeconfig, '--dist', dist, '--json', '--timeout', '5');
    doctorTimes[`${mode}: ${state}`] = Date.now() - started;
    if (!run.json) throw new Error(`cluster-doctor gave no JSON report (exit ${run.status}): ${run.stderr}`);
    return kubeletLogFindings(run.json);
  }
  const everyNode = (finding: [string, string | undefined]) => Object.fromEntries(NODES.map((n) => [n.name, finding]));

  const dials = async () => Promise.all(agents.map((a) => metricSum(a.healthPort, DIAL_METRIC)));

  test('the server runs on our args with only the listed rewrites; the agents on our DaemonSet args', () => {
    expect(server!.rewrites.map((r) => r.field).sort()).toEqual(['--admin-port', '--agent-bind-address', '--agent-port', '--cluster-cert', '--cluster-key', '--health-bind-address', '--health-port', '--kubeconfig', '--uds-name']);
    expect(server!.args).toContain(`--mode=${mode}`);
    const { container } = agentWorkload(dist);
    const untouched = container.args.filter((a) => !agents[0].rewrites.some((r) => a.startsWith(`${r.field}=`) || a === r.field));
    for (const a of untouched) expect(agents[0].args).toContain(a);
  });

  test.each(NODES.map((n) => [n.name]))('kubectl logs, exec and port-forward to the pod on %s cross the tunnel', async (nodeName) => {
    const i = NODES.findIndex((n) => n.name === nodeName);
    const before = await dials();
    expect(traffic!.logs(kubeconfig, nodeName)).toContain(`log line from ${nodeName}`);
    expect(traffic!.exec(kubeconfig, nodeName)).toBe(`exec on ${nodeName}`);
    expect(await traffic!.portForward(kubeconfig, nodeName)).toBe(`served for ${nodeName}`);
    const after = await dials();
    const carried = after.map((n, j) => n - before[j]);
    // the agents dialled the kubelet endpoint for each of the three requests
    expect(carried.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
    if (server!.args.some((a) => a.startsWith('--proxy-strategies=') && a.includes('destHost'))) {
      // destHost: each request is carried by the agent of the pod's node
      expect(carried.map((n, j) => (j === i ? n >= 3 : n === 0))).toEqual(NODES.map(() => true));
    }
  });

  test('cluster-doctor reads a log through the tunnel on every node', async () => {
    expect(await diagnose('healthy')).toEqual(everyNode(['ok', undefined]));
  });

  if (mode !== 'grpc') return;

  test('with every agent stopped', async () => {
    stopAgents();
    try {
      recorded['agents stopped'] = traffic!.logsError(kubeconfig, NODES[0].name);
      expect(recorded['agents stopped']).toMatch(/No agent available|error dialing backend/);
      expect(await diagnose('agents stopped')).toEqual(everyNode(['problem', 'agents-not-connected']));
    } finally {
      await startAgents();
      await waitFor('every agent connected again', allAgentsReady, WAIT_MS);
    }
  }, 120_000);

  test('with the agents holding a token for the wrong audience', async () => {
    stopAgents();
    try {
      await startAgents({ audience: 'not-konnectivity' });
      recorded['wrong audience'] = traffic!.logsError(kubeconfig, NODES[0].name);
      expect(recorded['wrong audience']).toMatch(/No agent available|error dialing backend/);
      expect(fs.readFileSync(server!.process.log, 'utf8')).toMatch(/audience/i);
      expect(await diagnose('wrong audience')).toEqual(everyNode(['problem', 'agents-not-connected']));
    } finally {
      stopAgents();
      await startAgents();
      await waitFor('every agent connected again', allAgentsReady, WAIT_MS);
    }
  }, 120_000);

  test('with the agents dialling the wrong port', async () => {
    stopAgents();
    try {
      await startAgents({ serverPort: server!.adminPort + 1000 });
      recorded['agent dials the wrong port'] = traffic!.logsError(kubeconfig, NODES[0].name);
      expect(recorded['agent dials the wrong port']).toMatch(/No agent available|error dialing backend/);
      expect(await diagnose('agent dials the wrong port')).toEqual(everyNode(['problem', 'agents-not-connected']));
    } finally {
      stopAgents();
      await startAgents();
      await waitFor('every agent connected again', allAgentsReady, WAIT_MS);
    }
  }, 120_000);

  test('with the kubelet unreachable from the agent', async () => {
    const run = kubelets[0];
    stopProcesses([run.process.pid]);
    try {
      recorded['kubelet unreachable'] = traffic!.logsError(kubeconfig, run.node.name);
      expect(recorded['kubelet unreachable']).toMatch(/error dialing backend|connection refused|i\/o timeout/);
      expect(await diagnose('kubelet unreachable')).toEqual({ ...everyNode(['ok', undefined]), [run.node.name]: ['problem', 'kubelet-refused'] });
    } finally {
      kubelets[0] = await reissueServingCertificate(plane.superAdminKubeconfig, run, kubeletPort, clusterCa(), (n) => traffic!.debugging(n), 0, dir, pids);
    }
  }, 120_000);

  test('with a kubelet serving certificate from a CA the API server does not trust', async () => {
    kubelets[0] = await reissueServingCertificate(plane.superAdminKubeconfig, kubelets[0], kubeletPort, otherCa(dir), (n) => traffic!.debugging(n), 0, dir, pids);
    try {
      recorded['kubelet certificate from another CA'] = traffic!.logsError(kubeconfig, NODES[0].name);
      expect(recorded['kubelet certificate from another CA']).toMatch(/x509/);
      expect(await diagnose('kubelet certificate from another CA')).toEqual({ ...everyNode(['ok', undefined]), [NODES[0].name]: ['problem', 'kubelet-serving-cert'] });
    } finally {
      kubelets[0] = await reissueServingCertificate(plane.superAdminKubeconfig, kubelets[0], kubeletPort, clusterCa(), (n) => traffic!.debugging(n), 0, dir, pids);
    }
    expect(traffic!.logs(kubeconfig, NODES[0].name)).toContain(`log line from ${NODES[0].name}`);
  }, 120_000);

  // last: the same requests that crossed the tunnel fail once the server (and its socket) is gone
  test('with the Konnectivity server stopped, the same requests fail', async () => {
    stop(server);
    await waitFor('the server socket gone', () => !fs.existsSync(server!.socket), 15_000).catch(() => undefined);
    recorded['server stopped'] = traffic!.logsError(kubeconfig, NODES[0].name);
    // the API server's tunnel client keeps redialling the missing socket until kubectl's own deadline: no quick error
    expect(await diagnose('server stopped')).toEqual(everyNode(['problem', 'tunnel-timeout']));
    expect(recorded['server stopped']).toMatch(/error dialing backend|dial unix|connection refused|no such file|context deadline exceeded|Client\.Timeout exceeded/);
    // our DaemonSet's readiness probe turns false on every agent (it was true while they were connected), while its
    // liveness probe still passes: a kubelet would hold the rollout without restarting the agents
    await waitFor('every agent unready (our readinessProbe)', async () => (await Promise.all(agents.map(agentReady))).every((r) => !r), WAIT_MS);
    expect(await Promise.all(agents.map((a) => probeOk(`http://127.0.0.1:${a.healthPort}${a.probes.liveness}`)))).toEqual(agents.map(() => true));
  }, 120_000);

  afterAll(() => {
    if (Object.keys(doctorTimes).length) process.stderr.write(`\ncluster-doctor run time (3 nodes):\n${Object.entries(doctorTimes).map(([k, v]) => `- ${k}: ${v} ms`).join('\n')}\n`);
    if (Object.keys(recorded).length) process.stderr.write(`\nkubectl in each broken state:\n${Object.entries(recorded).map(([k, v]) => `- ${k}: ${v}`).join('\n')}\n`);
  });
});

function withAudience(workload: Record<string, any>, audience: string): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(workload));
  for (const v of copy.spec.template.spec.volumes) for (const s of v.projected?.sources ?? []) if (s.serviceAccountToken) s.serviceAccountToken.audience = audience;
  return copy;
}
