// Third-party checks on every scenario's output: kubeconform (strict, with schemas generated from the
// running API server's OpenAPI) and kube-score (findings only as allowed in kube-score-allowlist.yaml; Checkov, the
// second scanner, is checkov.e2e.test.ts).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { kubectlOk } from './harness/cluster';
import { describeFindings, describeStale, loadAllowlist, stale, unlisted, type Finding } from './harness/scanner-allowlist';
import { tool } from './harness/tools';
import { cluster, manifestFiles, objectsIn, SCENARIOS, synthScenario } from './support';
import { tempDir } from '../support/temp-dir';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kindsOf, standaloneSchema, strictDefinitions } = require('../../scripts/openapi-jsonschema.js');

const SCHEMA_TEMPLATE = '{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json';

/** One kubeconform schema file per kind the live API server serves, named as SCHEMA_TEMPLATE expects. */
function schemasFromServer(kubeconfig: string): string {
  const dir = tempDir('cb-kubeconform-');
  const openapi = JSON.parse(kubectlOk(kubeconfig, ['get', '--raw', '/openapi/v2']));
  const definitions = strictDefinitions(openapi);
  for (const [gvk, name] of Object.entries<string>(kindsOf(openapi))) {
    const parts = gvk.split('/');
    const kind = parts.pop()!.toLowerCase();
    const version = parts.pop()!;
    const group = parts.pop() ?? version; // kubeconform's Group for core kinds is "v1"
    fs.writeFileSync(path.join(dir, `${kind}-${group}-${version}.json`), JSON.stringify(standaloneSchema(definitions, name)));
  }
  return dir;
}

function kubeconform(schemaDir: string, files: string[]): { summary: any; resources: any[]; status: number | null } {
  const r = spawnSync(tool('kubeconform'), ['-strict', '-summary', '-output', 'json', '-schema-location', path.join(schemaDir, SCHEMA_TEMPLATE), ...files], { encoding: 'utf8', timeout: 60_000 });
  const out = JSON.parse(r.stdout);
  return { summary: out.summary, resources: out.resources ?? [], status: r.status };
}

function kubeScore(files: string[]): Finding[] {
  const r = spawnSync(tool('kube-score'), ['score', '--output-format', 'json', ...files], { encoding: 'utf8', timeout: 60_000 });
  const findings: Finding[] = [];
  for (const o of JSON.parse(r.stdout)) {
    const { namespace, name } = o.object_meta;
    const object = namespace ? `${o.type_meta.kind}/${namespace}/${name}` : `${o.type_meta.kind}/${name}`;
    for (const c of o.checks) {
      if (c.skipped || c.grade >= 10) continue;
      for (const comment of c.comments ?? [{ path: '', summary: c.check.name }]) {
        findings.push({ object, check: c.check.id, container: comment.path || '*', summary: comment.summary });
      }
    }
  }
  return findings;
}

const ALLOWLIST = path.join(__dirname, 'kube-score-allowlist.yaml');
const allowlist = loadAllowlist(ALLOWLIST);

describe('kubeconform, strict, with schemas from the running API server', () => {
  const { kubeconfig } = cluster();
  let schemaDir: string;
  beforeAll(() => {
    schemaDir = schemasFromServer(kubeconfig);
  });

  test.each(Object.keys(SCENARIOS))('%s: every object valid, none skipped', (scenario) => {
    const dist = synthScenario(scenario);
    const result = kubeconform(schemaDir, manifestFiles(dist));
    expect(result.resources.filter((r) => r.status !== 'statusValid')).toEqual([]);
    expect(result.summary).toMatchObject({ valid: objectsIn(dist).length, invalid: 0, errors: 0, skipped: 0 });
    expect(result.status).toBe(0);
  });

  test('it does catch an unknown field (the check is live)', () => {
    const dir = tempDir('cb-kubeconform-bad-');
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: default\ndata: {}\ndatta: {}\n');
    const result = kubeconform(schemaDir, [file]);
    expect(result.summary.invalid).toBe(1);
    expect(result.status).not.toBe(0);
  });
});

describe('kube-score', () => {
  const findings: Record<string, Finding[]> = {};
  beforeAll(() => {
    for (const scenario of Object.keys(SCENARIOS)) findings[scenario] = kubeScore(manifestFiles(synthScenario(scenario)));
  });

  test.each(Object.keys(SCENARIOS))('%s: no findings beyond the allowlist', (scenario) => {
    expect(findings[scenario].length).toBeGreaterThan(0); // kube-score ran and scored the pod templates
    expect(describeFindings(unlisted(findings[scenario], allowlist), ALLOWLIST)).toBe('');
  });

  test('every allowlist entry still matches a finding in some scenario (no stale entries)', () => {
    expect(describeStale(stale(allowlist, Object.values(findings).flat()), ALLOWLIST)).toBe('');
  });
});
