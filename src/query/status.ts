import { sql } from 'kysely';
import { openFeeSchedule } from '../db/fee-schedule.js';
import type { PipelineDefinition } from '../pipeline-definition.js';

/** How long a release may stay the newest before the next one is overdue (none: withdrawn). */
const CADENCE_MONTHS = { quarterly: 3, annual: 12, withdrawn: null } as const;
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
export async function sourceStatus(
  databasePath: string,
  pipelines: readonly PipelineDefinition[],
  today: string,
): Promise<SourceStatus[]> {
  const schedule = await openFeeSchedule(databasePath);
  try {
    const rows = await schedule.db
      .selectFrom('release')
      .select([
        'source',
        sql<string>`arg_max(release_id, effective_from)`.as('release'),
        sql<string>`max(effective_from)`.as('day'),
      ])
      .where('effective_from', 'is not', null)
      .groupBy('source')
      .execute();
    const newest = new Map(rows.map((r) => [r.source, { release: r.release, day: r.day }]));
    return pipelines.map((pipeline) => {
      const latest = newest.get(pipeline.source);
      const months = CADENCE_MONTHS[pipeline.cadence];
      const nextDue = latest && months !== null ? addMonths(latest.day, months, GRACE_DAYS) : null;
      // A withdrawn source expects no release: it is never stale once it has one.
      const stale = months === null ? latest === undefined : nextDue === null || today > nextDue;
      return {
        source: pipeline.source,
        cadence: pipeline.cadence,
        newest_release: latest?.release ?? null,
        effective_from: latest?.day ?? null,
        next_due: nextDue,
        stale,
      };
    });
  } finally {
    await schedule.close();
  }
}
