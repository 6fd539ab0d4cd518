import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import type { KubernetesVersion } from '../../lib/config/cluster-config';
import {
  chartMetadata,
  chartName,
  chartPathConflict,
  chartYaml,
  DEFAULT_CHART_NAME,
  detectHelmScaffold,
  escapeGoTemplate,
  helmignore,
  kubeVersionConstraint,
  mirrorHelmChart,
  parseScaffoldChart,
  writeHelmChart,
} from '../../lib/output/helm';
import type { ChartOutput } from '../../lib/output/synth';
import { toYaml } from '../../lib/output/yaml';
import { tempDir } from '../support/temp-dir';

const K8S: KubernetesVersion = { major: 1, minor: 35, patch: 4, semver: '1.35.4', tag: 'v1.35.4' } as KubernetesVersion;

/**
 * What Go's text/template makes of our escaped text, for the only actions the escaping writes: `{{ "<string>" }}`
 * prints the string; any other action is an error here, as it would be a real action to Helm.
 */
function renderGoTemplate(text: string): string {
  return text.replace(/\{\{(.*?)\}\}/gs, (_m, action: string) => {
    const literal = /^ "((?:[^"\\]|\\.)*)" $/.exec(action);
    if (!literal) throw new Error(`a template action: {{${action}}}`);
    return JSON.parse(`"${literal[1]}"`);
  });
}

describe('escapeGoTemplate', () => {
  test.each([
    ['no braces', 'data:\n  a: b\n'],
    ['one action', 'answer "{{ .Name }} 60 IN A 10.0.0.1"'],
    ['a run of braces', '{{{{{'],
    ['braces at the ends', '{{x}}'],
    ['a lone closer', 'a }} b'],
    ['a single brace', 'map { a }'],
    ['a trimming action', '{{- .Values.x -}}'],
    ['an escaped-looking text already', '{{ "{{" }}'],
  ])('renders back to the input: %s', (_name, text) => {
    const escaped = escapeGoTemplate(text);
    expect(renderGoTemplate(escaped)).toBe(text);
    // no `{{` is left outside our literal actions
    expect(escaped.split('{{ "{{" }}').join('')).not.toContain('{{');
  });

  test('leaves text without `{{` unchanged (the common case: the file is not rewritten)', () => {
    const yaml = toYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '{ a }', b: '}}' } });
    expect(escapeGoTemplate(yaml)).toBe(yaml);
  });

  test('a Corefile with a CoreDNS template plugin survives in a ConfigMap: parsed after rendering, the object is the same', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns' }, data: { Corefile: '.:53 {\n    template IN A example.test {\n        answer "{{ .Name }} 60 IN A 10.0.0.1"\n    }\n}\n' } };
    const escaped = escapeGoTemplate(toYaml(object));
    expect(escaped).not.toBe(toYaml(object));
    expect(parse(renderGoTemplate(escaped))).toEqual(object);
  });
});

describe('chart metadata', () => {
  test('chart name: the cluster name, else cluster-bootstrap', () => {
    expect(chartName('edge-1')).toBe('edge-1');
    expect(chartName('Edge_1.prod')).toBe('edge-1-prod');
    expect(chartName('--x--')).toBe('x');
    expect(chartName('')).toBe(DEFAULT_CHART_NAME);
    expect(chartName(undefined)).toBe(DEFAULT_CHART_NAME);
    expect(chartName('a'.repeat(62) + '-b')).toBe('a'.repeat(62));
  });

  test('kubeVersion: the configured minor or newer, vendor and pre-release builds included', () => {
    expect(kubeVersionConstraint(K8S)).toBe('>=1.35.0-0');
  });

  test('v2: version from the CLI, appVersion the Kubernetes release, type application', () => {
    expect(chartMetadata({ name: 'edge', version: '1.2.3', apiVersion: 'v2', kubernetesVersion: K8S })).toEqual({
      apiVersion: 'v2',
      name: 'edge',
      description: expect.stringContaining('cluster edge (Kubernetes 1.35.4)'),
      type: 'application',
      version: '1.2.3',
      appVersion: '1.35.4',
      kubeVersion: '>=1.35.0-0',
    });
  });

  test('v1: no `type`, which helm lint refuses in a v1 chart', () => {
    expect(chartMetadata({ name: 'edge', version: '1.2.3', apiVersion: 'v1', kubernetesVersion: K8S })).not.toHaveProperty('type');
  });

  test('Chart.yaml keeps versions strings (helm lint wants string version and appVersion)', () => {
    const chart = parse(chartYaml({ name: 'edge', version: '1.0.0', apiVersion: 'v2', kubernetesVersion: { ...K8S, semver: '1.35.0' } }));
    expect(typeof chart.version).toBe('string');
    expect(typeof chart.appVersion).toBe('string');
  });
});

