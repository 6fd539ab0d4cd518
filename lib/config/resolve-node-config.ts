import { AddressSyntaxError, Cidr } from '../net/cidr';
import { featureGateProblem } from '../node-config/feature-gates';
import type { EncryptionKeySource, ResolvedAudit, ResolvedEncryptionAtRest, ResolvedKubeletServingApprover, ResolvedNodeConfig } from './cluster-config';
import { DEFAULT_CLUSTER_CONFIG as D } from './defaults';
import type { ConfigIssue } from './errors';
import { IMAGE_REFERENCE } from './resolve-control-plane';
import type { AuditRuleConfig, ClusterConfigFile } from './types';

const DEFAULT_BLACKLIST = ['dccp', 'sctp'];
const DEFAULT_ENCRYPTED_RESOURCES = ['secrets'];
const DEFAULT_KEY_NAME = 'key1';
/** Bare host names: the approver refuses any DNS name with a domain until the user names theirs. */
const DEFAULT_APPROVER_REGEX = '^[a-z0-9-]+$';
const MODULE_NAME = /^[a-z0-9_-]+$/;
const FEATURE_GATE = /^[A-Z][A-Za-z0-9]*$/;
// `<resource>`, `<resource>.<group>`, and the wildcards `*.<group>`, `*.` (core) and `*.*` the API server accepts
const ENCRYPTED_RESOURCE = /^(\*|[a-z][a-z0-9-]*)\.([a-z0-9.-]*|\*)$|^[a-z][a-z0-9-]*$/;

/** Resources whose request and response bodies hold credentials; an audit log must never record them. */
export const AUDIT_SENSITIVE_RESOURCES: readonly { group: string; resource: string }[] = [
  { group: '', resource: 'secrets' },
  { group: '', resource: 'configmaps' },
  { group: '', resource: 'serviceaccounts/token' },
  { group: 'authentication.k8s.io', resource: 'tokenreviews' },
];

/** Whether a rule could match a request on `group`/`resource` (a rule without `resources` matches every resource). */
function ruleMayMatch(rule: AuditRuleConfig, group: string, resource: string): boolean {
  if (rule.nonResourceURLs?.length) return false;
  if (!rule.resources?.length) return true;
  return rule.resources.some((r) => (r.group ?? '') === group && (!r.resources?.length || r.resources.some((x) => x === resource || x === '*' || x === `${resource.split('/')[0]}/*` || x === `*/${resource.split('/')[1] ?? ''}`)));
}

function checkAuditRule(rule: AuditRuleConfig, path: string, issues: ConfigIssue[]): void {
  if (rule.resources?.length && rule.nonResourceURLs?.length) {
    issues.push({ path, value: rule, message: 'sets both resources and nonResourceURLs', hint: 'the API server refuses such a rule; split it into two rules' });
  }
  rule.nonResourceURLs?.forEach((url, i) => {
    if (!url.startsWith('/') && url !== '*') {
      issues.push({ path: `${path}.nonResourceURLs.${i}`, value: url, message: 'not a path', hint: 'start it with "/", e.g. "/healthz*"' });
    } else if (url.slice(0, -1).includes('*')) {
      issues.push({ path: `${path}.nonResourceURLs.${i}`, value: url, message: 'has a "*" before its end', hint: 'a trailing "*" is the only wildcard, e.g. "/metrics*"' });
    }
  });
  rule.resources?.forEach((r, i) => {
    if (r.resourceNames?.length && (r.resources ?? []).some((x) => x.includes('*'))) {
      issues.push({ path: `${path}.resources.${i}.resourceNames`, value: r.resourceNames, message: 'resourceNames with a wildcard resource', hint: 'name the resources exactly when you list resourceNames' });
    }
  });
  if (rule.level === 'Request' || rule.level === 'RequestResponse') {
    const leak = AUDIT_SENSITIVE_RESOURCES.find((s) => ruleMayMatch(rule, s.group, s.resource));
    if (leak) {
      issues.push({
        path: `${path}.level`,
        value: rule.level,
        message: `would record bodies of ${leak.group ? `${leak.group}/` : ''}${leak.resource}, which hold credentials`,
        hint: 'use "Metadata" for this rule, or limit its resources to ones without secrets (the built-in rules already log Secrets, ConfigMaps and TokenReviews at Metadata)',
      });
    }
  }
}

