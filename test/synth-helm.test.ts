// `cdk8s synth` with `synthConfig.format: helm`: the real CLI and the compiled app in a project folder of its own.
// Helm itself runs in the e2e tier (test/e2e/helm.e2e.test.ts): lint, template, install.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { tempDir } from './support/temp-dir';

const root = path.join(__dirname, '..');
const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
// a CoreDNS `template` plugin: Go-template braces inside an object, which the chart must escape
const CLUSTER_YAML = 'clusterName: edge\ncomponents:\n  coredns:\n    extraPlugins:\n      - \'template IN A example.test { answer "{{ .Name }} 60 IN A 10.0.0.1" }\'\n';

/** A project folder: the repo's cdk8s.yaml with absolute paths, plus `synthConfig` when given. */
function project(synthConfig?: string): string {
  const dir = tempDir('cb-helm-synth-');
  const config = fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8').replace(/\.\/build\//g, `${root}/build/`).replace(/node build\//g, `node ${root}/build/`);
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), config + (synthConfig ?? ''));
  fs.writeFileSync(path.join(dir, 'cluster.yaml'), CLUSTER_YAML);
  return dir;
}
const HELM = 'synthConfig:\n  format: helm\n  chartVersion: 0.1.0\n';

function synth(cwd: string, args: string[] = []) {
  const r = spawnSync(cli, ['synth', '--check-upgrade=false', ...args], { cwd, encoding: 'utf8', env: { ...process.env, CLUSTER_CONFIG: '', CLUSTER_BOOTSTRAP_OUTDIR: '' }, timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const objectsOf = (file: string) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());
/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => !fs.statSync(path.join(dir, f)).isDirectory()).sort();
}
/** The objects-checked line of our validation plugin. */
const pluginLine = (out: string) => /cluster-bootstrap: \d+ object\(s\) in \d+ file\(s\) checked[^\n]*/.exec(out)?.[0];

