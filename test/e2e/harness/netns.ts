import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { CommandResult } from './kubeadm';
import { startProcess, stopProcesses, type StartedProcess } from './processes';

/**
 * Network namespaces the tests create: "nodes", "pods" and an "outside" network, joined by veth pairs. Nothing
 * here routes to the machine's own network: a namespace has only its loopback and the links a test adds, and
 * every namespace gets its own /etc/netns/<name>/resolv.conf (`ip netns exec` bind-mounts it over
 * /etc/resolv.conf), naming a DNS server the test runs, so a program that reads /etc/resolv.conf inside never
 * reaches the machine's resolver.
 */

/** Runs a command to completion (bounded by `timeoutMs`), returning status and output. */
export function run(command: string, args: readonly string[], timeoutMs = 20_000, input?: string): CommandResult {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, input });
  return { command: `${command} ${args.join(' ')}`, status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** Like `run`, but throws with the command and its output when it fails. */
export function runOk(command: string, args: readonly string[], timeoutMs = 20_000, input?: string): string {
  const r = run(command, args, timeoutMs, input);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** What a test needs before it may create namespaces; the message says what is missing instead of skipping. */
export function requireNetnsSupport(tools: readonly string[] = []): void {
  if (process.getuid?.() !== 0) throw new Error('this test creates network namespaces and needs root (CI runs as root)');
  for (const t of ['ip', ...tools]) {
    if (run('sh', ['-c', `command -v ${t}`]).status !== 0) throw new Error(`this test needs \`${t}\` (.ci/run installs it with apt-get)`);
  }
}

export interface Netns {
  readonly name: string;
  /** The resolv.conf programs inside read as /etc/resolv.conf. */
  readonly resolvConf: string;
}

const created = new Set<string>();
const started = new Map<string, number[]>();
let counter = 0;

/**
 * A new namespace with loopback up and its own resolv.conf naming `nameserver` (a server the test runs; default
 * a loopback address where nothing listens, so a stray lookup fails instead of leaving the namespace). The name
 * is short because interface names derived from it must fit 15 characters.
 */
export function createNetns(role: string, nameserver = '127.0.0.53'): Netns {
  const name = `cb${process.pid % 100000}${role}${counter++}`.slice(0, 15);
  runOk('ip', ['netns', 'add', name]);
  created.add(name);
  runOk('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  const resolvConf = path.join('/etc/netns', name, 'resolv.conf');
  fs.mkdirSync(path.dirname(resolvConf), { recursive: true });
  fs.writeFileSync(resolvConf, `nameserver ${nameserver}\noptions timeout:1 attempts:1\n`);
  return { name, resolvConf };
}

/** `ip -n <ns> ...` */
export function ipIn(ns: Netns, args: readonly string[]): string {
  return runOk('ip', ['-n', ns.name, ...args]);
}

/** Runs a command inside the namespace, to completion. */
export function execIn(ns: Netns, command: string, args: readonly string[], timeoutMs = 20_000, input?: string): CommandResult {
  return run('ip', ['netns', 'exec', ns.name, command, ...args], timeoutMs, input);
}

/** A sysctl inside the namespace (per-namespace settings only; the global ones are refused there). */
export function sysctlIn(ns: Netns, key: string, value: string): void {
  runOk('ip', ['netns', 'exec', ns.name, 'sysctl', '-q', '-w', `${key}=${value}`]);
}

export interface VethEnd {
  readonly ns: Netns;
  readonly ifname: string;
  /** CIDR form, e.g. 192.0.2.1/24. */
  readonly address?: string;
}

/** A veth pair between two namespaces, both ends up, with their addresses. */
export function connect(a: VethEnd, b: VethEnd): void {
  // created in the root namespace under names unique to this process, then moved and renamed at once
  const tmp = `cbv${process.pid % 100000}x${counter++}`;
  runOk('ip', ['link', 'add', `${tmp}a`, 'type', 'veth', 'peer', 'name', `${tmp}b`]);
  runOk('ip', ['link', 'set', `${tmp}a`, 'netns', a.ns.name, 'name', a.ifname]);
  runOk('ip', ['link', 'set', `${tmp}b`, 'netns', b.ns.name, 'name', b.ifname]);
  for (const end of [a, b]) {
    if (end.address) ipIn(end.ns, ['addr', 'add', end.address, 'dev', end.ifname]);
    ipIn(end.ns, ['link', 'set', end.ifname, 'up']);
  }
}

/**
 * Starts a long-running program inside the namespace (`ip netns exec` execs it, so the pid is the program's).
 * `setup` runs first in the same private mount namespace: `ip netns exec` unshares one, so mounts made there
 * (a tmpfs with a ServiceAccount token, say) are the program's alone and vanish with it.
 */
export function startInNetns(ns: Netns, name: string, binary: string, args: readonly string[], log: string, options: { env?: Record<string, string>; setup?: string } = {}): StartedProcess {
  const quoted = [binary, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = options.setup ? ['sh', '-c', `set -e; ${options.setup}; exec ${quoted}`] : [binary, ...args];
  const p = startProcess(name, 'ip', ['netns', 'exec', ns.name, ...command], log, options.env);
  started.set(ns.name, [...(started.get(ns.name) ?? []), p.pid]);
  return { ...p, command: [binary, ...args] };
}

/** Stops the programs started in the namespace, kills anything left in it, and deletes it and its /etc/netns folder. */
export function deleteNetns(ns: Netns): void {
  stopProcesses(started.get(ns.name) ?? []);
  started.delete(ns.name);
  const left = run('ip', ['netns', 'pids', ns.name]).stdout.split('\n').filter(Boolean).map(Number);
  stopProcesses(left);
  run('ip', ['netns', 'del', ns.name]);
  fs.rmSync(path.join('/etc/netns', ns.name), { recursive: true, force: true });
  created.delete(ns.name);
}

/** Deletes every namespace this process created that is still there (afterAll, also after a failure). */
export function deleteAllNetns(): void {
  for (const name of [...created]) deleteNetns({ name, resolvConf: '' });
}

/** Namespaces this process created and has not deleted (a test asserts clean-up with it). */
export function liveNetns(): string[] {
  const listed = run('ip', ['netns', 'list']).stdout;
  return [...created].filter((n) => listed.split('\n').some((l) => l.split(' ')[0] === n));
}
