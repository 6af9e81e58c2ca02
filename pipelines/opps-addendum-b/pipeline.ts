import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { monthReleaseFromFolder } from '../quarter-release.js';
import { OPPS_ADDENDUM_B_COLUMNS } from './columns.js';
import { OPPS_ADDENDUM_B_LANDING_PAGE } from './landing-page.js';

export const oppsAddendumBPipeline: PipelineDefinition = {
  source: 'opps-addendum-b',
  title: 'CMS OPPS Addendum B: OPPS payment by HCPCS code',
  cadence: 'quarterly',
  landingPage: OPPS_ADDENDUM_B_LANDING_PAGE.url,
  discovery: OPPS_ADDENDUM_B_LANDING_PAGE,
  license:
    'CMS public data. CPT codes and descriptions only are copyright American Medical Association; all rights reserved; applicable FARS/DFARS apply. Dental (D) codes are copyright American Dental Association.',
  // The workbook is the primary file; later years add a "508" CSV of the same rows.
  files: [
    { pattern: /addendum.?b.*\.xlsx$/i, format: 'xlsx', role: 'primary' },
    { pattern: /addendum.?b.*\.csv$/i, format: 'csv', role: 'primary' },
  ],
  columns: OPPS_ADDENDUM_B_COLUMNS,
  csv: { headerAnchor: 'HCPCS Code', encoding: 'latin-1' },
  xlsx: { headerAnchor: 'HCPCS Code' },
  stagingTable: 'stg_opps_addendum_b',
  factTables: [{ name: 'opps_addendum_b', key: ['hcpcs'] }],
  rowPerStagedRow: true,
  variantComparison: 'staged-rows',
  models: ['opps_addendum_b.sql'],
  // The codes with their labels, for a reader with Parquet only (no code_label()).
  exportedViews: [
    {
      name: 'opps_decoded',
      decodes: {
        table: 'opps_addendum_b',
        description:
          "opps_addendum_b with the status indicator as code and CMS label (the label valid on the release's effective date). CPT descriptors are copyright American Medical Association.",
        columns: [
          'hcpcs',
          'short_descriptor',
          { code: 'status_indicator' },
          'apc',
          'relative_weight',
          'payment_rate',
          'national_unadjusted_copayment',
          'minimum_unadjusted_copayment',
          'pass_through_expiration',
          'ira_coinsurance_percentage',
          'adjusted_beneficiary_copayment',
          'note',
          'changed_from_previous_quarter',
          'source_file',
          'source_line',
        ],
      },
      key: ['hcpcs'],
    },
  ],
  commentsFrom: { opps_decoded: ['opps_addendum_b', 'release'] },
  card: {
    releaseColumn: 'opps_release',
    fields: [
      { column: 'apc_status_indicator', system: 'opps_status_indicator' },
      { column: 'apc', name: 'APC' },
    ],
  },
  releaseFromFolder: (folder) => monthReleaseFromFolder('opps-addendum-b', folder),
};
