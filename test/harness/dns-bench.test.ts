import { parseDnsperfSummary, percentile, verboseLatencies } from '../e2e/harness/dnsperf';
import { ablationFindings, cachingClusterNames, dnsTargets, extractDnsSection, kubernetesOnly, queryLines, renderDnsSection, SERVERS, spliceDnsSection, summarizeDns, withoutPrometheus, type DnsSample } from '../../scripts/dns-bench-lib';

// dnsperf 2.10's closing statistics, as it prints them
const SUMMARY = `[Status] Command line: dnsperf -s 10.244.0.5 -d q.txt -l 8 -Q 50000 -q 100 -t 2 -v
> NOERROR kubernetes.default.svc.cluster.local A 0.000210
> NOERROR kube-dns.kube-system.svc.cluster.local A 0.000410
> NXDOMAIN nope.default.svc.cluster.local A 0.001900
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         123456
  Queries completed:    123450 (100.00%)
  Queries lost:         6 (0.00%)

  Response codes:       NOERROR 120000 (97.21%), NXDOMAIN 3450 (2.79%)
  Average packet size:  request 54, response 120
  Run time (s):         8.000123
  Queries per second:   15431.012345

  Average Latency (s):  0.006321 (min 0.000044, max 0.041000)
  Latency StdDev (s):   0.002000
`;

const CORE = `.:53 {
    errors
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
        max_concurrent 1000
    }
    cache 30
}
`;

function sample(server: string, qps: number, p99Ms: number, queries: DnsSample['queries'] = 'cluster-hot'): DnsSample {
  return { server, queries, run: { sent: 100, completed: 99, lost: 1, qps, meanMs: 1, p99Ms, rcodes: { NOERROR: 99 } } };
}

describe('dnsperf output', () => {
  test('the summary gives sent, completed, lost, QPS, mean latency and response codes', () => {
    const s = parseDnsperfSummary(SUMMARY);
    expect(s).toMatchObject({ sent: 123456, completed: 123450, lost: 6, qps: 15431.012345, rcodes: { NOERROR: 120000, NXDOMAIN: 3450 } });
    expect(s.meanMs).toBeCloseTo(6.321, 6);
  });

  test('output without statistics is an error that shows it', () => {
    expect(() => parseDnsperfSummary('Error: socket: Permission denied')).toThrow(/no statistics:\nError: socket/);
  });

  test('the verbose lines give one latency per answer; p99 is their nearest rank', () => {
    expect(verboseLatencies(SUMMARY)).toEqual([0.00021, 0.00041, 0.0019]);
    const values = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(198);
    expect(percentile(values, 50)).toBe(100);
    expect(percentile([], 99)).toBeNaN();
  });
});

describe('query sets', () => {
  const o = { domain: 'cluster.local', externalZone: 'example.org', count: 3, hotNames: ['kubernetes.default.svc.cluster.local'] };

  test('distinct cluster names are pod A names that never repeat across runs', () => {
    const r0 = queryLines('cluster-distinct', { ...o, run: 0 });
    const r1 = queryLines('cluster-distinct', { ...o, run: 1 });
    expect(r0).toEqual(['10-0-0-0.default.pod.cluster.local A', '10-0-0-1.default.pod.cluster.local A', '10-0-0-2.default.pod.cluster.local A']);
    expect(r1[0]).toBe('10-0-0-3.default.pod.cluster.local A');
    expect(queryLines('cluster-distinct', { ...o, run: 0, count: 70_000 })[65_536]).toBe('10-1-0-0.default.pod.cluster.local A');
  });

  test('runs that would leave 10.0.0.0/8 are refused', () => {
    expect(() => queryLines('cluster-distinct', { ...o, run: 100, count: 200_000 })).toThrow(/leaves 10.0.0.0\/8/);
  });

  test('distinct external names carry the run; hot sets repeat a few names', () => {
    expect(queryLines('external-distinct', { ...o, run: 4 })).toEqual(['r4-q0.example.org A', 'r4-q1.example.org A', 'r4-q2.example.org A']);
    expect(queryLines('cluster-hot', { ...o, run: 0 })).toEqual(['kubernetes.default.svc.cluster.local A']);
    expect(queryLines('external-hot', { ...o, run: 0 })).toContain('www.example.org A');
  });
});

