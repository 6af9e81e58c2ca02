import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RunLogEntry } from '../run/run-log.js';
import { valueChart } from './report-chart.js';
import {
  type ReleaseRow,
  type ReportSource,
  readChanges,
  readChart,
  readChecks,
  readReleases,
  readRun,
  type SourceChange,
} from './report-data.js';
import { type Cell, count, escapeHtml, page, table } from './report-html.js';
import { recentRunsSection } from './report-runs.js';

export type { ReportChart } from './report-chart.js';
export type { ReportSource } from './report-data.js';

export const REPORT_NAME = 'report.html';

export interface ReportInput {
  sources: readonly ReportSource[];
  /** The run log as it stood when the run started (this run is added as it publishes). */
  runs: readonly RunLogEntry[];
  /** Releases this run read ("<source>/<release>"); the others were taken over as built. */
  readNow: ReadonlySet<string>;
}

/**
 * out/report.html: the page an operator opens after a run, self-contained (no external assets).
 * Recent runs (failures included), what this run changed per source, every source's releases
 * (sources with none flagged), the charts sources ask for, checks and rejects. Every number is
 * read from the database it describes; names of codes come from the code tables.
 */
export async function writeReport(
  connection: DuckDBConnection,
  dir: string,
  input: ReportInput,
): Promise<void> {
  const run = await readRun(connection);
  const releases = await readReleases(connection, input.sources, input.readNow);
  const changes = await readChanges(connection, input.readNow);
  const checks = await readChecks(connection);
  const charts: string[] = [];
  for (const source of input.sources) {
    if (!source.chart) continue;
    const { releases: ordered, rows, labels } = await readChart(connection, source.chart);
    charts.push(
      `<h2>${escapeHtml(source.chart.title)}</h2>${valueChart(source.chart, ordered, rows, labels)}`,
    );
  }
  const html = page(`Fee schedule refresh ${run.run_id}`, [
    `<h1 data-run-id="${escapeHtml(run.run_id)}">Fee schedule refresh</h1>`,
    `<p class="meta">Run <code>${escapeHtml(run.run_id)}</code>, started ${escapeHtml(run.started_at)}, pipeline ${escapeHtml(run.pipeline_version)}, raw folder <code>${escapeHtml(run.raw_dir)}</code>.</p>`,
    whereToLook(),
    recentRunsSection(
      [
        ...input.runs,
        // This run, as it publishes; the run log's own line replaces it once written.
        {
          id: run.run_id,
          started_at: run.started_at,
          ended_at: '',
          outcome: 'published',
          exit_code: 0,
          summary: 'this run',
          failing_checks: [],
        },
      ],
      run.run_id,
    ),
    changedSection(input.sources, releases, changes),
    releasesSection(releases),
    ...charts,
    `<h2 id="checks">Checks</h2>${table(
      'Checks per source',
      ['source', 'severity', 'passed', 'failed'],
      checks.perSource.map((c) => [
        { text: c.source },
        { text: c.severity },
        { text: c.passed },
        { text: c.failed },
      ]),
    )}${table(
      'Checks that found rows (warnings: a blocking one stops the run)',
      ['source', 'severity', 'check', 'rows'],
      checks.failing.map((c) => [
        { text: c.source },
        { text: c.severity },
        { text: c.check_name },
        { text: c.failing_rows },
      ]),
    )}${table(
      'Rejected lines per source and rule (listed in rejected_row)',
      ['source', 'rule', 'lines'],
      checks.rejects.map((r) => [{ text: r.source }, { text: r.rule }, { text: r.lines }]),
    )}`,
  ]);
  await writeFile(join(dir, REPORT_NAME), html);
}

function whereToLook(): string {
  return `<p class="where">Beside this page in <code>out/</code>: <code>fee_schedule.duckdb</code> (the database), <code>parquet/</code>, <code>manifest.json</code> (the Parquet contract: datasets, row counts, sha256), <code>runs.jsonl</code> (every refresh attempt). <code>fse status</code> says which sources are due.</p>`;
}

