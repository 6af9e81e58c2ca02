import { type DuckDBConnection, listValue } from '@duckdb/node-api';
import { identifier, literal } from '../../db/sql.js';
import type { PipelineDefinition } from '../../pipeline-definition.js';
import { CHANGE_ORDER_SQL, consecutivePairsSql, diffSql } from './diff-sql.js';
import {
  describeHistory,
  type HistorySpec,
  keyEqualsSql,
  keyListSql,
  ROW_HASH_SQL,
} from './spec.js';

/** Order of a source's code_history rows: by code and date, an ending before a new start. */
const CODE_HISTORY_ORDER =
  "hcpcs, date, CASE action WHEN 'ended' THEN 1 WHEN 'added' THEN 2 WHEN 'returned' THEN 3 ELSE 4 END";

/**
 * The history tables of a refresh, for the Parquet export: one file per year of the row's date
 * (an interval's end, a change's effective date, an event's date), so that a run appending a
 * release writes the files of its year and of the open intervals only. Each file is written in
 * the table's order: a refresh that appends releases replaces some rows only, so the tables'
 * own order is not a full rebuild's.
 */
export function historyParquetTables(pipelines: readonly PipelineDefinition[]): {
  name: string;
  key: readonly string[];
  orderBy: string;
  segmentBy: string;
  changedBy?: string;
}[] {
  return [
    ...pipelines.flatMap((p) =>
      p.factTables.slice(0, 1).map((f) => ({
        name: `${f.name}_history`,
        // An interval per key and first day in force.
        key: [...f.key, 'valid_from'],
        orderBy: `${keyListSql(f.key)}, valid_from`,
        segmentBy: 'valid_to',
        // Only the source's own releases move its intervals.
        changedBy: p.source,
      })),
    ),
    {
      name: 'release_diff',
      // An added or ended key is one row (no column_name); a changed key a row per column.
      key: ['source', 'to_release', 'key', 'column_name'],
      orderBy: `source, effective_from, to_release, ${CHANGE_ORDER_SQL}, key, column_name`,
      segmentBy: 'effective_from',
    },
    {
      name: 'code_history',
      // One event per code and release of a source.
      key: ['source', 'hcpcs', 'release_id'],
      orderBy: `source, ${CODE_HISTORY_ORDER}`,
      segmentBy: 'date',
    },
  ];
}

/**
 * Builds <fact>_history of a source from its loaded releases: intervals per key. Idempotent: the
 * table is replaced. With `added` (releases added to a published run, and the earliest of their
 * effective dates), when every added release comes after every other one, the closed intervals
 * are kept and only the open ones are derived again. What changed between releases
 * (release_diff, code_history) is derived from the result by `deriveChanges`.
 */
export async function buildHistory(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  added: AddedReleases | null = null,
): Promise<BuiltHistory> {
  const spec = await describeHistory(connection, pipeline);
  const extended = added !== null && (await appendsOnly(connection, spec, added));
  if (extended) {
    await withSince(connection, added.since, () => connection.run(extendedHistorySql(spec)));
  } else {
    // One commit: a commit per statement (an ALTER per NOT NULL column, a COMMENT per column)
    // cost more than the statements on the small tables of most sources.
    try {
      await connection.run(
        `BEGIN TRANSACTION;\n${historyTableSql(spec)};\n${historyConstraints(spec)}\n${historyComments(spec)}\nCOMMIT`,
      );
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => {});
      throw error;
    }
  }
  return { spec, added, extended };
}

/** A source's history as built, for deriving its changes. */
export interface BuiltHistory {
  spec: HistorySpec;
  added: AddedReleases | null;
  /** True when the history was extended (appended releases), not derived again. */
  extended: boolean;
}

/**
 * A source's rows of release_diff (consecutive releases) and, when the key has an hcpcs column,
 * of code_history, from its history: they read the history table only, so they can be derived
 * on another connection while the source's checks run. Idempotent: the source's rows are
 * replaced; with added releases, the release pairs ending before the first added day keep their
 * rows. The tables exist (src/models/release_diff.sql, code_history.sql): views read them, so
 * a run creates them first.
 */
