import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { parse } from 'yaml';
import { controlPlaneRewrites, egressSelectorRewrites, encryptionConfigRewrites, kubeconfigRewrite, probeRewrite, type ControlPlaneHost, type HostRewrite, type HttpGetProbe, type StaticPodVolume } from './host-rewrites';
import { describeFailure, kubeadm } from './kubeadm';
import { kubectl, kubectlOk } from './kubectl';
import { freePort, startProcess, stopProcesses, waitReady, type StartedProcess } from './processes';
import { clusterFolder, generatePkiIn, synthIn } from './product';
import { tierVersions, tool, type ToolName } from './tools';

/**
 * The tier's control plane as kubeadm makes it from our files: our synth and `cluster-pki generate` on the tier's
 * cluster.yaml, then the real kubeadm's `init phase kubeconfig|control-plane|etcd` (dry run) on
 * dist/node-config/kubeadm-init.yaml. Each static Pod's command runs as a local process, changed only by
 * `controlPlaneRewrites` (host-rewrites.ts), which lists every change and why.
 */

/**
 * The cluster.yaml the tier runs: our default, reachable on loopback, with encryption at rest on and one audit
 * `extraRules` entry of each form (audit.e2e.test.ts drives requests at each and reads the log).
 */
export function tierClusterYaml(): string {
  return `kubernetesVersion: ${tierVersions().kubernetes}
apiServer:
  host: 127.0.0.1
  encryptionAtRest:
    enabled: true
  audit:
    extraRules:
      - level: None                     # users + verbs
        users: [${AUDIT_NAMESPACE_SA('quiet')}]
        verbs: [get, list]
      - level: Request                  # userGroups + namespaces + resources with a group
        userGroups: [system:serviceaccounts:${AUDIT_NAMESPACE}]
        namespaces: [${AUDIT_NAMESPACE}]
        resources: [{ group: apps, resources: [deployments] }]
      - level: RequestResponse          # resourceNames
        resources: [{ group: "", resources: [serviceaccounts], resourceNames: [audit-e2e-recorded] }]
      - level: Request                  # nonResourceURLs
        nonResourceURLs: [/apis]
      - level: Metadata                 # omitStages on one rule
        userGroups: [system:serviceaccounts:${AUDIT_NAMESPACE}]
        verbs: [watch]
        omitStages: [ResponseStarted]
`;
}

/** The namespace audit.e2e.test.ts works in, and its ServiceAccounts' user names. */
export const AUDIT_NAMESPACE = 'audit-e2e';
export const AUDIT_NAMESPACE_SA = (name: string) => `system:serviceaccount:${AUDIT_NAMESPACE}:${name}`;

/** The static Pods kubeadm writes for a stacked control plane, in start order. */
export const CONTROL_PLANE_PROGRAMS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type ControlPlaneProgram = (typeof CONTROL_PLANE_PROGRAMS)[number];

/** kubeadm's fixed ports: API server, etcd client, peer and metrics, controller-manager, scheduler. */
const KUBEADM_PORTS = [6443, 2379, 2380, 2381, 10257, 10259] as const;

/** The README's table of control-plane files (what a user copies before `kubeadm init`), as this folder has them. */
export function installNodeFiles(work: string, root: string): HostRewrite[] {
  const dist = path.join(work, 'dist');
  const files: { from: string; to: string; mode: number; optional?: boolean; rewrite?: (text: string) => { text: string; rewrites: HostRewrite[] } }[] = [
    { from: path.join(dist, 'control-plane', 'audit-policy.yaml'), to: 'etc/kubernetes/audit/policy.yaml', mode: 0o644 },
    {
      from: path.join(work, '.cluster-secrets', 'control-plane', 'encryption-configuration.yaml'),
      to: 'etc/kubernetes/encryption/encryption-configuration.yaml',
      mode: 0o600,
      optional: true,
      rewrite: (text) => encryptionConfigRewrites(text, root),
    },
    {
      from: path.join(dist, 'control-plane', 'egress-selector-configuration.yaml'),
      to: 'etc/kubernetes/egress-selector-configuration.yaml',
      mode: 0o644,
      optional: true,
      rewrite: (text) => egressSelectorRewrites(text, root),
    },
  ];
  const rewrites: HostRewrite[] = [];
  for (const f of files) {
    if (!fs.existsSync(f.from)) {
      if (f.optional) continue;
      throw new Error(`synth did not write ${f.from}, which the README tells users to install at /${f.to}`);
    }
    const to = path.join(root, f.to);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    const changed = f.rewrite ? f.rewrite(fs.readFileSync(f.from, 'utf8')) : undefined;
    if (changed) fs.writeFileSync(to, changed.text);
    else fs.copyFileSync(f.from, to);
    fs.chmodSync(to, f.mode);
    rewrites.push(...(changed?.rewrites ?? []).map((r) => ({ ...r, field: `${f.to}: ${r.field}` })));
  }
  return rewrites;
}

