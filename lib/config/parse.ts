import * as semver from 'semver';
import { AddressSyntaxError, Cidr, IpAddress, parseCidrList } from '../net/cidr';
import type { ClusterConfig, KubernetesVersion, NetworkFacts, ResolvedCloudProvider, ResolvedVxlan } from './cluster-config';
import { DEFAULT_CLUSTER_CONFIG as D, MIN_KUBERNETES_VERSION } from './defaults';
import { ConfigError, type ConfigIssue } from './errors';
import { isDnsLabel, isDnsSubdomain } from '../net/names';
import { resolveCloudControllerManager } from './resolve-control-plane';
import { resolveKonnectivity } from './resolve-konnectivity';
import { resolveCoreDns } from './resolve-dns';
import { resolvePki } from './resolve-pki';
import { resolveAudit, resolveEncryptionAtRest, resolveKubeletServingApprover, resolveNodeConfig } from './resolve-node-config';
import { resolveTenants } from './resolve-tenants';
import { checkAgainstSchema } from './schema-check';
import type { ClusterConfigFile } from './types';

/** Offset of the DNS Service IP in the service CIDR (kubeadm: the 10th address). */
const DNS_SERVICE_IP_OFFSET = 10;
/** Windows' VXLAN implementation only accepts VNIs from 4096 and the IANA port 4789. */
export const WINDOWS_MIN_VNI = 4096;
export const WINDOWS_VXLAN_PORT = 4789;
const LINUX_DEFAULT_VNI = 1;
const LINUX_DEFAULT_VXLAN_PORT = 8472;

// registry host[:port] with an optional path, as in an image reference's domain/namespace part
const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Collects issues while the rest of the config is still checked, so users see every problem at once. */
class Issues {
  readonly list: ConfigIssue[] = [];
  add(path: string, value: unknown, message: string, hint: string): void {
    this.list.push({ path, value, message, hint });
  }
  /** Runs `parse`; an address syntax error becomes an issue at `path` and the result is undefined. */
  address<T>(path: string, value: string, parse: (v: string) => T): T | undefined {
    try {
      return parse(value);
    } catch (e) {
      if (e instanceof AddressSyntaxError) {
        this.add(path, value, e.message, e.hint);
        return undefined;
      }
      throw e;
    }
  }
}

function parseVersion(issues: Issues, raw: string): KubernetesVersion | undefined {
  const path = 'kubernetesVersion';
  const cleaned = semver.valid(raw.startsWith('v') ? raw.slice(1) : raw);
  if (!cleaned) {
    issues.add(path, raw, 'not a semver version', 'write a full release such as "1.35.4"');
    return undefined;
  }
  if (semver.lt(cleaned, MIN_KUBERNETES_VERSION)) {
    issues.add(path, raw, `older than ${MIN_KUBERNETES_VERSION}`, 'these manifests target Kubernetes 1.27 or newer; upgrade the cluster version');
    return undefined;
  }
  const v = semver.parse(cleaned)!;
  return { major: v.major, minor: v.minor, patch: v.patch, semver: cleaned, tag: `v${cleaned}` };
}

/**
 * The node CIDR mask kube-controller-manager cuts the pod range into (kubeadm leaves `--node-cidr-mask-size` at its
 * defaults: /24 per node for IPv4, /64 for IPv6), and Flannel's per-node subnet with it.
 */
export const NODE_CIDR_MASK = { 4: 24, 6: 64 } as const;

function checkPodRangeSize(issues: Issues, cidrs: readonly Cidr[], raw: string): void {
  // kubeadm refuses what the node CIDR allocator cannot cut: a range smaller than one node's subnet, or one
  // with more than 2^16 node subnets (kubeadm ValidatePodSubnetNodeMask, found by `kubeadm config validate`)
  for (const cidr of cidrs) {
    const node = NODE_CIDR_MASK[cidr.family];
    if (cidr.prefixLength > node) {
      issues.add('networking.podSubnet', raw, `${cidr} is smaller than one node's pod range (/${node})`, `every node gets a /${node} of the pod subnet; use a prefix of /${node} or shorter, e.g. ${cidr.family === 4 ? '10.244.0.0/16' : 'fd00:10:244::/56'}`);
    } else if (node - cidr.prefixLength > 16) {
      issues.add('networking.podSubnet', raw, `${cidr} holds more than 65536 node ranges of /${node}`, `use a prefix of /${node - 16} or longer`);
    }
  }
}

