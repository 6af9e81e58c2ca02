import type { DuckDBConnection } from '@duckdb/node-api';
import type { CodeHistoryTable, ReleaseDiffTable } from '../db/schema.js';
import { identifier, literal } from '../db/sql.js';
import type { PipelineDefinition } from '../pipeline-definition.js';
import { CHANGE_ORDER_SQL, diffSql, RELEASE_DIFF_COLUMNS } from '../transform/history/diff-sql.js';
import { describeHistory } from '../transform/history/spec.js';

/** The releases asked for do not make a diff (unknown, ambiguous, undated). */
export class DiffRequestError extends Error {}

export type ChangeKind = 'added' | 'ended' | 'changed';

/** A row of release_diff without the releases it sits between (the diff names them once). */
export type DiffChange = Omit<
  ReleaseDiffTable,
  'source' | 'from_release' | 'to_release' | 'effective_from' | 'change'
> & { change: ChangeKind };

const CODE_ACTIONS = ['added', 'returned', 'changed', 'ended'] as const;

/** A row of code_history without its source (the diff names it once). */
export type CodeEvent = Omit<CodeHistoryTable, 'source' | 'action'> & {
  action: (typeof CODE_ACTIONS)[number];
};

export interface DiffSide {
  release: string;
  effectiveFrom: string;
  isFull: boolean;
  /** What the release is as a whole (the source's releaseFacts), one line each; empty if none. */
  facts: string[];
}

export interface DiffResult {
  source: string;
  from: DiffSide;
  to: DiffSide;
  /** True when to is the release right after from: the rows come from release_diff. */
  consecutive: boolean;
  summary: {
    /** Keys in force in to only. */
    added: number;
    /** Keys in force in from only. */
    ended: number;
    /** Keys in force in both with other values. */
    changed: number;
    /** Changed values (one per changed column of a changed key). */
    changedValues: number;
    /** Changed values per column. */
    columns: Record<string, number>;
    /** code_history events between the two effective dates, per action (forward diffs only). */
    codes: Record<string, number>;
  };
  /**
   * code_history events other than changed (added, returned, ended codes) after from's effective
   * date up to to's (forward diffs only).
   */
  codeHistory: CodeEvent[];
  changes: DiffChange[];
}

export interface DiffRequest {
  from: string;
  to: string;
  source?: string;
  /** The sources the database was built with (their fact tables and keys). */
  pipelines: readonly PipelineDefinition[];
}

interface ReleaseRow {
  source: string;
  release_id: string;
  effective_from: string | null;
  is_full: boolean;
  seq: bigint | number | null;
}

/** Rows as plain objects, read column-wise (fast for the 19k-row diffs). */
async function rowsOf<T>(
  connection: DuckDBConnection,
  sql: string,
  values?: string[],
): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql, values);
  const names = reader.columnNames();
  const columns = reader.getColumnsJS();
  const count = columns[0]?.length ?? 0;
  const rows = new Array<T>(count);
  for (let i = 0; i < count; i++) {
    const row: Record<string, unknown> = {};
    names.forEach((name, j) => {
      row[name] = columns[j]?.[i] ?? null;
    });
    rows[i] = row as T;
  }
  return rows;
}

/**
 * The difference between two releases of a source: the rows in force under `from` against
 * those in force under `to` (a partial release carries forward the rows it leaves out).
 * Consecutive releases are read from release_diff; any other pair is computed from
 * <fact>_history with the same SQL.
 */
