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

/** Absolute path of a built tool; a clear error when setup-tools.sh has not run. */
export function tool(name: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubectl' | 'etcd' | 'kwok' | 'kubeconform' | 'kube-score' | 'pulumi'): string {
  const file = path.join(toolsDir(), 'bin', name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash test/e2e/setup-tools.sh\` first`);
  return file;
}

export function kwokStages(): string {
  const file = path.join(toolsDir(), `kwok-stages-${versions().KWOK_VERSION}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash test/e2e/setup-tools.sh\` first`);
  return file;
}
