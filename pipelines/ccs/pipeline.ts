import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { CCS_COLUMNS } from './columns.js';
import { CCS_LANDING_PAGE } from './landing-page.js';

export const ccsPipeline: PipelineDefinition = {
  source: 'ccs',
  title: 'AHRQ HCUP Clinical Classifications Software (CCS) for Services and Procedures',
  cadence: 'annual',
  landingPage: CCS_LANDING_PAGE.url,
  discovery: CCS_LANDING_PAGE,
  license:
    'AHRQ Healthcare Cost and Utilization Project (HCUP) tool, free to use. CPT codes are copyright American Medical Association.',
  files: [{ pattern: /ccs.*services.*procedures.*\.csv$/i, format: 'csv', role: 'primary' }],
  columns: CCS_COLUMNS,
  // Some copies start with a title line ("CLINCAL CLASSIFICATIONS SOFTWARE ..."): the header is
  // found by its first cell.
  csv: { headerAnchor: 'Code Range' },
  stagingTable: 'stg_ccs',
  factTables: [{ name: 'ccs_range', key: ['range_start', 'range_end'] }],
  rowPerStagedRow: true,
  variantComparison: 'staged-rows',
  models: ['ccs_range.sql'],
  checks: [
    {
      name: 'range endpoints have the same shape',
      table: 'ccs_range',
      severity: 'blocking',
      failures: `
        SELECT release_id || ' ' || range_start || '-' || range_end || ': endpoints of different shapes'
        FROM ccs_range WHERE code_shape(range_start) <> code_shape(range_end) OR range_start > range_end`,
    },
    {
      name: 'ranges do not overlap',
      table: 'ccs_range',
      severity: 'blocking',
      failures: `
        SELECT a.release_id || ' ' || a.range_start || '-' || a.range_end || ' overlaps ' || b.range_start || '-' || b.range_end
        FROM ccs_range a JOIN ccs_range b
          ON a.release_id = b.release_id AND a.source_line < b.source_line
         AND code_shape(a.range_start) = code_shape(b.range_start)
         AND a.range_start <= b.range_end AND b.range_start <= a.range_end`,
    },
  ],
  card: {
    releaseColumn: 'ccs_release',
    fields: [{ column: 'ccs_category', system: 'ccs_category' }],
  },
  releaseFromFolder: (folder) => {
    const match = /^(\d{4})$/.exec(folder);
    if (!match) {
      throw new Error(
        `release folder "${folder}" is not a CCS release id (expected the year, e.g. 2016)`,
      );
    }
    return { release: folder, published: null, effectiveFrom: `${folder}-01-01`, isFull: true };
  },
};
