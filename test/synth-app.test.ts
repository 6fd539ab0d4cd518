// End-to-end: the compiled app (what cdk8s.yaml runs) and the real cdk8s CLI, in temp directories.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { KubernetesSchema } from '../lib/validation/kubernetes-schema';
import { tempDir as removedAfterAll } from './support/temp-dir';

const root = path.join(__dirname, '..');
const DEFAULT_OUTPUT = ['cluster-doctor-rbac.k8s.yaml', 'control-plane', 'coredns.k8s.yaml', 'flannel.k8s.yaml', 'kustomization.yaml', 'node', 'node-config', 'node-local-dns.k8s.yaml', 'pki'];
// what cdk8s.yaml runs: the bundle of build/main.js
const mainJs = path.join(root, 'build', 'synth.js');

function run(cwd: string, env: NodeJS.ProcessEnv = {}, command = process.execPath, args = [mainJs]) {
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
  return removedAfterAll('cb-synth-');
}

function readObjects(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());
}

beforeAll(() => {
  if (!fs.existsSync(mainJs)) throw new Error('build/synth.js is missing: run `npm run build` (npm test does)');
});

describe('synth app', () => {
  test('with no config: the embedded default, one file per component, a summary', () => {
    const cwd = tempDir();
    const r = run(cwd);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(fs.readdirSync(path.join(cwd, 'dist'))).toEqual(DEFAULT_OUTPUT);
    expect(r.stderr).toContain('from the embedded default config');
    expect(r.stderr).toContain('file  dist/node/linux/sysctl.d/90-cluster-bootstrap-flannel.conf');
    expect(fs.readFileSync(path.join(cwd, 'dist', 'node', 'linux', 'sysctl.d', '90-cluster-bootstrap-flannel.conf'), 'utf8')).toContain(
      'net.bridge.bridge-nf-call-iptables = 1',
    );
    expect(r.stderr).toContain('flannel v0.28.9: 6 objects -> dist/flannel.k8s.yaml');
    expect(r.stderr).toContain('image ghcr.io/flannel-io/flannel:v0.28.9');
    expect(r.stderr).toContain('coredns v1.13.1: 7 objects -> dist/coredns.k8s.yaml');
    expect(r.stderr).toContain('node-local-dns 1.26.7: 5 objects -> dist/node-local-dns.k8s.yaml');
    expect(r.stderr).toContain('pki v1.35.4: files only'); // the certificate plan: no objects, no keys
    expect(r.stderr).toContain('file  dist/pki/cfssl/ca-config.json');
    expect(fs.readFileSync(path.join(cwd, 'dist', 'pki', 'openssl', 'apiserver.csr.conf'), 'utf8')).toContain('IP.2 = 10.96.0.1');
    const objects = DEFAULT_OUTPUT.filter((f) => f.endsWith('.k8s.yaml')).flatMap((f) => readObjects(path.join(cwd, 'dist', f)));
    expect(objects).toHaveLength(23); // 18 add-on objects and the 5 of cluster-doctor-rbac
    expect(KubernetesSchema.forVersion('1.35.4').validateAll(objects)).toEqual([]);
    expect(fs.readdirSync(cwd)).toEqual(['dist']); // no staging folders left behind
  });

  test('cluster.yaml overrides the default and lands in the output', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'cluster.yaml'), 'clusterName: edge\nnetworking:\n  podSubnet: 10.200.0.0/16\n');
    const r = run(cwd);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('cluster edge (Kubernetes 1.35.4) from cluster.yaml');
    const cm = readObjects(path.join(cwd, 'dist', 'flannel.k8s.yaml')).find((o) => o.kind === 'ConfigMap');
    expect(JSON.parse(cm.data['net-conf.json']).Network).toBe('10.200.0.0/16');
  });

  test('bad config: clear error, exit 1, previous dist/ untouched', () => {
    const cwd = tempDir();
    expect(run(cwd).status).toBe(0);
    const before = fs.readFileSync(path.join(cwd, 'dist', 'flannel.k8s.yaml'), 'utf8');
    fs.writeFileSync(path.join(cwd, 'bad.yaml'), 'networking:\n  podSubnet: 10.96.0.0/16\n  kubeProxyMod: ipvs\n');
    const r = run(cwd, { CLUSTER_CONFIG: 'bad.yaml' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('networking.kubeProxyMod: unknown field (got "ipvs")');
    expect(r.stderr).toContain('did you mean "kubeProxyMode"?');
    expect(r.stderr).toContain('The previous output was left untouched.');
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(cwd, 'dist', 'flannel.k8s.yaml'), 'utf8')).toBe(before);
    expect(fs.readdirSync(cwd).sort()).toEqual(['bad.yaml', 'dist']);
  });

  test('a DNS forward loop: exit 1, the upstream named with a hint, previous dist/ untouched', () => {
    const cwd = tempDir();
    expect(run(cwd).status).toBe(0);
    const before = fs.readFileSync(path.join(cwd, 'dist', 'coredns.k8s.yaml'), 'utf8');
    fs.writeFileSync(path.join(cwd, 'cluster.yaml'), 'components:\n  coredns:\n    upstreams: ["10.96.0.10:53"]\n');
    const r = run(cwd);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('components.coredns.upstreams.0: is the cluster DNS Service IP: CoreDNS would forward names outside the cluster to itself (a forward loop the loop plugin stops by exiting) (got "10.96.0.10:53")');
    expect(r.stderr).toContain("hint: name resolvers outside the cluster by their own addresses, or /etc/resolv.conf (the node's resolvers)");
    expect(r.stderr).toContain('The previous output was left untouched.');
    expect(fs.readFileSync(path.join(cwd, 'dist', 'coredns.k8s.yaml'), 'utf8')).toBe(before);
    expect(fs.readdirSync(cwd).sort()).toEqual(['cluster.yaml', 'dist']);
  });

  test('a disabled component disappears from a re-synth (stale files do not linger)', () => {
    const cwd = tempDir();
    expect(run(cwd).status).toBe(0);
    fs.writeFileSync(path.join(cwd, 'cluster.yaml'), 'components:\n  flannel:\n    enabled: false\n');
    expect(run(cwd).status).toBe(0);
    expect(fs.readdirSync(path.join(cwd, 'dist'))).toEqual(['cluster-doctor-rbac.k8s.yaml', 'control-plane', 'coredns.k8s.yaml', 'kustomization.yaml', 'node', 'node-config', 'node-local-dns.k8s.yaml', 'pki']);
  });

  test('a files-only component writes no manifest and says so in the summary', () => {
    const cwd = tempDir();
    const r = run(cwd);
    expect(r.stderr).toContain('node-config v1.35.4: files only');
    expect(r.stderr).toContain('file  dist/node-config/kubeadm-init.yaml');
    expect(fs.existsSync(path.join(cwd, 'dist', 'node-config.k8s.yaml'))).toBe(false);
  });

  test('encryption at rest: keys generated once into the secrets folder, never into dist/ or the output', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'cluster.yaml'), 'apiServer:\n  encryptionAtRest:\n    enabled: true\n');
    const first = run(cwd);
    expect(first.status).toBe(0);
    const secret = path.join(cwd, '.cluster-secrets', 'control-plane', 'encryption-configuration.yaml');
    const content = fs.readFileSync(secret, 'utf8');
    const key = fs.readFileSync(path.join(cwd, '.cluster-secrets', 'encryption-keys', 'key1.key'), 'utf8').trim();
    expect(content).toContain(key);
    expect(fs.statSync(secret).mode & 0o777).toBe(0o600);
    expect(first.stderr).toContain('.cluster-secrets/control-plane/encryption-configuration.yaml (secret, mode 0600)');
    expect(first.stderr + first.stdout).not.toContain(key);
    expect(fs.existsSync(path.join(cwd, 'dist', 'control-plane', 'encryption-configuration.yaml'))).toBe(false);
    // idempotent: the kept key is reused
    expect(run(cwd).status).toBe(0);
    expect(fs.readFileSync(secret, 'utf8')).toBe(content);
    // the explicit opt-in writes it into dist/, mode 0600, with a warning
    fs.writeFileSync(path.join(cwd, 'cluster.yaml'), 'apiServer:\n  encryptionAtRest:\n    enabled: true\n    writeToDist: true\n');
    const opted = run(cwd);
    expect(opted.stderr).toContain('warning: dist/control-plane/encryption-configuration.yaml holds secret keys');
    expect(fs.statSync(path.join(cwd, 'dist', 'control-plane', 'encryption-configuration.yaml')).mode & 0o777).toBe(0o600);
  });

  test('a key of the wrong length: exit 1, the field named, the key never shown, dist/ untouched', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'cluster.yaml'), 'apiServer:\n  encryptionAtRest:\n    enabled: true\n    provider: aescbc\n    keys:\n      - name: k1\n        fromEnv: ETCD_KEY\n');
    const shortKey = Buffer.alloc(20, 1).toString('base64');
    const r = run(cwd, { ETCD_KEY: shortKey });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('apiServer.encryptionAtRest.keys.0.fromEnv: the key is 20 bytes; aescbc needs 16 or 24 or 32 bytes (got "$ETCD_KEY")');
    expect(r.stderr).not.toContain(shortKey);
    expect(fs.existsSync(path.join(cwd, 'dist'))).toBe(false);
  });
});

