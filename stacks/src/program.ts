// The Pulumi program: reads stack config into the same ClusterConfig the cdk8s app uses (same validator,
// same error messages) and deploys the bootstrap. stacks/index.js runs the compiled form.
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ConfigError } from '../../lib/config/errors';
import { parseClusterConfig } from '../../lib/config/parse';
import type { ClusterConfig } from '../../lib/config/cluster-config';
import { ClusterBootstrapStack } from './cluster-bootstrap-stack';
import { ALLOW_DISRUPTIVE_KEY, DEPLOYED_CONFIG_OUTPUT, gateChanges, lastDeployedConfig } from './change-gate';

export const CLUSTER_CONFIG_KEY = 'cluster';

/**
 * Parses the stack config (a bad one throws here, before anything runs), then plans it against the last deployed
 * config and deploys; resolves to the stack outputs.
 */
export function run(): Promise<Record<string, unknown>> {
  const stackConfig = new pulumi.Config();
  const raw = stackConfig.getObject<unknown>(CLUSTER_CONFIG_KEY) ?? {};
  let config: ClusterConfig;
  try {
    config = parseClusterConfig(raw, `Pulumi stack config ${stackConfig.name}:${CLUSTER_CONFIG_KEY}`);
  } catch (e) {
    // a RunError prints its message without a stack trace, like the cdk8s path
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  return deploy(stackConfig, raw, config);
}

async function deploy(stackConfig: pulumi.Config, raw: unknown, config: ClusterConfig): Promise<Record<string, unknown>> {
  // before any resource is registered: a refused change touches nothing
  const { warnings } = gateChanges(await lastDeployedConfig(), config, stackConfig.getObject<string[]>(ALLOW_DISRUPTIVE_KEY) ?? []);
  for (const w of warnings) pulumi.log.warn(w);
  const kubeconfig = stackConfig.getSecret('kubeconfig');
  // Measured in test/e2e/pulumi-day2.e2e.test.ts:
  // - the provider replaces (deletes, then creates) a ConfigMap or Secret whose data changes unless told they are
  //   mutable: a stub domain replaced the CoreDNS ConfigMap. With these, a data change is an update in place, which
  //   CoreDNS and node-cache `reload` (the change plan's in-place);
  // - a hand edit taking over fields: see `pulumi.com/patchForce` in cluster-bootstrap-stack.ts.
  const mutable = { enableConfigMapMutable: true, enableSecretMutable: true };
  // without a kubeconfig in the stack config, the provider uses the ambient one (KUBECONFIG, ~/.kube/config)
  const provider = new k8s.Provider('cluster', { ...(kubeconfig ? { kubeconfig } : {}), ...mutable });
  const bootstrap = new ClusterBootstrapStack('bootstrap', { config, awaitWorkloads: stackConfig.getBoolean('awaitWorkloads') ?? false }, { providers: { kubernetes: provider } });
  return {
    dnsServiceIP: bootstrap.dnsServiceIP,
    kubeletClusterDNS: bootstrap.kubeletClusterDNS,
    componentVersions: bootstrap.componentVersions,
    nodeFiles: bootstrap.nodeFiles,
    secretFiles: bootstrap.secretFiles,
    // what the next update plans against (lastDeployedConfig)
    [DEPLOYED_CONFIG_OUTPUT]: raw,
  };
}
