// `npm run bench`: synth and deploy cost, side by side with peers, in one process tree and one run so the
// ratios hold on a noisy machine. Prints a table and writes BENCHMARKS.md. Figures are for reading; the
// targets are reported, never asserted (no test is timed).
//
//   synth       app alone (`node build/synth.js`, what cdk8s.yaml runs), `npx cdk8s synth` with and without the validation plugin, `npx cdk8s --version`
//   scale       the app alone with 10, 100 and 1,000 tenant namespaces
//   peers       `kubectl kustomize` over the same rendered files
//   cluster     (when test/e2e/setup-tools.sh has built the tools) on a fresh e2e cluster: `kubectl apply
//               --server-side --dry-run=server`, `kubectl apply --server-side`, `pulumi preview`, `pulumi up`
//               (fresh and no-op) and `pulumi destroy` of the same objects
//   dns         scripts/bench-dns.ts, run after this one: dnsperf against CoreDNS and NodeLocal DNSCache
//
// Environment: BENCH_RUNS (default 7) runs after a warm-up for synth; BENCH_CLUSTER_RUNS (default 3) for the
// cluster rows; BENCH_SKIP_CLUSTER=1 skips them; BENCH_OUT (default BENCHMARKS.md).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { kubectl, startCluster, stopCluster, type ClusterState } from '../test/e2e/harness/cluster';
import { PulumiProject } from '../test/e2e/harness/pulumi';
import { repoRoot, tierVersions, tool, toolsDir, versions } from '../test/e2e/harness/tools';
import { benchTenants } from './bench-tenants';
import { benchUpgrades } from './bench-upgrades';
import { extractDnsSection, spliceDnsSection } from './dns-bench-lib';

const root = repoRoot();
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CLUSTER_RUNS = Number(process.env.BENCH_CLUSTER_RUNS ?? 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-'));
const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
const bin = path.join(toolsDir(), 'bin');
const env = { ...process.env, CLUSTER_CONFIG: '', CDK8S_CHECK_UPGRADE: 'false' };

interface Sample {
  readonly seconds: number;
  readonly rssMb: number;
}

export interface Row {
  readonly group: string;
  readonly name: string;
  readonly command: string;
  readonly runs: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly rssMb: number;
  readonly objects?: number;
  readonly note?: string;
}

function once(argv: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Sample {
  const cmd = gnuTime ? [gnuTime, '-f', '%M', ...argv] : argv;
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const rssKb = gnuTime ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { seconds, rssMb: rssKb / 1024 };
}

function summarize(group: string, name: string, command: string, samples: Sample[], extra: Partial<Row> = {}): Row {
  const times = samples.map((s) => s.seconds).sort((a, b) => a - b);
  return { group, name, command, runs: samples.length, median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], rssMb: Math.max(...samples.map((s) => s.rssMb)), ...extra };
}

/** A command as a reader would type it: `node`, `$TOOLS/bin/...`, paths relative to the repository. */
function displayCommand(argv: string[]): string {
  return argv
    .map((a) => (a === process.execPath ? 'node' : a))
    .map((a) => a.replace(toolsDir(), '$TOOLS').replace(work, '$WORK'))
    .map((a) => (path.isAbsolute(a) && !path.relative(root, a).startsWith('..') ? path.relative(root, a) : a))
    .join(' ');
}

/** Median over `runs` runs after one warm-up run. */
export function measure(group: string, name: string, argv: string[], cwd: string, opts: { runs?: number; env?: NodeJS.ProcessEnv; extra?: Partial<Row> } = {}): Row {
  once(argv, cwd, opts.env); // warm-up: file cache, V8 code cache, lazily written CLI caches
  const samples = Array.from({ length: opts.runs ?? RUNS }, () => once(argv, cwd, opts.env));
  return summarize(group, name, displayCommand(argv), samples, opts.extra);
}

/** Synthesizes `cluster.yaml` text into `dir/dist` with the app; returns the dist folder and object count. */
export function synthInto(dir: string, clusterYaml: string): { dist: string; objects: number } {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cluster.yaml'), clusterYaml);
  once([process.execPath, path.join(root, 'build', 'synth.js')], dir);
  const dist = path.join(dir, 'dist');
  const objects = manifestFiles(dist).reduce((n, f) => n + (fs.readFileSync(f, 'utf8').match(/^kind: /gm) ?? []).length, 0);
  return { dist, objects };
}

function manifestFiles(dist: string): string[] {
  return fs.readdirSync(dist).filter((f) => f.endsWith('.k8s.yaml')).map((f) => path.join(dist, f)).sort();
}

/** A kustomization next to copies of the rendered files, for `kubectl kustomize`. */
function kustomization(dist: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const resources = manifestFiles(dist).map((f) => {
    fs.copyFileSync(f, path.join(dir, path.basename(f)));
    return path.basename(f);
  });
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }));
  return dir;
}

