import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunLogEntry, readRunLog } from '../run/run-log.js';
import { escapeHtml, table } from './report-html.js';

/** How many attempts the report lists, newest first. */
const RECENT_RUNS = 12;
/** The recent-runs section sits between these, so it can be rewritten after any attempt. */
const START = '<!-- recent-runs -->';
const END = '<!-- /recent-runs -->';

/** Outcomes that published nothing because something went wrong. */
const FAILED = new Set([
  'blocked',
  'source-unavailable',
  'environment-error',
  'internal-error',
  'stopped',
]);

/**
 * The run log's newest attempts as a table, failures included, with a banner above when the
 * newest attempt failed: the page then describes the run published before it, and says so.
 */
export function recentRunsSection(entries: readonly RunLogEntry[], publishedRunId: string): string {
  const newestFirst = [...entries].reverse().slice(0, RECENT_RUNS);
  const last = newestFirst[0];
  const banner =
    last && FAILED.has(last.outcome) && last.id !== publishedRunId
      ? `<div class="banner" role="alert"><strong>The last refresh attempt failed:</strong> run <code>${escapeHtml(last.id)}</code> ended ${escapeHtml(last.ended_at)}, <span class="bad">${escapeHtml(last.outcome)}</span> (exit ${last.exit_code}): ${escapeHtml(last.summary)}. Nothing was published by it; this page describes run <code>${escapeHtml(publishedRunId)}</code>, still the published one.</div>`
      : '';
  const rows = newestFirst.map((e) => [
    {
      html: `<code>${escapeHtml(e.id)}</code>${e.id === publishedRunId ? ' (this page)' : ''}`,
      wrap: true,
    },
    { text: readableTime(e.started_at) },
    { text: seconds(e) },
    {
      html: `<span class="${FAILED.has(e.outcome) ? 'bad' : e.outcome === 'published' ? 'ok' : ''}">${escapeHtml(e.outcome)}</span>`,
    },
    { html: String(e.exit_code), numeric: true },
    {
      html: `${escapeHtml(e.summary)}${e.failing_checks
        .map(
          (c) =>
            `<br>${escapeHtml(`${c.name}${c.table ? ` (${c.table})` : ''}: ${c.failing} failing`)}`,
        )
        .join('')}`,
      wrap: true,
    },
  ]);
  return `${START}${banner}<h2 id="runs">Recent runs</h2><p class="note">From <code>out/runs.jsonl</code>, every refresh attempt, newest first, failures included (exit codes: README, "Exit codes").</p>${table(
    'Refresh attempts',
    ['run', 'started', 'took', 'outcome', 'exit', 'summary and failing checks'],
    rows,
    (i) => ` data-outcome="${escapeHtml(newestFirst[i]?.outcome)}"`,
  )}${END}`;
}

/**
 * After any attempt, out/report.html is the published run's report with its recent runs read
 * again from the run log (a blocked run publishes no report of its own). Written beside and
 * renamed into place, so a reader sees the old page or the new one.
 */
export async function refreshRecentRuns(outDir: string, reportName: string): Promise<void> {
  const published = await readFile(join(outDir, '.current', reportName), 'utf8').catch(() => null);
  if (published === null) return;
  const start = published.indexOf(START);
  const end = published.indexOf(END);
  if (start < 0 || end < start) return;
  const runId = /data-run-id="([^"]*)"/.exec(published)?.[1] ?? '';
  const html = `${published.slice(0, start)}${recentRunsSection(await readRunLog(outDir), runId)}${published.slice(end + END.length)}`;
  const temporary = join(outDir, `.${reportName}.tmp-${process.pid}`);
  try {
    await writeFile(temporary, html);
    await rename(temporary, join(outDir, reportName));
  } finally {
    await rm(temporary, { force: true });
  }
}

/** 2026-12-06T14:14:06.785+00:00 as 2026-12-06 14:14:06 +00:00: the zone kept, breakable. */
function readableTime(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  return match ? `${match[1]} ${match[2]} ${match[3] === 'Z' ? '+00:00' : match[3]}` : iso;
}

function seconds(entry: RunLogEntry): string {
  const ms = Date.parse(entry.ended_at) - Date.parse(entry.started_at);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '';
}
