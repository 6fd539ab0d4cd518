import { LineCounter, parseAllDocuments } from 'yaml';
import type { Finding } from './scanner-allowlist';

/**
 * Checkov's JSON report (`checkov --framework kubernetes -o json`) read as the lint tier's findings. Checkov names
 * a resource its own way (`Deployment.kube-system.coredns`, `ClusterRole.default.x` for cluster-scoped ones, and
 * `Pod.<ns>.<name>.<labels>` for a workload's pod template in graph checks such as CKV2_K8S_6), so each finding is
 * placed by its file and first line on the object that document holds, and named Kind/namespace/name like the
 * kube-score findings. It reports a check once per object, naming (in evaluated_keys) the first container that
 * fails it. Pure: test/harness/checkov.test.ts.
 */

export interface CheckovSummary {
  readonly passed: number;
  readonly failed: number;
  readonly resourceCount: number;
  readonly parsingErrors: number;
  readonly version: string;
}

interface Located {
  readonly start: number;
  readonly end: number;
  readonly object: Record<string, any>;
}

/** The documents of a YAML file with the lines (1-based, inclusive) each spans. */
export function documentLines(text: string): Located[] {
  const lineCounter = new LineCounter();
  return parseAllDocuments(text, { lineCounter })
    .map((d) => ({ start: lineCounter.linePos(d.range[0]).line, end: lineCounter.linePos(d.range[2]).line, object: d.toJS() }))
    .filter((d) => d.object && typeof d.object === 'object');
}

export function objectRef(o: Record<string, any>): string {
  return `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

/** The container an evaluated key points at (`spec/template/spec/initContainers/[0]/...`), '' when none. */
export function containerOf(object: Record<string, any>, evaluatedKeys: readonly string[]): string {
  for (const key of evaluatedKeys) {
    const m = /(?:^|\/)(containers|initContainers)\/\[(\d+)\]/.exec(key);
    if (!m) continue;
    const pod = object.kind === 'Pod' ? object.spec : object.spec?.jobTemplate?.spec?.template?.spec ?? object.spec?.template?.spec;
    return pod?.[m[1]]?.[Number(m[2])]?.name ?? '';
  }
  return '';
}

/** Checkov prints one report per framework (a list when there are several), or a bare summary when it found nothing. */
function reports(report: unknown): Record<string, any>[] {
  const list = (Array.isArray(report) ? report : [report]) as Record<string, any>[];
  return list.filter((r) => r && typeof r === 'object');
}

export function checkovSummary(report: unknown): CheckovSummary {
  const summaries = reports(report).map((r) => r.summary ?? r);
  const sum = (k: string) => summaries.reduce((n, s) => n + (Number(s[k]) || 0), 0);
  return { passed: sum('passed'), failed: sum('failed'), resourceCount: sum('resource_count'), parsingErrors: sum('parsing_errors'), version: summaries[0]?.checkov_version ?? '' };
}

/**
 * The failed checks of a report as findings. `files` maps a report's `file_path` (relative to the scanned folder,
 * with a leading "/") to the file's text. A finding that lands on no document is an error: the tier would
 * otherwise compare a name it cannot allowlist.
 */
export function checkovFindings(report: unknown, files: (filePath: string) => string): Finding[] {
  const located = new Map<string, Located[]>();
  const findings: Finding[] = [];
  for (const r of reports(report)) {
    for (const c of r.results?.failed_checks ?? []) {
      const file = c.file_path as string;
      if (!located.has(file)) located.set(file, documentLines(files(file)));
      const line = (c.file_line_range as number[])[0];
      const doc = located.get(file)!.find((d) => d.start <= line && line <= d.end);
      if (!doc) throw new Error(`checkov reported ${c.check_id} on ${c.resource} at ${file}:${line}, where no document is`);
      findings.push({
        object: objectRef(doc.object),
        check: c.check_id,
        container: containerOf(doc.object, c.check_result?.evaluated_keys ?? []),
        summary: c.check_name,
        location: `${file.replace(/^\//, '')}:${line}`,
      });
    }
  }
  return findings;
}
