// The Pulumi program: reads stack config into the same ClusterConfig the cdk8s app uses (same validator,
// same error messages) and deploys the bootstrap. stacks/index.js runs the compiled form.
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ConfigError } from '../../lib/config/errors';
import { parseClusterConfig } from '../../lib/config/parse';
import { ClusterBootstrapStack } from './cluster-bootstrap-stack';

export const CLUSTER_CONFIG_KEY = 'cluster';

export function run(): Record<string, unknown> {
  const stackConfig = new pulumi.Config();
  let config;
  try {
    config = parseClusterConfig(stackConfig.getObject<unknown>(CLUSTER_CONFIG_KEY) ?? {}, `Pulumi stack config ${stackConfig.name}:${CLUSTER_CONFIG_KEY}`);
  } catch (e) {
    // a RunError prints its message without a stack trace, like the cdk8s path
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  const kubeconfig = stackConfig.getSecret('kubeconfig');
  const provider = kubeconfig ? new k8s.Provider('cluster', { kubeconfig }) : undefined;
  const bootstrap = new ClusterBootstrapStack('bootstrap', { config, awaitWorkloads: stackConfig.getBoolean('awaitWorkloads') ?? false }, provider ? { providers: { kubernetes: provider } } : {});
  return {
    dnsServiceIP: bootstrap.dnsServiceIP,
    kubeletClusterDNS: bootstrap.kubeletClusterDNS,
    componentVersions: bootstrap.componentVersions,
    nodeFiles: bootstrap.nodeFiles,
    secretFiles: bootstrap.secretFiles,
  };
}
