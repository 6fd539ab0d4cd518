/**
 * Public API of the cluster bootstrapper: `import { ... } from 'cluster-bootstrap'`. Guides: docs/extending.md.
 * @module cluster-bootstrap
 */
export * from './config/types';
export * from './config/cluster-config';
export { Cidr, IpAddress, parseCidrList, AddressSyntaxError, type IpFamily } from './net/cidr';
export { ConfigError, type ConfigIssue } from './config/errors';
export { ArgumentError } from './argument-error';
export { parseClusterConfig, WINDOWS_MIN_VNI, WINDOWS_VXLAN_PORT } from './config/parse';
export { loadClusterConfig, findConfigSource, parseConfigText, CONFIG_ENV_VAR, type ConfigSource } from './config/load';
export { DEFAULT_CLUSTER_CONFIG, MIN_KUBERNETES_VERSION } from './config/defaults';
export type { ClusterComponent, OutputFile } from './component';
export { ClusterBootstrap, builtInComponents, clusterWiring, type ClusterBootstrapProps, type ObjectRef } from './cluster-bootstrap';
export {
  collectContributions,
  ContributionConflictError,
  type ClientCertificateRequest,
  type ClusterWiring,
  type ComponentContributions,
  type ContributionSource,
  type ControlPlaneContribution,
  type HostPathMount,
  type MergedControlPlane,
} from './contributions';
export { ImageRef } from './images';
export * from './components/flannel';
export * from './components/kube-proxy-windows';
export { synthCharts, writeFiles, type ChartOutput } from './output/synth';
export { applyOrder, kustomization, writeKustomization, KUSTOMIZATION_FILE } from './output/kustomization';
export { imagesOf } from './output/summary';
export * from './network-policy';
export * from './components/coredns';
export * from './components/node-local-dns';
export * from './dns/corefile';
export * from './dns/cluster-corefile';
export { kubeadmCoreDnsVersion } from './config/resolve-dns';
export * from './components/cloud-controller-manager';
export * from './components/konnectivity';
export * from './components/node-config';
export * from './node-config/paths';
export * from './node-config/kubeadm';
export * from './node-config/kubelet';
export * from './node-config/kube-proxy';
export * from './node-config/audit-policy';
export * from './node-config/encryption';
export * from './node-config/kernel-modules';
export { NodeConfigSchema, nodeConfigSchemaVersionFor, type ConfigFileViolation } from './validation/node-config-schema';
export { ClusterBootstrapValidation, type ClusterBootstrapValidationProperties } from './validation/cdk8s-plugin';
export { checkConsistency, formatRuleViolation, RULES, RULE_IDS, type ManifestDocument, type RuleId, type RuleViolation } from './validation/consistency-rules';
export { checkManifestDocuments, readManifestFiles, type ManifestCheckOptions, type ManifestCheckResult } from './validation/manifest-check';
export { writeSecretFiles, partitionFiles } from './output/secrets';
export * from './components/kubelet-serving-approver';
export * from './components/cluster-doctor';
export * from './components/tenants';
export * from './tenants';
export { resolveTenant, resolveTenants } from './config/resolve-tenants';
export { DEFAULT_TENANT_CONFIG } from './config/defaults';
export { Quantity, QuantitySyntaxError } from './resources/quantity';
export * from './resources/resource-names';
export * from './dockershim';
export * from './extended-resources/extended-resource';
export { PkiPlanComponent } from './components/pki';
export * from './pki/plan';
export * from './pki/openssl';
export * from './pki/cfssl';
export { pkiPlanFiles, PKI_PLAN_DIR } from './pki/plan-files';
export { generatePki, PrivateKeyPem, BACKDATE_MS, type GeneratedPki, type GeneratedCertificate, type GeneratedKeyPair, type GenerateOptions } from './pki/generate';
export { writePki, preparePkiDir, plannedPkiFiles, gitExposureWarning, PkiExistsError, PRIVATE_KEY_MODE, PUBLIC_FILE_MODE, type PkiFile, type WritePkiOptions } from './pki/write';
export { checkExpiration, formatExpiryReport, residualTime, type CertificateExpiry, type ExpiryReport, type CheckExpirationOptions } from './pki/expiry';
export { isCertificateDnsName, parseSubjectAltName } from './config/resolve-pki';
export * from './plan/types';
export { planChanges, buildPlan, formatRefusal, ChangeRefusedError, UnknownChangeIdError, NO_BASELINE_NOTE, type PlanOptions } from './plan/change-plan';
export { synthesizeCluster, type SynthesizedCluster, type SynthesizedObject } from './plan/synthesize';
export { renderPlanText, renderPlanJson, summaryLine } from './plan/render-plan';