export function resolveAudit(file: ClusterConfigFile, issues: ConfigIssue[]): ResolvedAudit {
  const a = { ...D.apiServer.audit, ...file.apiServer?.audit };
  const extraRules = a.extraRules ?? [];
  extraRules.forEach((rule, i) => checkAuditRule(rule, `apiServer.audit.extraRules.${i}`, issues));
  if (!a.logPath.startsWith('/var/log/')) {
    issues.push({ path: 'apiServer.audit.logPath', value: a.logPath, message: 'outside /var/log', hint: 'keep the audit log under /var/log (e.g. /var/log/kubernetes/audit/audit.log): its folder is mounted writable into the API server' });
  }
  return { enabled: a.enabled, logPath: a.logPath, maxAgeDays: a.maxAgeDays, maxBackups: a.maxBackups, maxSizeMB: a.maxSizeMB, extraRules };
}

export function resolveEncryptionAtRest(file: ClusterConfigFile, issues: ConfigIssue[]): ResolvedEncryptionAtRest {
  const e = { ...D.apiServer.encryptionAtRest, ...file.apiServer?.encryptionAtRest };
  const base = 'apiServer.encryptionAtRest';
  if (!e.enabled) {
    if (file.apiServer?.encryptionAtRest?.keys || file.apiServer?.encryptionAtRest?.kms) {
      issues.push({ path: `${base}.enabled`, value: e.enabled, message: 'keys or kms are set but encryption is off', hint: 'set enabled: true, or remove the keys/kms settings' });
    }
    return { enabled: false };
  }
  const resources = e.resources ?? DEFAULT_ENCRYPTED_RESOURCES;
  resources.forEach((r, i) => {
    if (!ENCRYPTED_RESOURCE.test(r)) issues.push({ path: `${base}.resources.${i}`, value: r, message: 'not a resource name', hint: 'write e.g. "secrets", "configmaps" or "widgets.example.com"' });
  });
  if (resources.length !== new Set(resources).size) issues.push({ path: `${base}.resources`, value: resources, message: 'lists a resource twice', hint: 'the API server refuses overlapping resources; list each once' });
  if (e.provider === 'kms') {
    if (!e.kms) {
      issues.push({ path: `${base}.kms`, value: undefined, message: 'required when provider is "kms"', hint: 'give the plugin name and its socket, e.g. { name: "vault", endpoint: "unix:///var/run/kmsplugin/socket.sock" }' });
      return { enabled: false };
    }
    if (e.keys) issues.push({ path: `${base}.keys`, value: e.keys.map((k) => k.name), message: 'keys are not used with the kms provider', hint: 'the KMS plugin holds the key encryption key; remove keys' });
    return { enabled: true, provider: 'kms', resources, kms: { name: e.kms.name, endpoint: e.kms.endpoint, ...(e.kms.timeout ? { timeout: e.kms.timeout } : {}) }, writeToDist: e.writeToDist };
  }
  if (e.kms) issues.push({ path: `${base}.kms`, value: e.kms, message: `set while provider is "${e.provider}"`, hint: 'set provider: kms, or remove kms' });
  const listed = e.keys ?? [{ name: DEFAULT_KEY_NAME }];
  if (!listed.length) issues.push({ path: `${base}.keys`, value: [], message: 'no keys', hint: 'list at least one key, or remove keys to have one generated' });
  const keys: EncryptionKeySource[] = listed.map((k, i) => {
    if (listed.findIndex((o) => o.name === k.name) !== i) {
      issues.push({ path: `${base}.keys.${i}.name`, value: k.name, message: 'used by an earlier key', hint: 'give every key its own name (e.g. key2 for the next one)' });
    }
    if (k.fromEnv !== undefined && k.fromFile !== undefined) {
      issues.push({ path: `${base}.keys.${i}`, value: { fromEnv: k.fromEnv, fromFile: k.fromFile }, message: 'sets both fromEnv and fromFile', hint: 'a key comes from one place; keep one of them' });
    }
    if (k.fromEnv !== undefined) return { name: k.name, from: 'env', variable: k.fromEnv };
    if (k.fromFile !== undefined) return { name: k.name, from: 'file', file: k.fromFile };
    return { name: k.name, from: 'generated' };
  });
  return { enabled: true, provider: e.provider, resources, keys, writeToDist: e.writeToDist };
}

