import type { ClusterConfig } from '../config/cluster-config';

const WHY: Readonly<Record<string, string>> = {
  dccp: 'DCCP is rarely needed, has had several serious vulnerabilities and is poorly maintained.',
  sctp: 'SCTP is unused by most Kubernetes clusters and has had vulnerabilities.',
};

/**
 * /etc/modprobe.d file that stops the kernel from loading these modules on demand: without it any
 * unprivileged process (a container included) can load e.g. dccp just by opening a DCCP socket.
 */
export function modprobeBlacklist(config: ClusterConfig): string {
  const lines = ['# Written by cluster-bootstrap: kernel modules the kernel must not load on demand.'];
  for (const module of config.components.nodeConfig.blacklistedKernelModules) {
    lines.push('', `# ${WHY[module] ?? 'Not needed on these nodes.'}`, `blacklist ${module}`);
  }
  return lines.join('\n') + '\n';
}
