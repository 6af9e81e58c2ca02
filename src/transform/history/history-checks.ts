import { identifier, literal } from '../../db/sql.js';
import { RELEASES_READ } from '../../extract/raw-releases.js';
import type { DeclaredCheck, PipelineDefinition } from '../../pipeline-definition.js';
import { OPEN_END } from './diff-sql.js';
import { keyEqualsSql, keyListSql, keyTextSql, mainFact, ROW_HASH_SQL } from './spec.js';

/**
 * Checks of <fact>_history against the fact table and the release table: intervals are
 * well-formed and never overlap, unchanged releases are collapsed, every loaded row lies in
 * exactly one interval with its values (no gaps while a key is listed), and an interval ends
 * only where a release changes the row or a full release leaves it out.
 */
export function historyChecks(pipeline: PipelineDefinition): DeclaredCheck[] {
  const fact = mainFact(pipeline);
  const table = `${fact.name}_history`;
  const h = identifier(table);
  const source = literal(pipeline.source);
  const key = keyListSql(fact.key);
  const releases = `(SELECT release_id, effective_from, is_full FROM release
                     WHERE source = ${source} AND effective_from IS NOT NULL)`;
  const listed = `(SELECT release_id, source_file, source_line, ${key}, ${ROW_HASH_SQL} AS row_hash
                   FROM ${identifier(fact.name)})`;
  // What this run could change: from the first day of the releases it read on, the rows and the
  // intervals ending (a run building on a published one keeps what ended before; it passed these
  // checks when that run published it). A full build reads every release: everything.
  const firstReadDay = `(SELECT coalesce(min(effective_from), ${OPEN_END}) FROM release
                         WHERE source = ${source}
                           AND release_id IN (SELECT release_id FROM ${RELEASES_READ} WHERE source = ${source}))`;
  const listedSince = `(SELECT * FROM ${listed} WHERE release_id IN (
                          SELECT release_id FROM release WHERE source = ${source} AND effective_from >= ${firstReadDay}))`;
  const changeable = `(SELECT * FROM ${h} WHERE coalesce(valid_to, ${OPEN_END}) >= ${firstReadDay})`;
  return [
    {
      name: 'releases of a source start on different days',
      table: 'release',
      severity: 'blocking',
      failures: `
        SELECT 'releases ' || string_agg(release_id, ', ' ORDER BY release_id) || ' all start on ' || effective_from
        FROM release WHERE source = ${source} AND effective_from IS NOT NULL
        GROUP BY effective_from HAVING count(*) > 1`,
    },
    {
      name: 'every release has an effective date (releases without one are left out of the history)',
      table: 'release',
      severity: 'warning',
      failures: `
        SELECT release_id || ': no effective_from; set it in the manifest or in the pipeline''s releaseOverrides'
        FROM release WHERE source = ${source} AND effective_from IS NULL`,
    },
    {
      name: 'history intervals are well-formed (valid_from < valid_to, first release listed)',
      table,
      severity: 'blocking',
      failures: `
        SELECT ${keyTextSql(fact.key, 'h')} || ' from ' || coalesce(CAST(h.valid_from AS VARCHAR), 'NULL') ||
               ' to ' || coalesce(CAST(h.valid_to AS VARCHAR), 'NULL') || ': ' ||
               CASE WHEN h.valid_from IS NULL OR h.valid_to <= h.valid_from THEN 'valid_from is not before valid_to'
                    ELSE 'first_release ' || h.first_release || ' does not list the row' END
        FROM ${changeable} h
        LEFT JOIN ${releases} r ON r.release_id = h.first_release
        WHERE h.valid_from IS NULL OR h.valid_to <= h.valid_from
           OR r.effective_from IS DISTINCT FROM h.valid_from
           OR (h.valid_from >= ${firstReadDay}
               AND NOT EXISTS (SELECT 1 FROM ${listedSince} f WHERE f.release_id = h.first_release
                               AND ${keyEqualsSql(fact.key, 'f', 'h')} AND f.row_hash = h.row_hash))
        ORDER BY ALL`,
    },
    {
      name: 'history intervals of a key do not overlap',
      table,
      severity: 'blocking',
      failures: `
        SELECT ${keyTextSql(fact.key, 'h')} || ': interval from ' || valid_from || ' starts before the previous one (from ' ||
               previous_from || ') ends'
        FROM (SELECT *, lag(valid_from) OVER w AS previous_from, lag(valid_to) OVER w AS previous_to,
                     row_number() OVER w AS n
              FROM ${h} WINDOW w AS (PARTITION BY ${key} ORDER BY valid_from)) h
        WHERE n > 1 AND (previous_to IS NULL OR previous_to > valid_from)
        ORDER BY ALL`,
    },
    {
      name: 'history collapses unchanged releases (touching intervals of a key differ)',
      table,
      severity: 'blocking',
      failures: `
        SELECT ${keyTextSql(fact.key, 'h')} || ': intervals meeting on ' || valid_from || ' have the same values'
        FROM (SELECT *, lag(valid_to) OVER w AS previous_to, lag(row_hash) OVER w AS previous_hash
              FROM ${h} WINDOW w AS (PARTITION BY ${key} ORDER BY valid_from)) h
        WHERE previous_to = valid_from AND previous_hash = row_hash
        ORDER BY ALL`,
    },
    {
      name: 'history has no gaps: every loaded row lies in exactly one interval with its values',
      table,
      severity: 'blocking',
      // At most one: two would be overlapping intervals of a key, which "history intervals of
      // a key do not overlap" catches. So a row in no interval fails: an anti-join, no count.
      // Written as one (not NOT EXISTS): DuckDB decorrelated the subquery by storing every
      // loaded row first, a third of the run's memory; the join hashes the history only.
      failures: `
        SELECT f.source_file || ':' || f.source_line || ' (' || f.release_id || ' ' ||
               ${keyTextSql(fact.key, 'f')} || '): in no interval with its values'
        FROM ${listedSince} f JOIN ${releases} r USING (release_id)
        ANTI JOIN ${h} h
          ON ${keyEqualsSql(fact.key, 'f', 'h')} AND h.row_hash = f.row_hash
            AND h.valid_from <= r.effective_from AND r.effective_from < coalesce(h.valid_to, ${OPEN_END})
        ORDER BY ALL`,
    },
    {
      name: 'a history interval ends only where a release changes the row or a full release leaves it out',
      table,
      severity: 'blocking',
      failures: `
        SELECT ${keyTextSql(fact.key, 'h')} || ': interval ends on ' || h.valid_to || ' but ' ||
               CASE WHEN r.release_id IS NULL THEN 'no release starts that day'
                    WHEN f.row_hash IS NULL THEN r.release_id || ' is partial and leaves it out'
                    ELSE r.release_id || ' lists it unchanged' END
        FROM ${changeable} h
        LEFT JOIN ${releases} r ON r.effective_from = h.valid_to
        LEFT JOIN ${listedSince} f ON f.release_id = r.release_id AND ${keyEqualsSql(fact.key, 'f', 'h')}
        WHERE h.valid_to IS NOT NULL
          AND (r.release_id IS NULL OR f.row_hash = h.row_hash OR (f.row_hash IS NULL AND NOT r.is_full))
        ORDER BY ALL`,
    },
  ];
}
