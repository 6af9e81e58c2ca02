import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Catalog } from '../catalog.js';
import { describeDiscovery, sourceStatus } from '../query/status.js';
import { lastAttemptAndSuccess, type RunLogEntry, readRunLog } from '../run/run-log.js';
import { terminalText } from '../terminal-text.js';
import { EXIT } from './errors.js';
import { writeJson } from './json-output.js';
import { checkDate, defaultOutDir, defaultRawDir, publishedDatabase } from './options.js';

export function registerStatus(program: Command, catalog: Catalog): void {
  program
    .command('status')
    .description('say which sources are stale: newest release older than their cadence allows')
    .option('--today <date>', 'judge freshness as of this day (YYYY-MM-DD)')
    .option('--json', 'print JSON for programs')
    .option('--out <dir>', 'output folder holding fee_schedule.duckdb', defaultOutDir())
    .option(
      '--raw <dir>',
      'raw folder whose fetch state says how each page was last found',
      defaultRawDir(),
    )
    .action(async (options: { today?: string; json?: boolean; out: string; raw: string }) => {
      checkDate('--today', options.today);
      const today = options.today ?? new Date().toISOString().slice(0, 10);
      const outDir = resolve(options.out);
      const runs = lastAttemptAndSuccess(await readRunLog(outDir));
      const statuses = await sourceStatus(
        publishedDatabase(options.out),
        catalog.pipelines,
        today,
        resolve(options.raw),
      );
      if (options.json) {
        writeJson({ today, ...runs, sources: statuses });
      } else {
        // Summaries quote file names: control characters in them are escaped.
        process.stdout.write(terminalText(`last attempt: ${describeRun(runs.last_attempt)}\n`));
        process.stdout.write(terminalText(`last success: ${describeRun(runs.last_success)}\n`));
        for (const s of statuses) {
          const state = s.newest_release === null ? 'NO RELEASE' : s.stale ? 'STALE' : 'fresh';
          process.stdout.write(
            `${s.source.padEnd(16)} ${state.padEnd(10)} ${s.cadence.padEnd(9)} newest ${s.newest_release ?? '-'} (effective ${s.effective_from ?? '-'}), ${s.cadence === 'withdrawn' ? 'withdrawn: no further release expected' : `next due by ${s.next_due ?? '-'}`}; discovery: ${describeDiscovery(s.discovery, s.ships_with)}\n`,
          );
        }
      }
      // Stale, or a landing page that changed shape (its source will go stale unnoticed
      // otherwise), or the last refresh attempt failed.
      if (
        statuses.some((s) => s.stale || s.discovery?.expected_shape === false) ||
        attemptFailed(runs.last_attempt)
      ) {
        process.exitCode = EXIT.blocked;
      }
    });
}

/** One line on a run of the run log, for `status`. */
function describeRun(entry: RunLogEntry | null): string {
  if (entry === null) return 'none recorded (out/runs.jsonl)';
  return `${entry.ended_at} run ${entry.id}: ${entry.outcome.toUpperCase()} (exit ${entry.exit_code}): ${entry.summary}${entry.failing_checks
    .map((c) => `\n  ${c.name}${c.table ? ` (${c.table})` : ''}: ${c.failing} failing`)
    .join('')}`;
}

/** An attempt that published nothing because something went wrong (not "nothing new", not busy). */
function attemptFailed(entry: RunLogEntry | null): boolean {
  return entry !== null && !['published', 'nothing-new', 'lock-busy'].includes(entry.outcome);
}
