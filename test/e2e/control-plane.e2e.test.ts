// The tier's control plane is what kubeadm makes of our kubeadm-init.yaml: every flag that ran is kubeadm's
// (from our config) or a listed host rewrite, the programs serve with our PKI, and the files we emit are in force.
import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';
import { X509Certificate } from 'crypto';
import { readControlPlane, type StaticPodRun } from './harness/control-plane';
import { kubectl, kubectlOk } from './harness/kubectl';
import { encryptionPrefix, etcdValue } from './harness/etcd';
import { cluster } from './support';

const state = cluster();
const plane = readControlPlane(state.dir);
const pod = (program: string): StaticPodRun => {
  const p = plane.pods.find((x) => x.program === program);
  if (!p) throw new Error(`the tier ran no ${program}`);
  return p;
};
const flags = (command: readonly string[]) => new Map(command.slice(1).map((a) => [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as [string, string]));

describe.each(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'])('%s runs on the command kubeadm wrote', (program) => {
  test('every flag is kubeadm’s own value, or a rewrite that names kubeadm’s value and why', () => {
    const run = pod(program);
    const wrote = flags(run.kubeadmCommand);
    const ran = flags(run.command);
    const rewritten = new Map(run.rewrites.filter((r) => r.field.startsWith('--')).map((r) => [r.field.slice(2), r]));
    for (const [flag, value] of wrote) {
      const r = rewritten.get(flag);
      if (r) expect({ flag, from: r.from, ran: ran.get(flag) }).toEqual({ flag, from: value, ran: String(r.value) });
      else expect({ flag, ran: ran.get(flag) }).toEqual({ flag, ran: value });
    }
    const added = [...ran.keys()].filter((f) => !wrote.has(f));
    expect(added.sort()).toEqual(run.rewrites.filter((r) => r.from === undefined && r.field.startsWith('--')).map((r) => r.field.slice(2)).sort());
    expect(run.kubeadmCommand[0]).toBe(program);
  });
});

describe('kube-apiserver', () => {
  const ran = flags(pod('kube-apiserver').command);
  const wrote = flags(pod('kube-apiserver').kubeadmCommand);

  test('the flags from our config reach it untouched: audit, encryption, authorization, admission, service range', () => {
    expect(Object.fromEntries(['audit-log-format', 'audit-log-maxage', 'audit-log-maxbackup', 'audit-log-maxsize', 'encryption-provider-config-automatic-reload', 'authorization-mode', 'enable-admission-plugins', 'service-cluster-ip-range', 'allow-privileged'].map((f) => [f, ran.get(f)]))).toEqual({
      'audit-log-format': 'json',
      'audit-log-maxage': '30',
      'audit-log-maxbackup': '10',
      'audit-log-maxsize': '100',
      'encryption-provider-config-automatic-reload': 'true',
      'authorization-mode': 'Node,RBAC',
      'enable-admission-plugins': 'NodeRestriction',
      'service-cluster-ip-range': '10.96.0.0/12',
      'allow-privileged': 'true',
    });
    // the paths are ours (README table), inside the folder standing in for the node's root
    expect(wrote.get('audit-policy-file')).toBe('/etc/kubernetes/audit/policy.yaml');
    expect(wrote.get('encryption-provider-config')).toBe('/etc/kubernetes/encryption/encryption-configuration.yaml');
    expect(ran.get('audit-policy-file')).toBe(path.join(plane.root, 'etc/kubernetes/audit/policy.yaml'));
  });

  test('serves the certificate `cluster-pki generate` made, and admin.conf from kubeadm authenticates with it', async () => {
    const port = Number(new URL(plane.server).port);
    const served = await new Promise<Buffer>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, timeout: 5000 }, () => {
        resolve(socket.getPeerCertificate().raw);
        socket.end();
      });
      socket.on('error', reject);
      socket.on('timeout', () => socket.destroy(new Error('TLS handshake timed out')));
    });
    const ours = new X509Certificate(fs.readFileSync(path.join(plane.root, 'etc/kubernetes/pki/apiserver.crt')));
    expect(new X509Certificate(served).fingerprint256).toBe(ours.fingerprint256);
    expect(kubectlOk(state.kubeconfig, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.groups}'])).toContain('kubeadm:cluster-admins');
  });

  test('writes the audit log at our path, in JSON', () => {
    const log = ran.get('audit-log-path')!;
    expect(fs.existsSync(log)).toBe(true);
    const first = fs.readFileSync(log, 'utf8').split('\n')[0];
    expect(JSON.parse(first)).toMatchObject({ kind: 'Event', apiVersion: 'audit.k8s.io/v1' });
  });

  test('stores Secrets encrypted with our key: etcd holds the secretbox prefix and no plaintext', () => {
    const name = `e2e-encrypted-${Date.now()}`;
    kubectlOk(state.kubeconfig, ['create', 'secret', 'generic', name, '-n', 'default', '--from-literal=password=plaintext-canary-4711']);
    try {
      const raw = etcdValue(plane, `/registry/secrets/default/${name}`);
      expect(encryptionPrefix(raw)).toBe('k8s:enc:secretbox:v1:key1:');
      expect(raw.includes(Buffer.from('plaintext-canary-4711'))).toBe(false);
      expect(kubectlOk(state.kubeconfig, ['get', 'secret', name, '-n', 'default', '-o', 'jsonpath={.data.password}'])).toBe(Buffer.from('plaintext-canary-4711').toString('base64'));
    } finally {
      kubectl(state.kubeconfig, ['delete', 'secret', name, '-n', 'default', '--wait=false']);
    }
  });
});

test('kube-controller-manager and kube-scheduler take leadership with kubeadm’s kubeconfigs', () => {
  for (const lease of ['kube-controller-manager', 'kube-scheduler']) {
    const holder = kubectlOk(state.kubeconfig, ['get', 'lease', lease, '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']);
    expect({ lease, held: holder.length > 0 }).toEqual({ lease, held: true });
  }
});
