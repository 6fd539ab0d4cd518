// The DNS benchmark's pure parts (scripts/bench-dns.ts runs the programs): the query sets, the Corefile ablations
// that explain a missed target, the summary over runs, the targets and the BENCHMARKS.md section.
import type { DnsperfRun } from '../test/e2e/harness/dnsperf';

/** The four kinds of query the benchmark sends, each to every server. */
export const QUERY_SETS = {
  'cluster-hot': 'cluster names, repeated (answered from the kubernetes plugin, or a cache)',
  'cluster-distinct': 'cluster names, every one distinct (pod A records: no cache can hold them)',
  'external-hot': 'external names, repeated (forwarded once, then cached)',
  'external-distinct': 'external names, every one distinct (each one forwarded to the upstream)',
} as const;
export type QuerySet = keyof typeof QUERY_SETS;

/**
 * A dnsperf data file (`name type` per line). `run` makes the distinct sets distinct across runs too, so no run
 * meets names an earlier run left in a cache; `count` must cover seconds × rate, so no name repeats within a run.
 */
export function queryLines(set: QuerySet, o: { domain: string; externalZone: string; run: number; count: number; hotNames: readonly string[] }): string[] {
  switch (set) {
    case 'cluster-hot':
      return o.hotNames.map((n) => `${n} A`);
    case 'external-hot':
      return ['www', 'a', 'b', 'c', 'd'].map((h) => `${h}.${o.externalZone} A`);
    case 'cluster-distinct': {
      // 10.0.0.0/8 holds 2^24 addresses: runs take consecutive blocks of `count`
      if ((o.run + 1) * o.count > 2 ** 24) throw new Error(`run ${o.run} × ${o.count} names leaves 10.0.0.0/8`);
      return Array.from({ length: o.count }, (_, i) => {
        const n = o.run * o.count + i;
        return `10-${(n >> 16) & 255}-${(n >> 8) & 255}-${n & 255}.default.pod.${o.domain} A`;
      });
    }
    case 'external-distinct':
      return Array.from({ length: o.count }, (_, i) => `r${o.run}-q${i}.${o.externalZone} A`);
  }
}

/** A Corefile with the `prometheus` line taken out of every server block. */
export function withoutPrometheus(corefile: string): string {
  const out = corefile.replace(/^\s*prometheus\b.*\n/gm, '');
  if (out === corefile) throw new Error('the Corefile has no prometheus line to take out');
  return out;
}

/** Only the `kubernetes` block of the first server block: the plugin chain's floor for cluster names. */
/**
 * Ours with the cache holding cluster names too: kubeadm (and we) keep `disable success|denial <domain>` so that a
 * changed Service or pod is seen at once; this ablation prices that choice.
 */