export async function diffReleases(
  connection: DuckDBConnection,
  request: DiffRequest,
): Promise<DiffResult> {
  const { pipelines } = request;
  const releases = await rowsOf<ReleaseRow>(
    connection,
    `SELECT source, release_id, CAST(effective_from AS VARCHAR) AS effective_from, is_full,
            CASE WHEN effective_from IS NOT NULL THEN
              row_number() OVER (PARTITION BY source, effective_from IS NULL ORDER BY effective_from, release_id)
            END AS seq
     FROM release
     ORDER BY source, effective_from NULLS LAST, release_id`,
  );
  const source = chooseSource(releases, request);
  const from = releases.find((r) => r.source === source && r.release_id === request.from);
  const to = releases.find((r) => r.source === source && r.release_id === request.to);
  if (!from || !to) throw new DiffRequestError('internal: release vanished');
  for (const side of [from, to]) {
    if (side.effective_from === null || side.seq === null) {
      throw new DiffRequestError(
        `${source} ${side.release_id} has no effective_from, so it is not in the history: set it in its manifest`,
      );
    }
  }
  const pipeline = pipelines.find((p) => p.source === source);
  if (!pipeline) throw new DiffRequestError(`no pipeline is defined for source ${source}`);

  const consecutive = Number(to.seq) === Number(from.seq) + 1;
  const columns = RELEASE_DIFF_COLUMNS.filter(
    (c) => !['source', 'from_release', 'to_release', 'effective_from'].includes(c),
  ).join(', ');
  let changes: DiffChange[] = [];
  if (from.release_id !== to.release_id) {
    const select = consecutive
      ? `SELECT ${columns} FROM release_diff
         WHERE source = ${literal(source)} AND from_release = ${literal(from.release_id)}
           AND to_release = ${literal(to.release_id)}`
      : `SELECT ${columns} FROM (${diffSql(
          await describeHistory(connection, pipeline),
          `SELECT 1 AS pair_id, ${literal(source)} AS source,
                  ${literal(from.release_id)} AS from_release, DATE ${literal(from.effective_from as string)} AS from_day,
                  ${literal(to.release_id)} AS to_release, DATE ${literal(to.effective_from as string)} AS to_day`,
          false,
        )})`;
    changes = await rowsOf<DiffChange>(
      connection,
      `SELECT * FROM (${select}) ORDER BY ${CHANGE_ORDER_SQL}, key, column_name`,
    );
  }

  // code_history between the two days (forward diffs): counts per action, and the events that
  // are not a change of a listed row (the changes themselves are in `changes`).
  const forward = (from.effective_from as string) < (to.effective_from as string);
  const between = `FROM code_history WHERE source = ${literal(source)}
    AND date > DATE ${literal(from.effective_from as string)}
    AND date <= DATE ${literal(to.effective_from as string)}`;
  const codeCounts = forward
    ? await rowsOf<{ action: string; n: number }>(
        connection,
        `SELECT action, count(*)::INTEGER AS n ${between} GROUP BY action`,
      )
    : [];
  const codeHistory = forward
    ? await rowsOf<CodeEvent>(
        connection,
        `SELECT hcpcs, CAST(date AS VARCHAR) AS date, release_id, action, notes ${between}
           AND action <> 'changed' ORDER BY date, hcpcs, action`,
      )
    : [];
  const codes: Record<string, number> = {};
  for (const action of CODE_ACTIONS) {
    const n = codeCounts.find((c) => c.action === action)?.n;
    if (n) codes[action] = n;
  }
  const facts = async (release: string): Promise<string[]> => {
    if (!pipeline.releaseFacts) return [];
    const { table, describe } = pipeline.releaseFacts;
    const rows = await rowsOf<{ fact: string }>(
      connection,
      `SELECT ${describe} AS fact FROM ${identifier(table)} WHERE release_id = $1 ORDER BY ALL`,
      [release],
    );
    return rows.map((r) => r.fact);
  };
  return {
    source,
    from: side(from, await facts(from.release_id)),
    to: side(to, await facts(to.release_id)),
    consecutive,
    summary: summarize(changes, codes),
    codeHistory,
    changes,
  };
}

function side(row: ReleaseRow, facts: string[]): DiffSide {
  return {
    release: row.release_id,
    effectiveFrom: row.effective_from as string,
    isFull: row.is_full,
    facts,
  };
}

/** The loaded releases, one line per source, oldest first: what a mistyped id could have been. */
function loadedReleases(releases: ReleaseRow[], source: string | undefined): string {
  const bySource = new Map<string, string[]>();
  for (const r of releases) {
    if (source !== undefined && r.source !== source) continue;
    bySource.set(r.source, [...(bySource.get(r.source) ?? []), r.release_id]);
  }
  if (bySource.size === 0) return `  (none${source === undefined ? '' : ` of ${source}`})`;
  return [...bySource]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, ids]) => `  ${s}: ${ids.join(', ')}`)
    .join('\n');
}

