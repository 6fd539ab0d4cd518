import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './tools';

/** Our own commands, as a user runs them in a folder with a cluster.yaml: synth and `cluster-pki generate`. */

function run(description: string, cwd: string, script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'build', script), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CLUSTER_CONFIG: '', ...env },
  });
  if (r.status !== 0) throw new Error(`${description} in ${cwd} exited ${r.status ?? r.signal}:\n${r.stderr}${r.error ? String(r.error) : ''}`);
  return r.stdout;
}

/** `cdk8s synth` of our app (build/synth.js) on `<work>/cluster.yaml`: writes `<work>/dist` and `<work>/<secretsDir>`. */
export function synthIn(work: string, env?: NodeJS.ProcessEnv): string {
  run('synth', work, 'synth.js', [], env);
  return path.join(work, 'dist');
}

/** `cluster-pki generate --out <dir>` on `<work>/cluster.yaml` (README: the user's PKI path). */
export function generatePkiIn(work: string, out: string): void {
  run('cluster-pki generate', work, path.join('lib', 'cli', 'pki.js'), ['generate', '--out', out, '--config', path.join(work, 'cluster.yaml')]);
}

/** Writes a cluster.yaml into a new folder `work` and returns it. */
export function clusterFolder(work: string, clusterYaml: string): string {
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'cluster.yaml'), clusterYaml);
  return work;
}
