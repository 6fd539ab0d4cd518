import { spawnSync } from 'child_process';
import { tool } from './tools';

export interface KubectlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built kubectl against a kubeconfig, bounded in time. */
export function kubectl(kubeconfigPath: string, args: readonly string[], input?: string, timeoutMs = 60_000): KubectlResult {
  const r = spawnSync(tool('kubectl'), ['--kubeconfig', kubeconfigPath, ...args], { input, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

export function kubectlOk(kubeconfigPath: string, args: readonly string[], input?: string): string {
  const r = kubectl(kubeconfigPath, args, input);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}
