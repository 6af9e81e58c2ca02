import { join } from 'node:path';
import { MANIFEST_NAME } from '../load/contract.js';
import { REPORT_NAME } from '../load/report.js';
import { DATABASE_FILE_NAME, PARQUET_DIR_NAME } from '../paths.js';
import { describeDiscovery } from '../query/status.js';
import type { RefreshSummary } from '../run/refresh.js';
import { runLogPath } from '../run/run-log.js';
import { EXIT } from './errors.js';
import type { OnlineSource } from './refresh-command.js';

/** What `fse refresh` prints when a run ends: its summary, then where to look. */

/** The run log's one line for a published run. */
export function publishedLine(summary: RefreshSummary): string {
  const passed = summary.checks.filter((c) => c.failing === 0).length;
  return (
    `published ${summary.releases.length} release(s), ` +
    `${summary.releases.reduce((n, r) => n + r.rowsLoaded, 0)} rows; ` +
    `checks ${passed}/${summary.checks.length} passed`
  );
}

/** The run summary on stdout, ending with where to look. */
export function summaryLines(
  summary: RefreshSummary,
  online: OnlineSource[] | null,
  outDir: string,
): string[] {
  const onlineLines = (online ?? []).map(
    (o) =>
      `  online ${o.source}: ${describeDiscovery(o.discovery)}` +
      (o.fetched.length > 0 ? `; fetched ${o.fetched.join(', ')}` : ''),
  );
  if (summary.unchanged) {
    return [
      `refresh: nothing changed since the published run; ${summary.databasePath} is current (${summary.seconds.toFixed(1)} s, exit ${EXIT.nothingNew})`,
      ...onlineLines,
      wherePublished(outDir, 'this attempt is the last line of'),
    ];
  }
  return [
    `refresh ${summary.runId}: published in ${summary.seconds.toFixed(1)} s`,
    ...summary.releases.map(
      (r) =>
        `  ${r.source} ${r.release} (effective ${r.effectiveFrom ?? '?'}): ${r.rowsLoaded} rows loaded, ` +
        `${r.linesRejected} lines rejected`,
    ),
    ...summary.changes.map(
      (c) =>
        `  ${c.source} ${c.from} → ${c.to}: ${c.added} added, ${c.ended} ended, ${c.changed} changed`,
    ),
    ...onlineLines,
    `  checks: ${summary.checks.filter((c) => c.failing === 0).length}/${summary.checks.length} passed`,
    ...summary.checks
      .filter((c) => c.failing > 0)
      .map((c) => `    ${c.severity}: ${c.name} (${c.table}): ${c.failing} failing`),
    wherePublished(outDir, 'this run is the last line of'),
  ];
}

/** Where to look after a run: the published report, manifest, database and Parquet, the run log. */
export function wherePublished(outDir: string, runLogNote: string): string {
  return [
    'where to look:',
    `  report:   ${join(outDir, REPORT_NAME)}`,
    `  manifest: ${join(outDir, MANIFEST_NAME)}`,
    `  database: ${join(outDir, DATABASE_FILE_NAME)}`,
    `  parquet:  ${join(outDir, PARQUET_DIR_NAME)}/`,
    `  run log:  ${runLogPath(outDir)} (${runLogNote} it)`,
  ].join('\n');
}
