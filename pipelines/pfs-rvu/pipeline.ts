import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { BASIS_CHECKS } from './basis-checks.js';
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
  // Every CSV is loaded: one before CY2026, from CY2026 two (PPRRVU2026_<Mon>_nonQPP and _QPP,
  // one per conversion factor; cms-formats.md §11.1). A TXT is the variant of its CSV: both TXT
  // files together must give the rows of both CSV files.
  files: [
    { pattern: /^pprrvu.*\.csv$/i, format: 'csv', role: 'part' },
    { pattern: /^pprrvu.*\.txt$/i, format: 'fixed-width', role: 'variant' },
  ],
  columns: PFS_RVU_COLUMNS,
  // Windows text, as CMS writes it (cms-formats.md section 8; loaders of 2003-2018 files read them
  // as Windows-1252). A file of ASCII bytes only, as RVU25D's, is read as it is.
  csv: { headerAnchor: 'HCPCS', encoding: 'windows-1252' },
  // Data lines start with a 5-character code; the copyright lines start with "HDR ".
  fixedWidth: { recordLength: 171, recordPattern: '[0-9A-Z]{5}.*', encoding: 'windows-1252' },
  stagingTable: 'stg_pfs_rvu',
  factTables: [
    { name: 'pfs_rvu', key: ['hcpcs', 'modifier'] },
    { name: 'pfs_rvu_qpp', key: ['hcpcs', 'modifier'], staged: true },
    { name: 'pfs_payment_basis', key: ['basis'] },
  ],
  rowPerStagedRow: true,
  variantComparison: 'staged-rows',
  models: ['pfs_rvu.sql', 'pfs_rvu_qpp.sql', 'pfs_payment_basis.sql'],
  // The codes with their labels, for a reader with Parquet only (no code_label()).
  exportedViews: [
    {
      name: 'pfs_decoded',
      decodes: {
        table: 'pfs_rvu',
        description:
          "pfs_rvu with each indicator as code and CMS label (labels valid on the release's effective date). CPT descriptors are copyright American Medical Association.",
        columns: [
          'hcpcs',
          { code: 'modifier' },
          'description',
          { code: 'status_code', label: 'status_label' },
          'not_used_for_medicare_payment',
          { code: 'pctc_indicator', label: 'pctc_label' },
          { code: 'global_days' },
          { code: 'multiple_procedure' },
          { code: 'bilateral_surgery' },
          { code: 'assistant_surgery' },
          { code: 'co_surgeons' },
          { code: 'team_surgery' },
          { code: 'physician_supervision' },
          { code: 'calculation_flag' },
          { code: 'diagnostic_imaging_family' },
          'non_facility_na',
          'facility_na',
          'work_rvu',
          'non_facility_pe_rvu',
          'facility_pe_rvu',
          'mp_rvu',
          'non_facility_total',
          'facility_total',
          'conversion_factor',
          'endoscopic_base_code',
          'source_file',
          'source_line',
        ],
      },
      key: ['hcpcs', 'modifier'],
    },
  ],
  marts: [
    'pfs_current_by_status.sql',
    'pfs_payment_indicator_changes.sql',
    'pfs_basis_differences.sql',
  ],
  checks: BASIS_CHECKS,
  releaseFacts: {
    table: 'pfs_payment_basis',
    describe: `basis || ': conversion factor ' || conversion_factor || coalesce(', pricing indicator ' || pricing_indicator, '') || ', ' || rows || ' rows (' || source_file || ')'`,
  },
  commentsFrom: {
    pfs_decoded: ['pfs_rvu', 'release'],
    pfs_basis_differences: ['pfs_rvu'],
  },
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