/** Where kubeadm reads our init file inside the node's root (`--rootfs` chroots before it reads `--config`). */
const CONFIG_IN_ROOT = '/etc/kubernetes/kubeadm-init.yaml';

/**
 * Runs kubeadm's init phases that write the kubeconfigs and static Pods, on the node whose `/` is `root`:
 * `kubeadm init phase <phase> --rootfs <root> --config <our file>`. kubeadm chroots into `root`, reads the CA from
 * `certificatesDir` there (`cluster-pki generate` put it), and writes `/etc/kubernetes/*.conf`,
 * `/etc/kubernetes/manifests/` and `/var/lib/etcd` there, as on a node. Needs root (chroot).
 */
export function kubeadmInitPhases(config: string, root: string): HostRewrite {
  if (process.getuid?.() !== 0) throw new Error('the tier runs `kubeadm init phase ... --rootfs`, which chroots: run it as root (CI does)');
  const inRoot = path.join(root, CONFIG_IN_ROOT);
  fs.mkdirSync(path.dirname(inRoot), { recursive: true });
  fs.copyFileSync(config, inRoot);
  for (const phase of [['kubeconfig', 'all'], ['control-plane', 'all'], ['etcd', 'local']]) {
    const r = kubeadm(['init', 'phase', ...phase, '--rootfs', root, '--config', CONFIG_IN_ROOT]);
    if (r.status !== 0) throw new Error(`kubeadm refused our config: ${describeFailure(r)}`);
  }
  return { field: 'kubeadm --config', from: config, value: inRoot, why: 'kubeadm --rootfs chroots before it reads --config, so our file (unchanged) is copied into the root' };
}

