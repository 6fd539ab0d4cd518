import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kubectlOk } from './kubectl';
import { execIn, run, startInNetns, type Netns } from './netns';
import { kubeProxyRewrites, type HostRewrite } from './host-rewrites';
import { stopProcesses, waitReady, type StartedProcess } from './processes';
import { tool } from './tools';
import { tokenKubeconfig, type ApiBridge } from './api-bridge';
import type { PodIdentity } from './coredns';

/** kube-proxy at the tier's version inside a node namespace, on our kube-proxy-config.yaml (rewrites: host-rewrites.ts). */

export interface RunningKubeProxy {
  readonly process: StartedProcess;
  readonly ns: Netns;
  readonly mode: 'iptables' | 'nftables';
  readonly rewrites: readonly HostRewrite[];
}

/** The ServiceAccount kubeadm's kube-proxy add-on runs as, bound to system:node-proxier as kubeadm binds it. */
export function ensureKubeProxyServiceAccount(kubeconfig: string): void {
  const objects = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kube-proxy', namespace: 'kube-system' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubeadm:node-proxier' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-proxier' },
      subjects: [{ kind: 'ServiceAccount', name: 'kube-proxy', namespace: 'kube-system' }],
    },
  ];
  kubectlOk(kubeconfig, ['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
}

/**
 * kube-proxy writes nf_conntrack_max whenever it differs from the value it computes (max(32768 per core, 131072)
 * with our config's defaults), not only when it is lower, and the file is read-only inside a network namespace, so
 * kube-proxy exits there unless the root namespace already holds exactly that value. Sets it (and the hash size
 * kube-proxy would raise, when smaller than a quarter of it) and returns how to put both back.
 */
export function ensureConntrackMax(cores = os.cpus().length): () => void {
  const maxFile = '/proc/sys/net/netfilter/nf_conntrack_max';
  const hashFile = '/sys/module/nf_conntrack/parameters/hashsize';
  if (!fs.existsSync(maxFile)) run('modprobe', ['nf_conntrack']);
  const wanted = Math.max(32768 * cores, 131072);
  const before = { max: fs.readFileSync(maxFile, 'utf8').trim(), hash: fs.existsSync(hashFile) ? fs.readFileSync(hashFile, 'utf8').trim() : '' };
  if (Number(before.max) !== wanted) fs.writeFileSync(maxFile, String(wanted));
  if (before.hash && Number(before.hash) < wanted / 4) fs.writeFileSync(hashFile, String(wanted / 4));
  return () => {
    if (fs.readFileSync(maxFile, 'utf8').trim() !== before.max) fs.writeFileSync(maxFile, before.max);
    if (before.hash && fs.readFileSync(hashFile, 'utf8').trim() !== before.hash) fs.writeFileSync(hashFile, before.hash);
  };
}

/** The NAT rules kube-proxy wrote for a Service in this namespace, as text. */
export function serviceRules(ns: Netns, mode: 'iptables' | 'nftables'): string {
  return mode === 'iptables' ? execIn(ns, 'iptables-save', ['-t', 'nat']).stdout : execIn(ns, 'nft', ['list', 'table', 'ip', 'kube-proxy']).stdout;
}

export async function startKubeProxy(options: { ns: Netns; dir: string; configText: string; bridge: ApiBridge; identity: PodIdentity; nodeName: string; mode: 'iptables' | 'nftables'; ready: (rules: string) => boolean }): Promise<RunningKubeProxy> {
  const home = path.join(options.dir, `kube-proxy-${options.mode}`);
  fs.mkdirSync(home, { recursive: true });
  const kubeconfig = path.join(home, 'kubeconfig.conf');
  fs.writeFileSync(kubeconfig, tokenKubeconfig(options.bridge, options.identity, 'kube-proxy'), { mode: 0o600 });
  const { configText, flags, rewrites } = kubeProxyRewrites(options.configText, { kubeconfig, nodeName: options.nodeName });
  const config = path.join(home, 'config.conf');
  fs.writeFileSync(config, configText);
  const p = startInNetns(options.ns, `kube-proxy-${options.mode}`, tool('kube-proxy'), [`--config=${config}`, ...flags], path.join(home, 'kube-proxy.log'));
  await waitReady(p, `kube-proxy (${options.mode}) rules for the DNS Service`, () => options.ready(serviceRules(options.ns, options.mode)), 60_000);
  return { process: p, ns: options.ns, mode: options.mode, rewrites };
}

/** Stops kube-proxy, then removes its rules with its own `--cleanup` (a stopped kube-proxy leaves them in place). */
export function stopKubeProxy(proxy: RunningKubeProxy): void {
  stopProcesses([proxy.process.pid]);
  const r = execIn(proxy.ns, tool('kube-proxy'), ['--cleanup'], 30_000);
  if (r.status !== 0) throw new Error(`kube-proxy --cleanup exited ${r.status}: ${r.stderr}`);
}
