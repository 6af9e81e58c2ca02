import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { LOCALITY_NUMBER, MAC } from '../pfs-rvu/locality-columns.js';
import { RVU_PACKAGE_MEMBER } from '../pfs-rvu/package-member.js';

const price = { precision: 10, scale: 2 } as const;

/**
 * OPPSCAP_<Mon>.csv of the RVU zip: for the imaging services whose PFS amount the OPPS amount
 * caps (Social Security Act §1848(b)(4)), the capped price per carrier and locality
 * (SOURCES.md: OPPSCAP_Oct.csv, 16,101 rows; "NON-FACILTY" is CMS's spelling).
 */
export const pfsOppsCapPipeline: PipelineDefinition = {
  source: 'pfs-opps-cap',
  ...RVU_PACKAGE_MEMBER,
  title: 'CMS PFS OPPS payment cap by code, carrier and locality',
  license:
    'CMS public data. CPT codes and descriptions only are copyright American Medical Association; all rights reserved.',
  files: [{ pattern: /^oppscap.*\.csv$/i, format: 'csv', role: 'primary' }],
  columns: [
    { name: 'hcpcs', header: 'HCPCS', required: true, pattern: '[0-9A-Z]{5}' },
    { name: 'modifier', header: 'MOD', system: 'pfs_modifier' },
    { name: 'status_code', header: 'PROCSTAT', required: true, system: 'pfs_status_code' },
    { ...MAC, header: 'CARRIER' },
    { ...LOCALITY_NUMBER, header: 'LOCALITY' },
    {
      name: 'facility_price',
      header: 'FACILITY PRICE',
      required: true,
      decimal: price,
    },
    {
      name: 'non_facility_price',
      header: 'NON-FACILITY PRICE',
      synonyms: ['NON-FACILTY PRICE'],
      required: true,
      decimal: price,
    },
  ],
  csv: { headerAnchor: 'HCPCS', encoding: 'windows-1252' },
  nonRecords: { blank: true },
  stagingTable: 'stg_pfs_opps_cap',
  factTables: [{ name: 'pfs_opps_cap', key: ['hcpcs', 'modifier', 'mac', 'locality_number'] }],
  rowPerStagedRow: true,
  variantComparison: 'staged-rows',
  maxRejectRate: 0,
  models: ['pfs_opps_cap.sql'],
};
