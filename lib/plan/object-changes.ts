import { changedPaths, isUnder } from './field-diff';
import { rolloutOf, WORKLOAD_KINDS } from './rollout';
import type { SynthesizedObject } from './synthesize';
import type { ObjectChange, PlannedObjectRef } from './types';

/**
 * Fields the API server refuses to change on an existing object, by kind: changing one means deleting the
 * object and creating it again (`kubectl apply` fails; `kubectl replace --force` or Pulumi's replace does that).
 */
const IMMUTABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  DaemonSet: ['spec.selector'],
  Deployment: ['spec.selector'],
  ReplicaSet: ['spec.selector'],
  StatefulSet: ['spec.selector', 'spec.serviceName', 'spec.volumeClaimTemplates', 'spec.podManagementPolicy'],
  Job: ['spec.selector', 'spec.template'],
  Service: ['spec.clusterIP', 'spec.clusterIPs'],
  StorageClass: ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode'],
  RoleBinding: ['roleRef'],
  ClusterRoleBinding: ['roleRef'],
  PersistentVolumeClaim: ['spec.storageClassName', 'spec.accessModes', 'spec.selector', 'spec.volumeMode'],
  Secret: ['type'],
};
const DATA_FIELDS = ['data', 'binaryData', 'stringData'];

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
/** Identity of an object across configs: API group, kind, namespace, name (the version may change). */
const keyOf = (m: Record<string, any>) => `${groupOf(m.apiVersion)}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;

function refOf(o: SynthesizedObject): PlannedObjectRef {
  const m = o.manifest;
  return { apiVersion: m.apiVersion, kind: m.kind, ...(m.metadata?.namespace ? { namespace: m.metadata.namespace } : {}), name: m.metadata.name, component: o.component };
}

/** `Kind/namespace/name` (or `Kind/name`), as the plan prints objects. */
export function describeRef(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** What the two sides of a plan know besides their objects. */
export interface ObjectPlanContext {
  /** Tenant names of the old config, to say when a deleted Namespace is a removed tenant. */
  readonly oldTenants: readonly string[];
  readonly newTenants: readonly string[];
}

/** Classifies every difference between the old and the new objects. */
export function objectChanges(oldObjects: readonly SynthesizedObject[], newObjects: readonly SynthesizedObject[], context: ObjectPlanContext): ObjectChange[] {
  const oldByKey = new Map(oldObjects.map((o) => [keyOf(o.manifest), o]));
  const newByKey = new Map(newObjects.map((o) => [keyOf(o.manifest), o]));
  const added = newObjects.filter((o) => !oldByKey.has(keyOf(o.manifest)));
  const removed = oldObjects.filter((o) => !newByKey.has(keyOf(o.manifest)));
  const renames = findRenames(removed, added);
  const deletedNamespaces = new Set(removed.filter((o) => o.manifest.kind === 'Namespace').map((o) => o.manifest.metadata.name as string));

  const changes: ObjectChange[] = [];
  for (const o of newObjects) {
    const before = oldByKey.get(keyOf(o.manifest));
    if (before) {
      const change = updateOf(before, o, newObjects, oldObjects);
      if (change) changes.push(change);
      continue;
    }
    const from = renames.get(o);
    if (from) {
      changes.push({ class: 'replace', action: 'rename', object: refOf(o), renamedFrom: from.manifest.metadata.name, fields: ['metadata.name'], reasons: [`renamed from ${describeRef(refOf(from))}: the old object is deleted and the new one created${WORKLOAD_KINDS.has(o.manifest.kind) ? ' (its pods are deleted with it and new ones start: they do not roll)' : ''}`] });
    } else {
      changes.push({ class: 'replace', action: 'create', object: refOf(o), fields: [], reasons: [createReason(o, context)] });
    }
  }
  const renamedAway = new Set(renames.values());
  for (const o of removed) {
    if (renamedAway.has(o)) continue;
    const m = o.manifest;
    if (m.kind === 'Namespace') {
      const tenant = context.oldTenants.includes(m.metadata.name) && !context.newTenants.includes(m.metadata.name);
      changes.push({
        class: 'replace',
        action: 'delete',
        object: refOf(o),
        fields: [],
        deletesContents: true,
        reasons: [`${tenant ? `tenant ${m.metadata.name} removed from the config: ` : ''}deleting the Namespace deletes everything inside it, also objects this config does not manage (workloads, Secrets, PersistentVolumeClaims and their volumes)`],
      });
    } else {
      const inside = m.metadata?.namespace && deletedNamespaces.has(m.metadata.namespace);
      changes.push({ class: 'replace', action: 'delete', object: refOf(o), fields: [], reasons: [inside ? `deleted with Namespace ${m.metadata.namespace}` : `no longer in the config: deleted${WORKLOAD_KINDS.has(m.kind) ? ' with all its pods' : ''}`] });
    }
  }
  const rank = { replace: 0, rolling: 1, 'in-place': 2 } as const;
  return changes.map((c, i) => ({ c, i })).sort((a, b) => rank[a.c.class] - rank[b.c.class] || a.i - b.i).map(({ c }) => c);
}

function createReason(o: SynthesizedObject, context: ObjectPlanContext): string {
  const m = o.manifest;
  if (m.kind === 'Namespace' && context.newTenants.includes(m.metadata.name) && !context.oldTenants.includes(m.metadata.name)) return `new tenant ${m.metadata.name}`;
  return 'new object';
}

/** A removed and an added object of the same component, kind and namespace, when that pair is the only one. */
function findRenames(removed: readonly SynthesizedObject[], added: readonly SynthesizedObject[]): Map<SynthesizedObject, SynthesizedObject> {
  const slot = (o: SynthesizedObject) => `${o.component}/${groupOf(o.manifest.apiVersion)}/${o.manifest.kind}/${o.manifest.metadata?.namespace ?? ''}`;
  const renames = new Map<SynthesizedObject, SynthesizedObject>();
  for (const a of added) {
    if (a.manifest.kind === 'Namespace') continue; // a new namespace is a new tenant, not a renamed one
    const olds = removed.filter((r) => slot(r) === slot(a));
    const news = added.filter((n) => slot(n) === slot(a));
    if (olds.length === 1 && news.length === 1) renames.set(a, olds[0]);
  }
  return renames;
}

function updateOf(before: SynthesizedObject, after: SynthesizedObject, newObjects: readonly SynthesizedObject[], oldObjects: readonly SynthesizedObject[]): ObjectChange | undefined {
  const a = before.manifest;
  const b = after.manifest;
  const fields = changedPaths(a, b);
  if (!fields.length) return undefined;
  const object = refOf(after);
  const immutable = [...(IMMUTABLE_FIELDS[b.kind] ?? []), ...(a.immutable === true ? DATA_FIELDS : [])];
  const frozen = fields.filter((f) => immutable.some((i) => isUnder(f, i)));
  if (frozen.length) {
    const reasons = [`${[...new Set(frozen.map((f) => immutable.find((i) => isUnder(f, i))))].join(', ')} cannot change on an existing ${b.kind}: it is deleted and re-created`];
    if (WORKLOAD_KINDS.has(b.kind)) reasons.push('all its pods are deleted with it and new ones start: they do not roll');
    if (b.kind === 'Service') reasons.push(`clients of the old address ${JSON.stringify(a.spec?.clusterIP ?? '(allocated)')} lose it at once`);
    return { class: 'replace', action: 'recreate', object, fields, reasons };
  }
  if (WORKLOAD_KINDS.has(b.kind) && fields.some((f) => isUnder(f, 'spec.template'))) {
    const reasons = templateReasons(a, b, fields);
    if (fields.some((f) => isUnder(f, 'spec.replicas'))) reasons.push(`scales from ${a.spec?.replicas ?? 1} to ${b.spec?.replicas ?? 1} pods`);
    return { class: 'rolling', action: 'update', object, fields, reasons, rollout: rolloutOf(b) };
  }
  return { class: 'in-place', action: 'update', object, fields, reasons: inPlaceReasons(before, after, fields, newObjects, oldObjects) };
}

function images(m: Record<string, any>): string[] {
  const spec = m.spec?.template?.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c: { image: string }) => c.image);
}

function templateReasons(a: Record<string, any>, b: Record<string, any>, fields: readonly string[]): string[] {
  const reasons: string[] = [];
  const was = images(a);
  const now = images(b);
  const gone = was.filter((i) => !now.includes(i));
  const came = now.filter((i) => !was.includes(i));
  if (gone.length || came.length) reasons.push(`images: ${[...new Set(gone)].join(', ') || '(none)'} -> ${[...new Set(came)].join(', ') || '(none)'}`);
  const other = fields.filter((f) => isUnder(f, 'spec.template') && !/\.image$/.test(f)).length;
  if (other) reasons.push(`pod template: ${other} ${reasons.length ? 'more ' : ''}field(s) change`);
  return [`the pod template changes, so every pod is replaced`, ...reasons];
}

function inPlaceReasons(before: SynthesizedObject, after: SynthesizedObject, fields: readonly string[], newObjects: readonly SynthesizedObject[], oldObjects: readonly SynthesizedObject[]): string[] {
  const b = after.manifest;
  const a = before.manifest;
  const reasons: string[] = [];
  const under = (field: string) => fields.some((f) => isUnder(f, field));
  if (DATA_FIELDS.some(under)) reasons.push(...dataReasons(after, newObjects, oldObjects));
  if (under('rules') || under('aggregationRule')) reasons.push('RBAC rules change: they apply to the next request');
  if (under('subjects')) reasons.push('RBAC subjects change: they apply to the next request');
  if (b.kind === 'Service' && under('spec')) reasons.push(`Service spec changes (${fields.filter((f) => isUnder(f, 'spec')).join(', ')}); the clusterIP is kept and kube-proxy updates its rules`);
  if (WORKLOAD_KINDS.has(b.kind) && under('spec.replicas')) reasons.push(`scales from ${a.spec?.replicas ?? 1} to ${b.spec?.replicas ?? 1} pods; no running pod is replaced (a scale-down deletes pods without consulting their PodDisruptionBudget)`);
  if (under('metadata.labels') || under('metadata.annotations')) reasons.push('labels or annotations change (metadata only)');
  const explained = new Set<string>();
  for (const f of fields) {
    if ([...DATA_FIELDS, 'rules', 'aggregationRule', 'subjects', 'metadata.labels', 'metadata.annotations', 'spec.replicas'].some((x) => isUnder(f, x)) || (b.kind === 'Service' && isUnder(f, 'spec'))) explained.add(f);
  }
  const rest = fields.filter((f) => !explained.has(f));
  if (rest.length) reasons.push(`updated in place: ${rest.join(', ')}`);
  return reasons;
}

/** Who reads a changed ConfigMap or Secret, and when they notice. */
function dataReasons(o: SynthesizedObject, newObjects: readonly SynthesizedObject[], oldObjects: readonly SynthesizedObject[]): string[] {
  const m = o.manifest;
  const corefile = Object.entries(m.data ?? {}).find(([k]) => /^Corefile/.test(k))?.[1] as string | undefined;
  const consumers = newObjects.filter((w) => WORKLOAD_KINDS.has(w.manifest.kind) && w.manifest.metadata?.namespace === m.metadata?.namespace && usesData(w.manifest, m.kind, m.metadata.name));
  const head = `${m.kind} data changes in place`;
  if (corefile !== undefined && /^\s*reload\b/m.test(corefile)) {
    return [`${head}; the Corefile has \`reload\`, so ${consumers.map((c) => describeRef(refOf(c))).join(', ') || 'its server'} picks it up without a restart (once the kubelet refreshes the mounted file, about a minute, then the reload check)`];
  }
  if (!consumers.length) return [head];
  const oldByName = new Map(oldObjects.map((w) => [keyOf(w.manifest), w.manifest]));
  // a workload created in this plan reads the new data when it starts
  const running = consumers.filter((c) => oldByName.has(keyOf(c.manifest)));
  if (!running.length) return [head];
  return running.map((c) => {
    const before = oldByName.get(keyOf(c.manifest));
    const rolls = before && changedPaths(before.spec?.template, c.manifest.spec?.template).length > 0;
    const ref = describeRef(refOf(c));
    return rolls
      ? `${head}; ${ref} rolls in this plan anyway, so its new pods read it`
      : `${head}; ${ref} reads it only at start: it takes effect when its pods restart (\`kubectl -n ${c.manifest.metadata.namespace} rollout restart ${c.manifest.kind.toLowerCase()}/${c.manifest.metadata.name}\`)`;
  });
}

function usesData(workload: Record<string, any>, kind: string, name: string): boolean {
  const spec = workload.spec?.template?.spec ?? {};
  const volume = (v: any) => (kind === 'ConfigMap' ? v.configMap?.name === name || v.projected?.sources?.some((s: any) => s.configMap?.name === name) : v.secret?.secretName === name || v.projected?.sources?.some((s: any) => s.secret?.name === name));
  if ((spec.volumes ?? []).some(volume)) return true;
  const ref = kind === 'ConfigMap' ? 'configMapRef' : 'secretRef';
  const keyRef = kind === 'ConfigMap' ? 'configMapKeyRef' : 'secretKeyRef';
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].some(
    (c: any) => (c.envFrom ?? []).some((e: any) => e[ref]?.name === name) || (c.env ?? []).some((e: any) => e.valueFrom?.[keyRef]?.name === name),
  );
}