describe('the CLI scaffold', () => {
  const files = (entries: Record<string, string>) => ({ exists: (f: string) => f in entries, read: (f: string) => entries[f] });

  test('helm format: CDK8S_OUTDIR is <dir>/templates and <dir>/Chart.yaml exists', () => {
    const fake = files({ '/p/out/Chart.yaml': 'apiVersion: v2\nname: p\nversion: "0.1.0"\n' });
    expect(detectHelmScaffold('/p/out/templates', fake.exists, fake.read)).toEqual({ dir: '/p/out', version: '0.1.0', apiVersion: 'v2' });
  });

  test('plain format: no templates/ folder, or no Chart.yaml, or no CDK8S_OUTDIR', () => {
    const fake = files({ '/p/out/Chart.yaml': 'version: 0.1.0\n' });
    expect(detectHelmScaffold('/p/out', fake.exists, fake.read)).toBeUndefined();
    expect(detectHelmScaffold('/p/other/templates', fake.exists, fake.read)).toBeUndefined();
    expect(detectHelmScaffold(undefined, fake.exists, fake.read)).toBeUndefined();
  });

  test('reads the version and apiVersion; refuses a Chart.yaml without a version or with an unknown apiVersion', () => {
    expect(parseScaffoldChart('apiVersion: v1\nversion: 2.0.0-rc.1\n')).toEqual({ version: '2.0.0-rc.1', apiVersion: 'v1' });
    expect(parseScaffoldChart('version: 1.0.0\n')).toEqual({ version: '1.0.0', apiVersion: 'v2' });
    expect(() => parseScaffoldChart('name: x\n')).toThrow(/no chart version; set synthConfig.chartVersion/);
    expect(() => parseScaffoldChart('apiVersion: v3\nversion: 1.0.0\n')).toThrow(/apiVersion "v3"/);
    expect(() => parseScaffoldChart('version: [\n')).toThrow(/is not YAML/);
  });
});

