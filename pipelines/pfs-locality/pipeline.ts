import type { PipelineDefinition, SourceColumn } from '../../src/pipeline-definition.js';
import { LOCALITY_NUMBER, MAC } from '../pfs-rvu/locality-columns.js';
import { RVU_PACKAGE_MEMBER } from '../pfs-rvu/package-member.js';

/**
 * yyLOCCO.csv of the RVU zip: "Counties included in yyyy localities" (SOURCES.md: 25LOCCO.csv).
 * As published: MAC and locality without their leading zeros, the state only on a state's
 * first row, trailing spaces, the header's "Adminstrative", a blank line between states, a
 * footnote, and one locality listed twice (05302 99, "serviced by two carriers"). RVU26C ships
 * the file as .xlsx only (cms-formats.md §11.1). The TXT copy (25LOCCO.txt) is the variant, read
 * by position and compared row for row: CMS publishes no layout for it, the positions are the
 * file's own (its header's columns do not line up with the values under them). Its lines are
 * ragged (trailing blanks cut, 148 to 201 characters): the counties run to the end of the line,
 * the longest line being the record length. It has the CSV's quirks but the dropped zeros.
 */
/** The TXT's counties field: 58 characters, where the CSV's longest list has 142 (cut short). */
const COUNTIES = {
  name: 'counties',
  header: 'Counties',
  required: true,
  position: [144, 201],
} as const satisfies SourceColumn;
const TXT_COUNTIES_WIDTH = COUNTIES.position[1] - COUNTIES.position[0] + 1;

/**
 * Staged rows of the CSV (or XLSX) and of the TXT variant, paired by release, locality and
 * occurrence (05302 99 is listed twice), with the CSV's counties cut to the TXT's width.
 */
const PAIRED_VARIANT_ROWS = `
  WITH p AS (
    SELECT *, row_number() OVER (PARTITION BY release_id, mac, locality_number ORDER BY source_line) AS nth
    FROM stg_pfs_locality
    WHERE release_id IN (SELECT release_id FROM stg_pfs_locality__variant)
  ),
  v AS (
    SELECT *, row_number() OVER (PARTITION BY release_id, mac, locality_number ORDER BY source_line) AS nth
    FROM stg_pfs_locality__variant
  )
  SELECT p.release_id, p.mac, p.locality_number,
         p.source_file || ':' || p.source_line AS primary_line,
         v.source_file || ':' || v.source_line AS variant_line,
         p.state_name AS primary_state, v.state_name AS variant_state,
         p.fee_schedule_area AS primary_area, v.fee_schedule_area AS variant_area,
         -- Cut to the TXT's width where the TXT was read by position, not when saved tab-delimited.
         CASE WHEN coalesce((SELECT format FROM source_file f WHERE f.source_file = v.source_file), 'fixed-width') = 'fixed-width'
              THEN rtrim(left(p.counties, ${TXT_COUNTIES_WIDTH})) ELSE p.counties END AS primary_counties,
         v.counties AS variant_counties
  FROM p FULL JOIN v USING (release_id, mac, locality_number, nth)`;

export const pfsLocalityPipeline: PipelineDefinition = {
  source: 'pfs-locality',
  ...RVU_PACKAGE_MEMBER,
  title: 'CMS PFS Medicare localities and the counties they include',
  license: 'CMS public data.',
  files: [
    { pattern: /^\d{2}locco.*\.csv$/i, format: 'csv', role: 'primary' },
    { pattern: /^\d{2}locco.*\.xlsx$/i, format: 'xlsx', role: 'primary' },
    { pattern: /^\d{2}locco.*\.txt$/i, format: 'fixed-width', role: 'variant' },
  ],
  columns: [
    { ...MAC, position: [5, 9] },
    { ...LOCALITY_NUMBER, position: [17, 18] },
    { name: 'state_name', header: 'State', position: [23, 44] },
    {
      name: 'fee_schedule_area',
      header: 'Fee Schedule Area',
      required: true,
      position: [46, 142],
    },
    COUNTIES,
  ],
  csv: { headerAnchor: /^MEDICARE ADMINI?STRATIVE CONTRACTOR/, encoding: 'windows-1252' },
  // A record: four spaces, the MAC, the locality. Before the first, the title, the header and
  // blank lines; blank lines between states; after the last, the footnote.
  fixedWidth: {
    recordLength: 201,
    recordPattern: ' {4}[0-9]{5} +[0-9]{2} .*',
    blankLines: 'skip',
    trailer: true,
    encoding: 'windows-1252',
  },
  xlsx: { headerAnchor: 'Medicare Adminstrative Contractor' },
  nonRecords: { blank: true, notes: '^[^0-9]' },
  stagingTable: 'stg_pfs_locality',
  factTables: [{ name: 'pfs_locality', key: ['mac', 'locality_number'] }],
  rowPerStagedRow: false,
  // By the checks below: the TXT cuts the counties short, and RVU25D's two files word two
  // Californian localities differently (names that enter no payment), so the localities must
  // agree (blocking) and the wording is compared as far as the TXT goes (a warning).
  variantComparison: 'declared-checks',
  maxRejectRate: 0,
  models: ['pfs_locality.sql'],
  checks: [
    {
      name: 'variant files list the same localities',
      table: 'pfs_locality',
      severity: 'blocking',
      failures: `
        SELECT 'only in ' || CASE WHEN variant_line IS NULL THEN primary_line ELSE variant_line END
               || ': ' || release_id || ' locality ' || mac || ' ' || locality_number
        FROM (${PAIRED_VARIANT_ROWS})
        WHERE primary_line IS NULL OR variant_line IS NULL
        ORDER BY ALL`,
    },
    {
      name: 'variant files word the localities alike (counties to the TXT width)',
      table: 'pfs_locality',
      severity: 'warning',
      failures: `
        SELECT release_id || ' locality ' || mac || ' ' || locality_number || ': ' || concat_ws('; ',
                 CASE WHEN primary_state IS DISTINCT FROM variant_state THEN
                   'state ' || coalesce('"' || primary_state || '"', 'blank') || ' at ' || primary_line
                   || ', ' || coalesce('"' || variant_state || '"', 'blank') || ' at ' || variant_line END,
                 CASE WHEN primary_area IS DISTINCT FROM variant_area THEN
                   'area "' || primary_area || '" at ' || primary_line
                   || ', "' || variant_area || '" at ' || variant_line END,
                 CASE WHEN primary_counties IS DISTINCT FROM variant_counties THEN
                   'counties "' || primary_counties || '" at ' || primary_line
                   || ', "' || variant_counties || '" at ' || variant_line END)
        FROM (${PAIRED_VARIANT_ROWS})
        WHERE primary_line IS NOT NULL AND variant_line IS NOT NULL
          AND (primary_state IS DISTINCT FROM variant_state
               OR primary_area IS DISTINCT FROM variant_area
               OR primary_counties IS DISTINCT FROM variant_counties)
        ORDER BY ALL`,
    },
    {
      name: 'a locality listed twice is listed alike',
      table: 'pfs_locality',
      severity: 'warning',
      failures: `
        SELECT s.source_file || ':' || s.source_line || ': locality ' || s.mac || ' ' || s.locality_number
               || ' listed again (first on line ' || l.source_line || '); loaded once'
        FROM stg_pfs_locality s JOIN pfs_locality l
          ON l.release_id = s.release_id AND l.mac = s.mac AND l.locality_number = s.locality_number
        WHERE s.source_line <> l.source_line`,
    },
  ],
};
