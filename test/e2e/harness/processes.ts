import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

/** Starting, waiting for and stopping the tier's real programs: every wait is bounded, every stop escalates. */

/** A free TCP port on loopback (the OS picks it; the tier binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The last lines of a log file, for failure messages. */
export function logTail(log: string, lines = 25): string {
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n') : `(no log at ${log})`;
}

/** Polls `check` until it returns true; fails with the description (and a log tail) after `timeoutMs`. */
export async function waitFor(description: string, check: () => boolean | Promise<boolean>, timeoutMs: number, log?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${description}${log ? `\n--- last lines of ${log} ---\n${logTail(log)}` : ''}`);
}

/** A program the tier started: its pid, command line and log. */
export interface StartedProcess {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
  readonly command: readonly string[];
}

/**
 * Starts `binary args` with stdout and stderr into `log`. A program that exits within the first moments (a
 * flag it refuses, a port taken) is reported by `waitFor` callers through its log, and by `exitedEarly`. `env` adds
 * to this process's environment (e.g. client-go's `KUBE_FEATURE_<gate>` switches).
 */
export function startProcess(name: string, binary: string, args: readonly string[], log: string, env?: Readonly<Record<string, string>>): StartedProcess {
  const fd = fs.openSync(log, 'w');
  const child = spawn(binary, args, { stdio: ['ignore', fd, fd], detached: false, env: env ? { ...process.env, ...env } : process.env });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${binary}: ${logTail(log)}`);
  const started = { name, pid: child.pid, log, command: [binary, ...args] };
  child.on('exit', (code, signal) => exits.set(child.pid!, { code, signal }));
  return started;
}

const exits = new Map<number, { code: number | null; signal: NodeJS.Signals | null }>();

/** A process that has exited by itself: its exit code and log tail, as a failure message. */
export function exitedEarly(p: StartedProcess): string | undefined {
  const e = exits.get(p.pid);
  if (!e) return undefined;
  return `${p.name} exited ${e.code ?? e.signal}: ${p.command.join(' ')}\n--- last lines of ${p.log} ---\n${logTail(p.log)}`;
}

/** Waits for a program to be ready; fails at once with its exit code when it has already died. */
export async function waitReady(p: StartedProcess, description: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  await waitFor(
    description,
    async () => {
      const died = exitedEarly(p);
      if (died) throw new Error(died);
      return check();
    },
    timeoutMs,
    p.log,
  );
}

/**
 * Whether `pid` still runs. A child that exited stays a zombie until Node reaps it on its event loop, which this
 * synchronous wait never yields to, so a zombie counts as gone (else every stop would wait out the 10 s).
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ...", comm may hold spaces or parentheses
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM to each pid (last started first), SIGKILL to what is left after 10 s. */
export function stopProcesses(pids: readonly number[]): void {
  for (const pid of [...pids].reverse()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 10_000;
  for (const pid of pids) {
    while (Date.now() < deadline && running(pid)) spawnSync('sleep', ['0.1']);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // stopped
    }
  }
}