describe('Corefile ablations', () => {
  test('without prometheus drops only that line', () => {
    const out = withoutPrometheus(CORE);
    expect(out).not.toMatch(/prometheus/);
    expect(out.split('\n').length).toBe(CORE.split('\n').length - 1);
    expect(() => withoutPrometheus(out)).toThrow(/no prometheus/);
  });

  test('caching cluster names drops the disable lines, and an emptied cache block', () => {
    const withBlock = CORE.replace('    cache 30\n', '    cache 30 {\n        disable success cluster.local\n        disable denial cluster.local\n    }\n');
    expect(cachingClusterNames(withBlock)).toBe(CORE);
    const kept = withBlock.replace('    }\n    cache', '    }\n    cache').replace('disable denial cluster.local', 'prefetch 10');
    expect(cachingClusterNames(kept)).toMatch(/cache 30 \{\n\s+prefetch 10\n\s+\}/);
    expect(() => cachingClusterNames(CORE)).toThrow(/keeps no names out/);
  });

  test('the kubernetes plugin alone keeps its block inside the server block', () => {
    expect(kubernetesOnly(CORE)).toBe(['.:53 {', '    kubernetes cluster.local in-addr.arpa ip6.arpa {', '        pods insecure', '        ttl 30', '    }', '}', ''].join('\n'));
    expect(() => kubernetesOnly('.:53 {\n    forward . 1.1.1.1\n}\n')).toThrow(/no kubernetes/);
  });
});

describe('targets', () => {
  test('ours is compared with kubeadm per query set, with the 5% allowance', () => {
    const rows = summarizeDns([sample(SERVERS.ours, 15_000, 1.0), sample(SERVERS.kubeadm, 15_500, 1.02), sample(SERVERS.nodeLocal, 30_000, 0.5)]);
    const t = dnsTargets(rows, { sameCorefile: false });
    expect(t.map((x) => x.met)).toEqual([true, true, true]);
    expect(t[0].text).toMatch(/^cluster-hot: .* 0\.97× QPS/);
  });

  test('a slower Corefile, a low QPS and a slow node-local are each missed', () => {
    const rows = summarizeDns([sample(SERVERS.ours, 9_000, 2), sample(SERVERS.kubeadm, 10_000, 1), sample(SERVERS.nodeLocal, 8_000, 1)]);
    expect(dnsTargets(rows, { sameCorefile: false }).map((x) => x.met)).toEqual([false, false, false]);
  });

  test('one Corefile text on both sides makes their gap noise, said so, while the other targets still count', () => {
    const rows = summarizeDns([sample(SERVERS.ours, 9_000, 2), sample(SERVERS.kubeadm, 10_000, 1), sample(SERVERS.nodeLocal, 8_000, 1)]);
    const t = dnsTargets(rows, { sameCorefile: true });
    expect(t.map((x) => x.met)).toEqual([true, false, false]);
    expect(t[0].text).toMatch(/same Corefile text, so the gap is run-to-run noise: 0\.90× QPS/);
  });

  test('medians over runs, and lost queries summed', () => {
    const [row] = summarizeDns([sample(SERVERS.ours, 10, 1), sample(SERVERS.ours, 30, 3), sample(SERVERS.ours, 20, 2)]);
    expect(row).toMatchObject({ runs: 3, qps: { median: 20, min: 10, max: 30 }, p99Ms: { median: 2 }, lost: 3, sent: 300, rcodes: { NOERROR: 297 } });
  });
});

describe('the BENCHMARKS.md section', () => {
  const rows = summarizeDns([sample(SERVERS.ours, 9_000, 2), sample(SERVERS.kubeadm, 10_000, 1), sample(SERVERS.kubernetesOnly, 30_000, 1)]);
  const section = renderDnsSection(rows, { date: '2026-12-03', seconds: 100, sameCorefile: false, setup: ['two cores'], notes: [] });

  test('names missed targets and the ablations that explain them', () => {
    expect(section).toMatch(/MISSED: cluster-hot: ours/);
    expect(section).toMatch(/the kubernetes plugin alone: 30,000 QPS on cluster-hot, 3\.33× ours/);
    expect(section).toMatch(/\| our CoreDNS on our Corefile \| cluster-hot \| 1 \| 9,000 \(9,000–9,000\) \|/);
  });

  test('says what node-local costs on names no cache holds, against CoreDNS asked directly', () => {
    const miss = summarizeDns([sample(SERVERS.ours, 9_000, 2), sample(SERVERS.ours, 16_000, 2, 'cluster-distinct'), sample(SERVERS.nodeLocal, 8_000, 3, 'cluster-distinct')]);
    expect(ablationFindings(miss)).toContain(`${SERVERS.nodeLocal} on names no cache holds (cluster-distinct): 8,000 QPS, 0.50× CoreDNS asked directly (16,000); every miss is a second hop, to CoreDNS over TCP (force_tcp), on the same core`);
    expect(ablationFindings(rows).some((f) => f.includes('no cache holds'))).toBe(false);
  });

  test('replaces an earlier section in place and keeps the rest of the file', () => {
    const first = spliceDnsSection('# Benchmarks\n\n## Synth\n', section);
    expect(extractDnsSection(first)).toBe(section);
    const again = spliceDnsSection(`${first}\n## After\n`, section.replace('two cores', 'three cores'));
    expect(again).toMatch(/## Synth[\s\S]*three cores[\s\S]*## After/);
    expect(again).not.toMatch(/two cores/);
    expect(extractDnsSection('# nothing here')).toBe('');
  });
});