function checkServiceRangeSize(issues: Issues, cidrs: readonly Cidr[], raw: string): void {
  // kube-apiserver refuses service ranges with more than 2^20 addresses
  for (const cidr of cidrs) {
    const hostBits = (cidr.family === 4 ? 32 : 128) - cidr.prefixLength;
    if (hostBits > 20) {
      issues.add('networking.serviceSubnet', raw, `${cidr} is larger than the API server accepts`, `use a prefix of /${cidr.family === 4 ? 12 : 108} or longer`);
    }
  }
}

function resolveNetwork(issues: Issues, file: ClusterConfigFile): Omit<NetworkFacts, 'nodeLocalDnsMode' | 'kubeletClusterDNS'> | undefined {
  const n = { ...D.networking, ...file.networking };
  const podCidrs = issues.address('networking.podSubnet', n.podSubnet, parseCidrList);
  const serviceCidrs = issues.address('networking.serviceSubnet', n.serviceSubnet, parseCidrList);
  if (!isDnsSubdomain(n.dnsDomain)) {
    issues.add('networking.dnsDomain', n.dnsDomain, 'not a valid DNS domain', 'use lower-case DNS labels separated by dots, such as "cluster.local"');
  }
  const nodeLocalDnsIP = issues.address('networking.nodeLocalDnsIP', n.nodeLocalDnsIP, IpAddress.parse);
  if (!podCidrs || !serviceCidrs) return undefined;

  checkServiceRangeSize(issues, serviceCidrs, n.serviceSubnet);
  checkPodRangeSize(issues, podCidrs, n.podSubnet);
  for (const pod of podCidrs) {
    for (const svc of serviceCidrs) {
      if (pod.overlaps(svc)) {
        issues.add('networking.podSubnet', n.podSubnet, `overlaps the service subnet ${svc}`, 'pod and service ranges must be disjoint; pick e.g. 10.244.0.0/16 and 10.96.0.0/12');
      }
    }
  }
  if (podCidrs.length === 2 && podCidrs[0].family !== 4) {
    issues.add('networking.podSubnet', n.podSubnet, 'dual-stack lists IPv6 first', 'put the IPv4 CIDR first');
  }
  if (serviceCidrs.length !== podCidrs.length) {
    issues.add('networking.serviceSubnet', n.serviceSubnet, `has ${serviceCidrs.length} range(s) but podSubnet has ${podCidrs.length}`, 'dual-stack needs both pod and service subnets in both families');
  }

  const primaryService = serviceCidrs[0];
  if (primaryService.size <= BigInt(DNS_SERVICE_IP_OFFSET + 1)) {
    issues.add('networking.serviceSubnet', n.serviceSubnet, 'too small for the kubernetes and kube-dns Services', 'use a prefix of /28 or shorter (IPv4)');
    return undefined;
  }
  const firstServiceIP = primaryService.nth(1);
  // the second family's range is only checked for overlaps above; a /128 or /32 has no first address
  const firstServiceIPs = serviceCidrs.map((c, i) => (i === 0 ? firstServiceIP : issues.address('networking.serviceSubnet', n.serviceSubnet, () => c.nth(1))));
  const dnsServiceIP = issues.address('networking.dnsServiceIP', n.dnsServiceIP ?? primaryService.nth(DNS_SERVICE_IP_OFFSET).toString(), IpAddress.parse);
  if (dnsServiceIP) {
    const last = primaryService.nth(Number(primaryService.size - 1n));
    if (!primaryService.contains(dnsServiceIP)) {
      issues.add('networking.dnsServiceIP', n.dnsServiceIP, `outside the service subnet ${primaryService}`, `pick an address inside ${primaryService}, such as ${primaryService.nth(DNS_SERVICE_IP_OFFSET)}`);
    } else if (dnsServiceIP.equals(primaryService.networkAddress)) {
      issues.add('networking.dnsServiceIP', n.dnsServiceIP, 'is the network address of the service subnet', `use e.g. ${primaryService.nth(DNS_SERVICE_IP_OFFSET)}`);
    } else if (dnsServiceIP.equals(firstServiceIP)) {
      issues.add('networking.dnsServiceIP', n.dnsServiceIP, 'is the first service address, which the `kubernetes` Service takes', `use e.g. ${primaryService.nth(DNS_SERVICE_IP_OFFSET)}`);
    } else if (primaryService.family === 4 && dnsServiceIP.equals(last)) {
      issues.add('networking.dnsServiceIP', n.dnsServiceIP, 'is the broadcast address of the service subnet', `use e.g. ${primaryService.nth(DNS_SERVICE_IP_OFFSET)}`);
    }
  }
  if (nodeLocalDnsIP) {
    const clash = [...podCidrs, ...serviceCidrs].find((c) => c.contains(nodeLocalDnsIP));
    if (clash) {
      issues.add('networking.nodeLocalDnsIP', n.nodeLocalDnsIP, `inside ${clash}, which the cluster already uses`, 'use a link-local address such as 169.254.20.10');
    } else if (!nodeLocalDnsIP.isLinkLocal()) {
      issues.add('networking.nodeLocalDnsIP', n.nodeLocalDnsIP, 'not a link-local address', 'use an address in 169.254.0.0/16 (IPv4) or fe80::/10 (IPv6), such as 169.254.20.10');
    }
  }
  if (!dnsServiceIP || !nodeLocalDnsIP || !firstServiceIPs.every((ip) => ip !== undefined)) return undefined;
  return { podCidrs, podSubnet: podCidrs.map(String).join(','), serviceCidrs, firstServiceIP, firstServiceIPs: firstServiceIPs as IpAddress[], dnsServiceIP, nodeLocalDnsIP, dnsDomain: n.dnsDomain };
}

