import { spawnSync } from 'child_process';
import * as path from 'path';
import type { ControlPlane } from './control-plane';
import { tool } from './tools';

/**
 * Raw reads from the tier's etcd with etcdctl, as an operator checks encryption at rest: kubeadm's etcd
 * health-check client certificate (from `cluster-pki generate`) and the client URL etcd advertises.
 */
function etcdctl(plane: ControlPlane, args: readonly string[]): Buffer {
  const etcd = plane.pods.find((p) => p.program === 'etcd');
  const endpoint = etcd?.command.find((a) => a.startsWith('--advertise-client-urls='))?.split('=')[1];
  if (!endpoint) throw new Error('the tier ran no etcd with --advertise-client-urls');
  const pki = path.join(plane.root, 'etc/kubernetes/pki/etcd');
  const all = [`--endpoints=${endpoint}`, `--cacert=${pki}/ca.crt`, `--cert=${pki}/healthcheck-client.crt`, `--key=${pki}/healthcheck-client.key`, '--dial-timeout=5s', '--command-timeout=10s', ...args];
  const r = spawnSync(tool('etcdctl'), all, { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

/** The value etcd holds for one key, byte for byte. */
export function etcdValue(plane: ControlPlane, key: string): Buffer {
  const out = etcdctl(plane, ['get', key, '--print-value-only']);
  if (out.length === 0) throw new Error(`etcd has no key ${key}`);
  return out.subarray(0, out.length - 1); // etcdctl ends the value with a newline
}

/** Every key under a prefix (e.g. `/registry/secrets/`). */
export function etcdKeys(plane: ControlPlane, prefix: string): string[] {
  return etcdctl(plane, ['get', prefix, '--prefix', '--keys-only']).toString('utf8').split('\n').filter((l) => l.length > 0);
}

/** The encryption prefix of a stored value (`k8s:enc:secretbox:v1:key1:`), or undefined when it is plaintext. */
export function encryptionPrefix(value: Buffer): string | undefined {
  const m = /^k8s:enc:[a-z0-9]+:v[0-9]+:[^:]+:/.exec(value.subarray(0, 128).toString('latin1'));
  return m?.[0];
}
