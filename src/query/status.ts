import { sql } from 'kysely';
import { openFeeSchedule } from '../db/fee-schedule.js';
import {
  type DiscoveryOutcome,
  fetchStatePath,
  readFetchState,
} from '../extract/fetch/fetch-state.js';
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
  /** The last online discovery of the source's landing page; null when it has none. */
  discovery: DiscoveryStatus | null;
  /** The source whose releases carry this one's files (GPCI in the RVU package); else null. */
  ships_with: string | null;
}

export interface DiscoveryStatus {
  page: string;
  /** 'never': no online refresh has asked for this page yet (in this raw/). */
  outcome: DiscoveryOutcome | 'never';
  /** Whether the page was found in the shape its parser expects (null: not known this time). */
  expected_shape: boolean | null;
  checked_at: string | null;
  last_found_at: string | null;
  releases_listed: number;
  message: string | null;
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
  /** Where raw/.fetch-state.json says how each landing page was last found (default: none). */
  rawDir: string | null = null,
): Promise<SourceStatus[]> {
  const pages = rawDir ? ((await readFetchState(fetchStatePath(rawDir))).pages ?? {}) : {};
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
        discovery: discoveryStatus(pipeline, pages),
        ships_with: pipeline.releasesOf ?? null,
      };
    });
  } finally {
    await schedule.close();
  }
}

export function discoveryStatus(
  pipeline: PipelineDefinition,
  pages: NonNullable<Awaited<ReturnType<typeof readFetchState>>['pages']>,
): DiscoveryStatus | null {
  if (!pipeline.discovery) return null;
  const record = pages[pipeline.source];
  if (!record) {
    return {
      page: pipeline.discovery.url,
      outcome: 'never',
      expected_shape: null,
      checked_at: null,
      last_found_at: null,
      releases_listed: 0,
      message: null,
    };
  }
  const shape =
    record.outcome === 'found' ||
    record.outcome === 'not-modified' ||
    record.outcome === 'license-gated'
      ? true
      : record.outcome === 'changed-shape'
        ? false
        : null;
  return {
    page: record.page,
    outcome: record.outcome,
    expected_shape: shape,
    checked_at: record.checked_at,
    last_found_at: record.last_found_at,
    releases_listed: record.releases.length,
    message: record.message,
  };
}

/** One line on a source's discovery, for `status`. */
export function describeDiscovery(
  discovery: DiscoveryStatus | null,
  shipsWith: string | null = null,
): string {
  if (shipsWith !== null) return `ships in ${shipsWith}'s releases, fetched with them`;
  if (discovery === null) return 'no landing page: releases are added by hand';
  const when = discovery.checked_at ? ` (checked ${discovery.checked_at})` : '';
  switch (discovery.outcome) {
    case 'never':
      return `page not checked online yet: ${discovery.page}`;
    case 'found':
      return `page in the expected shape, ${discovery.releases_listed} release(s) listed${when}`;
    case 'not-modified':
      return `page unchanged since it was last found in the expected shape (HTTP 304)${when}`;
    case 'changed-shape':
      return `PAGE CHANGED SHAPE${when}: ${discovery.message ?? discovery.page}`;
    case 'unreachable':
      return `page UNREACHABLE${when}: ${discovery.message ?? discovery.page}`;
    case 'fetch-failed':
      return `page in the expected shape, but a release FAILED to fetch${when}: ${discovery.message ?? ''}`;
    case 'license-gated':
      return `page in the expected shape, but a release is behind a LICENSE AGREEMENT, not fetched${when}: ${discovery.message ?? ''}`;
  }
}
