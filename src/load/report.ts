import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';

export const REPORT_NAME = 'report.html';

function escapeHtml(text: unknown): string {
  return String(text ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

async function query(
  connection: DuckDBConnection,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

function table(rows: Record<string, unknown>[], caption: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(caption)}: none.</p>`;
  const columns = Object.keys(rows[0] as object);
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${columns
    .map((c) => `<th>${escapeHtml(c)}</th>`)
    .join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr>${columns.map((c) => `<td${typeof r[c] === 'number' || /^\d+$/.test(String(r[c])) ? ' class="n"' : ''}>${escapeHtml(r[c])}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

/** A chart a source asks for: rows of its fact table per value of a column, across releases. */
export interface ReportChart {
  source: string;
  title: string;
  table: string;
  column: string;
}

/** Grouped bars: rows per value of the chart's column in each release, drawn as inline SVG. */
function valueChart(
  chart: ReportChart,
  rows: { release_id: string; value: string; n: number }[],
): string {
  if (rows.length === 0)
    return `<p class="empty">No ${escapeHtml(chart.source)} release loaded.</p>`;
  const releases = [...new Set(rows.map((r) => r.release_id))];
  const statuses = [...new Set(rows.map((r) => r.value))].sort();
  const max = Math.max(...rows.map((r) => r.n));
  const barWidth = Math.max(4, Math.min(18, Math.floor(60 / releases.length)));
  const groupWidth = barWidth * releases.length + 14;
  const height = 220;
  const width = statuses.length * groupWidth + 60;
  const bars: string[] = [];
  statuses.forEach((status, s) => {
    releases.forEach((release, r) => {
      const n = rows.find((x) => x.value === status && x.release_id === release)?.n ?? 0;
      const h = Math.round((n / max) * (height - 40));
      const x = 50 + s * groupWidth + r * barWidth;
      bars.push(
        `<rect x="${x}" y="${height - 20 - h}" width="${barWidth - 1}" height="${h}" fill="hsl(${(r * 47) % 360} 55% 45%)"><title>${escapeHtml(`${release} ${status}: ${n}`)}</title></rect>`,
      );
    });
    bars.push(
      `<text x="${50 + s * groupWidth + (barWidth * releases.length) / 2}" y="${height - 5}" text-anchor="middle">${escapeHtml(status)}</text>`,
    );
  });
  return `<svg role="img" aria-label="${escapeHtml(chart.title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg"><text x="5" y="15">${max}</text><line x1="45" y1="20" x2="45" y2="${height - 20}" stroke="#999"/>${bars.join('')}</svg><p class="legend">${releases
    .map((r, i) => `<span style="color:hsl(${(i * 47) % 360} 55% 45%)">■</span> ${escapeHtml(r)}`)
    .join(' ')}</p>`;
}

/**
 * out/report.html: one self-contained page per run (no external assets) with, per source, the
 * releases loaded, row counts, rejects and check results, and the charts sources ask for (rows
 * per value of a column across releases). Every number is read from the database it describes.
 */
export async function writeReport(
  connection: DuckDBConnection,
  dir: string,
  charts: readonly ReportChart[],
): Promise<void> {
  const [run] = await query(connection, 'SELECT run_id, started_at, pipeline_version FROM run');
  const releases = await query(
    connection,
    `SELECT r.source, r.release_id, r.effective_from::VARCHAR AS effective_from,
            coalesce(r.effective_to::VARCHAR, '') AS effective_to,
            CASE WHEN r.is_full THEN 'full' ELSE 'partial' END AS kind,
            sum(f.rows_staged) FILTER (WHERE f.role = 'primary')::BIGINT AS rows_read,
            sum(f.lines_rejected)::BIGINT AS lines_unreadable,
            count(f.source_file) AS files
     FROM release r LEFT JOIN source_file f USING (source, release_id)
     GROUP BY ALL ORDER BY r.source, effective_from`,
  );
  const rejects = await query(
    connection,
    `SELECT source, rule, count(*) AS lines FROM rejected_row GROUP BY ALL ORDER BY source, rule`,
  );
  const checks = await query(
    connection,
    `SELECT source, severity, count(*) FILTER (WHERE passed) AS passed,
            count(*) FILTER (WHERE NOT passed) AS failed
     FROM check_result GROUP BY ALL ORDER BY source, severity`,
  );
  const failing = await query(
    connection,
    `SELECT source, severity, check_name, failing_rows FROM check_result WHERE NOT passed ORDER BY ALL`,
  );
  const chartSections: string[] = [];
  for (const chart of charts) {
    const exists =
      (
        await query(
          connection,
          `SELECT 1 FROM duckdb_tables() WHERE table_name = ${literal(chart.table)}`,
        )
      ).length > 0;
    const rows = (
      exists
        ? await query(
            connection,
            `SELECT p.release_id, p.${identifier(chart.column)} AS value, count(*)::INTEGER AS n,
                    any_value(r.effective_from) AS day
             FROM ${identifier(chart.table)} p
             JOIN release r ON r.source = ${literal(chart.source)} AND r.release_id = p.release_id
             GROUP BY p.release_id, value ORDER BY day, value`,
          )
        : []
    ) as { release_id: string; value: string; n: number }[];
    chartSections.push(`<h2>${escapeHtml(chart.title)}</h2>${valueChart(chart, rows)}`);
  }

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fee schedule refresh ${escapeHtml(run?.run_id)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:70em}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600}
.empty{color:#666}svg text{font-size:11px}
</style></head><body>
<h1>Fee schedule refresh</h1>
<p>Run <code>${escapeHtml(run?.run_id)}</code>, started ${escapeHtml(run?.started_at)}, pipeline ${escapeHtml(run?.pipeline_version)}.</p>
<h2>Releases loaded</h2>${table(releases, 'Releases per source')}
<h2>Rejected lines</h2>${table(rejects, 'Rejected lines per source and rule')}
<h2>Checks</h2>${table(checks, 'Checks per source')}${table(failing, 'Checks that found rows (warnings)')}
${chartSections.join('')}
<p>CPT codes and descriptions only are copyright American Medical Association. All rights reserved.</p>
</body></html>
`;
  await writeFile(join(dir, REPORT_NAME), html);
}