export function cachingClusterNames(corefile: string): string {
  const out = corefile.replace(/^\s*disable (success|denial)\b.*\n/gm, '').replace(/^(\s*cache\b[^{\n]*?)\s*\{\s*\}/gm, '$1');
  if (out === corefile) throw new Error('the Corefile keeps no names out of its cache');
  return out;
}

export function kubernetesOnly(corefile: string): string {
  const lines = corefile.split('\n');
  const start = lines.findIndex((l) => /^\s*kubernetes\b/.test(l));
  if (start < 0) throw new Error('the Corefile has no kubernetes plugin');
  const header = lines.slice(0, start).reverse().find((l) => /\{\s*$/.test(l) && !/^\s/.test(l));
  let end = start;
  if (/\{\s*$/.test(lines[start])) while (end < lines.length && !/^\s*\}\s*$/.test(lines[end])) end++;
  return [header ?? '.:53 {', ...lines.slice(start, end + 1), '}', ''].join('\n');
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface DnsRow {
  readonly server: string;
  readonly queries: QuerySet;
  readonly runs: number;
  readonly qps: Spread;
  readonly meanMs: Spread;
  readonly p99Ms: Spread;
  readonly sent: number;
  readonly lost: number;
  readonly rcodes: Readonly<Record<string, number>>;
}

export interface DnsSample {
  readonly server: string;
  readonly queries: QuerySet;
  readonly run: DnsperfRun;
}

function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, min: s[0], max: s[s.length - 1] };
}

/** One row per server and query set, over its runs, in the order the pairs first appear. */
export function summarizeDns(samples: readonly DnsSample[]): DnsRow[] {
  const keys = [...new Set(samples.map((s) => `${s.server}\u0000${s.queries}`))];
  return keys.map((key) => {
    const runs = samples.filter((s) => `${s.server}\u0000${s.queries}` === key);
    const rcodes: Record<string, number> = {};
    for (const r of runs) for (const [code, n] of Object.entries(r.run.rcodes)) rcodes[code] = (rcodes[code] ?? 0) + n;
    return {
      server: runs[0].server,
      queries: runs[0].queries,
      runs: runs.length,
      qps: spread(runs.map((r) => r.run.qps)),
      meanMs: spread(runs.map((r) => r.run.meanMs)),
      p99Ms: spread(runs.map((r) => r.run.p99Ms)),
      sent: runs.reduce((n, r) => n + r.run.sent, 0),
      lost: runs.reduce((n, r) => n + r.run.lost, 0),
      rcodes,
    };
  });
}

export const SERVERS = {
  ours: 'our CoreDNS on our Corefile',
  kubeadm: "the same binary on kubeadm's Corefile for the same release",
  nodeLocal: 'NodeLocal DNSCache on our Corefile, CoreDNS behind it',
  oursNoPrometheus: 'ours without the prometheus plugin',
  oursCachingCluster: 'ours with the cache holding cluster names',
  kubernetesOnly: 'the kubernetes plugin alone',
} as const;

/** The allowance on both sides of a comparison of medians between two servers measured in the same run. */
export const NOISE = 0.05;
export const MIN_HOT_QPS = 15_000;

function find(rows: readonly DnsRow[], server: string, queries: QuerySet): DnsRow | undefined {
  return rows.find((r) => r.server === server && r.queries === queries);
}

export interface DnsTarget {
  readonly text: string;
  readonly met: boolean;
}

/** The targets of the DNS issue, each met or missed, from the medians. */
export function dnsTargets(rows: readonly DnsRow[], o: { readonly sameCorefile: boolean }): DnsTarget[] {
  const out: DnsTarget[] = [];
  for (const set of Object.keys(QUERY_SETS) as QuerySet[]) {
    const a = find(rows, SERVERS.ours, set);
    const b = find(rows, SERVERS.kubeadm, set);
    if (!a || !b) continue;
    const ratio = a.qps.median / b.qps.median;
    const p99 = a.p99Ms.median / b.p99Ms.median;
    const measured = `${ratio.toFixed(2)}× QPS, p99 ${a.p99Ms.median.toFixed(2)} vs ${b.p99Ms.median.toFixed(2)} ms (${p99.toFixed(2)}×)`;
    const title = `${set}: ours ≥ 95% of kubeadm's QPS with p99 no worse (±${NOISE * 100}%)`;
    // one binary on one text cannot differ but by chance: the gap is then this method's noise, not a finding
    if (o.sameCorefile) out.push({ met: true, text: `${title}: the same Corefile text, so the gap is run-to-run noise: ${measured}` });
    else out.push({ met: ratio >= 1 - NOISE && p99 <= 1 + NOISE, text: `${title}: ${measured}` });
  }
  const hot = find(rows, SERVERS.ours, 'cluster-hot');
  if (hot) out.push({ met: hot.qps.median >= MIN_HOT_QPS, text: `ours ≥ ${MIN_HOT_QPS.toLocaleString('en-US')} QPS on one core for cached cluster names: ${Math.round(hot.qps.median).toLocaleString('en-US')}` });
  const local = find(rows, SERVERS.nodeLocal, 'cluster-hot');
  if (hot && local) out.push({ met: local.qps.median >= hot.qps.median * (1 - NOISE), text: `node-local answers cached cluster names at least as fast as CoreDNS: ${(local.qps.median / hot.qps.median).toFixed(2)}× ours` });
  return out;
}

/**
 * Why a target was missed, measured: the QPS of each ablation on the hot cluster names, next to ours. A user reads
 * how much each plugin of the chain costs.
 */
export function ablationFindings(rows: readonly DnsRow[]): string[] {
  const ours = find(rows, SERVERS.ours, 'cluster-hot');
  if (!ours) return [];
  return [SERVERS.oursNoPrometheus, SERVERS.oursCachingCluster, SERVERS.kubernetesOnly, SERVERS.kubeadm]
    .map((s) => find(rows, s, 'cluster-hot'))
    .filter((r): r is DnsRow => Boolean(r))
    .map((r) => `${r.server}: ${Math.round(r.qps.median).toLocaleString('en-US')} QPS on cluster-hot, ${(r.qps.median / ours.qps.median).toFixed(2)}× ours`)
    .concat(nodeLocalMissFinding(rows));
}

/** Names no cache holds cost node-local a second hop: it asks CoreDNS over TCP (force_tcp), one connection per upstream. */
function nodeLocalMissFinding(rows: readonly DnsRow[]): string[] {
  const direct = find(rows, SERVERS.ours, 'cluster-distinct');
  const local = find(rows, SERVERS.nodeLocal, 'cluster-distinct');
  if (!direct || !local) return [];
  const q = (r: DnsRow) => Math.round(r.qps.median).toLocaleString('en-US');
  return [`${SERVERS.nodeLocal} on names no cache holds (cluster-distinct): ${q(local)} QPS, ${(local.qps.median / direct.qps.median).toFixed(2)}× CoreDNS asked directly (${q(direct)}); every miss is a second hop, to CoreDNS over TCP (force_tcp), on the same core`];
}

const BEGIN = '<!-- dns-bench:begin (scripts/bench-dns.ts) -->';
const END = '<!-- dns-bench:end -->';

function cell(s: Spread, digits: number): string {
  const f = (n: number) => (digits ? n.toFixed(digits) : Math.round(n).toLocaleString('en-US'));
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

export function renderDnsSection(rows: readonly DnsRow[], o: { date: string; seconds: number; sameCorefile: boolean; setup: readonly string[]; notes: readonly string[] }): string {
  const targets = dnsTargets(rows, o);
  const lines = [
    BEGIN,
    '## DNS: dnsperf against the real CoreDNS and NodeLocal DNSCache',
    '',
    `Written by \`npm run bench\` (scripts/bench-dns.ts) on ${o.date}, one run of ${o.seconds.toFixed(0)} s. Each cell is the median (min–max) over the runs; the servers take turns within each round, in reverse order every second round, so a slow moment of the machine falls on every server alike.`,
    '',
    ...o.setup.map((s) => `- ${s}`),
    '',
    '### Targets',
    '',
    ...targets.map((t) => `- ${t.met ? 'met' : 'MISSED'}: ${t.text}`),
    ...(targets.some((t) => !t.met) || o.notes.length ? ['', '### Why, measured', '', ...ablationFindings(rows).map((f) => `- ${f}`), ...o.notes.map((n) => `- ${n}`)] : []),
    '',
    '### Rows',
    '',
    '| server | queries | runs | QPS | mean ms | p99 ms | lost / sent | answers |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.server} | ${r.queries} | ${r.runs} | ${cell(r.qps, 0)} | ${cell(r.meanMs, 3)} | ${cell(r.p99Ms, 3)} | ${r.lost} / ${r.sent} | ${Object.entries(r.rcodes).map(([c, n]) => `${c} ${n}`).join(', ')} |`),
    '',
    'Query sets:',
    ...Object.entries(QUERY_SETS).map(([k, v]) => `- ${k}: ${v}`),
    END,
  ];
  return lines.join('\n');
}

/** The DNS section of a BENCHMARKS.md text, markers included; '' when it has none. */
export function extractDnsSection(text: string): string {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  return a >= 0 && b > a ? text.slice(a, b + END.length) : '';
}

/** `text` with its DNS section replaced by `section`, or `section` appended. */
export function spliceDnsSection(text: string, section: string): string {
  const old = extractDnsSection(text);
  if (old) return text.replace(old, section);
  return `${text.replace(/\n*$/, '')}\n\n${section}\n`;
}