export async function deriveChanges(
  connection: DuckDBConnection,
  { spec, added, extended }: BuiltHistory,
): Promise<void> {
  const source = literal(spec.source);
  // Without a day (a full build), every pair.
  const day = "coalesce((SELECT day FROM _history_since), DATE '0001-01-01')";
  const from = ` AND effective_from >= ${day}`;
  const pairs = `SELECT * FROM (${consecutivePairsSql(spec.source)}) WHERE to_day >= ${day}`;
  await withSince(connection, added?.since ?? null, async () => {
    await connection.run(`
      DELETE FROM release_diff WHERE source = ${source}${from};
      INSERT INTO release_diff
      SELECT * FROM (${diffSql(spec, pairs, true)})
      ORDER BY effective_from, ${CHANGE_ORDER_SQL}, key, column_name;`);
    if (spec.key.includes('hcpcs')) {
      // Releases appended: only codes with a change from the first added release on have new
      // events, and only from that day on: events before it stay (appending later releases
      // changes neither the intervals that ended before it nor where a code's spans start).
      const changed = `(SELECT hcpcs FROM release_diff WHERE source = ${source}${from})`;
      await connection.run(
        extended
          ? `DELETE FROM code_history WHERE source = ${source} AND date >= ${day} AND hcpcs IN ${changed};
             ${codeHistorySql(spec, { codes: changed, since: day })}`
          : `DELETE FROM code_history WHERE source = ${source};
             ${codeHistorySql(spec)}`,
      );
    }
  });
}

/**
 * Runs `work` with the connection's temp table _history_since holding `since` (no row: none).
 * The day comes from a manifest: it reaches SQL through a table, never in the SQL text.
 */
async function withSince(
  connection: DuckDBConnection,
  since: string | null,
  work: () => Promise<unknown>,
): Promise<void> {
  await connection.run('CREATE OR REPLACE TEMP TABLE _history_since (day DATE)');
  if (since !== null) {
    const insert = await connection.prepare('INSERT INTO _history_since VALUES ($1::DATE)');
    insert.bind([since]);
    await insert.run();
  }
  await work();
  await connection.run('DROP TABLE _history_since');
}

/** Releases a refresh added to a published run, and the earliest day they take effect. */
export interface AddedReleases {
  releases: readonly string[];
  since: string;
}

/** True when the history table exists and no release it covers starts on or after `since`. */
async function appendsOnly(
  connection: DuckDBConnection,
  spec: HistorySpec,
  added: AddedReleases,
): Promise<boolean> {
  const prepared = await connection.prepare(`
    SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = $1 AND schema_name = 'main'),
           (SELECT count(*) FROM release WHERE source = $2 AND effective_from >= $3::DATE
              AND NOT list_contains($4::VARCHAR[], release_id))`);
  prepared.bind([spec.history, spec.source, added.since, listValue([...added.releases])]);
  const [exists, later] = (await prepared.runAndReadAll()).getRowsJS()[0] as [bigint, bigint];
  return Number(exists) === 1 && Number(later) === 0;
}

/** Releases of the source in effective-date order (seq), with the next full release after each. */
function releasesSql(source: string): string {
  return `
    rel AS (
      SELECT release_id, effective_from, is_full,
             row_number() OVER (ORDER BY effective_from, release_id) AS seq
      FROM release WHERE source = ${literal(source)} AND effective_from IS NOT NULL
    ),
    rel_next AS (
      SELECT r.*, (SELECT min(f.seq) FROM rel f WHERE f.is_full AND f.seq > r.seq) AS next_full_seq
      FROM rel r
    )`;
}

/**
 * One row per key and interval. A key's listing in a release opens an interval when it is the
 * key's first listing, when its row hash differs from the previous listing, or when a full
 * release between the two listings left the key out. The interval ends (valid_to, exclusive) at
 * the next listing that opens an interval or at the first full release after its last listing,
 * whichever comes first; it is open (NULL) when neither exists. Partial releases that leave the
 * key out end nothing. The windows run over narrow rows (key, release, hash, lineage); the
 * business columns are joined back for the listing that opens each interval.
 */
function historyTableSql(spec: HistorySpec): string {
  return `
    CREATE OR REPLACE TABLE ${identifier(spec.history)} AS
    ${intervalsSql(spec)}
    ORDER BY ${keyListSql(spec.key)}, valid_from`;
}

/**
 * The history after releases were appended (each later than every release before): an interval
 * that ended stays as it was, since only a later listing or full release could end it and those
 * came before. An open interval stands for its listings before the added releases: it enters the
 * derivation as one listing on its first release, with the same values, whose next full release
 * is the first full one added (no earlier full release came after its last listing, or the
 * interval would have ended). With the added releases' listings, that is all the derivation
 * needs: the old releases' rows are not read again.
 */
