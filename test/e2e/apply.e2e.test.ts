// Every synthesized file faces the real API server: server-side dry-run, the real server-side apply,
// and a second apply that must change nothing.
import { cluster, manifestFiles, objectsIn, ref, SCENARIOS, synthScenario } from './support';
import { kubectl, kubectlOk } from './harness/cluster';

const FIELD_MANAGER = 'cluster-bootstrap';

// Kinds no controller writes back to: any change of their resourceVersion was made by the apply.
const STATIC_KINDS = new Set(['ConfigMap', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'NetworkPolicy']);

/**
 * What an apply may change, per object: the spec generation where the API keeps one (controllers update
 * status, which moves resourceVersion but not generation), else the resourceVersion of static kinds.
 */
function appliedState(kubeconfig: string, dist: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of manifestFiles(dist)) {
    const list = JSON.parse(kubectlOk(kubeconfig, ['get', '-f', file, '-o', 'json']));
    for (const item of list.items ?? [list]) {
      const m = item.metadata;
      out[ref(item)] = m.generation !== undefined ? `generation ${m.generation}` : STATIC_KINDS.has(item.kind) ? `resourceVersion ${m.resourceVersion}` : 'exists';
    }
  }
  return out;
}

/** `kubectl diff --server-side`: exit 0 and no output when applying would change nothing. */
function expectNoDiff(kubeconfig: string, file: string): void {
  const r = kubectl(kubeconfig, ['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', file]);
  expect({ file, status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ file, status: 0, stdout: '', stderr: '' });
}

describe.each(Object.keys(SCENARIOS))('scenario %s', (scenario) => {
  const { kubeconfig } = cluster();
  let dist: string;
  beforeAll(() => {
    dist = synthScenario(scenario);
  });

  test('server-side dry-run accepts every file', () => {
    // A dry-run cannot create namespaces, and objects in a missing namespace are refused; so, as a deploy
    // does, the Namespaces go first (dry-run, then for real) and then every file is dry-run in full.
    const namespaces = objectsIn(dist)
      .filter((o) => o.kind === 'Namespace')
      .map((o) => JSON.stringify(o))
      .join('\n');
    expect(namespaces).not.toBe('');
    for (const dryRun of [['--dry-run=server'], []]) {
      const r = kubectl(kubeconfig, ['apply', '--server-side', ...dryRun, `--field-manager=${FIELD_MANAGER}`, '-f', '-'], namespaces);
      expect({ stderr: r.stderr, status: r.status }).toEqual({ stderr: '', status: 0 });
    }
    for (const file of manifestFiles(dist)) {
      const r = kubectl(kubeconfig, ['apply', '--server-side', '--dry-run=server', `--field-manager=${FIELD_MANAGER}`, '-f', file]);
      expect({ file, stderr: r.stderr, status: r.status }).toEqual({ file, stderr: '', status: 0 });
    }
  });

  test('server-side apply creates every object; a diff then shows nothing and a second apply changes nothing', () => {
    for (const file of manifestFiles(dist)) {
      const r = kubectl(kubeconfig, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', file]);
      expect({ file, stderr: r.stderr, status: r.status }).toEqual({ file, stderr: '', status: 0 });
    }
    const expected = objectsIn(dist).map(ref).sort();
    const before = appliedState(kubeconfig, dist);
    expect(Object.keys(before).sort()).toEqual(expected);
    for (const file of manifestFiles(dist)) expectNoDiff(kubeconfig, file);
    for (const file of manifestFiles(dist)) kubectlOk(kubeconfig, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', file]);
    expect(appliedState(kubeconfig, dist)).toEqual(before);
    // the diff check is live: a changed object shows up
    const changed = objectsIn(dist).find((o) => o.kind === 'ConfigMap')!;
    const r = kubectl(kubeconfig, ['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], JSON.stringify({ ...changed, data: { ...changed.data, probe: 'x' } }));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('+  probe: x');
  });
});

describe('kubectl apply -k dist/ (dist/kustomization.yaml, as Flux and Argo CD take it)', () => {
  const { kubeconfig } = cluster();

  test('one server-side apply of the kustomization creates every object of a cluster without them; the second changes nothing', () => {
    const dist = synthScenario('windows');
    // a cluster without our objects: the scenarios above applied them
    for (const file of manifestFiles(dist)) kubectlOk(kubeconfig, ['delete', '-f', file, '--ignore-not-found', '--wait=true']);
    expect(kubectl(kubeconfig, ['get', 'namespace', 'kube-flannel']).status).not.toBe(0);
    // Namespaces are listed first, so one command creates them before the objects inside them
    const first = kubectl(kubeconfig, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-k', dist]);
    expect({ stderr: first.stderr, status: first.status }).toEqual({ stderr: '', status: 0 });
    const before = appliedState(kubeconfig, dist);
    expect(Object.keys(before).sort()).toEqual(objectsIn(dist).map(ref).sort());
    kubectlOk(kubeconfig, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-k', dist]);
    expect(appliedState(kubeconfig, dist)).toEqual(before);
    const diff = kubectl(kubeconfig, ['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-k', dist]);
    expect({ status: diff.status, stdout: diff.stdout }).toEqual({ status: 0, stdout: '' });
  });
});
