import type { SourceColumn } from '../../src/pipeline-definition.js';

const rvu = { precision: 8, scale: 2 } as const;
const percent = { precision: 4, scale: 2 } as const;

/**
 * The 31 columns of PPRRVU as CMS publishes them (RVU25D record layout), in file order.
 * Headers are the five CSV header lines joined; positions are the fixed-width TXT layout.
 */
export const PFS_RVU_COLUMNS: readonly SourceColumn[] = [
  { name: 'hcpcs', header: 'HCPCS', position: [1, 5], required: true, pattern: '[0-9A-Z]{5}' },
  { name: 'modifier', header: 'MOD', position: [6, 7], system: 'pfs_modifier' },
  { name: 'description', header: 'DESCRIPTION', position: [8, 57] },
  {
    name: 'status_code',
    header: 'STATUS CODE',
    position: [58, 58],
    required: true,
    system: 'pfs_status_code',
  },
  {
    name: 'not_used_for_medicare_payment',
    header: 'NOT USED FOR MEDICARE PAYMENT',
    position: [59, 59],
    system: 'pfs_not_used_for_medicare_payment',
  },
  { name: 'work_rvu', header: 'WORK RVU', position: [60, 65], required: true, decimal: rvu },
  {
    name: 'non_facility_pe_rvu',
    header: 'NON-FAC PE RVU',
    position: [67, 72],
    required: true,
    decimal: rvu,
  },
  {
    name: 'non_facility_na',
    header: 'NON-FAC NA INDICATOR',
    position: [73, 74],
    system: 'pfs_na_indicator',
  },
  {
    name: 'facility_pe_rvu',
    header: 'FACILITY PE RVU',
    position: [76, 81],
    required: true,
    decimal: rvu,
  },
  {
    name: 'facility_na',
    header: 'FACILITY NA INDICATOR',
    position: [82, 83],
    system: 'pfs_na_indicator',
  },
  { name: 'mp_rvu', header: 'MP RVU', position: [85, 89], required: true, decimal: rvu },
  {
    name: 'non_facility_total',
    header: 'NON-FACILITY TOTAL',
    position: [91, 96],
    required: true,
    decimal: rvu,
  },
  {
    name: 'facility_total',
    header: 'FACILITY TOTAL',
    position: [97, 102],
    required: true,
    decimal: rvu,
  },
  {
    name: 'pctc_indicator',
    header: 'PCTC IND',
    position: [103, 103],
    required: true,
    system: 'pfs_pctc_indicator',
  },
  {
    name: 'global_days',
    header: 'GLOB DAYS',
    position: [104, 106],
    required: true,
    system: 'pfs_global_days',
  },
  { name: 'pre_op', header: 'PRE OP', position: [107, 109], required: true, decimal: percent },
  { name: 'intra_op', header: 'INTRA OP', position: [110, 112], required: true, decimal: percent },
  { name: 'post_op', header: 'POST OP', position: [113, 115], required: true, decimal: percent },
  {
    name: 'multiple_procedure',
    header: 'MULT PROC',
    position: [116, 116],
    required: true,
    system: 'pfs_multiple_procedure',
  },
  {
    name: 'bilateral_surgery',
    header: 'BILAT SURG',
    position: [117, 117],
    required: true,
    system: 'pfs_bilateral_surgery',
  },
  {
    name: 'assistant_surgery',
    header: 'ASST SURG',
    position: [118, 118],
    required: true,
    system: 'pfs_assistant_surgery',
  },
  {
    name: 'co_surgeons',
    header: 'CO- SURG',
    position: [119, 119],
    required: true,
    system: 'pfs_co_surgeons',
  },
  {
    name: 'team_surgery',
    header: 'TEAM SURG',
    position: [120, 120],
    required: true,
    system: 'pfs_team_surgery',
  },
  {
    // From CY2026 (32 columns): 9 in every non-QPP row, 1 in every QPP row; absent before. The
    // fixed-width position is not documented in anything obtained: 121 is the first of the
    // filler columns after TEAM SURG (blank in every 2025 record). Unverified.
    name: 'pricing_indicator',
    header: 'PRIC IND',
    position: [121, 121],
    optional: true,
    system: 'pfs_pricing_indicator',
  },
  {
    name: 'endoscopic_base_code',
    header: 'ENDO BASE',
    position: [128, 132],
    pattern: '[0-9A-Z]{5}',
  },
  {
    name: 'conversion_factor',
    header: 'CONV FACTOR',
    position: [133, 140],
    required: true,
    decimal: { precision: 9, scale: 4 },
  },
  {
    name: 'physician_supervision',
    header: 'PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES',
    position: [142, 143],
    required: true,
    system: 'pfs_physician_supervision',
  },
  {
    name: 'calculation_flag',
    header: 'CALCULATION FLAG',
    position: [144, 144],
    required: true,
    system: 'pfs_calculation_flag',
  },
  {
    name: 'diagnostic_imaging_family',
    header: 'DIAGNOSTIC IMAGING FAMILY INDICATOR',
    position: [146, 147],
    required: true,
    system: 'pfs_diagnostic_imaging_family',
  },
  {
    name: 'non_facility_pe_opps',
    header: 'NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT',
    position: [152, 157],
    required: true,
    decimal: rvu,
  },
  {
    name: 'facility_pe_opps',
    header: 'FACILITY PE USED FOR OPPS PAYMENT AMOUNT',
    position: [159, 164],
    required: true,
    decimal: rvu,
  },
  {
    name: 'mp_opps',
    header: 'MP USED FOR OPPS PAYMENT AMOUNT',
    position: [166, 171],
    required: true,
    decimal: rvu,
  },
];