function extendedHistorySql(spec: HistorySpec): string {
  const history = identifier(spec.history);
  const next = identifier(`${spec.history}__next`);
  const key = keyListSql(spec.key);
  const fact = identifier(spec.fact);
  const ctes = `,
    first_added AS (
      SELECT min(seq) AS seq FROM rel WHERE effective_from >= (SELECT day FROM _history_since)
    )`;
  const obs = `
      SELECT r.seq, (SELECT min(seq) FROM rel WHERE is_full AND seq >= (SELECT seq FROM first_added)) AS next_full_seq,
             h.first_release AS release_id, h.source_file, h.source_line, ${keyListSql(spec.key, 'h')}, h.row_hash
      FROM ${history} h JOIN rel r ON r.release_id = h.first_release
      WHERE h.valid_to IS NULL
      UNION ALL BY NAME
      SELECT r.seq, r.next_full_seq, f.*
      FROM (SELECT release_id, source_file, source_line, ${key}, ${ROW_HASH_SQL} AS row_hash
            FROM ${fact}
            WHERE release_id IN (SELECT release_id FROM rel WHERE seq >= (SELECT seq FROM first_added))) f
      JOIN rel_next r USING (release_id)`;
  // The values of an interval's first listing: an open interval has them itself.
  const others = spec.columns
    .filter((c) => !spec.key.includes(c.name))
    .map((c) => identifier(c.name));
  const rows = `(
      SELECT first_release AS release_id, source_file, source_line, ${key}, ${others.join(', ')}
      FROM ${history} WHERE valid_to IS NULL
      UNION ALL BY NAME
      SELECT release_id, source_file, source_line, ${key}, ${others.join(', ')}
      FROM ${fact}
      WHERE release_id IN (SELECT release_id FROM rel WHERE seq >= (SELECT seq FROM first_added)))`;
  // The intervals that ended stay as they are. An open interval is still there with the same
  // key and start: only its end and last release move on, updated in place (rewriting its rows,
  // every business column, cost more than deriving them). Intervals the added releases opened are
  // inserted with their values, looked up among the added releases' rows only: joined with the
  // whole fact table, DuckDB built its hash table on every release's rows (a fact table of 1.6
  // million rows at 100 releases: 0.9 s of a +1 refresh). An inserted interval starts on its first
  // release's effective date, on or after the day. The derivation keeps the interval columns
  // only (narrow rows).
  const interval = ['valid_from', 'valid_to', 'first_release', 'last_release', 'row_hash'];
  return `
    CREATE OR REPLACE TEMP TABLE ${next} AS
    SELECT ${key}, ${interval.join(', ')}, source_file, source_line
    FROM (${intervalsSql(spec, ctes, obs, rows)});
    UPDATE ${history} h SET valid_to = n.valid_to, last_release = n.last_release
    FROM ${next} n
    WHERE h.valid_to IS NULL AND h.valid_from = n.valid_from AND ${keyEqualsSql(spec.key, 'h', 'n')};
    INSERT INTO ${history} BY NAME
    SELECT n.*, ${others.map((c) => `f.${c}`).join(', ')}
    FROM ${next} n
    JOIN (SELECT * FROM ${fact} WHERE release_id IN (
            SELECT release_id FROM release WHERE source = ${literal(spec.source)}
              AND effective_from >= (SELECT day FROM _history_since))) f
      ON f.release_id = n.first_release AND f.source_file = n.source_file
                  AND f.source_line = n.source_line AND ${keyEqualsSql(spec.key, 'f', 'n')}
    WHERE n.valid_from >= (SELECT day FROM _history_since)
    ORDER BY ${keyListSql(spec.key, 'n')}, n.valid_from;
    DROP TABLE ${next}`;
}

/**
 * The intervals query; `ctes` adds CTEs after the releases', `obs` replaces the listings (every
 * row of the fact table, with its release's seq and next full release), `rows` the fact table
 * where an interval's values are looked up by the listing that opens it.
 *
 * Reading the fact table itself, a listing carries its rowid to find its row again, not its
 * release, file and line: the windows hold every listing, and the narrower rows halved their
 * memory (100 releases: 238 MB → 103 MB, and 30 % less time). The listings of an extended history
 * come partly from the history, which has no rowid of the fact table: they carry file and line.
 */
