import { count, escapeHtml } from './report-html.js';

/** A chart a source asks for: rows of its fact table per value of a column, across releases. */
export interface ReportChart {
  source: string;
  title: string;
  table: string;
  column: string;
  /** The code table of the column (its labels name the values); null when it has none. */
  system: string | null;
}

export interface ChartRow {
  release_id: string;
  value: string;
  n: number;
}

/**
 * Rows per value in the newest release as labelled horizontal bars, with the change from the
 * release before beside each: names come from the code table, and every count is printed as text,
 * so a value with 8 rows beside one with 9,021 is still read (its bar keeps a minimum width).
 */
export function valueChart(
  chart: ReportChart,
  releases: readonly string[],
  rows: readonly ChartRow[],
  labels: ReadonlyMap<string, string>,
): string {
  const newest = releases.at(-1);
  if (newest === undefined) {
    return `<p class="empty">No ${escapeHtml(chart.source)} release loaded.</p>`;
  }
  const previous = releases.length > 1 ? releases.at(-2) : undefined;
  const countOf = (release: string | undefined, value: string) =>
    rows.find((r) => r.release_id === release && r.value === value)?.n ?? 0;
  const values = [...new Set(rows.map((r) => r.value))].sort();
  const max = Math.max(1, ...values.map((v) => countOf(newest, v)));
  const body = values
    .map((value) => {
      const n = countOf(newest, value);
      const change = previous === undefined ? null : n - countOf(previous, value);
      const label = labels.get(value) ?? '(not in the code table)';
      return `<tr data-code="${escapeHtml(value)}" data-count="${n}"><td><code>${escapeHtml(value)}</code></td><td>${escapeHtml(label)}</td><td class="bar" aria-hidden="true"><span class="fill" style="width:${((n / max) * 100).toFixed(2)}%"></span></td><td class="n">${count(n)}</td>${
        previous === undefined
          ? ''
          : `<td class="n ${change && change > 0 ? 'up' : change && change < 0 ? 'down' : ''}">${change && change > 0 ? '+' : ''}${change === 0 ? '0' : count(change ?? 0)}</td>`
      }</tr>`;
    })
    .join('');
  const since = previous === undefined ? '' : `<th>change since ${escapeHtml(previous)}</th>`;
  return `<table class="chart" aria-label="${escapeHtml(chart.title)}"><caption>${escapeHtml(
    `${chart.title}: ${newest}${chart.system ? ` (names from code table ${chart.system})` : ''}`,
  )}</caption><thead><tr><th>${escapeHtml(chart.column)}</th><th>name</th><th>rows</th><th>count</th>${since}</tr></thead><tbody>${body}</tbody></table>`;
}
