// The real `pulumi up`: the Pulumi CLI, the Node.js language host and the Kubernetes provider (built by
// setup-tools.sh) deploy stacks/ with Pulumi.dev.yaml to the real API server of this tier. The tests run in
// order and share one stack: create, no-op, one-value change, interrupted updates, destroy.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kubectl, kubectlOk } from './harness/cluster';
import { exitOf, PulumiProject, waitForOutput } from './harness/pulumi';
import { cluster, manifestFiles, objectsIn, synthConfig } from './support';

const { kubeconfig } = cluster();
let project: PulumiProject;
let dist: string;
const timings: Record<string, number> = {};

/** `type::name` of a synthesized object, as its Pulumi URN ends. */
function urnKey(o: Record<string, any>): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['core', o.apiVersion];
  return `kubernetes:${group}/${version}:${o.kind}::${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** The Kubernetes resources a stack state holds, as `type::name`, one entry per URN (duplicates kept). */
function kubernetesUrnKeys(urns: string[]): string[] {
  return urns
    .map((u) => u.split('$').pop()!)
    .filter((k) => k.startsWith('kubernetes:') && !k.startsWith('kubernetes:pulumi'))
    .sort();
}

/** `Kind/namespace/name` of every synthesized object that exists in the cluster. */
function existing(): string[] {
  return manifestFiles(dist)
    .flatMap((f) => {
      // with --ignore-not-found, nothing found prints nothing at all
      const out = kubectlOk(kubeconfig, ['get', '-f', f, '--ignore-not-found', '-o', 'json']);
      return out.trim() === '' ? [] : (JSON.parse(out).items ?? [JSON.parse(out)]);
    })
    .map((o: any) => urnKey(o))
    .sort();
}

function expected(): string[] {
  return objectsIn(dist).map(urnKey).sort();
}

beforeAll(() => {
  project = new PulumiProject(fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-pulumi-')), 'dev', kubeconfig);
  dist = synthConfig('pulumi-dev', project.clusterYaml());
  // other files of this tier apply the same objects with kubectl; a stack starts from a cluster without them
  for (const file of manifestFiles(dist)) kubectlOk(kubeconfig, ['delete', '-f', file, '--ignore-not-found', '--wait=true']);
  expect(existing()).toEqual([]);
});

afterAll(() => {
  if (process.env.E2E_TIMINGS) fs.writeFileSync(process.env.E2E_TIMINGS, JSON.stringify(timings));
  if (project) fs.rmSync(project.dir, { recursive: true, force: true });
});

test('pulumi up creates every object the synth produces, once', () => {
  const preview = project.preview();
  const creates = kubernetesUrnKeys(preview.steps.filter((s) => s.op === 'create').map((s) => s.urn));
  expect(creates).toEqual(expected());
  const up = project.ok(['up', '--yes', '--skip-preview']);
  timings.freshUp = up.seconds;
  expect(existing()).toEqual(expected());
  const state = project.state();
  expect(kubernetesUrnKeys(state.urns)).toEqual(expected());
  expect(state.pendingOperations).toEqual([]);
  // the stack outputs come from the same parsed config as the synth
  const outputs = JSON.parse(project.ok(['stack', 'output', '--json']).stdout);
  const kubeDns = objectsIn(dist).find((o) => o.kind === 'Service' && o.metadata.name === 'kube-dns')!;
  expect(outputs.dnsServiceIP).toBe(kubeDns.spec.clusterIP);
  // the engine names the provider it ran: the real plugin, at the version setup-tools.sh stamped
  expect(up.stdout + up.stderr).toMatch(/resource plugin kubernetes is expected to have version >=4\.34\.2, but has 4\.25\.0-alpha\.0\+f47bc2d6/);
});

test('a second pulumi up changes nothing', () => {
  const noop = project.ok(['up', '--yes', '--skip-preview', '--expect-no-changes']);
  timings.noopUp = noop.seconds;
  const preview = project.preview();
  expect(Object.keys(preview.changeSummary)).toEqual(['same']);
  // --expect-no-changes is live: a change makes it fail
  project.editClusterConfig((c) => (c.components.coredns.replicas = 3));
  expect(project.run(['preview', '--expect-no-changes']).status).not.toBe(0);
  project.editClusterConfig((c) => (c.components.coredns.replicas = 1));
});

test('changing CoreDNS replicas previews exactly that change, and up applies it', () => {
  project.editClusterConfig((c) => (c.components.coredns.replicas = 2));
  // the program reads its own last outputs (the change plan's baseline): a read, not a change
  const changed = project.preview().steps.filter((s) => s.op !== 'same' && !s.urn.includes('pulumi:pulumi:StackReference'));
  expect(changed.map((s) => [s.op, s.urn.split('$').pop()])).toEqual([['update', 'kubernetes:apps/v1:Deployment::kube-system/coredns']]);
  expect(Object.keys(changed[0].detailedDiff ?? {})).toEqual(['spec.replicas']);
  project.ok(['up', '--yes', '--skip-preview']);
  expect(kubectlOk(kubeconfig, ['get', 'deployment', '-n', 'kube-system', 'coredns', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
  project.editClusterConfig((c) => (c.components.coredns.replicas = 1));
  project.ok(['up', '--yes', '--skip-preview']);
});

/**
 * Destroys the stack, then starts `pulumi up` and stops it with `signal` once the kube-dns Service and at
 * least `after` objects were created. Not earlier: a Service create with a fixed clusterIP that is abandoned
 * in flight can leave the IP allocated with no Service until the API server's repair loop frees it (up to
 * about 12 minutes), and every create of kube-dns fails meanwhile. The README names that case.
 */
async function interruptedUp(signal: NodeJS.Signals, after: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  project.ok(['destroy', '--yes', '--skip-preview']);
  expect(existing()).toEqual([]);
  const child = project.spawnUp();
  const created = /^ \+ {2}(kubernetes:\S+ \S+) created/gm;
  await waitForOutput(
    child,
    `the kube-dns Service and ${after} objects created`,
    (out) => {
      const names = [...out.matchAll(created)].map((m) => m[1]);
      return names.includes('kubernetes:core/v1:Service kube-system/kube-dns') && names.length >= after;
    },
    60_000,
  );
  if (signal === 'SIGINT') {
    // Ctrl-C in a terminal: SIGINT to the CLI's process group
    process.kill(-child.pid!, signal);
  } else {
    // a lost machine or a cancelled CI job: every process of the run at once (the CLI starts the language
    // host and the provider in process groups of their own, so a group kill alone would leave them running)
    for (const pid of project.processes()) process.kill(pid, signal);
  }
  const exit = await exitOf(child);
  const partial = existing();
  expect(partial.length).toBeGreaterThanOrEqual(after);
  expect(partial.length).toBeLessThan(expected().length);
  return exit;
}

test('Ctrl-C part-way through pulumi up: the next up converges, refresh shows no drift', async () => {
  const exit = await interruptedUp('SIGINT', 3);
  expect(exit.code).not.toBe(0);
  // a graceful stop leaves no lock, no pending operation and no process behind
  expect(project.locks()).toEqual([]);
  expect(project.state().pendingOperations).toEqual([]);
  expect(project.processes()).toEqual([]);
  project.ok(['up', '--yes', '--skip-preview']);
  expect(existing()).toEqual(expected());
  expect(kubernetesUrnKeys(project.state().urns)).toEqual(expected());
  project.ok(['refresh', '--yes', '--skip-preview', '--expect-no-changes']);
  project.ok(['preview', '--expect-no-changes']);
});

test('the process tree killed part-way through pulumi up: the documented recovery converges with a clean state', async () => {
  const exit = await interruptedUp('SIGKILL', 3);
  expect(exit.signal).toBe('SIGKILL');
  expect(project.processes()).toEqual([]);
  // A killed CLI leaves its lock, and the updates it had in flight as pending creates. The README's recovery:
  project.removeEmptyCheckpointAttrs();
  expect(project.locks().length).toBe(1);
  const blocked = project.run(['up', '--yes', '--skip-preview']);
  expect(blocked.stdout + blocked.stderr).toMatch(/the stack is currently locked/);
  project.ok(['cancel', '--yes']);
  expect(project.locks()).toEqual([]);
  project.ok(['up', '--yes', '--skip-preview']);
  project.ok(['refresh', '--yes', '--skip-preview', '--clear-pending-creates']);
  const state = project.state();
  expect(state.pendingOperations).toEqual([]);
  // no duplicates in the state, no orphans in the cluster
  expect(kubernetesUrnKeys(state.urns)).toEqual(expected());
  expect(existing()).toEqual(expected());
  project.ok(['refresh', '--yes', '--skip-preview', '--expect-no-changes']);
  project.ok(['preview', '--expect-no-changes']);
});

test('pulumi destroy removes everything', () => {
  const destroy = project.ok(['destroy', '--yes', '--skip-preview']);
  timings.destroy = destroy.seconds;
  expect(existing()).toEqual([]);
  expect(kubernetesUrnKeys(project.state().urns)).toEqual([]);
  // the cluster's own objects are untouched
  expect(kubectl(kubeconfig, ['get', 'namespace', 'kube-system']).status).toBe(0);
});
