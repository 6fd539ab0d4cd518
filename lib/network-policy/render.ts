import type { ReachabilityMatrix } from './evaluator';

const MARK = (v: boolean | null) => (v === null ? '-' : v ? 'ok' : 'X');

function caption(m: ReachabilityMatrix): string {
  return `${m.traffic.protocol ?? 'TCP'}/${m.traffic.port}: rows connect to columns (ok = allowed, X = denied, - = itself)`;
}

/** A plain-text table: sources down the side, destinations across. */
export function renderMatrixText(m: ReachabilityMatrix): string {
  const first = Math.max(...m.sources.map((s) => s.length), 'from \\ to'.length);
  const widths = m.destinations.map((d) => Math.max(d.length, 2));
  const row = (head: string, cells: string[]) => [head.padEnd(first), ...cells.map((c, i) => c.padEnd(widths[i]))].join(' | ').trimEnd();
  const lines = [caption(m), row('from \\ to', [...m.destinations]), [first, ...widths].map((w) => '-'.repeat(w)).join('-|-')];
  m.sources.forEach((s, i) => lines.push(row(s, m.allowed[i].map(MARK))));
  return lines.join('\n') + '\n';
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A standalone HTML page with the matrix as a colour-coded table. */
export function renderMatrixHtml(m: ReachabilityMatrix, title = 'NetworkPolicy reachability'): string {
  return renderMatricesHtml([m], title);
}

/** A standalone HTML page with one colour-coded table per matrix (e.g. one per port). */
export function renderMatricesHtml(matrices: readonly ReachabilityMatrix[], title = 'NetworkPolicy reachability', note?: string): string {
  const cell = (v: boolean | null) =>
    v === null ? '<td class="self">-</td>' : v ? '<td class="allow" title="allowed">allowed</td>' : '<td class="deny" title="denied">denied</td>';
  const table = (m: ReachabilityMatrix) => {
    const head = m.destinations.map((d) => `<th scope="col">${escapeHtml(d)}</th>`).join('');
    const body = m.sources.map((s, i) => `<tr><th scope="row">${escapeHtml(s)}</th>${m.allowed[i].map(cell).join('')}</tr>`).join('\n');
    return `<table><caption>${escapeHtml(caption(m))}</caption>
<tr><th>from \\ to</th>${head}</tr>
${body}
</table>`;
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 2em; }
caption { text-align: left; font-weight: bold; padding-bottom: .4em; }
th, td { border: 1px solid #999; padding: .35em .7em; text-align: center; white-space: nowrap; }
th[scope=row] { text-align: left; }
.allow { background: #c8f0c8; } .deny { background: #f5c2c2; } .self { background: #eee; color: #777; }
</style></head>
<body><h1>${escapeHtml(title)}</h1>
${note ? `<p>${escapeHtml(note)}</p>\n` : ''}${matrices.map(table).join('\n')}</body></html>
`;
}
