import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { HCPCS_COLUMNS } from './columns.js';
import { HCPCS_LANDING_PAGE } from './landing-page.js';
import { hcpcsReleaseFromFolder } from './release-id.js';

/** Columns the fixed-width file and the XLSX must agree on, after the models combine records. */
const COMPARED = [
  'short_description',
  'pricing_indicator_1',
  'pricing_indicator_2',
  'pricing_indicator_3',
  'pricing_indicator_4',
  'multiple_pricing_indicator',
  'coverage_code',
  'betos',
  'added_date',
  'termination_date',
  'action_code',
];

export const hcpcsPipeline: PipelineDefinition = {
  source: 'hcpcs',
  title: 'CMS HCPCS Level II alpha-numeric file',
  cadence: 'quarterly',
  landingPage: HCPCS_LANDING_PAGE.url,
  discovery: HCPCS_LANDING_PAGE,
  license:
    'CMS public data. Level II HCPCS codes and descriptors are maintained by CMS and are in the public domain.',
  // A quarterly zip also holds "HCPC2026_APR_ANWEB_Transaction Report.xlsx" (the quarter's
  // changes by code: HCPC, ACTION CD and the descriptions), not a copy of the data file; zip
  // listings of April 2026 and October 2026 ("..._ANWEB_v2.txt", "..._Transaction Report_v2.xlsx",
  // "HCPC2026_OCT_Corrections_09102026.xlsx", "NOC codes_OCT2026.xlsx", "proc_notes_OCT2026.txt").
  files: [
    {
      pattern: /^hcpc\d{4}(?!.*transaction).*anweb.*\.txt$/i,
      format: 'fixed-width',
      role: 'primary',
    },
    { pattern: /^hcpc\d{4}(?!.*transaction).*anweb.*\.xlsx$/i, format: 'xlsx', role: 'variant' },
  ],
  columns: HCPCS_COLUMNS,
  // Windows text (cp1252: the 2020 preamble has a 0x92 apostrophe; the rest is Latin-1) with a
  // disclaimer preamble; a record starts with the code, sequence and record id. Continuation
  // records (4, 8) may end at column 91 without padding (2020): shorter lines are padded.
  fixedWidth: {
    recordLength: 320,
    recordPattern: '[ A-Z0-9]{5}[0-9]{5}[3478].*',
    encoding: 'windows-1252',
  },
  xlsx: { headerAnchor: 'HCPC' },
  stagingTable: 'stg_hcpcs',
  factTables: [
    { name: 'hcpcs_code', key: ['hcpcs'] },
    { name: 'hcpcs_tos', key: ['hcpcs', 'position'] },
  ],
  // A code's records (first record, then continuations) are told apart by sequence number.
  stagedKey: ['hcpcs', 'sequence_number'],
  rowPerStagedRow: false,
  variantComparison: 'declared-checks',
  models: ['hcpcs_code.sql', 'hcpcs_tos.sql'],
  checks: [
    {
      name: 'the XLSX variant gives the same codes and fields',
      table: 'hcpcs_code',
      severity: 'blocking',
      // The XLSX holds one row per code, long descriptions already joined (G0503 overflows
      // into a second row). Its action effective date is blank on 116 codes: not compared.
      failures: `
        WITH variant AS (
          SELECT release_id, hcpcs,
                 regexp_replace(string_agg(long_description, ' ' ORDER BY source_line), '\\s+', ' ', 'g') AS long_description,
                 ${COMPARED.map((c) => `max(${c}) AS ${c}`).join(', ')}
          FROM stg_hcpcs__variant GROUP BY release_id, hcpcs
        ),
        primary_rows AS (
          SELECT release_id, hcpcs, regexp_replace(long_description, '\\s+', ' ', 'g') AS long_description,
                 ${COMPARED.map((c) => (c.endsWith('_date') ? `strftime(${c}, '%Y%m%d') AS ${c}` : c)).join(', ')}
          FROM hcpcs_code WHERE release_id IN (SELECT release_id FROM variant)
        )
        SELECT 'only in ' || side || ': ' || release_id || ' ' || hcpcs FROM (
          (SELECT 'fixed-width file' AS side, * FROM primary_rows EXCEPT ALL SELECT 'fixed-width file', * FROM variant)
          UNION ALL
          (SELECT 'XLSX' AS side, * FROM variant EXCEPT ALL SELECT 'XLSX', * FROM primary_rows)
        ) ORDER BY ALL`,
    },
  ],
  card: {
    releaseColumn: 'hcpcs_release',
    fields: [{ column: 'type_of_service', system: 'hcpcs_type_of_service' }],
  },
  releaseFromFolder: hcpcsReleaseFromFolder,
};
