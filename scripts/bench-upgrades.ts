// The upgrade rows of `npm run bench`: for each day-2 path of the real tier (test/e2e/harness/upgrade-paths.ts), a
// fresh Pulumi.dev.yaml stack at the path's "before" config, then the timed `pulumi up` to its "after" config,
// next to a fresh `pulumi up` of the same "after" config in the same run (the cost of an upgrade against a create).
import * as fs from 'fs';
import * as path from 'path';
import { PulumiProject } from '../test/e2e/harness/pulumi';
import { UPGRADE_PATHS } from '../test/e2e/harness/upgrade-paths';

export interface UpgradeSample {
  readonly path: string;
  readonly upgradeSeconds: number[];
  readonly freshSeconds: number[];
}

function up(project: PulumiProject): number {
  const r = project.run(['up', '--yes', '--skip-preview']);
  if (r.status !== 0) throw new Error(`pulumi up failed (${r.status}): ${r.stdout}\n${r.stderr}`);
  return r.seconds;
}

function destroy(project: PulumiProject): void {
  const r = project.run(['destroy', '--yes', '--skip-preview']);
  if (r.status !== 0) throw new Error(`pulumi destroy failed (${r.status}): ${r.stderr}`);
}

/** `runs` upgrades and `runs` fresh creates per path, interleaved, each on a new stack of its own. */
export function benchUpgrades(kubeconfig: string, work: string, runs: number): UpgradeSample[] {
  return Object.values(UPGRADE_PATHS).map((p) => {
    const sample = { path: p.name, upgradeSeconds: [] as number[], freshSeconds: [] as number[] };
    for (let i = 0; i < runs; i++) {
      const upgraded = new PulumiProject(fs.mkdtempSync(path.join(work, 'upgrade-')), 'dev', kubeconfig);
      upgraded.editClusterConfig(p.before);
      up(upgraded);
      upgraded.editClusterConfig(p.after);
      sample.upgradeSeconds.push(up(upgraded));
      destroy(upgraded);
      const fresh = new PulumiProject(fs.mkdtempSync(path.join(work, 'fresh-')), 'dev', kubeconfig);
      fresh.editClusterConfig(p.before);
      fresh.editClusterConfig(p.after);
      sample.freshSeconds.push(up(fresh));
      destroy(fresh);
      for (const dir of [upgraded.dir, fresh.dir]) fs.rmSync(dir, { recursive: true, force: true });
    }
    return sample;
  });
}
