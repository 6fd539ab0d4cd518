// The renderers take the merged contributions of the enabled components; these give them the built-in ones,
// as synth would, so a test reads like the config it is about.
import { clusterWiring } from '../../lib/cluster-bootstrap';
import * as nodeConfig from '../../lib/components/node-config';
import type { ClusterConfig } from '../../lib/config/cluster-config';
import * as kubeadm from '../../lib/node-config/kubeadm';
import * as kubelet from '../../lib/node-config/kubelet';
import * as kubeProxy from '../../lib/node-config/kube-proxy';
import * as plan from '../../lib/pki/plan';
import * as planFiles from '../../lib/pki/plan-files';

const w = clusterWiring;
export const clusterConfiguration = (c: ClusterConfig) => kubeadm.clusterConfiguration(c, w(c));
export const initConfiguration = (c: ClusterConfig) => kubeadm.initConfiguration(c, w(c));
export const joinConfiguration = (c: ClusterConfig) => kubeadm.joinConfiguration(c, w(c));
export const apiServerSettings = (c: ClusterConfig) => kubeadm.apiServerSettings(c, w(c));
export const kubeletConfiguration = (c: ClusterConfig) => kubelet.kubeletConfiguration(c, w(c));
export const kubeProxyConfiguration = (c: ClusterConfig) => kubeProxy.kubeProxyConfiguration(c, w(c));
export const nodeConfigDocuments = (c: ClusterConfig) => nodeConfig.nodeConfigDocuments(c, w(c));
export const nodeConfigFiles = (c: ClusterConfig, env?: NodeJS.ProcessEnv, cwd?: string) => nodeConfig.nodeConfigFiles(c, w(c), env, cwd);
export const pkiPlan = (c: ClusterConfig) => plan.pkiPlan(c, w(c));
export const pkiPlanFiles = (c: ClusterConfig) => planFiles.pkiPlanFiles(c, w(c));
