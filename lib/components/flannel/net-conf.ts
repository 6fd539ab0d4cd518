import type { NetworkFacts, ResolvedVxlan } from '../../config/cluster-config';
import type { KubeProxyMode } from '../../config/types';

/** Flannel's `net-conf.json`: the pod network and the VXLAN backend. */
export interface FlannelNetConf {
  readonly Network?: string;
  readonly EnableIPv4?: boolean;
  readonly EnableIPv6?: boolean;
  readonly IPv6Network?: string;
  readonly EnableNFTables: boolean;
  readonly Backend: {
    readonly Type: 'vxlan';
    readonly VNI: number;
    readonly Port: number;
    readonly DirectRouting?: boolean;
    readonly MTU?: number;
  };
}

/**
 * The bytes flanneld takes off its `Backend.MTU` for the VXLAN header (outer IPv4 + UDP + VXLAN + inner
 * Ethernet): flannel's setting is the MTU of the underlay, and the device and the pods get 50 less. Measured on
 * v0.27.0 and v0.28.9 (test/e2e/pod-network.e2e.test.ts: `MTU: 1450` made a 1400-byte flannel.1).
 */
export const VXLAN_ENCAP_OVERHEAD = 50;

/**
 * Builds net-conf.json from the cluster's pod CIDRs (never typed twice) and the resolved VXLAN options.
 * Flannel uses nftables for its own masquerade rules when kube-proxy runs in nftables mode, so nodes
 * need no iptables tooling.
 */
export function flannelNetConf(network: NetworkFacts, vxlan: ResolvedVxlan, kubeProxyMode: KubeProxyMode): FlannelNetConf {
  const v4 = network.podCidrs.find((c) => c.family === 4);
  const v6 = network.podCidrs.find((c) => c.family === 6);
  return {
    ...(v4 ? { Network: v4.toString() } : { EnableIPv4: false }),
    ...(v6 ? { EnableIPv6: true, IPv6Network: v6.toString() } : {}),
    EnableNFTables: kubeProxyMode === 'nftables',
    Backend: {
      Type: 'vxlan',
      VNI: vxlan.vni,
      Port: vxlan.port,
      ...(vxlan.directRouting ? { DirectRouting: true } : {}),
      // our `mtu` is the device's (what pods get); flannel's is the underlay's
      ...(vxlan.mtu !== undefined ? { MTU: vxlan.mtu + VXLAN_ENCAP_OVERHEAD } : {}),
    },
  };
}

/** The CNI conflist flannel's init container installs on every Linux node (`10-flannel.conflist`). */
export function flannelCniConf(): object {
  return {
    name: 'cbr0',
    cniVersion: '0.3.1',
    plugins: [
      { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/** The CNI network name Windows kube-proxy selects (`KUBE_NETWORK`) and flannel creates: `flannel.<VNI>`. */
export function windowsNetworkName(vxlan: ResolvedVxlan): string {
  return `flannel.${vxlan.vni}`;
}

/**
 * The containerd CNI config of the Windows overlay (`sdnoverlay` delegate). The service and pod ranges come
 * from the cluster config; the provider address is the node's own IP, which the image's start script fills in.
 */
export function flannelWindowsCniConf(network: NetworkFacts, vxlan: ResolvedVxlan): object {
  const service = network.serviceCidrs[0].toString();
  const pods = network.podCidrs[0].toString();
  return {
    name: windowsNetworkName(vxlan),
    cniVersion: '0.3.0',
    type: 'flannel',
    capabilities: { portMappings: true, dns: true },
    delegate: {
      type: 'sdnoverlay',
      AdditionalArgs: [
        { Name: 'EndpointPolicy', Value: { Type: 'OutBoundNAT', Settings: { Exceptions: [service, pods] } } },
        { Name: 'EndpointPolicy', Value: { Type: 'SDNROUTE', Settings: { DestinationPrefix: service, NeedEncap: true } } },
        { Name: 'EndpointPolicy', Value: { Type: 'ProviderAddress', Settings: { ProviderAddress: '' } } },
      ],
    },
  };
}
