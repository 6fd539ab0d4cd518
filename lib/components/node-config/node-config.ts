import { toYaml } from '../../output/yaml';
import type { OutputFile } from '../../component';
import type { ClusterConfig } from '../../config/cluster-config';
import type { ClusterWiring } from '../../contributions';
import { auditPolicy } from '../../node-config/audit-policy';
import { encryptionConfiguration, generatedKeyPath, loadEncryptionKeys } from '../../node-config/encryption';
import { modprobeBlacklist } from '../../node-config/kernel-modules';
import { kubeProxyConfiguration } from '../../node-config/kube-proxy';
import { clusterConfiguration, initConfiguration, JOIN_PLACEHOLDERS, joinConfiguration } from '../../node-config/kubeadm';
import { kubeletConfiguration } from '../../node-config/kubelet';
import { NODE_PATHS, OUTPUT_PATHS } from '../../node-config/paths';

/** One YAML document of a node or control-plane config file, before validation and rendering. */
export type NodeConfigDocument = Record<string, unknown>;

/** The documents of every config file, by output path (before validation and rendering). */
export function nodeConfigDocuments(config: ClusterConfig, wiring: ClusterWiring): Record<string, NodeConfigDocument[]> {
  const kubelet = kubeletConfiguration(config, wiring);
  const kubeProxy = kubeProxyConfiguration(config, wiring);
  const docs: Record<string, NodeConfigDocument[]> = {
    // one file for `kubeadm init --config`: kubeadm hands the component configs to kubelets and kube-proxy
    [OUTPUT_PATHS.kubeadmInit]: [initConfiguration(config, wiring), clusterConfiguration(config, wiring), kubelet, kubeProxy],
    [OUTPUT_PATHS.kubeadmJoin]: [joinConfiguration(config, wiring)],
    [OUTPUT_PATHS.kubeletConfig]: [kubelet],
    [OUTPUT_PATHS.kubeProxyConfig]: [kubeProxy],
  };
  if (config.apiServer.audit.enabled) docs[OUTPUT_PATHS.auditPolicy] = [auditPolicy(config)];
  return docs;
}

const HEADERS: Readonly<Record<string, string>> = {
  [OUTPUT_PATHS.kubeadmInit]: '# First control-plane node: kubeadm init --config kubeadm-init.yaml',
  [OUTPUT_PATHS.kubeadmJoin]: `# Worker nodes: fill ${JOIN_PLACEHOLDERS.token} and ${JOIN_PLACEHOLDERS.caCertHash} (envsubst), then kubeadm join --config`,
  [OUTPUT_PATHS.kubeletConfig]: `# ${NODE_PATHS.kubeletConfig} on nodes set up without kubeadm (kubelet --config)`,
  [OUTPUT_PATHS.kubeProxyConfig]: `# ${NODE_PATHS.kubeProxyConfig} for kube-proxy --config on nodes set up without kubeadm`,
  [OUTPUT_PATHS.auditPolicy]: `# ${NODE_PATHS.auditPolicy} on every control-plane node (kube-apiserver --audit-policy-file)`,
  [OUTPUT_PATHS.encryptionConfig]: `# ${NODE_PATHS.encryptionConfig} on every control-plane node, mode 0600 (kube-apiserver --encryption-provider-config). SECRET.`,
};

function render(file: string, documents: readonly NodeConfigDocument[]): string {
  return `${HEADERS[file] ?? ''}\n${toYaml(...documents)}`;
}

/**
 * Every file of the component. Encryption keys are read or generated here; the EncryptionConfiguration and
 * generated keys are secret files (see `OutputFile.secret`). The documents match their Go types (the tests
 * check every kind against schema/node-config with NodeConfigSchema; synth itself stays free of Ajv).
 */
export function nodeConfigFiles(config: ClusterConfig, wiring: ClusterWiring, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): OutputFile[] {
  const files: OutputFile[] = [];
  for (const [file, documents] of Object.entries(nodeConfigDocuments(config, wiring))) files.push({ path: file, content: render(file, documents) });

  const e = config.apiServer.encryptionAtRest;
  if (e.enabled) {
    const { keys, generated } = loadEncryptionKeys(config, env, cwd);
    const doc = encryptionConfiguration(config, keys);
    files.push({ path: OUTPUT_PATHS.encryptionConfig, content: render(OUTPUT_PATHS.encryptionConfig, [doc]), secret: { inDist: e.writeToDist } });
    for (const k of generated) files.push({ path: generatedKeyPath(k.name), content: `${k.secret}\n`, secret: { inDist: false } });
  }
  files.push({ path: OUTPUT_PATHS.modprobeBlacklist, content: modprobeBlacklist(config) });
  return files;
}
