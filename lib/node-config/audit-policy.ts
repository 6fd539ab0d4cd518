import * as path from 'path';
import type { ClusterConfig } from '../config/cluster-config';
import { AUDIT_SENSITIVE_RESOURCES } from '../config/resolve-node-config';
import type { AuditRuleConfig } from '../config/types';
import { NODE_PATHS, type ApiServerSettings } from './paths';

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** Drops undefined and empty fields so the policy file shows only what a rule matches on. */
function compactRule(rule: AuditRuleConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

/**
 * The built-in rules, first match wins: drop high-volume read-only system traffic and health probes, keep
 * only metadata for anything holding credentials, full bodies for RBAC changes (who granted what), metadata
 * for the rest.
 */
export const DEFAULT_AUDIT_RULES: readonly AuditRuleConfig[] = [
  // kube-proxy and the node agents watch and read the same objects all day
  { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ group: '', resources: ['endpoints', 'services', 'services/status'] }, { group: 'discovery.k8s.io', resources: ['endpointslices'] }] },
  { level: 'None', userGroups: ['system:nodes'], verbs: ['get'], resources: [{ group: '', resources: ['nodes', 'nodes/status'] }] },
  { level: 'None', users: ['system:apiserver'], verbs: ['get'], resources: [{ group: '', resources: ['namespaces', 'namespaces/status', 'namespaces/finalize'] }] },
  // leader election renews leases every few seconds
  { level: 'None', verbs: ['get', 'update'], namespaces: ['kube-system', 'kube-node-lease'], resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
  { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version', '/metrics', '/openapi*'] },
  // events are themselves a record; logging them doubles the volume
  { level: 'None', resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }] },
  // credentials: who touched them, never their content
  { level: 'Metadata', resources: groupResources(AUDIT_SENSITIVE_RESOURCES) },
  // RBAC changes with request and response
  { level: 'RequestResponse', verbs: WRITE_VERBS as AuditRuleConfig['verbs'], resources: [{ group: 'rbac.authorization.k8s.io' }] },
  { level: 'Metadata' },
];

function groupResources(list: readonly { group: string; resource: string }[]): { group: string; resources: string[] }[] {
  const byGroup = new Map<string, string[]>();
  for (const { group, resource } of list) byGroup.set(group, [...(byGroup.get(group) ?? []), resource]);
  return [...byGroup].map(([group, resources]) => ({ group, resources }));
}

/** The audit Policy (audit.k8s.io/v1): the config's extra rules, then the built-in ones. */
export function auditPolicy(config: ClusterConfig): Record<string, unknown> {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    // one event per request instead of two: RequestReceived carries nothing ResponseComplete lacks
    omitStages: ['RequestReceived'],
    rules: [...config.apiServer.audit.extraRules, ...DEFAULT_AUDIT_RULES].map(compactRule),
  };
}

/** kube-apiserver flags and mounts that turn on audit logging (read by the kubeadm configuration). */
export function auditApiServerSettings(config: ClusterConfig): ApiServerSettings {
  const a = config.apiServer.audit;
  if (!a.enabled) return { flags: {}, volumes: [] };
  const logDir = path.posix.dirname(a.logPath);
  return {
    flags: {
      'audit-policy-file': NODE_PATHS.auditPolicy,
      'audit-log-path': a.logPath,
      'audit-log-format': 'json',
      'audit-log-maxage': String(a.maxAgeDays),
      'audit-log-maxbackup': String(a.maxBackups),
      'audit-log-maxsize': String(a.maxSizeMB),
    },
    volumes: [
      { name: 'audit-policy', hostPath: NODE_PATHS.auditPolicyDir, mountPath: NODE_PATHS.auditPolicyDir, readOnly: true, pathType: 'Directory' },
      { name: 'audit-log', hostPath: logDir, mountPath: logDir, readOnly: false, pathType: 'DirectoryOrCreate' },
    ],
  };
}