describe('cdk8s CLI', () => {
  test('`cdk8s synth` runs the compiled app and publishes dist/', () => {
    const out = tempDir();
    const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
    const r = run(root, { CLUSTER_BOOTSTRAP_OUTDIR: path.join(out, 'dist'), CLUSTER_CONFIG: '' }, cli, [
      'synth',
      '--check-upgrade=false',
      '--output',
      path.join(out, 'staging'),
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('flannel v0.28.9: 6 objects');
    expect(r.stderr).not.toMatch(/error/i);
    expect(fs.readdirSync(path.join(out, 'dist'))).toEqual(DEFAULT_OUTPUT);
    // plus the record of the app's own check, which the validation plugin reads (not a *.yaml file: the CLI lists none of it)
    expect(fs.readdirSync(path.join(out, 'staging'))).toEqual(['.cluster-bootstrap-checked.json', ...DEFAULT_OUTPUT]);
  });
});

describe('what `cdk8s synth` prints', () => {
  /** Tokens of the output that name a file or folder (not images, CIDRs or API versions). */
  function printedPaths(out: string): string[] {
    const tokens = out
      .split('\n')
      .filter((l) => !/^\s*image /.test(l))
      .flatMap((l) => l.split(/[\s(),]+/))
      .map((t) => t.replace(/@[\w.-]*$/, '').replace(/[.:;]+$/, ''));
    return [...new Set(tokens.filter((t) => t.includes('/') && (/^(\/|\.\.?\/|dist\/|build\/|\.cluster-secrets\/)/.test(t) || /\.(ya?ml|json|conf|sh|js)$/.test(t))))];
  }

  test('names dist/, the summary and the kustomization, and every path it prints exists afterwards', () => {
    const project = tempDir();
    // the repo's cdk8s.yaml, with its ./build paths made absolute: a project folder of its own
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8').replace(/\.\/build\//g, `${root}/build/`).replace(/node build\//g, `node ${root}/build/`));
    const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
    const r = run(project, { CLUSTER_CONFIG: '', CLUSTER_BOOTSTRAP_OUTDIR: '' }, cli, ['synth', '--check-upgrade=false']);
    expect(r.status).toBe(0);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toContain('flannel v0.28.9: 6 objects -> dist/flannel.k8s.yaml');
    expect(out).toContain('published dist/ (apply with: kubectl apply -k dist/, which reads dist/kustomization.yaml)');
    expect(out).toContain('the cdk8s CLI lists build/cdk8s-staging/ below: links to the files in dist/, which it validates');
    expect(out).toContain('Validations ended succesfully');
    const paths = printedPaths(out);
    expect(paths).toEqual(expect.arrayContaining(['dist/', 'dist/kustomization.yaml', 'build/cdk8s-staging/flannel.k8s.yaml', 'dist/pki/cfssl/ca-config.json']));
    expect(paths.filter((p) => !fs.existsSync(path.resolve(project, p)))).toEqual([]);
    // the CLI's folder holds links into dist/, not a second copy
    expect(fs.realpathSync(path.join(project, 'build', 'cdk8s-staging', 'flannel.k8s.yaml'))).toBe(fs.realpathSync(path.join(project, 'dist', 'flannel.k8s.yaml')));
  });
});

describe('npm run validate', () => {
  test('passes on synthesized output and fails on a broken manifest', () => {
    const cwd = tempDir();
    expect(run(cwd).status).toBe(0);
    const validate = path.join(root, 'build', 'scripts', 'validate-manifests.js');
    const ok = run(cwd, {}, process.execPath, [validate, 'dist']);
    expect(ok.stdout).toContain('23 objects in 4 files checked against Kubernetes v1.35.4: 0 problem(s)');
    expect(ok.status).toBe(0);
    const file = path.join(cwd, 'dist', 'flannel.k8s.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('hostNetwork: true', 'hostNetwork: true\n      hostNetwrk: true'));
    const bad = run(cwd, {}, process.execPath, [validate, 'dist']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('DaemonSet kube-flannel/kube-flannel-ds: /spec/template/spec/hostNetwrk: unknown field');
  });
});

describe('synth start-up path', () => {
  test('does not load @pulumi/*, Ajv (config schema is compiled ahead of time) or the X.509 library (only `cluster-pki generate` needs it)', () => {
    const cwd = tempDir();
    const probe = `process.on('exit', () => {
      const heavy = Object.keys(require.cache).filter((k) => /node_modules\\/(@pulumi|ajv|@peculiar|reflect-metadata)\\//.test(k));
      if (heavy.length) { console.error('loaded: ' + heavy.slice(0, 3).join(', ')); process.exitCode = 3; }
    });
    require(${JSON.stringify(path.join(root, 'build', 'main.js'))});`;
    const r = run(cwd, {}, process.execPath, ['-e', probe]);
    expect(r.stderr).not.toContain('loaded:');
    expect(r.status).toBe(0);
    const bundle = fs.readFileSync(path.join(root, 'build', 'synth-bundle.js'), 'utf8');
    expect(bundle).not.toContain('@pulumi');
    expect(bundle).not.toContain('X509CertificateGenerator');
  });

  test('the loader makes its V8 code cache when missing and still synthesizes', () => {
    // the package's layout: build/ beside schema/ (the app checks its output against the committed schemas)
    const pkg = tempDir();
    const copy = path.join(pkg, 'build');
    fs.mkdirSync(copy);
    fs.symlinkSync(path.join(root, 'schema'), path.join(pkg, 'schema'));
    for (const f of ['synth.js', 'synth-bundle.js']) fs.copyFileSync(path.join(root, 'build', f), path.join(copy, f));
    const cwd = tempDir();
    const first = run(cwd, {}, process.execPath, [path.join(copy, 'synth.js')]);
    expect(first.status).toBe(0);
    expect(fs.existsSync(path.join(copy, 'synth-bundle.js.v8cache'))).toBe(true);
    fs.writeFileSync(path.join(copy, 'synth-bundle.js.v8cache'), 'not a cache');
    const second = run(cwd, {}, process.execPath, [path.join(copy, 'synth.js')]);
    expect(second.status).toBe(0);
    expect(fs.statSync(path.join(copy, 'synth-bundle.js.v8cache')).size).toBeGreaterThan(1000);
    expect(fs.readdirSync(path.join(cwd, 'dist'))).toEqual(DEFAULT_OUTPUT);
  });
});
