// The cdk8s validation plugin: its rules on documents, and the real `cdk8s synth --validate` (the CLI from
// node_modules) loading it from a cdk8s.yaml in a temp folder, as an app repo would.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { loadAll } from 'js-yaml';
import { ClusterBootstrap } from '../lib/cluster-bootstrap';
import { parseClusterConfig } from '../lib/config/parse';
import { ClusterBootstrapValidation } from '../lib/validation/cdk8s-plugin';
import { checkConsistency, type ManifestDocument } from '../lib/validation/consistency-rules';
import { checkManifestDocuments } from '../lib/validation/manifest-check';
import { tempDir } from './support/temp-dir';

const root = path.join(__dirname, '..');
const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
const plugin = path.join(root, 'build', 'lib', 'validation', 'cdk8s-plugin.js');

/** Every document the bootstrap synthesizes for a config (manifests and .yaml files), as synth would show them. */
function synthesized(configFile: object): ManifestDocument[] {
  const bootstrap = new ClusterBootstrap(new App(), { config: parseClusterConfig(configFile, 'test') });
  const docs: ManifestDocument[] = [];
  for (const [id, chart] of bootstrap.charts) for (const document of chart.toJson()) docs.push({ document, file: `dist/${id}.k8s.yaml` });
  for (const f of [...bootstrap.files.values()].flat()) {
    if (f.path.endsWith('.yaml')) for (const document of loadAll(f.content)) docs.push({ document, file: `dist/${f.path}` });
  }
  return docs;
}

const KONNECTIVITY = { components: { konnectivity: { enabled: true, serverHost: 'cp.example.com' } } };