function timed(fn: () => void): Sample {
  const start = process.hrtime.bigint();
  fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, rssMb: NaN };
}

function ok(r: { status: number | null; stderr: string }, what: string): void {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr}`);
}

/** kubectl and Pulumi against a fresh e2e cluster: the same objects, the same run. */
async function clusterRows(dist: string, pulumiDist: string): Promise<Row[]> {
  const rows: Row[] = [];
  let state: ClusterState | undefined;
  try {
    state = await startCluster(fs.mkdtempSync(path.join(work, 'cluster-')));
    const kubeconfig = state.kubeconfig;
    // each manifest by name: `-f dist/` would also read dist/kustomization.yaml, which is kustomize's input, not an object
    const files = (target: string) => (fs.statSync(target).isDirectory() ? manifestFiles(target) : [target]).flatMap((f) => ['-f', f]);
    const apply = (target: string, dryRun: boolean) => ['apply', '--server-side', '--field-manager=bench', ...(dryRun ? ['--dry-run=server'] : []), ...files(target)];
    const namespaces = path.join(work, 'namespaces.yaml');
    // a dry-run cannot create namespaces; a deploy creates them first, so they exist for the dry-run rows
    fs.writeFileSync(namespaces, manifestFiles(dist).map((f) => fs.readFileSync(f, 'utf8')).join('\n---\n').split(/^---$/m).filter((d) => /^kind: Namespace$/m.test(d)).join('\n---\n'));
    const kubectlAll = (dir: string, dryRun: boolean) => () => ok(kubectl(kubeconfig, apply(dir, dryRun), undefined, 600_000), 'kubectl apply');
    const deleteAll = (dir: string) => ok(kubectl(kubeconfig, ['delete', ...files(dir), '--ignore-not-found', '--wait=true'], undefined, 600_000), 'kubectl delete');
    const kubectlCmd = "$TOOLS/bin/kubectl apply --server-side $(printf -- '-f %s ' dist/*.k8s.yaml)";

    if (fs.readFileSync(namespaces, 'utf8').trim()) ok(kubectl(kubeconfig, apply(namespaces, false)), 'namespaces');
    timed(kubectlAll(dist, true));
    rows.push(summarize('cluster', 'kubectl apply --server-side --dry-run=server (default bootstrap)', `${kubectlCmd} --dry-run=server`, Array.from({ length: RUNS }, () => timed(kubectlAll(dist, true)))));
    const fresh: Sample[] = [];
    for (let i = 0; i < CLUSTER_RUNS; i++) {
      deleteAll(dist);
      fresh.push(timed(kubectlAll(dist, false)));
    }
    rows.push(summarize('cluster', 'kubectl apply --server-side, fresh (default bootstrap)', kubectlCmd, fresh));
    rows.push(summarize('cluster', 'kubectl apply --server-side, no-op (default bootstrap)', kubectlCmd, Array.from({ length: CLUSTER_RUNS }, () => timed(kubectlAll(dist, false)))));
    deleteAll(dist);

    // Pulumi.dev.yaml's objects, and kubectl on exactly those for the side-by-side rows
    const project = new PulumiProject(fs.mkdtempSync(path.join(work, 'pulumi-')), 'dev', kubeconfig);
    const pulumiOk = (args: string[]) => () => {
      const r = project.run(args);
      ok({ status: r.status, stderr: r.stdout + r.stderr }, `pulumi ${args.join(' ')}`);
    };
    const samples: Record<string, Sample[]> = { preview: [], up: [], noop: [], destroy: [], kubectlFresh: [], kubectlNoop: [] };
    for (let i = 0; i < CLUSTER_RUNS; i++) {
      samples.preview.push(timed(pulumiOk(['preview'])));
      samples.up.push(timed(pulumiOk(['up', '--yes', '--skip-preview'])));
      samples.noop.push(timed(pulumiOk(['up', '--yes', '--skip-preview', '--expect-no-changes'])));
      samples.destroy.push(timed(pulumiOk(['destroy', '--yes', '--skip-preview'])));
      samples.kubectlFresh.push(timed(kubectlAll(pulumiDist, false)));
      samples.kubectlNoop.push(timed(kubectlAll(pulumiDist, false)));
      deleteAll(pulumiDist);
    }
    const p = '$TOOLS/bin/pulumi --cwd stacks --stack dev';
    rows.push(summarize('pulumi', 'pulumi preview (Pulumi.dev.yaml, empty stack)', `${p} preview`, samples.preview));
    rows.push(summarize('pulumi', 'pulumi up, fresh', `${p} up --yes --skip-preview`, samples.up));
    rows.push(summarize('pulumi', 'pulumi up, no changes', `${p} up --yes --skip-preview --expect-no-changes`, samples.noop));
    rows.push(summarize('pulumi', 'pulumi destroy', `${p} destroy --yes --skip-preview`, samples.destroy));
    rows.push(summarize('pulumi', 'kubectl apply --server-side, fresh (same objects)', kubectlCmd, samples.kubectlFresh));
    rows.push(summarize('pulumi', 'kubectl apply --server-side, no-op (same objects)', kubectlCmd, samples.kubectlNoop));
    fs.rmSync(project.dir, { recursive: true, force: true });

    for (const u of benchUpgrades(kubeconfig, work, CLUSTER_RUNS)) {
      const asSamples = (seconds: number[]) => seconds.map((s) => ({ seconds: s, rssMb: NaN }));
      rows.push(summarize('upgrade', `pulumi up, upgrade: ${u.path}`, `${p} up --yes --skip-preview`, asSamples(u.upgradeSeconds), { note: 'a stack deployed at the old config' }));
      rows.push(summarize('upgrade', `pulumi up, fresh at the new config (${u.path})`, `${p} up --yes --skip-preview`, asSamples(u.freshSeconds), { note: 'an empty stack, same run' }));
    }
  } finally {
    if (state) stopCluster(state);
  }
  return rows;
}

function fmt(s: number): string {
  return `${s.toFixed(3)} s`;
}

function table(rows: Row[]): string {
  const lines = ['| what | command | runs | median | min | max | peak RSS | objects | note |', '|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.name} | \`${r.command}\` | ${r.runs} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${Number.isNaN(r.rssMb) ? 'n/a' : `${r.rssMb.toFixed(0)} MB`} | ${r.objects ?? ''} | ${r.note ?? ''} |`);
  }
  return lines.join('\n');
}