interface Container {
  command: string[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
  readinessProbe?: { httpGet?: HttpGetProbe };
  startupProbe?: { httpGet?: HttpGetProbe };
  livenessProbe?: { httpGet?: HttpGetProbe };
}
interface StaticPodManifest {
  spec: { containers: Container[]; volumes?: { name: string; hostPath?: { path: string; type?: string } }[] };
}

/** One static Pod as kubeadm wrote it and as the tier runs it. */
export interface StaticPodRun {
  readonly program: ControlPlaneProgram;
  /** The container's command exactly as kubeadm wrote it. */
  readonly kubeadmCommand: readonly string[];
  /** What the tier runs (the program name replaced by the built binary). */
  readonly command: readonly string[];
  readonly rewrites: readonly HostRewrite[];
  readonly probeUrl: string;
}

/**
 * Prepares one static Pod's host paths under `root` as the kubelet would (DirectoryOrCreate is made; Directory
 * and File must exist, else the kubelet would not start the Pod) and returns its rewritten command.
 */
function prepareStaticPod(program: ControlPlaneProgram, manifestFile: string, host: ControlPlaneHost): StaticPodRun {
  const pod = parse(fs.readFileSync(manifestFile, 'utf8')) as StaticPodManifest;
  const [container] = pod.spec.containers;
  const volumes: StaticPodVolume[] = [];
  for (const v of pod.spec.volumes ?? []) {
    if (!v.hostPath) continue;
    const onHost = path.join(host.root, v.hostPath.path);
    if (v.hostPath.type === 'DirectoryOrCreate') fs.mkdirSync(onHost, { recursive: true });
    else if ((v.hostPath.type === 'Directory' || v.hostPath.type === 'File') && !fs.existsSync(onHost)) {
      throw new Error(`${program}: hostPath ${v.hostPath.path} (volume ${v.name}, type ${v.hostPath.type}) does not exist on the node: the kubelet would not start this Pod`);
    }
    const mount = container.volumeMounts?.find((m) => m.name === v.name);
    if (mount) volumes.push({ hostPath: v.hostPath.path, mountPath: mount.mountPath });
  }
  const { command, rewrites } = controlPlaneRewrites(program, container.command, volumes, host);
  const probe = (container.readinessProbe ?? container.startupProbe ?? container.livenessProbe)?.httpGet;
  if (!probe) throw new Error(`${program}: kubeadm wrote no HTTP probe; the tier has nothing to wait on`);
  const probed = probeRewrite(program, probe, container.ports ?? [], host);
  return { program, kubeadmCommand: container.command, command: [tool(program as ToolName), ...command.slice(1)], rewrites: [...rewrites, ...probed.rewrites], probeUrl: probed.url };
}

/** One probe as the kubelet sends it: 200–399 is success; HTTPS is not verified (the kubelet does not either). */
export function probeOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { timeout: 2000, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** What the tier's control plane is, for the tests and for teardown. */
export interface ControlPlane {
  /** The folder standing in for the node's `/`. */
  readonly root: string;
  readonly server: string;
  /** kubeadm's admin.conf (group kubeadm:cluster-admins), pointed at the tier. */
  readonly adminKubeconfig: string;
  /** kubeadm's super-admin.conf (system:masters): KWOK plays every node's kubelet with it. */
  readonly superAdminKubeconfig: string;
  readonly pods: readonly StaticPodRun[];
  /** Where the work folder (cluster.yaml, dist, .cluster-secrets) of the tier's own synth is. */
  readonly work: string;
}

/** The file in the tier's folder that records the control plane (tests read it: what kubeadm wrote, what ran). */
export const CONTROL_PLANE_RECORD = 'control-plane.json';

const READY_TIMEOUT_MS: Record<ControlPlaneProgram, number> = { etcd: 30_000, 'kube-apiserver': 120_000, 'kube-controller-manager': 60_000, 'kube-scheduler': 60_000 };

/**
 * Synthesizes the tier's config, makes its PKI and kubeadm's static Pods, and starts etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler from them, each waited on by its own probe. Started pids are
 * pushed to `pids` as they start, so the caller can stop them if a later step fails.
 */
export interface ControlPlaneOptions {
  /**
   * The cluster.yaml to synthesize and run.
   * @default tierClusterYaml()
   */
  readonly clusterYaml?: string;
  /**
   * Which static Pods to start (in kubeadm's order).
   * @default all four
   */
  readonly programs?: readonly ControlPlaneProgram[];
  /** Runs once the node's files are in place, before etcd starts: e.g. a KMS plugin the API server needs. */
  readonly beforeStart?: (root: string) => void | Promise<void>;
}

/** A started control plane: what it is, and its processes, which a test may restart. */
export interface RunningControlPlane extends ControlPlane {
  readonly processes: Map<ControlPlaneProgram, StartedProcess>;
}

export async function startControlPlane(dir: string, pids: number[], options: ControlPlaneOptions = {}): Promise<RunningControlPlane> {
  const work = clusterFolder(path.join(dir, 'product'), options.clusterYaml ?? tierClusterYaml());
  synthIn(work);
  const root = path.join(dir, 'root');
  const pki = path.join(root, 'etc', 'kubernetes', 'pki');
  generatePkiIn(work, pki);
  const fileRewrites = installNodeFiles(work, root);
  const configRewrite = kubeadmInitPhases(path.join(work, 'dist', 'node-config', 'kubeadm-init.yaml'), root);
  fileRewrites.push(configRewrite);
  const manifests = path.join(root, 'etc', 'kubernetes', 'manifests');

  const free = await Promise.all(KUBEADM_PORTS.map(() => freePort()));
  const host: ControlPlaneHost = { root, ports: Object.fromEntries(KUBEADM_PORTS.map((p, i) => [p, free[i]])) };
  const kubeconfigRewrites: Record<string, HostRewrite> = {};
  for (const conf of ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf']) {
    const file = path.join(root, 'etc', 'kubernetes', conf);
    const { text, rewrite } = kubeconfigRewrite(fs.readFileSync(file, 'utf8'), host);
    fs.writeFileSync(file, text, { mode: 0o600 });
    kubeconfigRewrites[conf] = rewrite;
  }

  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const pods: StaticPodRun[] = [];
  const plane: ControlPlane = {
    root,
    server: `https://127.0.0.1:${host.ports[6443]}`,
    adminKubeconfig: path.join(root, 'etc', 'kubernetes', 'admin.conf'),
    superAdminKubeconfig: path.join(root, 'etc', 'kubernetes', 'super-admin.conf'),
    pods,
    work,
  };
  const record = () => fs.writeFileSync(path.join(dir, CONTROL_PLANE_RECORD), JSON.stringify({ ...plane, kubeconfigRewrites, fileRewrites }, null, 2));
  const processes = new Map<ControlPlaneProgram, StartedProcess>();
  await options.beforeStart?.(root);
  for (const program of CONTROL_PLANE_PROGRAMS.filter((p) => !options.programs || options.programs.includes(p))) {
    const run = prepareStaticPod(program, path.join(manifests, `${program}.yaml`), host);
    pods.push(run);
    record();
    const p = await startStaticPod(run, logs, pids);
    processes.set(program, p);
    if (program === 'kube-apiserver') grantKubeadmClusterAdmins(plane);
  }
  return { ...plane, processes };
}

async function startStaticPod(run: StaticPodRun, logs: string, pids: number[]): Promise<StartedProcess> {
  const p = startProcess(run.program, run.command[0], run.command.slice(1), path.join(logs, `${run.program}.log`));
  pids.push(p.pid);
  await waitReady(p, `${run.program} probe ${run.probeUrl}`, () => probeOk(run.probeUrl), READY_TIMEOUT_MS[run.program]);
  return p;
}

/**
 * Restarts one program on the same command, as a node restarts a static Pod (README: "restart every
 * kube-apiserver" after a change of its files), and waits for its probe again.
 */
export async function restartStaticPod(plane: RunningControlPlane, program: ControlPlaneProgram, pids: number[]): Promise<void> {
  const old = plane.processes.get(program);
  const run = plane.pods.find((p) => p.program === program);
  if (!old || !run) throw new Error(`${program} is not running in this control plane`);
  stopProcesses([old.pid]);
  const logs = path.dirname(old.log);
  fs.renameSync(old.log, `${old.log}.${Date.now()}`);
  plane.processes.set(program, await startStaticPod(run, logs, pids));
}

/**
 * What `kubeadm init` does once the API server answers: bind admin.conf's group to cluster-admin with the
 * super-admin credentials (admin.conf is only `kubeadm:cluster-admins`, not system:masters).
 */
function grantKubeadmClusterAdmins(plane: ControlPlane): void {
  const exists = kubectl(plane.superAdminKubeconfig, ['get', 'clusterrolebinding', 'kubeadm:cluster-admins']).status === 0;
  if (!exists) kubectlOk(plane.superAdminKubeconfig, ['create', 'clusterrolebinding', 'kubeadm:cluster-admins', '--clusterrole=cluster-admin', '--group=kubeadm:cluster-admins']);
}

/** Reads the record a running tier wrote (for tests that check what ran against what kubeadm wrote). */
export function readControlPlane(dir: string): ControlPlane & { kubeconfigRewrites: Record<string, HostRewrite>; fileRewrites: HostRewrite[] } {
  const file = path.join(dir, CONTROL_PLANE_RECORD);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the tier did not start its control plane from kubeadm's files`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * A change of cluster.yaml as a user makes it on a running cluster: write it, synth, and install the node files
 * again (README table). Flags do not change here, so kubeadm's static Pods stay as they are.
 */
export function applyClusterYaml(plane: ControlPlane, clusterYaml: string): void {
  fs.writeFileSync(path.join(plane.work, 'cluster.yaml'), clusterYaml);
  synthIn(plane.work);
  installNodeFiles(plane.work, plane.root);
}
