// cluster-doctor against the real API server of the tier: Konnectivity (server as a DaemonSet, so the scheduler
// places it on the KWOK control plane) and the doctor's own RBAC applied from synth; a stand-in /healthz on a
// loopback port the test opens (the config's healthPort points there); then the doctor as a user runs it.
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { runDoctor } from './harness/cluster-doctor';
import { serviceAccountKubeconfig, serviceAccountToken } from './harness/cloud-controller-manager';
import { kubectl, kubectlOk, waitFor } from './harness/cluster';
import { freePort } from './harness/processes';
import { cluster, synthConfig } from './support';

const { kubeconfig } = cluster();
const apply = (file: string) => kubectlOk(kubeconfig, ['apply', '--server-side', '--field-manager=cluster-bootstrap', '-f', file]);

let dir = '';
let dist = '';
let healthServer: http.Server | undefined;

const doctor = runDoctor;

const readyOn = (selector: string) =>
  JSON.parse(kubectlOk(kubeconfig, ['get', 'pods', '-n', 'kube-system', '-l', selector, '-o', 'json']))
    .items.filter((p: any) => (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'))
    .map((p: any) => p.spec.nodeName)
    .sort();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-doctor-'));
  const healthPort = await freePort();
  healthServer = http.createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end(req.url === '/healthz' ? 'ok' : ''));
  await new Promise<void>((resolve) => healthServer!.listen(healthPort, '127.0.0.1', resolve));
  dist = synthConfig('doctor', `components:\n  konnectivity:\n    enabled: true\n    serverForm: daemonset\n    healthPort: ${healthPort}\n`);
  apply(path.join(dist, 'konnectivity.k8s.yaml'));
  apply(path.join(dist, 'cluster-doctor-rbac.k8s.yaml'));
  await waitFor('Konnectivity agents on the 3 Linux workers and the server on the control plane', () => readyOn('k8s-app=konnectivity-agent').length === 3 && readyOn('k8s-app=konnectivity-server').length === 1, 90_000);
});

afterAll(async () => {
  if (dist) kubectl(kubeconfig, ['delete', '-f', path.join(dist, 'konnectivity.k8s.yaml'), '--ignore-not-found', '--wait=false']);
  if (dist) kubectl(kubeconfig, ['delete', '-f', path.join(dist, 'cluster-doctor-rbac.k8s.yaml'), '--ignore-not-found', '--wait=false']);
  kubectl(kubeconfig, ['delete', 'serviceaccount', 'doctor-nobody', '-n', 'default', '--ignore-not-found']);
  await new Promise((resolve) => (healthServer ? healthServer.close(resolve) : resolve(undefined)));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const byCheck = (json: any, check: string) => json.findings.filter((f: any) => f.check === check);

test('healthy cluster: every check that applies passes; the pod-log request per node names its cause', async () => {
  // --timeout 40: longer than the API server's own dial timeout, so its error text (not ours) is what is seen
  const r = await doctor('--kubeconfig', kubeconfig, '--dist', dist, '--json', '--timeout', '40');
  process.stderr.write(`\ncluster-doctor on the tier (exit ${r.status}):\n${JSON.stringify(r.json?.findings.filter((f: any) => f.status !== 'ok'), null, 2)}\n${r.stderr}\n`);
  const j = r.json;
  expect(j).toBeDefined();
  expect(byCheck(j, 'api-server').map((f: any) => f.status)).toEqual(['ok']);
  expect(byCheck(j, 'konnectivity-agents').map((f: any) => [f.subject, f.status])).toEqual([['linux-worker-0', 'ok'], ['linux-worker-1', 'ok'], ['linux-worker-2', 'ok']]);
  expect(byCheck(j, 'konnectivity-server').map((f: any) => [f.subject, f.status])).toEqual([['control-plane-0', 'ok'], [expect.stringMatching(/^healthz 127\.0\.0\.1:\d+$/), 'ok']]);
  expect(byCheck(j, 'apiservices').map((f: any) => f.status)).toEqual(['ok']);
  expect(byCheck(j, 'webhooks').map((f: any) => f.status)).toEqual(['skipped']);
  expect(byCheck(j, 'static-consistency').map((f: any) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  // KWOK serves no container logs: the API server reaches its kubelet endpoint and gets 404 on every node with
  // a pod, recorded as "the server could not find the requested resource ( pods/log <pod>)"
  const logs = byCheck(j, 'kubelet-logs');
  for (const f of logs.filter((x: any) => x.status !== 'skipped' && x.status !== 'ok')) expect([f.subject, f.status, f.cause?.id]).toEqual([f.subject, 'problem', 'kubelet-no-log']);
  // only a node without pods is skipped: the Linux nodes carry the agents; the Windows ones have pods only when an
  // earlier suite left some there, so they may go either way
  const skipped = logs.filter((f: any) => f.status === 'skipped').map((f: any) => f.subject);
  expect(skipped.filter((n: string) => !n.startsWith('windows-worker-'))).toEqual([]);
  expect(r.status).toBe(logs.some((f: any) => f.status === 'problem') ? 1 : 0);
  // the human table of the same run (the README's example)
  const text = await doctor('--kubeconfig', kubeconfig, '--dist', dist);
  expect(text.status).toBe(r.status);
  process.stderr.write(`\n${text.stdout}\n`);
});

test('an API server that is not there (a closed loopback port) is exit 2, "unreachable", with the URL', async () => {
  const port = await freePort(); // free: nothing listens
  const file = path.join(dir, 'closed.kubeconfig');
  const admin = fs.readFileSync(kubeconfig, 'utf8');
  fs.writeFileSync(file, admin.replace(/server: https:\/\/[^\s]+/, `server: https://127.0.0.1:${port}`), { mode: 0o600 });
  const r = await doctor('--kubeconfig', file, '--timeout', '3');
  expect(r.status).toBe(2);
  expect(r.stdout).toContain(`unreachable: https://127.0.0.1:${port}/version`);
});

test('a ServiceAccount token without rights is exit 2, "forbidden", naming the user and the URL', async () => {
  kubectlOk(kubeconfig, ['create', 'serviceaccount', 'doctor-nobody', '-n', 'default']);
  const file = serviceAccountKubeconfig(kubeconfig, serviceAccountToken(kubeconfig, 'default', 'doctor-nobody'), 'doctor-nobody', path.join(dir, 'nobody.kubeconfig'));
  const r = await doctor('--kubeconfig', file, '--json');
  expect(r.status).toBe(2);
  const forbidden = r.json.findings.filter((f: any) => f.detail.startsWith('forbidden:'));
  expect(forbidden.length).toBeGreaterThan(0);
  expect(forbidden[0].detail).toContain('system:serviceaccount:default:doctor-nobody');
  expect(forbidden[0].url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
  expect(r.json.findings.filter((f: any) => f.status === 'problem')).toEqual([]);
});

test('a token bound to exactly the shipped RBAC is never forbidden', async () => {
  const file = serviceAccountKubeconfig(kubeconfig, serviceAccountToken(kubeconfig, 'kube-system', 'cluster-doctor'), 'cluster-doctor', path.join(dir, 'doctor.kubeconfig'));
  const r = await doctor('--kubeconfig', file, '--dist', dist, '--json', '--timeout', '5');
  expect(r.json.findings.filter((f: any) => f.status === 'unchecked')).toEqual([]);
  expect(r.stdout).not.toMatch(/forbidden/i);
  expect(byCheck(r.json, 'konnectivity-agents').every((f: any) => f.status === 'ok')).toBe(true);
});
