import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { LOCALITY_NUMBER, MAC } from '../pfs-rvu/locality-columns.js';
import { RVU_PACKAGE_MEMBER } from '../pfs-rvu/package-member.js';

/**
 * ANESyyyy.csv of the RVU zip: the anesthesia conversion factor of each locality
 * (SOURCES.md: ANES2025.csv). The fourth header names the national figure
 * ("National Anes CF of 20.3178"), so it changes every year; cells carry trailing spaces.
 * From CY2026 the file has two factors, as the PPRRVU file has two conversion factors:
 * "Qualifying APM National Anes CF (with 2.5% statutory increase) of 20.599835" and
 * "Non-Qualifying APM National Anes CF (with 2.5% Statutory increase)  of 20.49754", in that
 * order (the ANES2026.csv header as alex-bea/cms_api's parser tests quote it). The 2024 workbook
 * names its factor "2024 Anesthesia Conversion Factor" and adds the locality's Work, PE and MP
 * GPCIs, which the GPCI file gives too (andrewallenbruce's RVU24A readers).
 */
export const pfsAnesthesiaPipeline: PipelineDefinition = {
  source: 'pfs-anesthesia',
  ...RVU_PACKAGE_MEMBER,
  title: 'CMS PFS anesthesia conversion factors by Medicare locality',
  license: 'CMS public data.',
  files: [{ pattern: /^anes\d{4}.*\.csv$/i, format: 'csv', role: 'primary' }],
  columns: [
    { ...MAC, header: 'Contractor' },
    LOCALITY_NUMBER,
    { name: 'locality_name', header: 'Locality Name', required: true },
    {
      name: 'anesthesia_cf',
      header: 'National Anes CF of …',
      headerPattern:
        /^(NON-QUALIFYING APM )?NATIONAL ANES(THESIA)? CF( \(.*\))?( OF [0-9.]+)?$|^([0-9]{4} )?ANESTHESIA CONVERSION FACTOR$/,
      required: true,
      decimal: { precision: 7, scale: 4 },
    },
    {
      name: 'anesthesia_cf_qpp',
      header: 'Qualifying APM National Anes CF … of …',
      headerPattern: /^QUALIFYING APM NATIONAL ANES(THESIA)? CF( \(.*\))?( OF [0-9.]+)?$/,
      optional: true,
      decimal: { precision: 7, scale: 4 },
    },
  ],
  csv: {
    headerAnchor: /^CONTRACTOR$|^CARRIER$|^MAC$|^MEDICARE ADMINI?STRATIVE CONTRACTOR/,
    encoding: 'windows-1252',
  },
  nonRecords: { blank: true, notes: '^[^0-9]' },
  stagingTable: 'stg_pfs_anesthesia',
  factTables: [{ name: 'pfs_anesthesia_cf', key: ['mac', 'locality_number'] }],
  rowPerStagedRow: true,
  variantComparison: 'staged-rows',
  maxRejectRate: 0,
  models: ['pfs_anesthesia_cf.sql'],
};