function toolVersion(argv: string[]): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : 'unavailable';
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const targets: string[] = [];
  const started = Date.now();

  // 1. synth of the default bootstrap
  const defaultDir = path.join(work, 'default');
  const { dist, objects } = synthInto(defaultDir, '');
  const app = measure('synth', 'app alone, default bootstrap', [process.execPath, path.join(root, 'build', 'synth.js')], defaultDir, { extra: { objects } });
  const synth = measure('synth', 'npx cdk8s synth, default bootstrap', [cli, 'synth', '--check-upgrade=false', '--output', path.join(work, 'staging')], root, { env: { CLUSTER_BOOTSTRAP_OUTDIR: path.join(work, 'cdk8s-dist') }, extra: { objects } });
  // what the validation plugin adds to a synth (on our unchanged output it only compares hashes with the app's record)
  const noValidate = measure('synth', 'npx cdk8s synth --no-validate, default bootstrap', [cli, 'synth', '--check-upgrade=false', '--no-validate', '--output', path.join(work, 'staging')], root, { env: { CLUSTER_BOOTSTRAP_OUTDIR: path.join(work, 'cdk8s-dist') }, extra: { objects } });
  const floor = measure('synth', 'npx cdk8s --version (CLI start-up floor)', [cli, '--version'], root);
  const nodeFloor = measure('synth', 'node -e 0 (Node.js start-up floor)', [process.execPath, '-e', '0'], root);
  rows.push(app, synth, noValidate, floor, nodeFloor);

  // 2. peers over the same files
  const kubectlBin = tool('kubectl');
  let kustomize: Row | undefined;
  if (fs.existsSync(kubectlBin)) {
    kustomize = measure('peers', 'kubectl kustomize, same files', [kubectlBin, 'kustomize', kustomization(dist, path.join(work, 'kustomize-default'))], work, { extra: { objects } });
    rows.push(kustomize);
  }

  // 3. scale: tenants
  const scale = benchTenants(work, (name, dir) => measure('scale', name, [process.execPath, path.join(root, 'build', 'synth.js')], dir), synthInto, app);
  rows.push(...scale.rows);

  targets.push(`app alone ≤ 0.300 s: ${fmt(app.median)} — ${app.median <= 0.3 ? 'met' : 'MISSED'}`);
  targets.push(`npx cdk8s synth ≤ floor + 0.350 s: ${fmt(floor.median)} + ${fmt(synth.median - floor.median)} — ${synth.median - floor.median <= 0.35 ? 'met' : 'MISSED'}`);
  if (kustomize) {
    const ratio = app.median / kustomize.median;
    targets.push(
      `app alone ≤ 3× kubectl kustomize of the same files (stretch 2×): ${ratio.toFixed(2)}× — ${ratio <= 2 ? 'met (stretch too)' : ratio <= 3 ? 'met (stretch missed)' : 'MISSED'}; ` +
        `Node.js alone starts in ${fmt(nodeFloor.median)}, ${(nodeFloor.median / kustomize.median).toFixed(2)}× kustomize`,
    );
  }
  targets.push(...scale.targets);

  // 4. the cluster rows
  const pulumiDist = synthInto(path.join(work, 'pulumi-dev'), stringify(readStackCluster('dev'))).dist;
  const haveTools = [...(['kube-apiserver', 'etcd'] as const).map((t) => { try { return tool(t); } catch { return ''; } }), ...['kwok', 'pulumi', 'pulumi-language-nodejs', 'pulumi-resource-kubernetes'].map((t) => path.join(bin, t))].every((f) => f !== '' && fs.existsSync(f));
  let clusterNote = '';
  if (process.env.BENCH_SKIP_CLUSTER) clusterNote = 'skipped (BENCH_SKIP_CLUSTER)';
  else if (!haveTools) clusterNote = 'skipped: run `bash test/e2e/setup-tools.sh` first';
  else rows.push(...(await clusterRows(dist, pulumiDist)));

  const report = render(rows, targets, clusterNote, (Date.now() - started) / 1000);
  console.log(report);
  // the DNS section is scripts/bench-dns.ts's (run next by `npm run bench`): kept as it was
  const out = path.join(root, process.env.BENCH_OUT ?? 'BENCHMARKS.md');
  const dns = fs.existsSync(out) ? extractDnsSection(fs.readFileSync(out, 'utf8')) : '';
  fs.writeFileSync(out, dns ? spliceDnsSection(report, dns) : report);
  fs.rmSync(work, { recursive: true, force: true });
}