function resolveCloudProvider(issues: Issues, file: ClusterConfigFile): ResolvedCloudProvider {
  const c = { ...D.cloudProvider, ...file.cloudProvider };
  if (c.type === 'external') {
    if (!c.name) {
      issues.add('cloudProvider.name', c.name, 'required when cloudProvider.type is "external"', 'name the provider passed to --cloud-provider, e.g. "aws" or "openstack"');
      return { type: 'none' };
    }
    if (!isDnsSubdomain(c.name)) {
      issues.add('cloudProvider.name', c.name, 'not a valid provider name', 'use lower-case letters, digits, "-" and "."');
    }
    return { type: 'external', name: c.name };
  }
  if (c.name !== undefined) {
    issues.add('cloudProvider.name', c.name, 'set while cloudProvider.type is "none"', 'set cloudProvider.type: external, or remove the name');
  }
  return { type: 'none' };
}

function resolveVxlan(issues: Issues, file: ClusterConfigFile, windows: boolean): ResolvedVxlan {
  const v = { ...D.components.flannel.vxlan, ...file.components?.flannel?.vxlan };
  const vni = v.vni ?? (windows ? WINDOWS_MIN_VNI : LINUX_DEFAULT_VNI);
  const port = v.port ?? (windows ? WINDOWS_VXLAN_PORT : LINUX_DEFAULT_VXLAN_PORT);
  if (windows && vni < WINDOWS_MIN_VNI) {
    issues.add('components.flannel.vxlan.vni', v.vni, `Windows nodes need a VNI of at least ${WINDOWS_MIN_VNI}`, `remove it (the default with windows.enabled is ${WINDOWS_MIN_VNI}) or use ${WINDOWS_MIN_VNI} or more`);
  }
  if (windows && port !== WINDOWS_VXLAN_PORT) {
    issues.add('components.flannel.vxlan.port', v.port, `Windows nodes only use VXLAN port ${WINDOWS_VXLAN_PORT}`, `remove it (the default with windows.enabled is ${WINDOWS_VXLAN_PORT})`);
  }
  if (windows && v.directRouting) {
    issues.add('components.flannel.vxlan.directRouting', v.directRouting, 'DirectRouting is not supported on Windows nodes', 'set it to false or remove it');
  }
  return { vni, port, directRouting: v.directRouting, ...(v.mtu !== undefined ? { mtu: v.mtu } : {}) };
}

/**
 * Validates a cluster config (as parsed from YAML/JSON) and applies defaults. Throws a `ConfigError`
 * listing every problem with its field path, value and a hint.
 */
