import type { OutputFile } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';

const SYSCTL_FILE = 'node/linux/sysctl.d/90-cluster-bootstrap-flannel.conf';
const MODULES_FILE = 'node/linux/modules-load.d/90-cluster-bootstrap-flannel.conf';

/**
 * Linux node preparation Flannel needs: bridged pod traffic must pass through iptables
 * (`net.bridge.bridge-nf-call-iptables=1`, which exists only once `br_netfilter` is loaded), and nodes must
 * forward IP packets. Emitted as sysctl.d / modules-load.d files plus a cloud-init snippet that installs
 * them, so the settings hold from boot, before kubelet and the CNI start, without a privileged pod.
 */
export function flannelNodePrepFiles(cluster: ClusterConfig): OutputFile[] {
  const ipv6 = cluster.network.podCidrs.some((c) => c.family === 6);
  const sysctl = [
    '# cluster-bootstrap: Linux node settings for Flannel (VXLAN overlay)',
    'net.bridge.bridge-nf-call-iptables = 1',
    ...(ipv6 ? ['net.bridge.bridge-nf-call-ip6tables = 1', 'net.ipv6.conf.all.forwarding = 1'] : []),
    'net.ipv4.ip_forward = 1',
    '',
  ].join('\n');
  const modules = ['# cluster-bootstrap: the bridge-nf-call sysctls exist only with this module loaded', 'br_netfilter', ''].join('\n');
  const indent = (text: string) =>
    text
      .trimEnd()
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n');
  const cloudInit = [
    '#cloud-config',
    '# cluster-bootstrap: installs the Flannel node settings on first boot (merge into your node user-data)',
    'write_files:',
    `  - path: /etc/modules-load.d/${MODULES_FILE.split('/').pop()}`,
    '    permissions: "0644"',
    '    content: |',
    indent(modules),
    `  - path: /etc/sysctl.d/${SYSCTL_FILE.split('/').pop()}`,
    '    permissions: "0644"',
    '    content: |',
    indent(sysctl),
    'runcmd:',
    '  - [modprobe, br_netfilter]',
    '  - [sysctl, --system]',
    '',
  ].join('\n');
  return [
    { path: SYSCTL_FILE, content: sysctl },
    { path: MODULES_FILE, content: modules },
    { path: 'node/linux/cloud-init-flannel.yaml', content: cloudInit },
  ];
}
