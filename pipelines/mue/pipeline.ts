import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { monthReleaseFromFolder } from '../quarter-release.js';
import { MUE_COLUMNS } from './columns.js';
import { MUE_LANDING_PAGE } from './landing-page.js';

export const muePipeline: PipelineDefinition = {
  source: 'mue',
  title: 'CMS NCCI Medically Unlikely Edits (practitioner, outpatient hospital, DME supplier)',
  cadence: 'quarterly',
  landingPage: MUE_LANDING_PAGE.url,
  discovery: MUE_LANDING_PAGE,
  license:
    'CMS public data. CPT codes, descriptions and other data only are copyright American Medical Association; all rights reserved; applicable FARS/DFARS apply.',
  // One table per service type and quarter, loaded together: MCR_MUE_PractitionerServices_Eff_10-01-2025.csv, ...
  files: [{ pattern: /^mcr_mue_.*services.*\.csv$/i, format: 'csv', role: 'part' }],
  columns: MUE_COLUMNS,
  csv: { headerAnchor: /^HCPCS\/ ?CPT CODE$/, encoding: 'latin-1' },
  stagingTable: 'stg_mue',
  factTables: [{ name: 'mue', key: ['service_type', 'hcpcs'] }],
  rowPerStagedRow: true,
  variantComparison: 'staged-rows',
  models: ['mue.sql'],
  checks: [
    {
      name: 'every MUE file names its service type',
      table: 'mue',
      severity: 'blocking',
      failures: `
        SELECT DISTINCT source_file || ': the file name names no service type (practitioner, outpatient hospital, DME supplier)'
        FROM stg_mue WHERE mue_service_type(source_file) IS NULL`,
    },
    {
      // A quarter is three tables, and CMS has posted one of them after the others
      // (landing-page.ts): a release folder lacking one loads, with this warning.
      name: 'a quarter has the table of every service type',
      table: 'mue',
      severity: 'warning',
      failures: `
        SELECT r.release_id || ': no ' || c.label || ' table (' || c.code || ')'
        FROM release r CROSS JOIN indicator_code c
        WHERE r.source = 'mue' AND c.system = 'mue_service_type'
          AND NOT EXISTS (
            SELECT 1 FROM source_file f
            WHERE f.source = 'mue' AND f.release_id = r.release_id
              AND mue_service_type(f.source_file) = c.code)
        ORDER BY r.release_id, c.code`,
    },
  ],
  card: {
    releaseColumn: 'mue_release',
    fields: [
      { column: 'mue_practitioner', name: 'MUE (practitioner)' },
      { column: 'mue_outpatient_hospital', name: 'MUE (outpatient hospital)' },
    ],
  },
  releaseFromFolder: (folder) => monthReleaseFromFolder('mue', folder),
};