export function parseClusterConfig(input: unknown, source = 'cluster config'): ClusterConfig {
  const structural = checkAgainstSchema(input ?? {});
  if (structural.length) throw new ConfigError(structural, source);
  const file = (input ?? {}) as ClusterConfigFile;
  const issues = new Issues();

  const clusterName = file.clusterName ?? D.clusterName;
  if (!isDnsLabel(clusterName)) {
    issues.add('clusterName', clusterName, 'not a valid cluster name', 'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit');
  }
  const kubernetesVersion = parseVersion(issues, file.kubernetesVersion ?? D.kubernetesVersion);
  const network = resolveNetwork(issues, file);
  const kubeProxyMode = file.networking?.kubeProxyMode ?? D.networking.kubeProxyMode;
  if (kubeProxyMode === 'nftables' && kubernetesVersion && kubernetesVersion.minor < 31) {
    issues.add('networking.kubeProxyMode', kubeProxyMode, `nftables mode needs Kubernetes 1.31 or newer (config has ${kubernetesVersion.semver})`, 'use "iptables" or "ipvs", or raise kubernetesVersion');
  }

  const api = { ...D.apiServer, ...file.apiServer };
  const hostIsIp = IpAddress.tryParse(api.host);
  if (!hostIsIp && !isDnsSubdomain(api.host)) {
    issues.add('apiServer.host', api.host, 'not an IP address or DNS name', 'use the control-plane endpoint, e.g. "10.0.0.10" or "api.example.internal"');
  }
  if (!Number.isInteger(api.port) || api.port < 1 || api.port > 65535) {
    issues.add('apiServer.port', api.port, 'not a TCP port', 'use a whole number from 1 to 65535, usually 6443');
  }
  const cloudProvider = resolveCloudProvider(issues, file);
  const windows = { enabled: file.windows?.enabled ?? D.windows.enabled };
  if (file.imageRegistry !== undefined && !REGISTRY.test(file.imageRegistry)) {
    issues.add('imageRegistry', file.imageRegistry, 'not a registry host[:port][/path]', 'write it without a scheme or trailing slash, e.g. "registry.example.internal:5000/mirror"');
  }
  const flannelFile = file.components?.flannel;
  const flannel = {
    enabled: flannelFile?.enabled ?? D.components.flannel.enabled,
    version: flannelFile?.version ?? D.components.flannel.version,
    vxlan: resolveVxlan(issues, file, windows.enabled),
    windowsVersion: flannelFile?.windowsVersion ?? D.components.flannel.windowsVersion,
  };
  const coredns = resolveCoreDns(file, kubernetesVersion, network ?? { dnsDomain: file.networking?.dnsDomain ?? D.networking.dnsDomain }, issues.list);
  const nodeLocalDns = {
    enabled: file.components?.nodeLocalDns?.enabled ?? D.components.nodeLocalDns.enabled,
    version: file.components?.nodeLocalDns?.version ?? D.components.nodeLocalDns.version,
  };
  const cloudControllerManager = resolveCloudControllerManager(file, cloudProvider, issues.list);
  const warnings: ConfigIssue[] = [];
  const konnectivity = resolveKonnectivity(file, api.host, kubernetesVersion, issues.list, warnings);
  const audit = resolveAudit(file, issues.list);
  const encryptionAtRest = resolveEncryptionAtRest(file, issues.list);
  const nodeConfig = resolveNodeConfig(file, kubernetesVersion?.minor, issues.list);
  const kubeletServingApprover = resolveKubeletServingApprover(file, issues.list);
  const secretsDir = file.secretsDir ?? D.secretsDir;
  if (!secretsDir.trim() || /^(\.\/)?dist(\/|$)/.test(secretsDir)) {
    issues.add('secretsDir', secretsDir, 'must be a folder of its own, outside dist/', 'use a path such as ".cluster-secrets" (the default) or one outside the repository, not under dist/');
  }
  const pki = resolvePki(file, issues.list);
  const kubeProxyWindows = { enabled: windows.enabled && (file.components?.kubeProxyWindows?.enabled ?? D.components.kubeProxyWindows.enabled) };
  const tenants = resolveTenants(file.tenants ?? [], issues.list);

  if (issues.list.length || !kubernetesVersion || !network) throw new ConfigError(issues.list, source);
  const host = hostIsIp?.family === 6 ? `[${hostIsIp}]` : api.host;
  const nodeLocalDnsMode = kubeProxyMode === 'iptables' ? ('intercept-service-ip' as const) : ('link-local-only' as const);
  const kubeletClusterDNS = (nodeLocalDns.enabled && nodeLocalDnsMode === 'link-local-only' ? network.nodeLocalDnsIP : network.dnsServiceIP).toString();
  return {
    clusterName,
    kubernetesVersion,
    network: { ...network, nodeLocalDnsMode, kubeletClusterDNS },
    kubeProxyMode,
    apiServer: { host: api.host, port: api.port, url: `https://${host}:${api.port}`, endpoint: `${host}:${api.port}`, audit, encryptionAtRest },
    secretsDir,
    cloudProvider,
    windows,
    ...(file.imageRegistry !== undefined ? { imageRegistry: file.imageRegistry } : {}),
    components: {
      flannel,
      kubeProxyWindows,
      coredns,
      nodeLocalDns,
      cloudControllerManager,
      konnectivity,
      nodeConfig,
      kubeletServingApprover,
      clusterDoctorRbac: { enabled: file.components?.clusterDoctorRbac?.enabled ?? D.components.clusterDoctorRbac.enabled },
    },
    tenants,
    pki,
    warnings,
  };
}
