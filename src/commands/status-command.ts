import type { Command } from 'commander';
import { PIPELINES } from '../../pipelines/index.js';
import { openDuckDB } from '../db/open-duckdb.js';
import { EXIT } from './errors.js';
import { checkDate, defaultOutDir, publishedDatabase } from './options.js';

/** How long a release may stay the newest before the next one is overdue. */
const CADENCE_MONTHS = { quarterly: 3, annual: 12 } as const;
/** CMS publishes some releases a few weeks late: allow that before calling a source stale. */
const GRACE_DAYS = 31;

export interface SourceStatus {
  source: string;
  cadence: string;
  newest_release: string | null;
  effective_from: string | null;
  next_due: string | null;
  stale: boolean;
}

function addMonths(day: string, months: number, extraDays: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  date.setUTCDate(date.getUTCDate() + extraDays);
  return date.toISOString().slice(0, 10);
}

/** Freshness of every source: its newest release against the cadence it is published on. */
export async function sourceStatus(databasePath: string, today: string): Promise<SourceStatus[]> {
  const db = await openDuckDB(databasePath, { readOnly: true });
  try {
    const reader = await db.connection.runAndReadAll(
      `SELECT source, arg_max(release_id, effective_from), max(effective_from)::VARCHAR
       FROM release WHERE effective_from IS NOT NULL GROUP BY source`,
    );
    const newest = new Map(
      reader.getRowsJS().map(([s, r, d]) => [String(s), { release: String(r), day: String(d) }]),
    );
    return PIPELINES.map((pipeline) => {
      const latest = newest.get(pipeline.source);
      const nextDue = latest
        ? addMonths(latest.day, CADENCE_MONTHS[pipeline.cadence], GRACE_DAYS)
        : null;
      return {
        source: pipeline.source,
        cadence: pipeline.cadence,
        newest_release: latest?.release ?? null,
        effective_from: latest?.day ?? null,
        next_due: nextDue,
        stale: nextDue === null || today > nextDue,
      };
    });
  } finally {
    db.close();
  }
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('say which sources are stale: newest release older than their cadence allows')
    .option('--today <date>', 'judge freshness as of this day (YYYY-MM-DD)')
    .option('--json', 'print JSON for programs')
    .option('--out <dir>', 'output folder holding fee_schedule.duckdb', defaultOutDir())
    .action(async (options: { today?: string; json?: boolean; out: string }) => {
      checkDate('--today', options.today);
      const today = options.today ?? new Date().toISOString().slice(0, 10);
      const statuses = await sourceStatus(publishedDatabase(options.out), today);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ today, sources: statuses }, null, 2)}\n`);
      } else {
        for (const s of statuses) {
          const state = s.newest_release === null ? 'NO RELEASE' : s.stale ? 'STALE' : 'fresh';
          process.stdout.write(
            `${s.source.padEnd(16)} ${state.padEnd(10)} ${s.cadence.padEnd(9)} newest ${s.newest_release ?? '-'} (effective ${s.effective_from ?? '-'}), next due by ${s.next_due ?? '-'}\n`,
          );
        }
      }
      if (statuses.some((s) => s.stale)) process.exitCode = EXIT.blocked;
    });
}
