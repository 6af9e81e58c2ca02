import { identifier, literal } from '../../db/sql.js';
import { type HistorySpec, hcpcsSql, keyEqualsSql, keyTextSql } from './spec.js';

/** Columns of release_diff, in order; diffSql() returns exactly these. */
export const RELEASE_DIFF_COLUMNS = [
  'source',
  'from_release',
  'to_release',
  'effective_from',
  'change',
  'key',
  'hcpcs',
  'column_name',
  'old_value',
  'new_value',
  'old_label',
  'new_label',
] as const;

/** Order of the change kinds in release_diff and in `diff` output. */
export const CHANGE_ORDER_SQL = `CASE change WHEN 'added' THEN 1 WHEN 'ended' THEN 2 ELSE 3 END`;

/** Stands for a NULL valid_to (still current) in comparisons, which keeps joins free of OR. */
export const OPEN_END = "DATE '9999-12-31'";

/** The interval h is in force on day: valid_from <= day < valid_to. */
function covers(alias: string, day: string): string {
  return `(${alias}.valid_from <= ${day} AND ${day} < coalesce(${alias}.valid_to, ${OPEN_END}))`;
}

/**
 * What changed between the rows in force on from_day and those in force on to_day, for every
 * pair of pairsSql (a SELECT of pair_id, source, from_release, from_day, to_release, to_day),
 * read from <fact>_history: a key in force only on to_day is 'added', only on from_day 'ended',
 * on both with another row hash 'changed' (one row per column whose value differs, values as
 * text, labels through code_label on each side's day).
 *
 * consecutive: every pair is two consecutive releases of the source, so the intervals that
 * differ are exactly those ending (old side) or starting (new side) on to_day: equality joins.
 * Otherwise the same answer comes from interval coverage of both days.
 */
export function diffSql(spec: HistorySpec, pairsSql: string, consecutive: boolean): string {
  const h = identifier(spec.history);
  const oldSide = consecutive
    ? 'h.valid_to = p.to_day'
    : `${covers('h', 'p.from_day')} AND NOT ${covers('h', 'p.to_day')}`;
  const newSide = consecutive
    ? 'h.valid_from = p.to_day'
    : `${covers('h', 'p.to_day')} AND NOT ${covers('h', 'p.from_day')}`;
  const keys = spec.key.map(
    (k) => `coalesce(o.${identifier(k)}, n.${identifier(k)}) AS ${identifier(k)}`,
  );
  const compared = spec.columns.filter((c) => !spec.key.includes(c.name));
  const sides = compared.flatMap((c, i) => [
    `o.${identifier(c.name)} AS o_${i}`,
    `n.${identifier(c.name)} AS n_${i}`,
  ]);
  // Per row, the columns whose values differ (compared typed, written as text only then), as a
  // list unnested in the same pass: no copy of the joined rows is kept. Reading a materialized
  // copy once per column took the copy's memory (124 MB at 100 releases).
  const differing = compared.map(
    (c, i) => `
          CASE WHEN o_${i} IS DISTINCT FROM n_${i} THEN {
            'column_name': ${literal(c.name)},
            'old_value': CAST(o_${i} AS VARCHAR), 'new_value': CAST(n_${i} AS VARCHAR),
            'system': ${c.system ? literal(c.system) : 'CAST(NULL AS VARCHAR)'}} END`,
  );
  const noColumn = `{'column_name': CAST(NULL AS VARCHAR), 'old_value': CAST(NULL AS VARCHAR),
            'new_value': CAST(NULL AS VARCHAR), 'system': CAST(NULL AS VARCHAR)}`;
  return `
    WITH pairs AS (${pairsSql}),
    old_side AS (SELECT p.pair_id, h.* FROM pairs p JOIN ${h} h ON ${oldSide}),
    new_side AS (SELECT p.pair_id, h.* FROM pairs p JOIN ${h} h ON ${newSide}),
    joined AS (
      SELECT coalesce(o.pair_id, n.pair_id) AS pair_id,
             CASE WHEN o.row_hash IS NULL THEN 'added' WHEN n.row_hash IS NULL THEN 'ended' ELSE 'changed' END AS change,
             ${[...keys, ...sides].join(', ')}
      FROM old_side o FULL OUTER JOIN new_side n
        ON o.pair_id = n.pair_id AND ${keyEqualsSql(spec.key, 'o', 'n')}
      WHERE o.row_hash IS DISTINCT FROM n.row_hash
    ),
    changes AS (
      SELECT pair_id, change, ${keyTextSql(spec.key, 'j')} AS key, ${hcpcsSql(spec.key, 'j')} AS hcpcs,
             unnest(CASE WHEN change = 'changed'
                         THEN list_filter([${differing.join(',')}], c -> c IS NOT NULL)
                         ELSE [${noColumn}] END, recursive := true)
      FROM joined j
    )
    SELECT p.source, p.from_release, p.to_release, p.to_day AS effective_from, d.change, d.key,
           d.hcpcs, d.column_name, d.old_value, d.new_value,
           CASE WHEN d.system IS NOT NULL AND d.old_value IS NOT NULL
                THEN code_label(d.system, d.old_value, p.from_day) END AS old_label,
           CASE WHEN d.system IS NOT NULL AND d.new_value IS NOT NULL
                THEN code_label(d.system, d.new_value, p.to_day) END AS new_label
    FROM changes d JOIN pairs p USING (pair_id)`;
}

/** The pairs of consecutive releases of a source that have an effective date. */
export function consecutivePairsSql(source: string): string {
  return `
    SELECT row_number() OVER (ORDER BY to_day) AS pair_id, source, from_release, from_day, to_release, to_day
    FROM (
      SELECT source,
             lag(release_id) OVER w AS from_release, lag(effective_from) OVER w AS from_day,
             release_id AS to_release, effective_from AS to_day
      FROM release WHERE source = ${literal(source)} AND effective_from IS NOT NULL
      WINDOW w AS (ORDER BY effective_from, release_id)
    ) WHERE from_release IS NOT NULL`;
}
