// Drives the real Pulumi CLI (built by setup-tools.sh) against the stacks/ project: a local file backend and
// plugin home in a temp dir, the stack config copied from a committed Pulumi.<stack>.yaml, and the test
// cluster's kubeconfig set as a secret. Nothing is written into the repository: `pulumi stack init` writes
// the stack's encryption salt into the project folder, so the project runs from a temp copy of stacks/ whose
// build/ and node_modules/ are links to the repository's.
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { repoRoot, toolsDir } from './tools';


export interface PulumiResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** One `pulumi preview --json` step. */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly detailedDiff?: Record<string, unknown> | null;
  readonly diffReasons?: string[];
}

export interface StackState {
  readonly urns: string[];
  readonly pendingOperations: { type: string; urn: string }[];
}

export class PulumiProject {
  readonly configFile: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly projectDir: string;

  /**
   * @param dir an empty temp dir for the state backend, the plugin home and the stack config
   * @param stack the stack name; its config starts as stacks/Pulumi.<stack>.yaml
   */
  constructor(readonly dir: string, readonly stack: string, kubeconfig: string) {
    const home = path.join(dir, 'home');
    const state = path.join(dir, 'state');
    fs.mkdirSync(home, { recursive: true });
    fs.mkdirSync(state, { recursive: true });
    // the CLI, language host and provider write temp files (kubeconfigs, pipes) that a killed run leaves behind:
    // under the project's folder, they go when the test removes it
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp, { recursive: true });
    const copy = path.join(dir, 'project');
    this.projectDir = path.join(copy, 'stacks');
    const stacks = path.join(repoRoot(), 'stacks');
    // the project files only (Pulumi.yaml, index.js, stack configs); the program runs from build/
    fs.cpSync(stacks, this.projectDir, { recursive: true, filter: (f) => path.relative(stacks, f).split(path.sep)[0] !== 'src' });
    for (const link of ['build', 'node_modules', 'package.json']) fs.symlinkSync(path.join(repoRoot(), link), path.join(copy, link));
    this.configFile = path.join(this.projectDir, `Pulumi.${stack}.yaml`);
    this.env = {
      ...process.env,
      // the CLI finds the language host and the Kubernetes provider next to it on PATH
      PATH: `${path.join(toolsDir(), 'bin')}${path.delimiter}${process.env.PATH}`,
      PULUMI_HOME: home,
      TMPDIR: tmp,
      PULUMI_BACKEND_URL: `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: `e2e-${process.pid}-${Date.now()}`,
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      PULUMI_SKIP_CONFIRMATIONS: 'true',
      NO_COLOR: '1',
    };
    this.ok(['stack', 'init', '--non-interactive']);
    // a secret from stdin: never on a command line, stored encrypted in the config file
    this.ok(['config', 'set', '--secret', 'kubeconfig'], fs.readFileSync(kubeconfig, 'utf8'));
  }

  /** Runs `pulumi <args>` in stacks/ with this stack and config file. */
  run(args: readonly string[], input?: string, timeoutMs = 300_000): PulumiResult {
    const started = process.hrtime.bigint();
    // only the commands that read stack config take --config-file
    const configFile = ['up', 'preview', 'refresh', 'destroy', 'config'].includes(args[0]) ? ['--config-file', this.configFile] : [];
    const r = spawnSync(path.join(toolsDir(), 'bin', 'pulumi'), [...args, '--stack', this.stack, ...configFile], {
      cwd: this.projectDir,
      env: this.env,
      input,
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  }

  ok(args: readonly string[], input?: string): PulumiResult {
    const r = this.run(args, input);
    if (r.status !== 0) throw new Error(failureReport(`pulumi ${args.join(' ')}`, r));
    return r;
  }

  /** `pulumi up` in the background, in its own process group so the whole tree can be killed. */
  spawnUp(): ChildProcess {
    return spawn(path.join(toolsDir(), 'bin', 'pulumi'), ['up', '--yes', '--skip-preview', '--stack', this.stack, '--config-file', this.configFile], {
      cwd: this.projectDir,
      env: this.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  preview(): { steps: PreviewStep[]; changeSummary: Record<string, number> } {
    const r = this.run(['preview', '--json', '--diff']);
    if (r.status !== 0) throw new Error(failureReport('pulumi preview', r));
    return JSON.parse(r.stdout);
  }

  state(): StackState {
    const deployment = JSON.parse(this.ok(['stack', 'export']).stdout).deployment;
    return {
      urns: (deployment.resources ?? []).map((r: { urn: string }) => r.urn),
      pendingOperations: (deployment.pending_operations ?? []).map((o: { type: string; resource: { urn: string } }) => ({ type: o.type, urn: o.resource.urn })),
    };
  }

  /** Edits the stack's cluster config (the `cluster-bootstrap:cluster` value). */
  editClusterConfig(edit: (cluster: Record<string, any>) => void): void {
    const file = parse(fs.readFileSync(this.configFile, 'utf8'));
    edit(file.config['cluster-bootstrap:cluster']);
    fs.writeFileSync(this.configFile, stringify(file));
  }

  /** The cluster config as `cluster.yaml` text, to synthesize the same objects with the cdk8s app. */
  clusterYaml(): string {
    return stringify(parse(fs.readFileSync(this.configFile, 'utf8')).config['cluster-bootstrap:cluster']);
  }

  /** Files of the state backend's lock directory (a stale lock blocks every later update). */
  locks(): string[] {
    const dir = path.join(this.dir, 'state', '.pulumi', 'locks');
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json'));
  }

  /** Pids of live processes started with this project's PULUMI_HOME: the CLI, language host, provider. */
  processes(): number[] {
    const marker = `PULUMI_HOME=${this.env.PULUMI_HOME}`;
    return fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(marker);
        } catch {
          return false; // exited meanwhile, or not ours to read
        }
      })
      .map(Number);
  }

  /**
   * The file backend writes a checkpoint's `.attrs` sidecar in place (gocloud.dev fileblob `setAttrs`
   * truncates, then writes), so a process killed at that moment leaves it empty and every later command
   * fails with "failed to load checkpoint: EOF". The sidecar is optional: an empty one is removed.
   */
  removeEmptyCheckpointAttrs(): string[] {
    const dir = path.join(this.dir, 'state', '.pulumi', 'stacks');
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join(dir, f));
    const empty = files.filter((f) => f.endsWith('.json.attrs') && fs.statSync(f).size === 0);
    empty.forEach((f) => fs.rmSync(f));
    return empty;
  }
}

/**
 * Resolves with the child's stdout so far once `ready(stdout)` holds; rejects when the child exits first or
 * `timeoutMs` passes. `what` names the condition in the error.
 */
export function waitForOutput(child: ChildProcess, what: string, ready: (stdout: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} in:\n${out}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (ready(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pulumi up exited ${code} before ${what}:\n${out}`));
    });
  });
}

export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * A failed command's report with the cause first: CI shows only the head of a long message, and the engine
 * prints its errors last (the "Diagnostics:" section), after a progress log of every resource.
 */
export function failureReport(command: string, r: PulumiResult): string {
  const diagnostics = r.stdout.split(/^Diagnostics:$/m)[1] ?? '';
  const errors = `${diagnostics}\n${r.stderr}`
    .split('\n')
    .filter((line) => /error|failed|cannot|refused|timed out/i.test(line))
    .map((line) => line.trim());
  return [`${command} exited ${r.status} after ${r.seconds.toFixed(1)} s; errors:`, ...errors, '', 'stderr:', r.stderr, 'stdout:', r.stdout].join('\n');
}
