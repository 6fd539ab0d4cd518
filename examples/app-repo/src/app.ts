import { App, JsonPatch } from 'cdk8s';
import { addDockershimCheck, builtInComponents, ClusterBootstrap, parseClusterConfig, partitionFiles, writeFiles, writeSecretFiles, type ClusterConfig, type ClusterConfigFile } from 'cluster-bootstrap';
import { PlatformInfoComponent } from './platform-info';
import { SsoAuthenticationComponent } from './sso-authentication';

/** The platform team's cluster config, as it would sit in their cluster.yaml. */
export const platformConfig: ClusterConfigFile = {
  clusterName: 'shop-prod',
  networking: { kubeProxyMode: 'ipvs' },
  tenants: [{ name: 'platform-tools' }],
};

/** What this app repo adds: its own tenant and a stub domain for the service registry it uses. */
export function withAppAdditions(base: ClusterConfigFile): ClusterConfigFile {
  return {
    ...base,
    components: {
      ...base.components,
      coredns: { ...base.components?.coredns, stubDomains: { ...base.components?.coredns?.stubDomains, 'consul.local': ['10.150.0.1', '10.150.0.2'] } },
    },
    tenants: [
      ...(base.tenants ?? []),
      {
        name: 'payments',
        labels: { 'example.com/team': 'payments' },
        limitRange: { container: { default: { cpu: '500m', memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '256Mi' }, max: { memory: '2Gi' } } },
        resourceQuota: { hard: { 'requests.cpu': '8', 'limits.memory': '32Gi', pods: '100' } },
        networkPolicies: { ingress: 'same-namespace' },
      },
    ],
  };
}

export function buildApp(outdir = 'dist', sso = new SsoAuthenticationComponent()): { app: App; bootstrap: ClusterBootstrap; config: ClusterConfig } {
  const config = parseClusterConfig(withAppAdditions(platformConfig), 'app config');
  const app = new App({ outdir });
  const bootstrap = new ClusterBootstrap(app, { config, components: [...builtInComponents(), new PlatformInfoComponent(), sso] });
  // a patch to a built-in object the typed config does not cover: CoreDNS pods get our owner annotation
  bootstrap.patch({ kind: 'Deployment', namespace: 'kube-system', name: 'coredns' }, JsonPatch.add('/spec/template/metadata/annotations', { 'example.com/owner': 'platform' }));
  // nothing we ship may depend on Docker as the node runtime: synth fails if it does
  for (const chart of bootstrap.charts.values()) addDockershimCheck(chart);
  return { app, bootstrap, config };
}

/**
 * Synthesizes into `outdir`: the manifests (`app.synth()`), then the components' other files (node-config's
 * kubeadm, kubelet and kube-proxy files, the PKI plan) under the same folder, and files holding keys under the
 * config's `secretsDir`, as the library's own synth does.
 */
export function synth(outdir = 'dist'): ClusterBootstrap {
  const { app, bootstrap, config } = buildApp(outdir);
  app.synth();
  const files = partitionFiles([...bootstrap.files.values()].flat());
  writeFiles(files.dist, outdir);
  writeSecretFiles(files.secrets, config.secretsDir);
  return bootstrap;
}
