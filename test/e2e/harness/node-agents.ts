import { spawnSync } from 'child_process';
import type { CommandResult } from './kubeadm';
import { tool } from './tools';

/**
 * The kubelet's and kube-proxy's own config loading and validation (tools/kubernetes/validate-node-config: their
 * packages at the tier's version, the steps each binary takes at start-up, stopping before it touches the host).
 */
export function validateNodeAgentConfig(component: 'kubelet' | 'kube-proxy', file: string): CommandResult {
  const r = spawnSync(tool('validate-node-config'), [component, file], { encoding: 'utf8', timeout: 60_000 });
  return { command: `validate-node-config ${component} ${file}`, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}