function chooseSource(releases: ReleaseRow[], request: DiffRequest): string {
  const sourcesOf = (id: string) =>
    new Set(releases.filter((r) => r.release_id === id).map((r) => r.source));
  const fromSources = sourcesOf(request.from);
  const toSources = sourcesOf(request.to);
  for (const [id, sources] of [
    [request.from, fromSources],
    [request.to, toSources],
  ] as const) {
    if (sources.size === 0) {
      throw new DiffRequestError(
        `no release ${id} is loaded; loaded releases:\n${loadedReleases(releases, request.source)}`,
      );
    }
    if (request.source !== undefined && !sources.has(request.source)) {
      throw new DiffRequestError(
        `${request.source} has no release ${id} (it is a release of ${[...sources].join(', ')})`,
      );
    }
  }
  if (request.source !== undefined) return request.source;
  const both = [...fromSources].filter((s) => toSources.has(s)).sort();
  if (both.length === 0) {
    throw new DiffRequestError(
      `${request.from} (${[...fromSources].join(', ')}) and ${request.to} (${[...toSources].join(', ')}) are releases of different sources`,
    );
  }
  if (both.length > 1) {
    throw new DiffRequestError(
      `${request.from} and ${request.to} are releases of several sources (${both.join(', ')}): name one with --source`,
    );
  }
  return both[0] as string;
}

function summarize(changes: DiffChange[], codes: Record<string, number>): DiffResult['summary'] {
  const keys = { added: new Set<string>(), ended: new Set<string>(), changed: new Set<string>() };
  const columns: Record<string, number> = {};
  let changedValues = 0;
  for (const c of changes) {
    keys[c.change].add(c.key);
    if (c.change === 'changed' && c.column_name) {
      changedValues += 1;
      columns[c.column_name] = (columns[c.column_name] ?? 0) + 1;
    }
  }
  return {
    added: keys.added.size,
    ended: keys.ended.size,
    changed: keys.changed.size,
    changedValues,
    columns: Object.fromEntries(
      Object.entries(columns).sort(([a, m], [b, n]) => n - m || a.localeCompare(b)),
    ),
    codes,
  };
}

/** The diff as text: the summary first, then every change. */
export function formatDiff(diff: DiffResult): string {
  const { summary } = diff;
  const describe = (s: DiffSide) =>
    `${s.release} (effective ${s.effectiveFrom}${s.isFull ? '' : ', partial'})`;
  const width = Math.max(0, ...Object.keys(summary.columns).map((c) => c.length));
  const lines = [
    `${diff.source} ${describe(diff.from)} → ${describe(diff.to)}${diff.consecutive ? ', consecutive releases' : ''}`,
    '',
    `  added    ${summary.added} row(s)`,
    `  ended    ${summary.ended} row(s)`,
    `  changed  ${summary.changed} row(s), ${summary.changedValues} value(s)`,
    ...Object.entries(summary.columns).map(([c, n]) => `    ${c.padEnd(width)}  ${n}`),
  ];
  const codeActions = Object.entries(summary.codes);
  if (codeActions.length > 0) {
    lines.push(`  codes    ${codeActions.map(([a, n]) => `${n} ${a}`).join(', ')} (code_history)`);
  }
  const { from, to } = diff;
  if (from.facts.join('\n') !== to.facts.join('\n')) {
    // A change of the release as a whole (its files, its layout): said once, here.
    lines.push(
      '',
      'the releases as a whole',
      ...[from, to].flatMap((s) => [`  ${s.release}`, ...s.facts.map((f) => `    ${f}`)]),
    );
  }
  const notable = diff.codeHistory.filter((e) => e.action !== 'changed');
  if (notable.length > 0) {
    lines.push('', 'codes added, ended or returned');
    for (const e of notable)
      lines.push(`  ${e.date}  ${e.hcpcs}  ${e.action.padEnd(8)}  ${e.notes ?? ''}`);
  }
  for (const kind of ['added', 'ended', 'changed'] as const) {
    const of = diff.changes.filter((c) => c.change === kind);
    if (of.length === 0) continue;
    lines.push('', kind);
    for (const c of of) {
      if (kind !== 'changed') {
        lines.push(`  ${c.key}`);
        continue;
      }
      const labels =
        c.old_label !== null || c.new_label !== null
          ? `  (${c.old_label ?? '?'} → ${c.new_label ?? '?'})`
          : '';
      lines.push(
        `  ${c.key}  ${c.column_name}: ${c.old_value ?? '(none)'} → ${c.new_value ?? '(none)'}${labels}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
