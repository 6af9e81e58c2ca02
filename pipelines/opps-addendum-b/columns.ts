import type { SourceColumn } from '../../src/pipeline-definition.js';

const money = { precision: 12, scale: 3 } as const; // 2026 rates carry 3 decimals
const noValue = ['.']; // Addendum B writes "." for "no value", which is not zero

/**
 * OPPS Addendum B columns, located by header name: the header row (3 or 4) and the column set
 * move between years. Columns some years lack are optional.
 */
export const OPPS_ADDENDUM_B_COLUMNS: readonly SourceColumn[] = [
  // A workbook stores CPT 00100 as the number 100. The January 2026 CSV ends two codes with the
  // byte 0xFF (cms-formats.md section 4.3), "ÿ" as Latin-1: not part of the code.
  {
    name: 'hcpcs',
    header: 'HCPCS Code',
    required: true,
    pattern: '[0-9A-Z]{5}',
    zeroPad: 5,
    strayCharacters: ['ÿ'],
  },
  { name: 'short_descriptor', header: 'Short Descriptor' },
  {
    name: 'status_indicator',
    header: 'SI',
    required: true,
    system: 'opps_status_indicator',
  },
  { name: 'apc', header: 'APC', zeroPad: 4, pattern: '[0-9]{4}' },
  {
    name: 'relative_weight',
    header: 'Relative Weight',
    nullValues: noValue,
    decimal: { precision: 12, scale: 4 },
  },
  { name: 'payment_rate', header: 'Payment Rate', nullValues: noValue, decimal: money },
  {
    name: 'national_unadjusted_copayment',
    header: 'National Unadjusted Copayment',
    nullValues: noValue,
    decimal: money,
  },
  {
    name: 'minimum_unadjusted_copayment',
    header: 'Minimum Unadjusted Copayment',
    nullValues: noValue,
    decimal: money,
  },
  {
    name: 'pass_through_expiration',
    header: 'Drug and Device Pass-Through Expiration during Calendar Year',
    synonyms: ['Drug Pass-Through Expiration during Calendar Year'],
    optional: true,
  },
  {
    name: 'ira_coinsurance_percentage',
    header: 'IRA Coinsurance percentage',
    optional: true,
  },
  {
    name: 'adjusted_beneficiary_copayment',
    header: 'Adjusted Beneficiary Copayment',
    nullValues: noValue,
    decimal: money,
    optional: true,
  },
  { name: 'note', header: 'Note', optional: true },
  { name: 'change_flag', header: '* Indicates a Change', optional: true, pattern: '\\*' },
];
