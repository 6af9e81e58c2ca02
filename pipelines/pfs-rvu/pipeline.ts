import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { PFS_RVU_COLUMNS } from './columns.js';
import { pfsReleaseFromFolder } from './release-id.js';

export const pfsRvuPipeline: PipelineDefinition = {
  source: 'pfs-rvu',
  title: 'CMS National Physician Fee Schedule Relative Value File (PPRRVU)',
  cadence: 'quarterly',
  landingPage:
    'https://www.cms.gov/medicare/payment/fee-schedules/physician/pfs-relative-value-files',
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
  releaseFromFolder: pfsReleaseFromFolder,
};
