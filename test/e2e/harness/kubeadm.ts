import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { tool } from './tools';

/** The tier's kubeadm: it reads our config files as a user's `kubeadm init`/`join` would. Offline. */

export interface CommandResult {
  readonly command: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubeadm, bounded in time; never throws (callers assert on the result). */
export function kubeadm(args: readonly string[], timeoutMs = 60_000, env?: NodeJS.ProcessEnv): CommandResult {
  const r = spawnSync(tool('kubeadm'), args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } });
  return { command: `kubeadm ${args.join(' ')}`, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

/** `kubeadm config validate --config <file>`: kubeadm's own defaulting, conversion and validation. */
export function validateKubeadmConfig(file: string): CommandResult {
  return kubeadm(['config', 'validate', '--config', file]);
}

/** A one-line account of a failed command for an assertion message: command, exit code, last lines. */
export function describeFailure(r: CommandResult): string {
  const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15).join('\n');
  return `${r.command} exited ${r.status}:\n${tail}`;
}

/**
 * What a user substitutes into kubeadm-join.yaml before `kubeadm join` (README: envsubst), in the forms
 * `kubeadm token create --print-join-command` prints: a bootstrap token and the CA key's sha256 pin.
 * Fixed fakes: validation checks only their form.
 */
export const JOIN_VALUES = {
  KUBEADM_JOIN_TOKEN: 'abcdef.0123456789abcdef',
  KUBEADM_CA_CERT_HASH: `sha256:${'0123456789abcdef'.repeat(4)}`,
} as const;

/** envsubst over the join file's placeholders; an unknown `${...}` left behind is an error. */
export function fillJoinPlaceholders(text: string): string {
  const filled = text.replace(/\$\{(\w+)\}/g, (whole, name: string) => (name in JOIN_VALUES ? JOIN_VALUES[name as keyof typeof JOIN_VALUES] : whole));
  const left = filled.match(/\$\{\w+\}/);
  if (left) throw new Error(`kubeadm-join.yaml has a placeholder the README does not name: ${left[0]}`);
  return filled;
}

/**
 * `kubeadm init phase certs all --rootfs <temp root> --config <our file>`: kubeadm makes every certificate and key
 * from our ClusterConfiguration (keeping, and checking, what `pki` already holds) into `pki`, in its
 * /etc/kubernetes/pki layout (`etcd/` below it). Needs root (chroot). (`--cert-dir` cannot be combined with `--config`.)
 */
export function kubeadmCerts(config: string, pki: string): CommandResult {
  // --rootfs, as the tier's control plane: 1.30's dry run makes a fresh random folder, so it never sees files
  // placed beforehand; a temp root holds our config (kubeadm chroots before reading it) and certificatesDir.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-kubeadm-certs-'));
  try {
    const certificatesDir = path.join(root, 'etc', 'kubernetes', 'pki');
    fs.mkdirSync(certificatesDir, { recursive: true });
    fs.copyFileSync(config, path.join(root, 'etc', 'kubernetes', 'kubeadm-init.yaml'));
    fs.cpSync(pki, certificatesDir, { recursive: true });
    const r = kubeadm(['init', 'phase', 'certs', 'all', '--rootfs', root, '--config', '/etc/kubernetes/kubeadm-init.yaml'], 120_000);
    fs.rmSync(pki, { recursive: true, force: true });
    fs.cpSync(certificatesDir, pki, { recursive: true });
    return r;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/**
 * What kubeadm detects about this machine when the config names no node (our kubeadm-init.yaml does not): the
 * node name is the hostname, lower-cased, and the advertise address is the IPv4 address of the interface with the
 * default route (/proc/net/route, lowest metric), as apimachinery's ChooseHostInterface picks it.
 */
export function kubeadmNodeIdentity(): { name: string; address: string } {
  const routes = fs
    .readFileSync('/proc/net/route', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 7 && f[1] === '00000000' && f[7] === '00000000')
    .sort((a, b) => Number(a[6]) - Number(b[6]));
  const iface = routes[0]?.[0];
  const address = iface ? os.networkInterfaces()[iface]?.find((a) => a.family === 'IPv4' && !a.internal)?.address : undefined;
  if (!address) throw new Error(`no IPv4 default route with an address in /proc/net/route (interface ${iface ?? 'none'}): kubeadm would not find an advertise address either`);
  return { name: os.hostname().trim().toLowerCase(), address };
}

/**
 * kubeadm's own Corefile for a config: `kubeadm init phase addon coredns --print-manifest` renders the CoreDNS
 * add-on it would install for our kubeadm-init.yaml (same release, same cluster domain) without a cluster.
 */
export function kubeadmCorefile(initConfig: string): string {
  const r = kubeadm(['init', 'phase', 'addon', 'coredns', '--print-manifest', '--config', initConfig]);
  if (r.status !== 0) throw new Error(`${r.command} exited ${r.status}: ${r.stderr}`);
  const configMap = parseAllDocuments(r.stdout).map((d) => d.toJS()).find((o) => o?.kind === 'ConfigMap' && o.metadata?.name === 'coredns');
  if (!configMap?.data?.Corefile) throw new Error(`${r.command} printed no coredns ConfigMap:\n${r.stdout.slice(0, 2000)}`);
  return configMap.data.Corefile as string;
}
