// The report for people (a node x check table, the cluster-wide checks, then each problem with its cause and
// fix) and for programs (--json). Pure.
import { CHECKS, exitCode, verdict, type CheckId, type DoctorReport, type Finding, type FindingStatus } from './findings';

const MARK: Readonly<Record<FindingStatus, string>> = { ok: '✓', problem: '✗', skipped: '-', unchecked: '?' };
// the per-node checks, as columns of the node table
const NODE_COLUMNS: readonly CheckId[] = ['konnectivity-agents', 'konnectivity-server', 'kubelet-logs'];
const SHORT: Partial<Record<CheckId, string>> = { 'konnectivity-agents': 'AGENT', 'konnectivity-server': 'SERVER', 'kubelet-logs': 'KUBELET (LOG)' };

function table(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - [...c].length))).join('  ').trimEnd());
}

export function renderText(report: DoctorReport): string {
  const problems = report.findings.filter((f) => f.status === 'problem' || f.status === 'unchecked');
  const ref = (f: Finding) => (problems.includes(f) ? ` [${problems.indexOf(f) + 1}]` : '');
  // a short name for what went wrong: the cause, else the first words of the detail (unreachable, not checked)
  const short = (f: Finding) => f.cause?.id ?? (f.status === 'unchecked' ? f.detail.split(':')[0] : f.status);
  const cell = (f: Finding | undefined) => (f ? `${MARK[f.status]} ${f.status === 'ok' ? f.detail : f.status === 'skipped' ? 'n/a' : short(f)}${ref(f)}` : '');
  const lines = [`cluster-doctor: ${report.server} as user "${report.user}"`, ''];

  const nodeFindings = report.findings.filter((f) => f.node);
  const nodes = [...new Set(nodeFindings.map((f) => f.subject))].sort();
  if (nodes.length) {
    const rows = [['NODE', ...NODE_COLUMNS.map((c) => SHORT[c] ?? c)]];
    for (const n of nodes) rows.push([n, ...NODE_COLUMNS.map((c) => cell(nodeFindings.find((f) => f.node && f.subject === n && f.check === c)))]);
    lines.push(...table(rows), '');
  }
  const rest = report.findings.filter((f) => !f.node);
  const rows = [['CHECK', 'SUBJECT', 'RESULT']];
  for (const f of rest) rows.push([CHECKS[f.check], f.subject || '-', `${MARK[f.status]} ${f.status === 'ok' || f.status === 'skipped' ? f.detail : short(f)}${ref(f)}`]);
  lines.push(...table(rows));

  if (problems.length) {
    lines.push('', 'PROBLEMS AND WHAT COULD NOT BE CHECKED');
    problems.forEach((f, i) => {
      lines.push(`[${i + 1}] ${CHECKS[f.check]}${f.subject ? `, ${f.subject}` : ''}: ${f.detail}`);
      if (f.cause) lines.push(`    cause: ${f.cause.title}`, `    fix:   ${f.cause.fix}`);
    });
  }
  lines.push('', `${verdict(report.findings)} (exit ${exitCode(report.findings)})`);
  return lines.join('\n');
}

export function renderJson(report: DoctorReport): string {
  return JSON.stringify({ server: report.server, user: report.user, exitCode: exitCode(report.findings), verdict: verdict(report.findings), findings: report.findings }, null, 2);
}
