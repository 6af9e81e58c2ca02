import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { LOCALITY_NUMBER, MAC } from '../pfs-rvu/locality-columns.js';
import { RVU_PACKAGE_MEMBER } from '../pfs-rvu/package-member.js';

/**
 * yyLOCCO.csv of the RVU zip: "Counties included in yyyy localities" (SOURCES.md: 25LOCCO.csv).
 * As published: MAC and locality without their leading zeros, the state only on a state's
 * first row, trailing spaces, the header's "Adminstrative", a blank line between states, a
 * footnote, and one locality listed twice (05302 99, "serviced by two carriers"). RVU26C ships
 * the file as .xlsx only (cms-formats.md §11.1). The TXT copy's widths are ragged: not read.
 */
export const pfsLocalityPipeline: PipelineDefinition = {
  source: 'pfs-locality',
  ...RVU_PACKAGE_MEMBER,
  title: 'CMS PFS Medicare localities and the counties they include',
  license: 'CMS public data.',
  files: [
    { pattern: /^\d{2}locco.*\.csv$/i, format: 'csv', role: 'primary' },
    { pattern: /^\d{2}locco.*\.xlsx$/i, format: 'xlsx', role: 'primary' },
  ],
  columns: [
    MAC,
    LOCALITY_NUMBER,
    { name: 'state_name', header: 'State' },
    { name: 'fee_schedule_area', header: 'Fee Schedule Area', required: true },
    { name: 'counties', header: 'Counties', required: true },
  ],
  csv: { headerAnchor: /^MEDICARE ADMINI?STRATIVE CONTRACTOR/ },
  xlsx: { headerAnchor: 'Medicare Adminstrative Contractor' },
  nonRecords: { blank: true, notes: '^[^0-9]' },
  stagingTable: 'stg_pfs_locality',
  factTables: [{ name: 'pfs_locality', key: ['mac', 'locality_number'] }],
  rowPerStagedRow: false,
  variantComparison: 'staged-rows',
  maxRejectRate: 0,
  models: ['pfs_locality.sql'],
  checks: [
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
