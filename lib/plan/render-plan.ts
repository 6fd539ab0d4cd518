import { describeRef } from './object-changes';
import { CHANGE_CLASSES, type ChangeClass, type ChangePlan, type ConfigChange, type ObjectChange, type Rollout } from './types';

/** Changed fields listed per object before the rest is counted. */
const MAX_FIELDS = 6;

const HEADINGS: Readonly<Record<ChangeClass, string>> = {
  impossible: 'IMPOSSIBLE: a running cluster cannot take these',
  disruptive: 'DISRUPTIVE: follow the procedure',
  replace: 'REPLACE: objects created, deleted, or deleted and re-created',
  rolling: 'ROLLING: pods replaced by the update strategy',
  'in-place': 'IN-PLACE: updated where they stand',
};

const show = (v: unknown) => JSON.stringify(v);

function configLines(c: ConfigChange): string[] {
  const state = c.class === 'impossible' ? (c.acknowledged ? '  (acknowledged)' : '  REFUSED') : c.acknowledged ? '  (acknowledged)' : '';
  return [
    `  ${c.path} [${c.id}]: ${show(c.oldValue)} -> ${show(c.newValue)}${state}`,
    `    why: ${c.why}`,
    `    ${c.class === 'impossible' ? 'way out' : 'procedure'}: ${c.procedure}`,
  ];
}

function rolloutLine(r: Rollout): string {
  const mark = (field: Rollout['defaulted'][number], text: string) => `${text}${r.defaulted.includes(field) ? ' (API default)' : ''}`;
  const parts = [mark('strategy', r.strategy)];
  if (r.maxUnavailable !== undefined) parts.push(mark('maxUnavailable', `maxUnavailable ${r.maxUnavailable}`));
  if (r.maxSurge !== undefined) parts.push(mark('maxSurge', `maxSurge ${r.maxSurge}`));
  return `    strategy: ${parts.join(', ')}: ${r.atOnce}`;
}

function objectLines(c: ObjectChange): string[] {
  const lines = [`  ${c.action} ${describeRef(c.object)}  (${c.object.component})`];
  if (c.rollout) lines.push(rolloutLine(c.rollout));
  for (const r of c.reasons) lines.push(`    ${r}`);
  if (c.action === 'update' || c.action === 'recreate') {
    const shown = c.fields.slice(0, MAX_FIELDS).join(', ');
    lines.push(`    fields: ${shown}${c.fields.length > MAX_FIELDS ? `, and ${c.fields.length - MAX_FIELDS} more` : ''}`);
  }
  return lines;
}

/** The one-line summary: counts per class, worst first. */
export function summaryLine(plan: ChangePlan): string {
  const refused = plan.refused.length ? ` (${plan.refused.length} refused)` : '';
  const counts = CHANGE_CLASSES.map((c) => `${plan.counts[c]} ${c}${c === 'impossible' ? refused : ''}`).join(', ');
  const files = plan.fileChanges.length ? `; ${plan.fileChanges.length} node/control-plane file(s)` : '';
  const total = CHANGE_CLASSES.reduce((n, c) => n + plan.counts[c], 0) + plan.fileChanges.length;
  return `Plan: ${counts}${files}${total === 0 ? ': no changes' : ''}`;
}

/** The plan as text for a platform engineer: grouped by class, worst first, then files, then the summary. */
export function renderPlanText(plan: ChangePlan): string {
  const version = plan.oldKubernetesVersion && plan.oldKubernetesVersion !== plan.newKubernetesVersion ? `${plan.oldKubernetesVersion} -> ${plan.newKubernetesVersion}` : plan.newKubernetesVersion;
  const out = [`Change plan for cluster ${plan.clusterName} (Kubernetes ${version})`];
  for (const note of plan.notes) out.push(`note: ${note}`);
  for (const cls of CHANGE_CLASSES) {
    const config = plan.configChanges.filter((c) => c.class === cls);
    const objects = plan.objectChanges.filter((c) => c.class === cls);
    if (!config.length && !objects.length) continue;
    out.push('', `${HEADINGS[cls]} (${config.length + objects.length})`);
    for (const c of config) out.push(...configLines(c));
    for (const c of objects) out.push(...objectLines(c));
  }
  if (plan.fileChanges.length) {
    out.push('', `FILES: node and control-plane files, not applied by kubectl; install them on the nodes (${plan.fileChanges.length})`);
    for (const f of plan.fileChanges) out.push(`  ${f.action} ${f.path}  (${f.component})`);
  }
  out.push('', summaryLine(plan));
  return `${out.join('\n')}\n`;
}

/** The plan as JSON (the `ChangePlan` object, two-space indented). */
export function renderPlanJson(plan: ChangePlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