/** Per source: what the releases this run read changed, or why there is nothing to say. */
function changedSection(
  sources: readonly ReportSource[],
  releases: readonly ReleaseRow[],
  changes: readonly SourceChange[],
): string {
  const items = sources.map((s) => {
    const own = releases.filter((r) => r.source === s.source);
    const read = own.filter((r) => r.read_now);
    const name = `<strong>${escapeHtml(s.source)}</strong>`;
    if (own.length === 0) {
      return `<li data-source="${escapeHtml(s.source)}" data-state="no-release">${name}: <span class="flag">NO RELEASE</span> in raw/: nothing of this source is loaded (README, "Adding a release").</li>`;
    }
    const newest = own.at(-1) as ReleaseRow;
    if (read.length === 0) {
      return `<li data-source="${escapeHtml(s.source)}" data-state="unchanged">${name}: no new release; ${escapeHtml(newest.release_id)} (effective ${escapeHtml(newest.effective_from)}) taken over from the published run.</li>`;
    }
    const lines = read.map((r) => {
      const diff = changes.find((c) => c.source === s.source && c.to_release === r.release_id);
      if (!diff) {
        return `${escapeHtml(r.release_id)}: ${count(r.rows_loaded)} rows loaded (first release: nothing to compare with)`;
      }
      const top =
        diff.top.length === 0
          ? ''
          : `<ul class="top">${diff.top
              .map(
                (t) =>
                  `<li><code>${escapeHtml(t.key)}</code>: ${t.columns} column${t.columns === 1 ? '' : 's'} changed: ${escapeHtml(t.detail)}</li>`,
              )
              .join('')}</ul>`;
      return `${escapeHtml(diff.from_release)} → ${escapeHtml(r.release_id)}: <span data-change="added">${count(diff.added)}</span> added, <span data-change="ended">${count(diff.ended)}</span> ended, <span data-change="changed">${count(diff.changed)}</span> changed${top}`;
    });
    return `<li data-source="${escapeHtml(s.source)}" data-state="read">${name}: ${lines.join('<br>')}</li>`;
  });
  return `<h2 id="changed">What changed in this run</h2><p class="note">Per source, the releases this run read against the release before each (from <code>release_diff</code>; <code>fse diff</code> lists every change).</p><ul>${items.join('')}</ul>`;
}

/** Every release with rows read against rows loaded, and why the two may differ. */
function releasesSection(releases: readonly ReleaseRow[]): string {
  const why = (r: ReleaseRow): string => {
    if (r.rows_read === r.rows_loaded) return '';
    if (r.rows_read - r.lines_rejected === r.rows_loaded) return 'rejected left out';
    return r.rows_read > r.rows_loaded ? 'records joined¹' : 'records split¹';
  };
  const joined = releases.find((r) => r.rows_read > r.rows_loaded + r.lines_rejected);
  const example = joined
    ? ` (${escapeHtml(joined.source)} ${escapeHtml(joined.release_id)}: ${count(joined.rows_read)} records read, ${count(joined.rows_loaded)} rows)`
    : '';
  const rows: Cell[][] = releases.map((r) => [
    { text: r.source },
    { text: r.release_id },
    { text: r.effective_from },
    { text: r.kind },
    { text: r.files },
    { text: r.rows_read },
    { text: r.rows_loaded },
    { text: r.lines_rejected },
    { text: r.lines_skipped },
    { text: why(r) },
  ]);
  return `<h2 id="releases">Releases loaded</h2><p class="note"><em>rows read</em>: data records of the release's primary files (variants such as the TXT twin of a CSV are compared, not counted); <em>rows loaded</em>: rows of the source's main table. ¹ They differ where records are not rows: a file may continue a long description over several records of one code, joined into one row${example}; a release whose files list a key twice keeps it once. <em>lines rejected</em> could not be read or failed a rule (see below); <em>lines skipped</em> are declared as not data (banners, notes).</p>${table(
    'Releases per source',
    [
      'source',
      'release',
      'effective from',
      'kind',
      'files',
      'rows read',
      'rows loaded',
      'lines rejected',
      'lines skipped',
      'read vs loaded',
    ],
    rows,
    (i) =>
      ` data-source="${escapeHtml(releases[i]?.source)}" data-release="${escapeHtml(releases[i]?.release_id)}"`,
  )}`;
}