export function resolveNodeConfig(file: ClusterConfigFile, kubernetesMinor: number | undefined, issues: ConfigIssue[]): ResolvedNodeConfig {
  const n = file.components?.nodeConfig ?? {};
  const d = D.components.nodeConfig;
  const featureGates = n.kubeProxy?.featureGates ?? {};
  for (const name of Object.keys(featureGates)) {
    if (!FEATURE_GATE.test(name)) {
      issues.push({ path: `components.nodeConfig.kubeProxy.featureGates.${name}`, value: featureGates[name], message: 'not a feature gate name', hint: 'feature gates are UpperCamelCase, e.g. ServiceTrafficDistribution' });
    } else if (kubernetesMinor !== undefined) {
      const problem = featureGateProblem(name, featureGates[name], kubernetesMinor);
      if (problem) issues.push({ path: `components.nodeConfig.kubeProxy.featureGates.${name}`, value: featureGates[name], ...problem });
    }
  }
  const blacklistedKernelModules = n.blacklistedKernelModules ?? DEFAULT_BLACKLIST;
  blacklistedKernelModules.forEach((m, i) => {
    if (!MODULE_NAME.test(m)) issues.push({ path: `components.nodeConfig.blacklistedKernelModules.${i}`, value: m, message: 'not a kernel module name', hint: 'use the module name as modprobe knows it, e.g. "dccp"' });
  });
  return {
    enabled: n.enabled ?? d.enabled,
    containerRuntimeEndpoint: n.containerRuntimeEndpoint ?? d.containerRuntimeEndpoint,
    kubelet: { ...d.kubelet, ...n.kubelet },
    kubeProxy: { featureGates },
    blacklistedKernelModules,
  };
}

export function resolveKubeletServingApprover(file: ClusterConfigFile, issues: ConfigIssue[]): ResolvedKubeletServingApprover {
  const a = file.components?.kubeletServingApprover ?? {};
  const d = D.components.kubeletServingApprover;
  const providerRegex = a.providerRegex ?? DEFAULT_APPROVER_REGEX;
  if (a.image !== undefined && !IMAGE_REFERENCE.test(a.image)) {
    issues.push({ path: 'components.kubeletServingApprover.image', value: a.image, message: 'not an image reference', hint: 'write registry/repository:tag, e.g. "ghcr.io/postfinance/kubelet-csr-approver:v1.2.15"' });
  }
  try {
    new RegExp(providerRegex);
    if (!providerRegex.startsWith('^') || !providerRegex.endsWith('$')) {
      issues.push({ path: 'components.kubeletServingApprover.providerRegex', value: providerRegex, message: 'not anchored', hint: 'start with "^" and end with "$" so a CSR cannot smuggle in a longer name, e.g. "^node-[0-9]+\\\\.example\\\\.internal$"' });
    }
  } catch {
    issues.push({ path: 'components.kubeletServingApprover.providerRegex', value: providerRegex, message: 'not a regular expression', hint: 'write a Go RE2 expression such as "^node-[0-9]+\\\\.example\\\\.internal$"' });
  }
  const ipPrefixes: Cidr[] = [];
  (a.ipPrefixes ?? []).forEach((p, i) => {
    try {
      ipPrefixes.push(Cidr.parse(p));
    } catch (e) {
      if (!(e instanceof AddressSyntaxError)) throw e;
      issues.push({ path: `components.kubeletServingApprover.ipPrefixes.${i}`, value: p, message: e.message, hint: e.hint });
    }
  });
  return {
    enabled: a.enabled ?? d.enabled,
    image: a.image ?? d.image,
    providerRegex,
    ipPrefixes,
    bypassDnsResolution: a.bypassDnsResolution ?? d.bypassDnsResolution,
  };
}
