// Encryption at rest through a real KMS v2 plugin: our EncryptionConfiguration's kms section and kubeadm's mount
// of the plugin's socket folder, on a real kube-apiserver and etcd. The plugin is a test one
// (tools/kms-plugin: k8s.io/kms's own gRPC server, AES-GCM under a local key); the API server side is real.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readControlPlane, startControlPlane, type RunningControlPlane } from './harness/control-plane';
import { encryptionPrefix, etcdValue } from './harness/etcd';
import { kubectlOk } from './harness/kubectl';
import { startProcess, stopProcesses, waitReady } from './harness/processes';
import { tierVersions, tool } from './harness/tools';

const SOCKET = '/var/run/kmsplugin/socket.sock';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-kms-'));
const pids: number[] = [];
let plane: RunningControlPlane;

beforeAll(async () => {
  const clusterYaml = [
    `kubernetesVersion: ${tierVersions().kubernetes}`,
    'apiServer:',
    '  host: 127.0.0.1',
    '  encryptionAtRest:',
    '    enabled: true',
    '    provider: kms',
    '    resources: [secrets, configmaps]',
    `    kms: { name: e2e-kms, endpoint: "unix://${SOCKET}" }`,
    '',
  ].join('\n');
  plane = await startControlPlane(dir, pids, {
    clusterYaml,
    programs: ['etcd', 'kube-apiserver'],
    beforeStart: async (root) => {
      const keyFile = path.join(dir, 'kek.b64');
      fs.writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
      const socket = path.join(root, SOCKET);
      fs.mkdirSync(path.dirname(socket), { recursive: true });
      const plugin = startProcess('kms-plugin', tool('kms-plugin'), [`--listen=${socket}`, `--key-file=${keyFile}`], path.join(dir, 'kms-plugin.log'));
      pids.push(plugin.pid);
      await waitReady(plugin, `the KMS plugin's socket ${socket}`, () => fs.existsSync(socket), 15_000);
    },
  });
}, 180_000);
afterAll(() => {
  stopProcesses(pids);
  if (!process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});

test("the API server dials the socket our file names (the one rewrite: the socket's folder is under the tier's root)", () => {
  const { fileRewrites } = readControlPlane(dir);
  expect(fileRewrites.filter((r) => r.field.endsWith('kms.endpoint')).map((r) => [r.from, r.value])).toEqual([[`unix://${SOCKET}`, `unix://${path.join(plane.root, SOCKET)}`]]);
  expect(kubectlOk(plane.adminKubeconfig, ['get', '--raw', '/readyz/kms-providers'])).toBe('ok');
});

test.each([
  ['secret', 'generic'],
  ['configmap', ''],
])('a %s is stored with the KMS v2 prefix and no plaintext, and reads back', (kind, sub) => {
  const value = `kms-canary-${randomBytes(6).toString('hex')}`;
  kubectlOk(plane.adminKubeconfig, ['create', kind, ...(sub ? [sub] : []), 'kms-e2e', '-n', 'default', `--from-literal=value=${value}`]);
  const raw = etcdValue(plane, `/registry/${kind}s/default/kms-e2e`);
  expect(encryptionPrefix(raw)).toBe('k8s:enc:kms:v2:e2e-kms:');
  expect(raw.includes(Buffer.from(value))).toBe(false);
  const read = kubectlOk(plane.adminKubeconfig, ['get', kind, 'kms-e2e', '-n', 'default', '-o', 'jsonpath={.data.value}']);
  expect(kind === 'secret' ? Buffer.from(read, 'base64').toString() : read).toBe(value);
});
