import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ClusterConfig, EncryptionKeySource } from '../config/cluster-config';
import { ConfigError, type ConfigIssue } from '../config/errors';
import { NODE_PATHS, type ApiServerSettings } from './paths';

/** Key sizes in bytes the API server accepts per provider. */
export const KEY_SIZES = { aescbc: [16, 24, 32], secretbox: [32] } as const;
/** Size of generated keys: 32 bytes fits both providers (AES-256 for aescbc). */
const GENERATED_KEY_BYTES = 32;
const KMS_SOCKET_DEFAULT_DIR = '/var/run/kmsplugin';

/** A key with its material, base64 as the EncryptionConfiguration wants it. Never printed. */
export interface EncryptionKey {
  readonly name: string;
  readonly secret: string;
}

/** Where a generated key is kept between synths, relative to `secretsDir`. */
export function generatedKeyPath(name: string): string {
  return path.join('encryption-keys', `${name}.key`);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Checks a base64 key against the provider's sizes; the issue names where it came from, never the key. */
export function checkKeyMaterial(provider: 'aescbc' | 'secretbox', base64: string, at: string, origin: string): ConfigIssue | undefined {
  const sizes: readonly number[] = KEY_SIZES[provider];
  const hint = `generate one with \`head -c 32 /dev/urandom | base64\` (${provider} takes ${sizes.join(', ')} bytes)`;
  if (!BASE64.test(base64) || base64.length % 4 !== 0) return { path: at, value: origin, message: 'the key is not base64', hint };
  const bytes = Buffer.from(base64, 'base64').length;
  if (!sizes.includes(bytes)) {
    return { path: at, value: origin, message: `the key is ${bytes} bytes; ${provider} needs ${sizes.join(' or ')} bytes`, hint };
  }
  return undefined;
}

/**
 * Reads every key of the config: from its environment variable, its file, or the key kept in `secretsDir`
 * (generated from the CSPRNG when absent). Returns the keys and the generated ones that must be persisted.
 * Throws a ConfigError naming the key's field for a missing or malformed key.
 */
export function loadEncryptionKeys(
  config: ClusterConfig,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): { keys: EncryptionKey[]; generated: EncryptionKey[] } {
  const e = config.apiServer.encryptionAtRest;
  if (!e.enabled || e.provider === 'kms') return { keys: [], generated: [] };
  const issues: ConfigIssue[] = [];
  const keys: EncryptionKey[] = [];
  const generated: EncryptionKey[] = [];
  e.keys.forEach((source: EncryptionKeySource, i) => {
    const at = `apiServer.encryptionAtRest.keys.${i}`;
    let secret: string | undefined;
    let origin: string;
    if (source.from === 'env') {
      origin = `$${source.variable}`;
      secret = env[source.variable]?.trim();
      if (!secret) issues.push({ path: `${at}.fromEnv`, value: source.variable, message: 'the environment variable is not set', hint: `export ${source.variable}=<base64 key> before synth` });
    } else if (source.from === 'file') {
      origin = source.file;
      const file = path.resolve(cwd, source.file);
      if (fs.existsSync(file)) secret = fs.readFileSync(file, 'utf8').trim();
      else issues.push({ path: `${at}.fromFile`, value: source.file, message: 'no such file', hint: `write the base64 key to ${file}` });
    } else {
      const kept = path.resolve(cwd, config.secretsDir, generatedKeyPath(source.name));
      origin = path.relative(cwd, kept);
      if (fs.existsSync(kept)) {
        secret = fs.readFileSync(kept, 'utf8').trim();
      } else {
        secret = randomBytes(GENERATED_KEY_BYTES).toString('base64');
        generated.push({ name: source.name, secret });
      }
    }
    if (secret === undefined) return;
    const bad = checkKeyMaterial(e.provider, secret, source.from === 'generated' ? at : `${at}.${source.from === 'env' ? 'fromEnv' : 'fromFile'}`, origin);
    if (bad) issues.push(bad);
    else keys.push({ name: source.name, secret });
  });
  if (issues.length) throw new ConfigError(issues, 'encryption keys');
  return { keys, generated };
}

/**
 * EncryptionConfiguration (apiserver.config.k8s.io/v1): the configured provider first (it encrypts new
 * writes), `identity` last so data stored before encryption was enabled stays readable.
 */
export function encryptionConfiguration(config: ClusterConfig, keys: readonly EncryptionKey[]): Record<string, unknown> {
  const e = config.apiServer.encryptionAtRest;
  if (!e.enabled) throw new Error('encryption at rest is not enabled in this config');
  const first =
    e.provider === 'kms'
      ? { kms: { apiVersion: 'v2', name: e.kms.name, endpoint: e.kms.endpoint, ...(e.kms.timeout ? { timeout: e.kms.timeout } : {}) } }
      : { [e.provider]: { keys: keys.map((k) => ({ name: k.name, secret: k.secret })) } };
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: [...e.resources], providers: [first, { identity: {} }] }],
  };
}

/** The Unix socket folder of the KMS plugin, which the API server must see. */
export function kmsSocketDir(endpoint: string): string {
  const socket = endpoint.replace(/^unix:\/\//, '');
  const dir = path.posix.dirname(socket);
  return dir === '/' ? KMS_SOCKET_DEFAULT_DIR : dir;
}

/** kube-apiserver flags and mounts that turn on encryption at rest (read by the kubeadm configuration). */
export function encryptionApiServerSettings(config: ClusterConfig): ApiServerSettings {
  const e = config.apiServer.encryptionAtRest;
  if (!e.enabled) return { flags: {}, volumes: [] };
  const volumes: ApiServerSettings['volumes'][number][] = [
    { name: 'encryption-config', hostPath: NODE_PATHS.encryptionConfigDir, mountPath: NODE_PATHS.encryptionConfigDir, readOnly: true, pathType: 'Directory' },
  ];
  if (e.provider === 'kms') {
    const dir = kmsSocketDir(e.kms.endpoint);
    volumes.push({ name: 'kms-plugin', hostPath: dir, mountPath: dir, readOnly: false, pathType: 'DirectoryOrCreate' });
  }
  return {
    flags: { 'encryption-provider-config': NODE_PATHS.encryptionConfig, 'encryption-provider-config-automatic-reload': 'true' },
    volumes,
  };
}
