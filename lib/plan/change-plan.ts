import { ArgumentError } from '../argument-error';
import type { ClusterComponent } from '../component';
import type { ClusterConfig } from '../config/cluster-config';
import { configChanges } from './config-rules';
import { objectChanges } from './object-changes';
import { synthesizeCluster, type SynthesizedCluster } from './synthesize';
import { CHANGE_CLASSES, DISRUPTIVE_CHANGE_IDS, IMPOSSIBLE_CHANGE_IDS, type ChangeClass, type ChangePlan, type ConfigChange, type DisruptiveChangeId, type FileChange } from './types';

export const NO_BASELINE_NOTE = 'no previous config: planned against nothing';

export interface PlanOptions {
  /** Ids of config changes the caller acknowledges; an impossible change is refused unless named here. */
  readonly allowDisruptive?: readonly DisruptiveChangeId[];
  /**
   * The components to synthesize (the same for both configs).
   * @default builtInComponents()
   */
  readonly components?: readonly ClusterComponent[];
}

/** `allowDisruptive` names an id no rule has. */
export class UnknownChangeIdError extends ArgumentError {}

/** The plan has impossible changes that `allowDisruptive` does not name. The plan is attached for rendering. */
export class ChangeRefusedError extends Error {
  constructor(readonly plan: ChangePlan) {
    super(formatRefusal(plan.refused));
    this.name = 'ChangeRefusedError';
  }
}

const show = (v: unknown) => JSON.stringify(v);

/** Each refused change as `path [id]: why (old X, new Y)` and a hint line naming its id. */
export function formatRefusal(refused: readonly ConfigChange[]): string {
  const lines = refused.map((c) => `  - ${c.path} [${c.id}]: cannot change on a running cluster (old ${show(c.oldValue)}, new ${show(c.newValue)})\n    why: ${c.why}\n    hint: ${c.procedure}`);
  return `refused ${refused.length} impossible change${refused.length === 1 ? '' : 's'} (acknowledge each with allowDisruptive / --allow-disruptive <id>):\n${lines.join('\n')}`;
}

const KNOWN_IDS: ReadonlySet<string> = new Set([...IMPOSSIBLE_CHANGE_IDS, ...DISRUPTIVE_CHANGE_IDS]);

function checkAllowed(ids: readonly string[]): Set<string> {
  for (const id of ids) {
    if (!KNOWN_IDS.has(id)) {
      throw new UnknownChangeIdError('allowDisruptive', id, 'not a change id', `use one of ${[...KNOWN_IDS].join(', ')}`);
    }
  }
  return new Set(ids);
}

/** Node and control-plane files that differ; files holding secrets are left out (their content is never shown or compared). */
function fileChanges(before: SynthesizedCluster | undefined, after: SynthesizedCluster): FileChange[] {
  const open = (s: SynthesizedCluster | undefined) => new Map((s?.files ?? []).filter((f) => !f.secret).map((f) => [f.path, f]));
  const a = open(before);
  const b = open(after);
  const changes: FileChange[] = [];
  for (const [path, f] of b) {
    const old = a.get(path);
    if (!old) changes.push({ path, action: 'create', component: f.component });
    else if (old.content !== f.content) changes.push({ path, action: 'update', component: f.component });
  }
  for (const [path, f] of a) if (!b.has(path)) changes.push({ path, action: 'delete', component: f.component });
  return changes;
}

/**
 * Compares two cluster configs and the objects they synthesize (in memory, nothing written) and classifies
 * every difference: impossible, disruptive, replace, rolling or in-place (see `ChangePlan`). With no old config
 * (a first deploy) every object is a create. Throws `ChangeRefusedError` (with the plan) when an impossible
 * change is not named in `allowDisruptive`, and `UnknownChangeIdError` for an id that names no rule.
 */
export function planChanges(oldConfig: ClusterConfig | undefined, newConfig: ClusterConfig, options: PlanOptions = {}): ChangePlan {
  const plan = buildPlan(oldConfig, newConfig, options);
  if (plan.refused.length) throw new ChangeRefusedError(plan);
  return plan;
}

/** `planChanges` without the refusal: impossible changes not acknowledged are listed in `refused`. */
export function buildPlan(oldConfig: ClusterConfig | undefined, newConfig: ClusterConfig, options: PlanOptions = {}): ChangePlan {
  const allowed = checkAllowed(options.allowDisruptive ?? []);
  const before = oldConfig ? synthesizeCluster(oldConfig, options.components) : undefined;
  const after = synthesizeCluster(newConfig, options.components);
  const config = oldConfig ? configChanges(oldConfig, newConfig, allowed) : [];
  const objects = objectChanges(before?.objects ?? [], after.objects, {
    oldTenants: oldConfig?.tenants.map((t) => t.name) ?? [],
    newTenants: newConfig.tenants.map((t) => t.name),
  });
  const counts = Object.fromEntries(CHANGE_CLASSES.map((c) => [c, 0])) as Record<ChangeClass, number>;
  for (const c of [...config, ...objects]) counts[c.class]++;
  const notes: string[] = [];
  if (!oldConfig) notes.push(NO_BASELINE_NOTE);
  const unused = [...allowed].filter((id) => !config.some((c) => c.id === id));
  if (unused.length) notes.push(`acknowledged but not in this plan: ${unused.join(', ')}`);
  if (newConfig.apiServer.encryptionAtRest.enabled) notes.push('files holding encryption keys are not compared');
  return {
    baseline: oldConfig ? 'previous-config' : 'nothing',
    clusterName: newConfig.clusterName,
    ...(oldConfig ? { oldKubernetesVersion: oldConfig.kubernetesVersion.semver } : {}),
    newKubernetesVersion: newConfig.kubernetesVersion.semver,
    configChanges: config,
    objectChanges: objects,
    fileChanges: fileChanges(before, after),
    counts,
    notes,
    refused: config.filter((c) => c.class === 'impossible' && !c.acknowledged),
  };
}
