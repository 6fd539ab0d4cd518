// The change plan inside `pulumi up`: the program plans the new cluster config against the one the stack last
// deployed (kept as the stack output `clusterConfig`), warns on disruptive changes and refuses impossible ones
// before it registers any resource, with the same words as `cluster-plan`.
import * as pulumi from '@pulumi/pulumi';
import { ArgumentError } from '../../lib/argument-error';
import type { ClusterConfig } from '../../lib/config/cluster-config';
import { ConfigError } from '../../lib/config/errors';
import { parseClusterConfig } from '../../lib/config/parse';
import { buildPlan, formatRefusal } from '../../lib/plan/change-plan';
import type { ChangePlan, DisruptiveChangeId } from '../../lib/plan/types';

/** The stack output holding the cluster config as deployed (the stack config value, as written). */
export const DEPLOYED_CONFIG_OUTPUT = 'clusterConfig';

/** The stack config key of the acknowledged change ids (`pulumi config set --path 'allowDisruptive[0]' pod-cidr`). */
export const ALLOW_DISRUPTIVE_KEY = 'allowDisruptive';

/** What the stack last deployed, or why there is nothing to plan against. */
export interface DeployedConfig {
  readonly config?: ClusterConfig;
  readonly note?: string;
}

/** Reads this stack's own last outputs (a StackReference to itself: the checkpoint before this update). */
export async function lastDeployedConfig(): Promise<DeployedConfig> {
  const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
  const output = await self.getOutputDetails(DEPLOYED_CONFIG_OUTPUT);
  if (output.value === undefined) return { note: 'the stack has no deployed cluster config (a first deploy, or a stack from before the change plan)' };
  return deployedConfigFrom(output.value);
}

/** The deployed config parsed with today's validator; a config it no longer accepts plans against nothing and says why. */
export function deployedConfigFrom(value: unknown): DeployedConfig {
  try {
    return { config: parseClusterConfig(value, 'the last deployed cluster config') };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { note: `the last deployed cluster config no longer parses, so nothing is compared: ${e.message.split('\n')[0]}` };
  }
}

/**
 * Plans `config` against `deployed`: refused impossible changes stop the program (a RunError with the refusal
 * `cluster-plan` prints); disruptive ones and the notes come back as warnings.
 */
export function gateChanges(deployed: DeployedConfig, config: ClusterConfig, allowDisruptive: readonly string[]): { plan: ChangePlan; warnings: string[] } {
  let plan: ChangePlan;
  try {
    plan = buildPlan(deployed.config, config, { allowDisruptive: allowDisruptive as DisruptiveChangeId[] });
  } catch (e) {
    // an id no rule has: the CLI's message, naming the stack config key
    if (e instanceof ArgumentError) throw new pulumi.RunError(`Pulumi stack config ${ALLOW_DISRUPTIVE_KEY}: ${e.message}`);
    throw e;
  }
  if (plan.refused.length) throw new pulumi.RunError(formatRefusal(plan.refused));
  const warnings = [
    ...(deployed.note ? [`change plan: ${deployed.note}; planned against nothing`] : []),
    ...plan.configChanges
      .filter((c) => c.class === 'disruptive' || c.acknowledged)
      .map((c) => `disruptive change ${c.path} [${c.id}] (old ${JSON.stringify(c.oldValue)}, new ${JSON.stringify(c.newValue)}): ${c.why}\n  procedure: ${c.procedure}`),
    ...plan.objectChanges.filter((c) => c.class === 'replace' && c.deletesContents).map((c) => removedNamespaceWarning(c.object.name, deployed.config)),
  ];
  return { plan, warnings };
}

/** What `pulumi up` does to a Namespace that leaves the config: a tenant's follows its deployed `onRemoval`. */
function removedNamespaceWarning(name: string, deployed: ClusterConfig | undefined): string {
  const tenant = deployed?.tenants.find((t) => t.name === name);
  if (tenant && tenant.onRemoval !== 'delete') return `change plan: Namespace ${name} leaves the stack but stays in the cluster with everything inside it (tenant onRemoval: retain)`;
  return `change plan: Namespace ${name} is deleted with everything inside it`;
}
