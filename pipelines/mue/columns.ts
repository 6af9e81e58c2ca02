import type { SourceColumn } from '../../src/pipeline-definition.js';

/** NCCI MUE table columns; the value column is named after the table's service type. */
export const MUE_COLUMNS: readonly SourceColumn[] = [
  // The published header cell holds a line break: "HCPCS/\nCPT Code"; readers of other quarters
  // (third-party loaders and their tests) name it "HCPCS/CPT Code" on one line.
  {
    name: 'hcpcs',
    header: 'HCPCS/ CPT Code',
    synonyms: ['HCPCS/CPT Code'],
    required: true,
    pattern: '[0-9A-Z]{5}',
  },
  {
    name: 'mue_value',
    header: 'Practitioner Services MUE Values',
    synonyms: ['Outpatient Hospital Services MUE Values', 'DME Supplier Services MUE Values'],
    required: true,
    pattern: '[0-9]+',
  },
  {
    name: 'adjudication_indicator',
    header: 'MUE Adjudication Indicator',
    required: true,
    system: 'mue_adjudication_indicator',
    // "2 Date of Service Edit: Policy": the code is the leading digit.
    codeRegex: '^([0-9])',
  },
  { name: 'rationale', header: 'MUE Rationale', system: 'mue_rationale' },
];
