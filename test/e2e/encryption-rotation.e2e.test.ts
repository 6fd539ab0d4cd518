// The README's key rotation, step by step as written, against a real kube-apiserver started from kubeadm's
// reading of our files (its own etcd and API server, so restarts do not disturb the shared tier). After every
// step every Secret reads back unchanged; etcd's raw values show which key encrypted each one.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyClusterYaml, restartStaticPod, startControlPlane, type RunningControlPlane } from './harness/control-plane';
import { encryptionPrefix, etcdKeys, etcdValue } from './harness/etcd';
import { kubectlOk } from './harness/kubectl';
import { stopProcesses } from './harness/processes';
import { tierVersions, tool } from './harness/tools';

const SECRETS = 6;

const clusterYaml = (provider: string, keys: readonly string[]) =>
  [
    `kubernetesVersion: ${tierVersions().kubernetes}`,
    'apiServer:',
    '  host: 127.0.0.1',
    '  encryptionAtRest:',
    '    enabled: true',
    `    provider: ${provider}`,
    '    keys:',
    ...keys.map((k) => `      - name: ${k}`),
    '',
  ].join('\n');

describe.each(['secretbox', 'aescbc'])('key rotation with %s, as the README writes it', (provider) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cb-e2e-rotation-${provider}-`));
  const pids: number[] = [];
  let plane: RunningControlPlane;
  const values = new Map<string, string>();

  /** Every Secret we wrote reads back with its value; returns the encryption prefix of each, from etcd. */
  const checkAll = (): Map<string, string | undefined> => {
    const prefixes = new Map<string, string | undefined>();
    for (const [name, value] of values) {
      expect({ name, value: Buffer.from(kubectlOk(plane.adminKubeconfig, ['get', 'secret', name, '-n', 'default', '-o', 'jsonpath={.data.value}']), 'base64').toString() }).toEqual({ name, value });
      prefixes.set(name, encryptionPrefix(etcdValue(plane, `/registry/secrets/default/${name}`)));
    }
    return prefixes;
  };
  const writeSecret = (name: string) => {
    const value = `${provider}-${name}-${Math.random().toString(36).slice(2)}`;
    kubectlOk(plane.adminKubeconfig, ['create', 'secret', 'generic', name, '-n', 'default', `--from-literal=value=${value}`]);
    values.set(name, value);
  };
  const step = async (keys: readonly string[]) => {
    applyClusterYaml(plane, clusterYaml(provider, keys));
    await restartStaticPod(plane, 'kube-apiserver', pids);
  };
  const prefix = (key: string) => `k8s:enc:${provider}:v1:${key}:`;

  beforeAll(async () => {
    plane = await startControlPlane(dir, pids, { clusterYaml: clusterYaml(provider, ['key1']), programs: ['etcd', 'kube-apiserver'] });
    for (let i = 0; i < SECRETS; i++) writeSecret(`before-${i}`);
  }, 180_000);
  afterAll(() => {
    stopProcesses(pids);
    if (!process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('before: every Secret is encrypted with key1, and no value appears in etcd as plaintext', () => {
    expect([...checkAll().values()]).toEqual(Array(SECRETS).fill(prefix('key1')));
    for (const [name, value] of values) expect(etcdValue(plane, `/registry/secrets/default/${name}`).includes(Buffer.from(value))).toBe(false);
  });

  test('1. the new key added second: everything reads back, new writes still use key1', async () => {
    await step(['key1', 'key2']);
    writeSecret('after-step-1');
    expect(new Set(checkAll().values())).toEqual(new Set([prefix('key1')]));
  }, 120_000);

  test('2. the new key moved first: everything reads back, new writes use key2', async () => {
    await step(['key2', 'key1']);
    writeSecret('after-step-2');
    const prefixes = checkAll();
    expect(prefixes.get('after-step-2')).toBe(prefix('key2'));
    expect(prefixes.get('before-0')).toBe(prefix('key1'));
  }, 120_000);

  test('3. `kubectl get secrets -A -o json | kubectl replace -f -` re-encrypts every Secret with key2', () => {
    const r = spawnSync('bash', ['-c', 'kubectl get secrets -A -o json | kubectl replace -f -'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, KUBECONFIG: plane.adminKubeconfig, PATH: `${path.dirname(tool('kubectl'))}:${process.env.PATH}` },
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(new Set(checkAll().values())).toEqual(new Set([prefix('key2')]));
    // every Secret in etcd, not only ours (the API server's own ones included)
    const all = etcdKeys(plane, '/registry/secrets/').map((k) => encryptionPrefix(etcdValue(plane, k)));
    expect(new Set(all)).toEqual(new Set([prefix('key2')]));
  });

  test('4. the old key dropped: everything still reads back, all with key2', async () => {
    await step(['key2']);
    const config = fs.readFileSync(path.join(plane.root, 'etc/kubernetes/encryption/encryption-configuration.yaml'), 'utf8');
    expect(config).not.toMatch(/name: key1/);
    expect(new Set(checkAll().values())).toEqual(new Set([prefix('key2')]));
  }, 120_000);
});
