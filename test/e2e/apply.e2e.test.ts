// Every synthesized file faces the real API server: server-side dry-run, the real server-side apply,
// and a second apply that must change nothing.
import { cluster, manifestFiles, objectsIn, ref, SCENARIOS, synthScenario } from './support';
import { kubectl, kubectlOk } from './harness/cluster';

const FIELD_MANAGER = 'cluster-bootstrap';

/** resourceVersion of every object of a dist folder, as the API server has it. */
function resourceVersions(kubeconfig: string, dist: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of manifestFiles(dist)) {
    const list = JSON.parse(kubectlOk(kubeconfig, ['get', '-f', file, '-o', 'json']));
    for (const item of list.items ?? [list]) out[ref(item)] = item.metadata.resourceVersion;
  }
  return out;
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

  test('server-side apply creates every object; a second apply changes nothing', () => {
    for (const file of manifestFiles(dist)) {
      const r = kubectl(kubeconfig, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', file]);
      expect({ file, stderr: r.stderr, status: r.status }).toEqual({ file, stderr: '', status: 0 });
    }
    const expected = objectsIn(dist).map(ref).sort();
    const before = resourceVersions(kubeconfig, dist);
    expect(Object.keys(before).sort()).toEqual(expected);
    for (const file of manifestFiles(dist)) kubectlOk(kubeconfig, ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', file]);
    expect(resourceVersions(kubeconfig, dist)).toEqual(before);
  });
});
