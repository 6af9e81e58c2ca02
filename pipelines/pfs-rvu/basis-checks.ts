import type { DeclaredCheck } from '../../src/pipeline-definition.js';
import { PFS_RVU_COLUMNS } from './columns.js';

/**
 * Columns a QPP file may give otherwise than its release's non-QPP file (cms-formats.md §11.1):
 * the conversion factor and pricing indicator (one per file) and the OPPS-payment columns.
 */
export const BASIS_COLUMNS = [
  'conversion_factor',
  'pricing_indicator',
  'non_facility_pe_opps',
  'facility_pe_opps',
  'mp_opps',
] as const;

/**
 * The staged rows of one basis. The files come from source_file (a handful of rows), so a release
 * without a QPP file costs a lookup, not a pass over every staged row.
 */
const stagedOf = (basis: string) => `(
  SELECT * FROM stg_pfs_rvu WHERE source_file IN (
    SELECT source_file FROM source_file
    WHERE source = 'pfs-rvu' AND role = 'primary' AND pfs_payment_basis(source_file) = '${basis}'))`;
const STAGED_QPP = stagedOf('qpp');
const STAGED_NON_QPP = stagedOf('non_qpp');

/** A staged value as compared: decimals as numbers ("0.10" equals ".10"), the rest as text. */
function compared(alias: string, column: (typeof PFS_RVU_COLUMNS)[number]): string {
  return column.decimal
    ? `TRY_CAST(clean_number(${alias}.${column.name}) AS DECIMAL(${column.decimal.precision}, ${column.decimal.scale}))`
    : `${alias}.${column.name}`;
}

/**
 * The columns compared: each gives the text of a difference, or NULL where the two rows agree.
 * One join of the two files' rows, the differences then listed per column: a join per column (30)
 * held a hash table of the non-QPP rows each, and ten years of releases ran out of memory. The
 * same text agrees without being parsed: almost every value is, and parsing both sides' decimals
 * was most of the check (the mix's 40 releases: 3.8 s).
 */
const COMPARED = PFS_RVU_COLUMNS.filter(
  (c) =>
    !(BASIS_COLUMNS as readonly string[]).includes(c.name) &&
    !['hcpcs', 'modifier'].includes(c.name),
);
/** Pairs whose every compared value is the same text agree: only the others are compared. */
const TEXT_DIFFERS = COMPARED.map((c) => `q.${c.name} IS DISTINCT FROM n.${c.name}`).join(
  '\n           OR ',
);
const DIFFERENCES = COMPARED.map(
  (c) => `
          CASE WHEN q.${c.name} IS NOT DISTINCT FROM n.${c.name} THEN NULL
            WHEN ${compared('q', c)} IS DISTINCT FROM ${compared('n', c)}
            THEN '${c.name} (${c.header}) is ' || coalesce(q.${c.name}, 'blank') || ' in the QPP file and ' ||
                 coalesce(n.${c.name}, 'blank') END`,
);

/** The checks of a CY2026+ release's two files, run on the staged rows of each group. */
export const BASIS_CHECKS: readonly DeclaredCheck[] = [
  {
    name: 'the QPP file agrees with the non-QPP file but for the conversion factor, pricing indicator and OPPS-payment columns',
    table: 'pfs_rvu_qpp',
    severity: 'blocking',
    failures: `
      WITH q AS (SELECT * FROM ${STAGED_QPP}),
      n AS (SELECT * FROM ${STAGED_NON_QPP} WHERE release_id IN (SELECT release_id FROM q)),
      pairs AS (
        SELECT q.source_file, q.source_line, n.source_file AS other_file, n.source_line AS other_line,
               [${DIFFERENCES.join(',')}] AS differences
        FROM q JOIN n
          ON n.release_id = q.release_id AND n.hcpcs = q.hcpcs AND n.modifier IS NOT DISTINCT FROM q.modifier
        WHERE ${TEXT_DIFFERS}
      )
      SELECT failure FROM (
        SELECT source_file || ':' || source_line || ': ' || difference || ' in ' || other_file || ':' ||
               other_line AS failure, source_file, source_line
        FROM pairs, unnest(list_filter(differences, lambda d: d IS NOT NULL)) AS t(difference)
      )
      ORDER BY source_file, source_line, failure`,
  },
  {
    name: 'every row of the QPP file has its row in the non-QPP file',
    table: 'pfs_rvu_qpp',
    severity: 'blocking',
    failures: `
      SELECT q.source_file || ':' || q.source_line || ': ' || q.hcpcs || coalesce('-' || q.modifier, '') ||
             ' is in the QPP file but not in a non-QPP file of release ' || q.release_id
      FROM ${STAGED_QPP} q ANTI JOIN ${STAGED_NON_QPP} n
        ON n.release_id = q.release_id AND n.hcpcs = q.hcpcs AND n.modifier IS NOT DISTINCT FROM q.modifier
      ORDER BY q.source_file, q.source_line`,
  },
  {
    name: 'one conversion factor and one pricing indicator per file',
    table: 'pfs_payment_basis',
    severity: 'blocking',
    failures: `
      WITH usual AS (
        SELECT source_file, mode(clean_number(conversion_factor)) AS cf, mode(pricing_indicator) AS pi
        FROM stg_pfs_rvu GROUP BY source_file
      )
      SELECT s.source_file || ':' || s.source_line || ': conversion factor ' || coalesce(s.conversion_factor, 'blank') ||
             ', pricing indicator ' || coalesce(s.pricing_indicator, 'blank') || ' where the file has ' ||
             u.cf || coalesce(' and ' || u.pi, '')
      FROM stg_pfs_rvu s JOIN usual u USING (source_file)
      WHERE TRY_CAST(clean_number(s.conversion_factor) AS DECIMAL(9, 4)) IS DISTINCT FROM TRY_CAST(u.cf AS DECIMAL(9, 4))
         OR s.pricing_indicator IS DISTINCT FROM u.pi
      ORDER BY s.source_file, s.source_line`,
  },
];