describe('.helmignore', () => {
  test('lists every node file, rooted, sorted, with match wildcards escaped', () => {
    const text = helmignore(['pki/openssl/generate.sh', 'node-config/kubelet-config.yaml', 'odd/a*b?[c].conf']);
    expect(text.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['/node-config/kubelet-config.yaml', '/odd/a\\*b\\?\\[c].conf', '/pki/openssl/generate.sh']);
  });

  test('node files may not take the paths Helm reads', () => {
    expect(chartPathConflict('templates/x.yaml')).toMatch(/Helm reads templates\//);
    expect(chartPathConflict('crds/x.yaml')).toBeDefined();
    expect(chartPathConflict('Chart.yaml')).toBeDefined();
    expect(chartPathConflict('values.yaml')).toBeDefined();
    expect(chartPathConflict('node-config/Chart.yaml')).toBeUndefined();
    expect(chartPathConflict('node/templates/x')).toBeUndefined();
  });
});

describe('writeHelmChart and the mirror for the validation plugin', () => {
  const setup = () => {
    const dir = tempDir('cb-helm-');
    const out = path.join(dir, 'dist');
    fs.mkdirSync(path.join(out, 'templates'), { recursive: true });
    fs.mkdirSync(path.join(out, 'node-config'));
    const objects = {
      dns: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dns' }, data: { Corefile: 'answer "{{ .Name }}"' } }],
      rbac: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } }],
    };
    const outputs: ChartOutput[] = Object.entries(objects).map(([id, objs]) => {
      const file = path.join(out, 'templates', `${id}.k8s.yaml`);
      fs.writeFileSync(file, toYaml(...objs));
      return { id, file, objects: objs };
    });
    outputs.push({ id: 'files-only', objects: [] });
    fs.writeFileSync(path.join(out, 'node-config', 'kubelet-config.yaml'), 'kind: KubeletConfiguration\n');
    return { dir, out, outputs, objects };
  };

  test('escapes only what needs it, writes Chart.yaml, values.yaml, .helmignore; no kustomization', () => {
    const { out, outputs } = setup();
    const written = writeHelmChart(out, outputs, ['node-config/kubelet-config.yaml'], { name: 'edge', version: '0.1.0', apiVersion: 'v2', kubernetesVersion: K8S });
    expect([...written.escaped.keys()]).toEqual(['dns.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, 'templates', 'dns.k8s.yaml'), 'utf8')).toContain('answer "{{ "{{" }} .Name }}"');
    expect(fs.readdirSync(out).sort()).toEqual(['.helmignore', 'Chart.yaml', 'node-config', 'templates', 'values.yaml']);
    expect(parse(fs.readFileSync(path.join(out, 'values.yaml'), 'utf8'))).toBeNull(); // comments only: no values
    expect(fs.readFileSync(path.join(out, '.helmignore'), 'utf8')).toContain('\n/node-config/kubelet-config.yaml\n');
  });

  test('refuses a node file where Helm would read it', () => {
    const { out, outputs } = setup();
    expect(() => writeHelmChart(out, outputs, ['templates/node.yaml'], { name: 'edge', version: '0.1.0', apiVersion: 'v2', kubernetesVersion: K8S })).toThrow(/templates\/node.yaml: Helm reads templates\//);
  });

  test('the plugin sees plain objects: links where the template is the plain text, a copy where it was escaped, node files linked', () => {
    const { dir, out, outputs, objects } = setup();
    const written = writeHelmChart(out, outputs, ['node-config/kubelet-config.yaml'], { name: 'edge', version: '0.1.0', apiVersion: 'v2', kubernetesVersion: K8S });
    const cli = path.join(dir, 'build', 'staging', 'templates');
    mirrorHelmChart(out, cli, outputs, ['node-config/kubelet-config.yaml'], written.escaped);
    expect(fs.readdirSync(cli).sort()).toEqual(['dns.k8s.yaml', 'node-config', 'rbac.k8s.yaml']);
    expect(fs.lstatSync(path.join(cli, 'dns.k8s.yaml')).isSymbolicLink()).toBe(false);
    expect(parseAllDocuments(fs.readFileSync(path.join(cli, 'dns.k8s.yaml'), 'utf8')).map((d) => d.toJS())).toEqual(objects.dns);
    expect(fs.realpathSync(path.join(cli, 'rbac.k8s.yaml'))).toBe(fs.realpathSync(path.join(out, 'templates', 'rbac.k8s.yaml')));
    expect(fs.realpathSync(path.join(cli, 'node-config', 'kubelet-config.yaml'))).toBe(fs.realpathSync(path.join(out, 'node-config', 'kubelet-config.yaml')));
    // a second mirror over a link does not write through it into the published chart
    fs.rmSync(path.join(cli, 'dns.k8s.yaml'));
    fs.symlinkSync(path.join(out, 'templates', 'dns.k8s.yaml'), path.join(cli, 'dns.k8s.yaml'));
    const chartText = fs.readFileSync(path.join(out, 'templates', 'dns.k8s.yaml'), 'utf8');
    mirrorHelmChart(out, cli, outputs, ['node-config/kubelet-config.yaml'], written.escaped);
    expect(fs.readFileSync(path.join(out, 'templates', 'dns.k8s.yaml'), 'utf8')).toBe(chartText);
  });
});
