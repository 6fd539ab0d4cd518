#!/usr/bin/env node
// `cluster-plan old.yaml new.yaml` (npm run plan --): what applying new.yaml over a cluster made from old.yaml
// does, difference by difference (impossible, disruptive, replace, rolling, in-place). Read-only; nothing is
// synthesized to disk. Exit: 0 plan OK, 1 impossible changes not acknowledged, 2 usage or config errors.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { ClusterConfig } from '../config/cluster-config';
import { ConfigError } from '../config/errors';
import { loadClusterConfig } from '../config/load';
import { buildPlan, formatRefusal, UnknownChangeIdError } from '../plan/change-plan';
import { renderPlanJson, renderPlanText } from '../plan/render-plan';
import { DISRUPTIVE_CHANGE_IDS, IMPOSSIBLE_CHANGE_IDS, type DisruptiveChangeId } from '../plan/types';

export const PLAN_USAGE = `usage: cluster-plan <old.yaml> <new.yaml> [--allow-disruptive <id>[,<id>...]] [--json]
       cluster-plan --no-old <new.yaml> [--json]

Compares two cluster configs and the objects they synthesize (in memory) and classifies every difference:
impossible (refused unless acknowledged), disruptive (with its procedure), replace (created, deleted or
re-created), rolling (pods replaced by the update strategy), in-place. Also lists node and control-plane
files that change.

  --no-old                   plan a first deploy: against nothing (every object is created)
  --allow-disruptive <ids>   acknowledge changes by id (comma-separated; may repeat)
  --json                     the plan as JSON

Impossible ids: ${IMPOSSIBLE_CHANGE_IDS.join(', ')}
Disruptive ids: ${DISRUPTIVE_CHANGE_IDS.join(', ')}
Exit 0 plan OK, 1 impossible changes not acknowledged, 2 wrong usage or an invalid config.`;

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

export interface PlanIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
}

class UsageError extends Error {}

function load(io: PlanIo, file: string, role: 'old' | 'new'): ClusterConfig {
  const full = path.resolve(io.cwd, file);
  if (!fs.existsSync(full)) throw new UsageError(`${role} config ${file}: no such file${role === 'old' ? ' (to plan a first deploy against nothing, give --no-old and the new config only)' : ''}`);
  return loadClusterConfig({ kind: 'file', path: full });
}

export function runPlanCli(argv: readonly string[], io: PlanIo): number {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { 'no-old': { type: 'boolean', default: false }, 'allow-disruptive': { type: 'string', multiple: true, default: [] }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(`${PLAN_USAGE}\n`);
      return EXIT.ok;
    }
    const noOld = values['no-old'];
    if (positionals.length !== (noOld ? 1 : 2)) {
      throw new UsageError(noOld ? `--no-old takes the new config only, got ${positionals.length} file(s)` : `give the old and the new config, got ${positionals.length} file(s)`);
    }
    const allow = values['allow-disruptive'].flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean) as DisruptiveChangeId[];
    const oldConfig = noOld ? undefined : load(io, positionals[0], 'old');
    const newConfig = load(io, positionals[noOld ? 0 : 1], 'new');
    const plan = buildPlan(oldConfig, newConfig, { allowDisruptive: allow });
    io.out(values.json ? renderPlanJson(plan) : renderPlanText(plan));
    if (plan.refused.length) {
      io.err(`error: ${formatRefusal(plan.refused)}\n`);
      return EXIT.refused;
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(e as Error).message}\n${PLAN_USAGE}\n`);
      return EXIT.usage;
    }
    if (e instanceof ConfigError || e instanceof UnknownChangeIdError) {
      io.err(`error: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

if (require.main === module) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  try {
    process.exitCode = runPlanCli(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), cwd: process.cwd() });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = EXIT.usage;
  }
}
