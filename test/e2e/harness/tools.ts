import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The repository root: the nearest folder above this file with a package.json. This file also runs compiled
 * (build/test/e2e/harness, for `npm run bench`), so no fixed number of `..` fits both.
 */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** Where test/e2e/setup-tools.sh puts the binaries it builds. */
export function toolsDir(): string {
  return process.env.CLUSTER_BOOTSTRAP_TOOLS ?? path.join(os.homedir(), '.cache', 'cluster-bootstrap-tools');
}

export function versions(): Record<string, string> {
  const text = fs.readFileSync(path.join(repoRoot(), 'test', 'e2e', 'tools', 'versions.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=', 2) as [string, string]),
  );
}

const KUBERNETES_TOOLS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kubeadm', 'kubelet', 'kube-proxy', 'validate-node-config'] as const;
const ETCD_TOOLS = ['etcd', 'etcdctl'] as const;
export type ToolName = (typeof KUBERNETES_TOOLS)[number] | (typeof ETCD_TOOLS)[number] | 'kwok' | 'kubeconform' | 'kube-score' | 'checkov' | 'helm' | 'pulumi' | 'kms-plugin' | 'cloud-controller-manager' | 'konnectivity-server' | 'konnectivity-agent' | 'coredns';

/**
 * The Kubernetes release of the tier and its etcd: the default one (the product's default kubernetesVersion), or
 * the opt-in older one with E2E_KUBERNETES_VERSION (setup-tools.sh must have built it with the same variable).
 */
export function tierVersions(): { kubernetes: string; etcd: string } {
  const v = versions();
  const wanted = process.env.E2E_KUBERNETES_VERSION || v.KUBERNETES_VERSION;
  if (wanted === v.KUBERNETES_VERSION) return { kubernetes: wanted, etcd: v.ETCD_VERSION };
  if (wanted === v.KUBERNETES_LEGACY_VERSION) return { kubernetes: wanted, etcd: v.ETCD_LEGACY_VERSION };
  throw new Error(`E2E_KUBERNETES_VERSION=${wanted} is not a tier here: use ${v.KUBERNETES_VERSION} (default) or ${v.KUBERNETES_LEGACY_VERSION}`);
}

/** Absolute path of a built tool; a clear error when setup-tools.sh has not run (for this tier). */
export function tool(name: ToolName): string {
  const tier = tierVersions();
  const folder = (KUBERNETES_TOOLS as readonly string[]).includes(name) ? `kubernetes-${tier.kubernetes}` : (ETCD_TOOLS as readonly string[]).includes(name) ? `etcd-${tier.etcd}` : '';
  const file = path.join(toolsDir(), 'bin', folder, name);
  const hint = process.env.E2E_KUBERNETES_VERSION ? `E2E_KUBERNETES_VERSION=${process.env.E2E_KUBERNETES_VERSION} bash test/e2e/setup-tools.sh` : 'bash test/e2e/setup-tools.sh';
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`${hint}\` first`);
  return file;
}

export function kwokStages(): string {
  const file = path.join(toolsDir(), `kwok-stages-${versions().KWOK_VERSION}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash test/e2e/setup-tools.sh\` first`);
  return file;
}
