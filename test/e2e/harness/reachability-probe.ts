import { spawn } from 'child_process';
import type { Netns } from './netns';

/**
 * The real reachability matrix: one TCP connect per (source, destination, port), each from inside the source's
 * network namespace with socat, bounded by a connect timeout, many at once. A cell is true when the connection
 * opened and the listener answered with the destination's name (so a cell never counts a different pod that
 * happened to answer).
 */

export interface ProbeSource {
  readonly key: string;
  readonly ns: Netns;
}

export interface ProbeTarget {
  readonly key: string;
  readonly ip: string;
  /** What the listener answers with. */
  readonly answer: string;
}

export interface Probe {
  readonly from: ProbeSource;
  readonly to: ProbeTarget;
  readonly port: number;
}

/** One connect; resolves to whether the destination answered. The child is killed at the deadline. */
function probeOnce(p: Probe, timeoutSeconds: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', p.from.ns.name, 'socat', '-T', String(timeoutSeconds), '-', `TCP:${p.to.ip}:${p.port},connect-timeout=${timeoutSeconds}`], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutSeconds + 3) * 1000);
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve(code === 0 && out.trim() === p.to.answer);
    });
    child.stdin.end();
  });
}

/** Every probe, `parallel` at a time; results in the order of `probes`. */
export async function runProbes(probes: readonly Probe[], options: { parallel?: number; timeoutSeconds?: number } = {}): Promise<boolean[]> {
  const parallel = options.parallel ?? 32;
  const timeout = options.timeoutSeconds ?? 1;
  const results: boolean[] = new Array(probes.length);
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const i = next++;
      results[i] = await probeOnce(probes[i], timeout);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, probes.length) }, worker));
  return results;
}

/** A cell that differs between two matrices keyed the same way. */
export interface Mismatch {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly expected: boolean;
  readonly measured: boolean;
}

export function mismatches(probes: readonly Probe[], expected: readonly boolean[], measured: readonly boolean[]): Mismatch[] {
  return probes.flatMap((p, i) => (expected[i] === measured[i] ? [] : [{ from: p.from.key, to: p.to.key, port: p.port, expected: expected[i], measured: measured[i] }]));
}

/**
 * Measures until the matrix equals `expected` or `settleMs` has passed (the enforcer's informers see a policy
 * change within moments, not at once); returns the last measurement's mismatches and how many rounds it took.
 */
export async function measureUntilSettled(probes: readonly Probe[], expected: readonly boolean[], settleMs = 8_000): Promise<{ mismatches: Mismatch[]; rounds: number }> {
  const deadline = Date.now() + settleMs;
  let rounds = 0;
  for (;;) {
    rounds++;
    const found = mismatches(probes, expected, await runProbes(probes));
    if (!found.length || Date.now() > deadline || rounds >= 6) return { mismatches: found, rounds };
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
