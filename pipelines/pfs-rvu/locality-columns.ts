import type { SourceColumn } from '../../src/pipeline-definition.js';

/**
 * The carrier (MAC) and locality number as the RVU package's files name them. The CSVs saved
 * from Excel drop leading zeros (25LOCCO.csv: "2102", "1" for 02102, 01): they are restored.
 */
export const MAC: SourceColumn = {
  name: 'mac',
  header: 'Medicare Administrative Contractor (MAC)',
  synonyms: [
    'Medicare Administrative Contractor',
    'Medicare Adminstrative Contractor',
    'Contractor',
    'Carrier',
    'MAC',
  ],
  required: true,
  zeroPad: 5,
  pattern: '[0-9]{5}',
};

export const LOCALITY_NUMBER: SourceColumn = {
  name: 'locality_number',
  header: 'Locality Number',
  synonyms: ['Locality'],
  required: true,
  zeroPad: 2,
  pattern: '[0-9]{2}',
};
