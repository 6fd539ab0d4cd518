import { spawnSync } from 'child_process';
import * as fs from 'fs';
import type { Netns } from './netns';

/**
 * dnsperf (Debian's, 2.10) as the DNS benchmark runs it: from a namespace the benchmark created, pinned to one
 * core with taskset, for a fixed time at a bounded rate, to exactly one server of the benchmark's own. dnsperf
 * 2.10 prints no latency histogram, so p99 comes from its verbose output: one line per answered query, whose last
 * field is the latency in seconds. The output goes to a file, not a pipe, so printing costs the client little.
 */

export interface DnsperfRun {
  readonly sent: number;
  readonly completed: number;
  readonly lost: number;
  readonly qps: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  /** Response codes and their counts, e.g. { NOERROR: 99000, NXDOMAIN: 1000 }. */
  readonly rcodes: Readonly<Record<string, number>>;
}

export interface DnsperfOptions {
  readonly ns: Netns;
  readonly server: string;
  readonly queryFile: string;
  /** Where the verbose per-query output goes (one file per run; removed after parsing). */
  readonly outFile: string;
  readonly seconds: number;
  /** dnsperf's -Q: the rate is capped so a run is bounded in queries as well as time. */
  readonly maxQps: number;
  /** The core dnsperf is pinned to. */
  readonly cpu: number;
  /** dnsperf's -q (outstanding queries); 100 is its default. */
  readonly outstanding?: number;
}

/** The numbers after a label in dnsperf's summary, e.g. `Queries lost:         3 (0.00%)` -> [3, 0]. */
function numbersAfter(summary: string, label: string): number[] {
  const line = summary.split('\n').find((l) => l.trim().startsWith(label));
  if (!line) throw new Error(`dnsperf printed no "${label}" line:\n${summary.slice(-2000)}`);
  return [...line.slice(line.indexOf(label) + label.length).matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
}

/** dnsperf's closing statistics. */
export function parseDnsperfSummary(text: string): Omit<DnsperfRun, 'p99Ms'> {
  const summary = text.slice(text.lastIndexOf('Statistics:'));
  if (!summary.startsWith('Statistics:')) throw new Error(`dnsperf printed no statistics:\n${text.slice(-2000)}`);
  const codesLine = summary.split('\n').find((l) => l.trim().startsWith('Response codes:')) ?? '';
  const rcodes = Object.fromEntries([...codesLine.matchAll(/([A-Z]+) (\d+) \(/g)].map((m) => [m[1], Number(m[2])]));
  return {
    sent: numbersAfter(summary, 'Queries sent:')[0],
    completed: numbersAfter(summary, 'Queries completed:')[0],
    lost: numbersAfter(summary, 'Queries lost:')[0],
    qps: numbersAfter(summary, 'Queries per second:')[0],
    meanMs: numbersAfter(summary, 'Average Latency (s):')[0] * 1000,
    rcodes,
  };
}

/** The latencies (seconds) of dnsperf's verbose per-query lines: `> NOERROR name A 0.000123`. */
export function verboseLatencies(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('> ')) continue;
    const last = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(last)) out.push(last);
  }
  return out;
}

/** The nearest-rank percentile `p` (0-100] of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** One dnsperf run. Throws with dnsperf's own output when it fails or answers nothing. */
export function runDnsperf(o: DnsperfOptions): DnsperfRun {
  const fd = fs.openSync(o.outFile, 'w');
  const args = ['netns', 'exec', o.ns.name, 'taskset', '-c', String(o.cpu), 'dnsperf', '-s', o.server, '-d', o.queryFile, '-l', String(o.seconds), '-Q', String(o.maxQps), '-q', String(o.outstanding ?? 100), '-t', '2', '-v'];
  let r;
  try {
    r = spawnSync('ip', args, { stdio: ['ignore', fd, 'pipe'], timeout: (o.seconds + 15) * 1000, encoding: 'utf8' });
  } finally {
    fs.closeSync(fd);
  }
  const text = fs.readFileSync(o.outFile, 'utf8');
  fs.rmSync(o.outFile, { force: true });
  if (r.status !== 0) throw new Error(`dnsperf -s ${o.server} exited ${r.status}${r.error ? ` (${r.error})` : ''}: ${r.stderr}\n${text.slice(-2000)}`);
  const summary = parseDnsperfSummary(text);
  if (!summary.completed) throw new Error(`dnsperf -s ${o.server}: no query was answered\n${text.slice(-2000)}`);
  return { ...summary, p99Ms: percentile(verboseLatencies(text), 99) * 1000 };
}
