import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { BETOS_COLUMNS } from './columns.js';
import { betosReleaseFromFolder } from './release-id.js';

/**
 * CMS Berenson-Eggers Type of Service public-use files (betpufYY.txt): HCPCS and CPT codes →
 * BETOS. CMS withdrew them after 2014 (BETOS was succeeded by RBCS), so there is no landing page
 * to watch and no release to expect.
 */
export const betosPipeline: PipelineDefinition = {
  source: 'betos',
  title: 'CMS Berenson-Eggers Type of Service (BETOS) public-use file',
  cadence: 'withdrawn',
  // The page that listed the files (BETOS.html under HCPCS Release & Code Sets, as stored).
  landingPage: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets/BETOS.html',
  license:
    'CMS public data. CPT codes and descriptions only are copyright American Medical Association; ' +
    'all rights reserved; applicable FARS/DFARS apply.',
  // betpuf14.txt; a re-issued file carries a version and date (betpuf09_V2_110708.txt, kept with
  // betpuf12.txt in chse-ohsu/PublicUseData's BETOS folder).
  files: [{ pattern: /^betpuf\d{2}(_[^.]*)?\.txt$/i, format: 'fixed-width', role: 'primary' }],
  columns: BETOS_COLUMNS,
  // Every line is a record: a code, a blank, a BETOS code of two or three characters, then the
  // termination date or blanks (the 2014 file strips trailing blanks: 8, 9 or 17 characters).
  fixedWidth: {
    recordLength: 17,
    recordPattern: '[0-9A-Z]{5} [A-Z][0-9][A-Z ]?( {0,8}|[0-9]{8})',
    preamble: false,
  },
  // A file of codes and their category, no more: a record that cannot be read is a corrupt file
  // (every code counts), so one blocks the run.
  maxRejectRate: 0,
  stagingTable: 'stg_betos',
  factTables: [{ name: 'betos_code', key: ['hcpcs'] }],
  rowPerStagedRow: true,
  variantComparison: 'staged-rows',
  models: ['betos_code.sql'],
  card: {
    releaseColumn: 'betos_release',
    fields: [
      // Level II codes take BETOS from the HCPCS file, CPT codes from this one: the card says
      // which (betos_source).
      { column: 'betos', system: 'hcpcs_betos', sourceColumn: 'betos_source' },
    ],
  },
  releaseFromFolder: betosReleaseFromFolder,
};