function intervalsSql(spec: HistorySpec, ctes = '', obs?: string, rows?: string): string {
  const key = keyListSql(spec.key);
  const others = spec.columns.filter((c) => !spec.key.includes(c.name));
  const fact = identifier(spec.fact);
  const byRowid = obs === undefined;
  const listings =
    obs ??
    `
      SELECT r.seq, r.next_full_seq, f.* EXCLUDE (release_id)
      FROM (SELECT rowid AS fact_row, release_id, ${key}, ${ROW_HASH_SQL} AS row_hash
            FROM ${fact}) f
      JOIN rel_next r USING (release_id)`;
  const opening = byRowid
    ? `JOIN ${fact} f ON f.rowid = i.fact_row`
    : `JOIN ${rows ?? fact} f ON f.release_id = i.release_id AND f.source_file = i.source_file
                  AND f.source_line = i.source_line AND ${keyEqualsSql(spec.key, 'f', 'i')}`;
  const line = byRowid ? ['f.source_file', 'f.source_line'] : ['i.source_file', 'i.source_line'];
  return `
    WITH ${releasesSql(spec.source)}${ctes},
    obs AS (${listings}
    ),
    moves AS (
      SELECT *,
             lag(seq) OVER w AS prev_seq, lag(row_hash) OVER w AS prev_hash,
             lag(next_full_seq) OVER w AS prev_next_full,
             lead(seq) OVER w AS next_seq, lead(row_hash) OVER w AS next_hash
      FROM obs WINDOW w AS (PARTITION BY ${key} ORDER BY seq)
    ),
    flagged AS (
      SELECT *,
             prev_seq IS NULL OR prev_hash <> row_hash OR coalesce(prev_next_full < seq, false) AS opens,
             next_seq IS NULL OR next_hash <> row_hash OR coalesce(next_full_seq < next_seq, false) AS closes,
             least(next_seq, next_full_seq) AS end_seq
      FROM moves
    ),
    bounds AS (
      SELECT *, lead(end_seq) OVER (PARTITION BY ${key} ORDER BY seq) AS following_end
      FROM flagged WHERE opens OR closes
    ),
    intervals AS (
      SELECT *, CASE WHEN closes THEN end_seq ELSE following_end END AS interval_end
      FROM bounds WHERE opens
    ),
    -- The last release's seq as a column: computed in the join condition, it made DuckDB join
    -- every interval with every release.
    spans AS (
      SELECT *, coalesce(interval_end - 1, (SELECT max(seq) FROM rel)) AS last_seq FROM intervals
    )
    SELECT ${keyListSql(spec.key, 'i')},
           rf.effective_from AS valid_from,
           re.effective_from AS valid_to,
           rf.release_id AS first_release,
           rl.release_id AS last_release,
           i.row_hash,
           ${[...others.map((c) => `f.${identifier(c.name)}`), ...line].join(', ')}
    FROM spans i
    ${opening}
    JOIN rel rf ON rf.seq = i.seq
    LEFT JOIN rel re ON re.seq = i.interval_end
    JOIN rel rl ON rl.seq = i.last_seq
`;
}

/** NOT NULL where the fact table has it, and on the interval columns always set. */
function historyConstraints(spec: HistorySpec): string {
  const table = identifier(spec.history);
  const always = [
    'valid_from',
    'first_release',
    'last_release',
    'row_hash',
    'source_file',
    'source_line',
  ];
  return [...spec.columns.filter((c) => c.notNull).map((c) => c.name), ...always]
    .map((c) => `ALTER TABLE ${table} ALTER COLUMN ${identifier(c)} SET NOT NULL;`)
    .join('\n');
}

function historyComments(spec: HistorySpec): string {
  const table = identifier(spec.history);
  const fixed: Record<string, string> = {
    valid_from: 'First day of the interval: effective_from of first_release.',
    valid_to:
      'Day the interval ends (exclusive): effective_from of the release that changed the row or, being a full release, left it out; NULL while current.',
    first_release: 'First release of the interval (release.release_id).',
    last_release:
      'Last release in force during the interval (partial releases that leave the key out included).',
    row_hash:
      'DuckDB hash() of the business columns (every column of the fact table but release_id, source_file and source_line) as a struct: equal rows, equal hash; compare within one build.',
    source_file: 'File of the row in first_release (source_file.source_file).',
    source_line: 'Line of the row in that file (1-based).',
  };
  const comments = [
    `COMMENT ON TABLE ${table} IS ${literal(
      `History of ${spec.fact}: one row per key (${spec.key.join(', ')}) and interval of unchanged values, ` +
        'consecutive releases with the same row collapsed; a key left out of a full release ends its interval, ' +
        'a partial release ends nothing. Intervals of a key never overlap.',
    )};`,
    ...Object.entries(fixed).map(
      ([column, text]) => `COMMENT ON COLUMN ${table}.${identifier(column)} IS ${literal(text)};`,
    ),
    ...spec.columns
      .filter((c) => c.comment)
      .map(
        (c) =>
          `COMMENT ON COLUMN ${table}.${identifier(c.name)} IS ${literal(c.comment as string)};`,
      ),
  ];
  return comments.join('\n');
}