describe('cdk8s synth with synthConfig.format: helm', () => {
  let plain: string;
  let helm: string;
  let plainRun: ReturnType<typeof synth>;
  let helmRun: ReturnType<typeof synth>;
  beforeAll(() => {
    plain = project();
    plainRun = synth(plain);
    helm = project(HELM);
    helmRun = synth(helm);
  }, 240_000);

  test('publishes a chart in dist/: Chart.yaml, values.yaml, .helmignore, templates/, node files at their paths, no kustomization', () => {
    expect(plainRun.status).toBe(0);
    expect(helmRun.status).toBe(0);
    const dist = path.join(helm, 'dist');
    const manifests = tree(path.join(plain, 'dist')).filter((f) => f.endsWith('.k8s.yaml'));
    const nodeFiles = tree(path.join(plain, 'dist')).filter((f) => !f.endsWith('.k8s.yaml') && f !== 'kustomization.yaml');
    expect(manifests.length).toBeGreaterThan(3);
    expect(tree(dist)).toEqual(['.helmignore', 'Chart.yaml', ...manifests.map((f) => `templates/${f}`), 'values.yaml', ...nodeFiles].sort());
    expect(parse(fs.readFileSync(path.join(dist, 'Chart.yaml'), 'utf8'))).toEqual({
      apiVersion: 'v2',
      name: 'edge',
      description: expect.stringContaining('Kubernetes 1.35.4'),
      type: 'application',
      version: '0.1.0',
      appVersion: '1.35.4',
      kubeVersion: '>=1.35.0-0',
    });
    // every node file, and nothing else, is kept out of the package
    expect(fs.readFileSync(path.join(dist, '.helmignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).sort()).toEqual(nodeFiles.map((f) => `/${f}`).sort());
    for (const f of nodeFiles) expect(fs.readFileSync(path.join(dist, f), 'utf8')).toBe(fs.readFileSync(path.join(plain, 'dist', f), 'utf8'));
  });

  test('templates hold the plain manifests, with only `{{` escaped', () => {
    const escaped = [];
    for (const f of tree(path.join(plain, 'dist')).filter((x) => x.endsWith('.k8s.yaml'))) {
      const text = fs.readFileSync(path.join(plain, 'dist', f), 'utf8');
      const template = fs.readFileSync(path.join(helm, 'dist', 'templates', f), 'utf8');
      expect(template).toBe(text.replace(/\{\{/g, '{{ "{{" }}'));
      if (template !== text) escaped.push(f);
    }
    expect(escaped).toEqual(['coredns.k8s.yaml']);
  });

  test('the summary names the chart and its version; every path it prints exists afterwards', () => {
    expect(helmRun.out).toContain('coredns v1.13.1: 7 objects -> dist/templates/coredns.k8s.yaml');
    expect(helmRun.out).toContain('published Helm chart edge 0.1.0 in dist/ (install with: helm upgrade --install edge dist/ --namespace kube-system; manifests in dist/templates/, node files listed in dist/.helmignore)');
    expect(helmRun.out).toContain('the cdk8s CLI lists build/cdk8s-staging/templates/ below');
    expect(helmRun.out).not.toContain('kustomization');
    const paths = [...new Set(helmRun.out.split(/[\s(),;]+/).filter((t) => /^(dist|build)\//.test(t)))];
    expect(paths).toEqual(expect.arrayContaining(['dist/', 'dist/templates/', 'dist/.helmignore', 'build/cdk8s-staging/templates/coredns.k8s.yaml']));
    expect(paths.filter((p) => !fs.existsSync(path.resolve(helm, p)))).toEqual([]);
  });

  test('the validation plugin checks the same objects as in the plain format, unescaped', () => {
    expect(helmRun.out).toContain('Validations ended succesfully');
    // the plain format's line counts its kustomization.yaml too (one document, one file), which a chart has not
    const counts = (out: string) => /(\d+) object\(s\) in (\d+) file\(s\)/.exec(pluginLine(out) ?? '')!.slice(1).map(Number);
    expect(pluginLine(helmRun.out)).toBeDefined();
    expect(counts(helmRun.out)).toEqual(counts(plainRun.out).map((n) => n - 1));
    expect(pluginLine(helmRun.out)!.replace(/^.*checked/, '')).toBe(pluginLine(plainRun.out)!.replace(/^.*checked/, ''));
    const seen = path.join(helm, 'build', 'cdk8s-staging', 'templates', 'coredns.k8s.yaml');
    expect(fs.lstatSync(seen).isSymbolicLink()).toBe(false); // a copy: the chart's file is escaped
    expect(objectsOf(seen)).toEqual(objectsOf(path.join(plain, 'dist', 'coredns.k8s.yaml')));
    expect(fs.realpathSync(path.join(helm, 'build', 'cdk8s-staging', 'templates', 'flannel.k8s.yaml'))).toBe(fs.realpathSync(path.join(helm, 'dist', 'templates', 'flannel.k8s.yaml')));
  });

  test('a failed synth (bad cluster config) leaves the published chart as it was', () => {
    const before = tree(path.join(helm, 'dist')).map((f) => [f, fs.readFileSync(path.join(helm, 'dist', f), 'utf8')]);
    fs.writeFileSync(path.join(helm, 'cluster.yaml'), 'clusterName: edge\nnetworking:\n  kubeProxyMod: ipvs\n');
    const r = synth(helm);
    fs.writeFileSync(path.join(helm, 'cluster.yaml'), CLUSTER_YAML);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('networking.kubeProxyMod: unknown field');
    expect(r.out).toContain('The previous output was left untouched.');
    expect(tree(path.join(helm, 'dist')).map((f) => [f, fs.readFileSync(path.join(helm, 'dist', f), 'utf8')])).toEqual(before);
    expect(fs.readdirSync(helm).filter((f) => f.startsWith('dist.'))).toEqual([]); // no staging folder left behind
  });

  test('a chart version that is not semver is refused by the CLI before the app runs', () => {
    const before = tree(path.join(helm, 'dist'));
    fs.writeFileSync(path.join(helm, 'cdk8s.yaml'), fs.readFileSync(path.join(helm, 'cdk8s.yaml'), 'utf8').replace('chartVersion: 0.1.0', 'chartVersion: "1.0"'));
    const r = synth(helm);
    fs.writeFileSync(path.join(helm, 'cdk8s.yaml'), fs.readFileSync(path.join(helm, 'cdk8s.yaml'), 'utf8').replace('chartVersion: "1.0"', 'chartVersion: 0.1.0'));
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("The value specified for '--chart-version': 1.0 does not follow SemVer-2");
    expect(r.out).not.toContain('Synthesizing application');
    expect(tree(path.join(helm, 'dist'))).toEqual(before);
  });

  test('chartApiVersion v1: a v1 chart without `type`', () => {
    const dir = project('synthConfig:\n  format: helm\n  chartVersion: 2.0.0-rc.1\n  chartApiVersion: v1\n');
    const r = synth(dir);
    expect(r.status).toBe(0);
    const chart = parse(fs.readFileSync(path.join(dir, 'dist', 'Chart.yaml'), 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v1', version: '2.0.0-rc.1' });
    expect(chart).not.toHaveProperty('type');
  }, 120_000);
});
