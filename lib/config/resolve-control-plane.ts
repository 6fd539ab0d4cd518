import type { ResolvedCloudControllerManager, ResolvedCloudProvider } from './cluster-config';
import { DEFAULT_CLUSTER_CONFIG as D } from './defaults';
import type { ConfigIssue } from './errors';
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