function readStackCluster(stack: string): unknown {
  return parse(fs.readFileSync(path.join(root, 'stacks', `Pulumi.${stack}.yaml`), 'utf8')).config['cluster-bootstrap:cluster'];
}

function render(rows: Row[], targets: string[], clusterNote: string, seconds: number): string {
  const pkg = (name: string) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  const v = versions();
  const groups: [string, string][] = [
    ['synth', 'Synth of the default bootstrap'],
    ['peers', 'Peer over the same rendered files'],
    ['scale', 'Scale: tenant namespaces (app alone)'],
    ['cluster', 'kubectl against the e2e cluster (real kube-apiserver + etcd, KWOK nodes)'],
    ['pulumi', 'Pulumi against the same cluster (Pulumi.dev.yaml), next to kubectl on the same objects'],
    ['upgrade', 'Pulumi upgrade paths (test/e2e/harness/upgrade-paths.ts), next to a fresh up of the new config'],
  ];
  const out = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (scripts/bench.ts) on ${new Date().toISOString().slice(0, 10)}, one run of ${seconds.toFixed(0)} s: every row below comes from the same process tree, so ratios between rows hold even on a noisy machine. Wall time is the median of the runs after one warm-up run; peak RSS is the maximum resident set of the measured process (GNU time), n/a where the row times several commands.`,
    '',
    '## Machine and versions',
    '',
    `- ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`,
    `- node ${process.version}, cdk8s ${pkg('cdk8s')}, cdk8s-plus-27 ${pkg('cdk8s-plus-27')}, cdk8s-cli ${pkg('cdk8s-cli')}, @pulumi/pulumi ${pkg('@pulumi/pulumi')}, @pulumi/kubernetes ${pkg('@pulumi/kubernetes')}`,
    `- kubectl/kube-apiserver ${tierVersions().kubernetes}, etcd ${tierVersions().etcd}, KWOK ${v.KWOK_VERSION}, pulumi CLI ${toolVersion([path.join(bin, 'pulumi'), 'version'])}, language host ${v.PULUMI_LANGUAGE_NODEJS_VERSION}, Kubernetes provider ${v.PULUMI_KUBERNETES_PROVIDER_VERSION} (test/e2e/tools/versions.env)`,
    '',
    '## Targets',
    '',
    ...targets.map((t) => `- ${t}`),
    '',
  ];
  for (const [group, title] of groups) {
    const inGroup = rows.filter((r) => r.group === group);
    out.push(`## ${title}`, '');
    if (inGroup.length) out.push(table(inGroup), '');
    else if (group === 'cluster' || group === 'pulumi' || group === 'upgrade') out.push(clusterNote || 'not measured', '');
  }
  return out.join('\n');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