/**
 * Code-level events from the key intervals: a code's presence is the union of its keys'
 * intervals; each continuous span starts with added (the first) or returned, and ends with
 * ended; a release_diff change of a row of the code inside a span is changed. With `only`,
 * the events of those codes (a SQL list) dated on or after `since` (a SQL date).
 */
function codeHistorySql(
  spec: HistorySpec,
  only: { codes: string; since: string } | null = null,
): string {
  const source = literal(spec.source);
  const never = "DATE '9999-12-31'";
  const onlyCodes = only?.codes;
  const codes = onlyCodes ? ` WHERE CAST(hcpcs AS VARCHAR) IN ${onlyCodes}` : '';
  return `
    INSERT INTO code_history
    WITH rel AS (
      SELECT release_id, effective_from FROM release
      WHERE source = ${source} AND effective_from IS NOT NULL
    ),
    h AS (SELECT CAST(hcpcs AS VARCHAR) AS hcpcs, valid_from, valid_to FROM ${identifier(spec.history)}${codes}),
    reached AS (
      SELECT *, max(coalesce(valid_to, ${never})) OVER (
               PARTITION BY hcpcs ORDER BY valid_from, valid_to
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
      FROM h
    ),
    islands AS (
      SELECT *, sum(CASE WHEN reach IS NULL OR valid_from > reach THEN 1 ELSE 0 END) OVER (
               PARTITION BY hcpcs ORDER BY valid_from, valid_to ROWS UNBOUNDED PRECEDING) AS island
      FROM reached
    ),
    spans AS (
      SELECT hcpcs, island, min(valid_from) AS span_from,
             nullif(max(coalesce(valid_to, ${never})), ${never}) AS span_to
      FROM islands GROUP BY hcpcs, island
    ),
    spans_after AS (
      SELECT *, lag(span_to) OVER (PARTITION BY hcpcs ORDER BY span_from) AS previous_end FROM spans
    ),
    events AS (
      SELECT s.hcpcs, s.span_from AS date, r.release_id,
             CASE WHEN s.island = 1 THEN 'added' ELSE 'returned' END AS action,
             CASE WHEN s.island > 1
                    THEN 'listed again in ' || r.release_id || ' after it ended on ' || s.previous_end
                  WHEN s.span_from = (SELECT min(effective_from) FROM rel)
                    THEN 'listed in ' || r.release_id || ', the first loaded ' || ${source} || ' release'
                  ELSE 'first appearance, in ' || r.release_id END AS notes
      FROM spans_after s JOIN rel r ON r.effective_from = s.span_from
      UNION ALL
      SELECT s.hcpcs, s.span_to, r.release_id, 'ended',
             'not in ' || r.release_id || ', a full release'
      FROM spans s JOIN rel r ON r.effective_from = s.span_to
      UNION ALL
      SELECT d.hcpcs, d.effective_from, d.to_release, 'changed',
             string_agg(DISTINCT d.fragment, '; ' ORDER BY d.fragment)
      FROM (
        SELECT *,
               regexp_replace(trim(regexp_replace(key, '(^| )hcpcs=\\S*', '')), '\\S+=(\\s|$)', '', 'g') AS rest,
               CASE change
                 WHEN 'changed' THEN CASE WHEN rest <> '' THEN rest || ': ' ELSE '' END ||
                   column_name || ' ' || coalesce(old_value, '(none)') || ' → ' || coalesce(new_value, '(none)')
                 WHEN 'added' THEN 'row added: ' || key
                 ELSE 'row ended: ' || key END AS fragment
        FROM release_diff WHERE source = ${source}${
          only ? ` AND hcpcs IN ${only.codes} AND effective_from >= ${only.since}` : ''
        }
      ) d
      JOIN spans s ON s.hcpcs = d.hcpcs AND s.span_from < d.effective_from
                   AND d.effective_from < coalesce(s.span_to, ${never})
      GROUP BY d.hcpcs, d.effective_from, d.to_release
    )
    SELECT ${source}, hcpcs, date, release_id, action, notes FROM events${
      only ? ` WHERE date >= ${only.since}` : ''
    }
    ORDER BY ${CODE_HISTORY_ORDER}`;
}
