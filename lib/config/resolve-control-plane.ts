import { IpAddress } from '../net/cidr';
import type { ResolvedCloudControllerManager, ResolvedCloudProvider, ResolvedKonnectivity } from './cluster-config';
import { DEFAULT_CLUSTER_CONFIG as D } from './defaults';
import type { ConfigIssue } from './errors';
import { isDnsSubdomain } from '../net/names';
import type { ClusterConfigFile } from './types';

export const IMAGE_REFERENCE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)+:[\w][\w.-]{0,127}$/;

export function resolveCloudControllerManager(file: ClusterConfigFile, provider: ResolvedCloudProvider, issues: ConfigIssue[]): ResolvedCloudControllerManager {
  const c = file.components?.cloudControllerManager ?? {};
  const d = D.components.cloudControllerManager;
  const enabled = provider.type === 'external';
  if (enabled && !c.image) {
    issues.push({ path: 'components.cloudControllerManager.image', value: c.image, message: 'required with an external cloud provider', hint: `give your provider's CCM image, e.g. "registry.k8s.io/provider-${provider.name}/cloud-controller-manager:v1.35.0"` });
  } else if (c.image !== undefined && !IMAGE_REFERENCE.test(c.image)) {
    issues.push({ path: 'components.cloudControllerManager.image', value: c.image, message: 'not an image reference', hint: 'write registry/repository:tag, without a scheme' });
  }
  return {
    enabled,
    providerName: provider.type === 'external' ? provider.name : '',
    image: c.image ?? '',
    allocateNodeCidrs: c.allocateNodeCidrs ?? d.allocateNodeCidrs,
    configureCloudRoutes: c.configureCloudRoutes ?? d.configureCloudRoutes,
    clusterAdmin: c.clusterAdmin ?? d.clusterAdmin,
  };
}

export function resolveKonnectivity(file: ClusterConfigFile, apiServerHost: string, issues: ConfigIssue[]): ResolvedKonnectivity {
  const k = file.components?.konnectivity ?? {};
  const d = D.components.konnectivity;
  const resolved: ResolvedKonnectivity = {
    enabled: k.enabled ?? d.enabled,
    version: k.version ?? d.version,
    serverForm: k.serverForm ?? d.serverForm,
    agentForm: k.agentForm ?? d.agentForm,
    agentReplicas: k.agentReplicas ?? d.agentReplicas,
    mode: k.mode ?? d.mode,
    serverHost: k.serverHost ?? apiServerHost,
    agentPort: k.agentPort ?? d.agentPort,
    adminPort: k.adminPort ?? d.adminPort,
    healthPort: k.healthPort ?? d.healthPort,
  };
  if (k.serverHost !== undefined && !IpAddress.tryParse(k.serverHost) && !isDnsSubdomain(k.serverHost)) {
    issues.push({ path: 'components.konnectivity.serverHost', value: k.serverHost, message: 'neither a host name nor an IP address', hint: 'give the control-plane host agents dial, e.g. "10.0.0.10" or "cp.example.internal"' });
  }
  const ports = [
    ['agentPort', resolved.agentPort],
    ['adminPort', resolved.adminPort],
    ['healthPort', resolved.healthPort],
  ] as const;
  ports.forEach(([name, port], i) => {
    const clash = ports.slice(0, i).find(([, other]) => other === port);
    if (clash) issues.push({ path: `components.konnectivity.${name}`, value: port, message: `collides with ${clash[0]}`, hint: 'the agent, admin and health ports must differ (defaults 8132, 8133, 8134)' });
  });
  return resolved;
}
