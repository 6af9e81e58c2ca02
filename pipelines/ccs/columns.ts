import type { SourceColumn } from '../../src/pipeline-definition.js';

/** AHRQ CCS for Services and Procedures: a quoted code range, its category and label. */
export const CCS_COLUMNS: readonly SourceColumn[] = [
  {
    name: 'code_range',
    header: 'Code Range',
    required: true,
    pattern: "'[0-9A-Z]{5}-[0-9A-Z]{5}'",
  },
  { name: 'ccs_category', header: 'CCS', required: true, system: 'ccs_category' },
  { name: 'ccs_label', header: 'CCS Label', required: true },
];
