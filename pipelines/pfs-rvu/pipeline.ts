import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { PFS_RVU_COLUMNS } from './columns.js';
import { PFS_RVU_LANDING_PAGE } from './landing-page.js';
import { pfsReleaseFromFolder } from './release-id.js';

export const pfsRvuPipeline: PipelineDefinition = {
  source: 'pfs-rvu',
  title: 'CMS National Physician Fee Schedule Relative Value File (PPRRVU)',
  cadence: 'quarterly',
  landingPage: PFS_RVU_LANDING_PAGE.url,
  discovery: PFS_RVU_LANDING_PAGE,
  license:
    'CMS public data. CPT codes and descriptions only are copyright American Medical Association; ' +
    'all rights reserved; applicable FARS/DFARS apply. Dental (D) codes are copyright American Dental Association.',
  files: [
    { pattern: /^pprrvu.*\.csv$/i, format: 'csv', role: 'primary' },
    { pattern: /^pprrvu.*\.txt$/i, format: 'fixed-width', role: 'variant' },
  ],
  columns: PFS_RVU_COLUMNS,
  csv: { headerAnchor: 'HCPCS' },
  // Data lines start with a 5-character code; the copyright lines start with "HDR ".
  fixedWidth: { recordLength: 171, recordPattern: '[0-9A-Z]{5}.*' },
  stagingTable: 'stg_pfs_rvu',
  factTables: [{ name: 'pfs_rvu', key: ['hcpcs', 'modifier'] }],
  rowPerStagedRow: true,
  variantComparison: 'staged-rows',
  models: ['pfs_rvu.sql', 'pfs_decoded.sql'],
  marts: ['pfs_current_by_status.sql', 'pfs_payment_indicator_changes.sql'],
  commentsFrom: { pfs_decoded: ['pfs_rvu', 'release'] },
  reportChart: {
    title: 'PFS codes per status across releases',
    table: 'pfs_rvu',
    column: 'status_code',
  },
  card: {
    releaseColumn: 'pfs_release',
    fields: [
      { column: 'status_code', system: 'pfs_status_code' },
      { column: 'global_days', system: 'pfs_global_days' },
      { column: 'pctc_indicator', system: 'pfs_pctc_indicator' },
      { column: 'multiple_procedure', system: 'pfs_multiple_procedure' },
      { column: 'bilateral_surgery', system: 'pfs_bilateral_surgery' },
      { column: 'physician_supervision', system: 'pfs_physician_supervision' },
      { column: 'assistant_surgery', system: 'pfs_assistant_surgery' },
      { column: 'co_surgeons', system: 'pfs_co_surgeons' },
      { column: 'team_surgery', system: 'pfs_team_surgery' },
      { column: 'diagnostic_imaging_family', system: 'pfs_diagnostic_imaging_family' },
    ],
  },
  releaseFromFolder: pfsReleaseFromFolder,
};
