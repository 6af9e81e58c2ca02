import type { SourceColumn } from '../../src/pipeline-definition.js';

/**
 * The BETOS public-use file record (CMS readme r-me-bet14.txt, "BETPUF14.TXT Record Layout"):
 * HCPCS/CPT code 1-5, filler 6, BETOS code 7-9, termination date 10-17 (YYYYMMDD). The 2014 file
 * has its trailing blanks stripped, so a record is 8, 9 or 17 characters: the reader pads it.
 */
export const BETOS_COLUMNS: readonly SourceColumn[] = [
  {
    name: 'hcpcs',
    header: 'HCPCS',
    position: [1, 5],
    required: true,
    pattern: '[0-9A-Z]{5}',
  },
  { name: 'betos', header: 'BETOS', position: [7, 9], required: true, system: 'hcpcs_betos' },
  {
    name: 'termination_date',
    header: 'Termination Date',
    position: [10, 17],
    // A day of the calendar, so that the model's date cast cannot fail on a bad record.
    pattern: '(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])',
  },
];