describe('rules on documents', () => {
  test('the default output and one with Konnectivity break no rule', () => {
    expect(checkManifestDocuments(synthesized({})).violations).toEqual([]);
    const k = synthesized(KONNECTIVITY);
    expect(k.some((d) => d.document?.kind === 'EgressSelectorConfiguration')).toBe(true);
    expect(checkManifestDocuments(k).violations).toEqual([]);
  });

  test('cluster-dns: a kubelet clusterDNS nothing answers on, named with the Service, file and hint', () => {
    const docs = synthesized({ components: { nodeLocalDns: { enabled: false } } }).map((d) =>
      d.document?.kind === 'KubeletConfiguration' ? { ...d, document: { ...d.document, clusterDNS: ['10.96.0.53'] } } : d,
    );
    const v = checkConsistency(docs);
    expect(v.length).toBeGreaterThan(0);
    expect(v.every((x) => x.rule === 'cluster-dns')).toBe(true);
    expect(v.map((x) => x.file)).toContain('dist/node-config/kubelet-config.yaml');
    expect(v[0].message).toContain('clusterDNS ["10.96.0.53"] but the kube-dns Service (dist/coredns.k8s.yaml) has clusterIP 10.96.0.10');
    expect(v[0].hint).toContain('["10.96.0.10"]');
  });

  test('konnectivity-consistency: an agent dialling another port than the server listens on', () => {
    const docs = synthesized(KONNECTIVITY).map((d) => {
      if (d.document?.kind !== 'DaemonSet' || !JSON.stringify(d.document).includes('/proxy-agent')) return d;
      const document = JSON.parse(JSON.stringify(d.document).replace(/--proxy-server-port=\d+/, '--proxy-server-port=9999'));
      return { ...d, document };
    });
    const v = checkConsistency(docs);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ rule: 'konnectivity-consistency', file: 'dist/konnectivity.k8s.yaml' });
    expect(v[0].message).toContain('agent port: agent --proxy-server-port "9999" but server --agent-port "8132"');
    expect(v[0].hint).toContain('components.konnectivity.agentPort');
  });

  test('objects that are not ours: unknown kinds, custom resources, junk documents; only the rules that apply', () => {
    const docs: ManifestDocument[] = [
      { document: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { volumes: 'not a list', containers: 3 } }, file: 'a.yaml' },
      { document: { apiVersion: 'v1', kind: 'List', items: [null, 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }] }, file: 'b.yaml' },
      { document: null, file: 'c.yaml' },
      { document: 'just a string', file: 'c.yaml' },
      { document: [1, 2], file: 'c.yaml' },
      { document: { kind: 'NoApiVersion' }, file: 'c.yaml' },
      { document: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: 'None' } }, file: 'd.yaml' },
      { document: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app' }, spec: { template: { spec: { containers: [{ name: 'x', image: 'x', args: null, volumeMounts: 'y' }] } } } }, file: 'e.yaml' },
    ];
    const r = checkManifestDocuments(docs);
    expect(r.unknownKinds).toEqual(['example.com/v1/Widget']);
    // the broken Deployment is a schema violation, not a crash; the ConfigMap inside the List passes
    expect(r.violations.every((v) => v.rule === 'kubernetes-schema' && v.object === 'Deployment app')).toBe(true);
    expect(r.violations.length).toBeGreaterThan(0);
  });

  test('a removed built-in kind is not mistaken for a custom resource', () => {
    const r = checkManifestDocuments([{ document: { apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', metadata: { name: 'p' }, spec: {} }, file: 'psp.yaml' }], { kubernetesVersion: '1.35.4' });
    expect(r.violations.map((v) => v.message)).toEqual(['Kubernetes v1.35.4 serves no PodSecurityPolicy in policy/v1beta1 (Kubernetes v1.35.4)']);
  });

  test('properties: unknown or wrong ones are refused, naming the property', () => {
    expect(() => new ClusterBootstrapValidation({ kubernetesVersoin: '1.35' } as any)).toThrow('unknown property "kubernetesVersoin" in cdk8s.yaml validations[].properties; known: kubernetesVersion, rules, skipRules');
    expect(() => new ClusterBootstrapValidation({ rules: ['dockershim', 'dns'] } as any)).toThrow('property "rules" in cdk8s.yaml validations[].properties names unknown rule "dns"');
    expect(() => new ClusterBootstrapValidation({ kubernetesVersion: 'latest' })).toThrow('property "kubernetesVersion"');
    expect(() => new ClusterBootstrapValidation({ skipRules: ['dockershim'] })).not.toThrow();
  });
});

// ---- the real CLI ----

function run(cwd: string, args: string[] = ['synth', '--check-upgrade=false']) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('CDK8S_') || k === 'CLUSTER_CONFIG' || k === 'CLUSTER_BOOTSTRAP_OUTDIR') delete env[k];
  const r = spawnSync(cli, args, { cwd, env, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** An app repo in a temp folder: an app that writes `files` (path -> YAML) into the CLI's output, and a cdk8s.yaml naming the plugin. */
function appRepo(files: Record<string, string>, properties?: object): string {
  const dir = tempDir('cb-plugin-');
  fs.writeFileSync(path.join(dir, 'app.js'), `const fs = require('fs'); const path = require('path');
const out = process.env.CDK8S_OUTDIR; const files = ${JSON.stringify(files)};
for (const [f, text] of Object.entries(files)) { fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true }); fs.writeFileSync(path.join(out, f), text); }
`);
  const validation = { package: plugin, version: '0.1.0', class: 'ClusterBootstrapValidation', ...(properties ? { properties } : {}) };
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `language: typescript\napp: node app.js\noutput: dist\nvalidations:\n  - ${JSON.stringify(validation)}\n`);
  return dir;
}

const KUBE_DNS = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: kube-dns\n  namespace: kube-system\nspec:\n  clusterIP: 10.96.0.10\n  ports:\n    - port: 53\n      protocol: UDP\n';
const KUBELET = (ip: string) => `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclusterDNS:\n  - ${ip}\n`;
const DOCKER_AGENT = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: log-agent
  namespace: monitoring
spec:
  selector:
    matchLabels: { app: log-agent }
  template:
    metadata:
      labels: { app: log-agent }
    spec:
      containers:
        - name: agent
          image: example.com/agent:1
          volumeMounts: [{ name: sock, mountPath: /var/run/docker.sock }]
      volumes:
        - name: sock
          hostPath: { path: /var/run/docker.sock }
`;

describe('cdk8s synth --validate, the real CLI', () => {
  beforeAll(() => {
    if (!fs.existsSync(plugin)) throw new Error('build/lib/validation/cdk8s-plugin.js is missing: run `npm run build` (npm test does)');
  });

  test('(a) a clean app passes', () => {
    const dir = appRepo({ 'app.k8s.yaml': KUBE_DNS, 'node/kubelet.yaml': KUBELET('10.96.0.10') });
    const r = run(dir, ['synth', '--check-upgrade=false', '--validate']);
    expect(r.out).toContain('Validations ended succesfully');
    expect(r.out).toMatch(/cluster-bootstrap: 2 object\(s\) in 2 file\(s\) checked .*: 0 violation\(s\)/);
    expect(r.status).toBe(0);
  });

  test('(b) an object breaking rules: exit 2, each with its object, file, rule and hint', () => {
    const dir = appRepo({ 'app.k8s.yaml': `${KUBE_DNS}---\n${DOCKER_AGENT}`, 'node/kubelet.yaml': KUBELET('10.96.0.53') });
    const r = run(dir, ['synth', '--check-upgrade=false', '--validate']);
    expect(r.status).toBe(2);
    expect(r.out).toContain('Validation failed');
    expect(r.out).toContain('cluster-dns: the kubelet\'s clusterDNS is the kube-dns Service clusterIP');
    expect(r.out).toContain('Recommendation: kubelet.config.k8s.io/v1beta1/KubeletConfiguration at /clusterDNS: clusterDNS ["10.96.0.53"] but the kube-dns Service (dist/app.k8s.yaml) has clusterIP 10.96.0.10');
    expect(r.out).toContain('How to fix: set the kubelet\'s clusterDNS to ["10.96.0.10"]');
    expect(r.out).toContain('Manifest Path: dist/node/kubelet.yaml');
    expect(r.out).toContain('dockershim: no workload depends on Docker');
    expect(r.out).toContain('Resource Name: DaemonSet monitoring/log-agent');
    expect(r.out).toContain('container agent: volume sock mounts hostPath /var/run/docker.sock, which is the Docker socket');
    expect(r.out).toContain('How to fix: mount the containerd or CRI-O socket');
  });

  test('(c) unknown kinds and custom resources: no crash, said to be checked by the schema-free rules only', () => {
    const cr = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  anything: [1, 2]\n---\n# a comment-only document\n---\nplain text\n';
    const dir = appRepo({ 'app.k8s.yaml': `${cr}---\n${KUBE_DNS}` });
    const r = run(dir, ['synth', '--check-upgrade=false', '--validate']);
    expect(r.out).toContain('no schema for example.com/v1/Widget: checked by the schema-free rules only');
    expect(r.out).not.toMatch(/TypeError|at .*\.js:\d+/);
    expect(r.status).toBe(0);
  });

  test('this repo and examples/app-repo name the plugin in their cdk8s.yaml, as a file the package ships', () => {
    const { parse } = require('yaml');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    for (const [file, prefix] of [['cdk8s.yaml', './'], ['examples/app-repo/cdk8s.yaml', './node_modules/cluster-bootstrap/']]) {
      const [v] = parse(fs.readFileSync(path.join(root, file), 'utf8')).validations;
      expect(v).toEqual({ package: `${prefix}build/lib/validation/cdk8s-plugin.js`, version: pkg.version, class: 'ClusterBootstrapValidation' });
    }
    expect(pkg.files).toContain('build/lib/**/*.js');
    expect(pkg.exports['./cdk8s-plugin'].default).toBe('./build/lib/validation/cdk8s-plugin.js');
  });

  test('(d) a wrong property in cdk8s.yaml: fails naming the property', () => {
    const dir = appRepo({ 'app.k8s.yaml': KUBE_DNS }, { kubernetesVersoin: '1.35.4' });
    const r = run(dir, ['synth', '--check-upgrade=false', '--validate']);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('unknown property "kubernetesVersoin" in cdk8s.yaml validations[].properties; known: kubernetesVersion, rules, skipRules');
  });
});
