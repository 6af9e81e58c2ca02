import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { LOCALITY_NUMBER, MAC } from '../pfs-rvu/locality-columns.js';
import { RVU_PACKAGE_MEMBER } from '../pfs-rvu/package-member.js';

const gpci = { precision: 5, scale: 3 } as const;

/**
 * GPCIyyyy.csv of the RVU zip: CMS's "Addendum E", the geographic practice cost indices per
 * Medicare locality (SOURCES.md: GPCI2025.csv, 109 localities). Headers carry the year
 * ("2025 PE GPCI"). January 2026 gives the work GPCI with and without the 1.0 floor, April 2026
 * on only with it (cms-formats.md §11.1). Excel saved the CSV: "1" for 1.000 (a DECIMAL anyway).
 * The TXT copy (GPCI2025.txt) is the variant, read by position and compared row for row. CMS
 * publishes no layout for it: the positions are GPCI2025.txt's own, 150-character records
 * (its header's columns do not line up with the values under them). A TXT of the 2026 layout,
 * with a second work GPCI column, would not match them: its records are rejected, and the run
 * blocked, rather than read into the wrong columns. A TXT saved tab-delimited (GPCI2026.txt as a
 * public RVU26B loader reads it: TABs, the header on line 3) is read by its header instead.
 */
export const pfsGpciPipeline: PipelineDefinition = {
  source: 'pfs-gpci',
  ...RVU_PACKAGE_MEMBER,
  title: 'CMS PFS geographic practice cost indices (GPCI) by Medicare locality',
  license: 'CMS public data.',
  files: [
    { pattern: /^gpci\d{4}.*\.csv$/i, format: 'csv', role: 'primary' },
    { pattern: /^gpci\d{4}.*\.txt$/i, format: 'fixed-width', role: 'variant' },
  ],
  columns: [
    { ...MAC, position: [1, 5] },
    { name: 'state', header: 'State', required: true, pattern: '[A-Z]{2}', position: [17, 18] },
    { ...LOCALITY_NUMBER, position: [25, 26] },
    { name: 'locality_name', header: 'Locality Name', required: true, position: [30, 118] },
    {
      name: 'pw_gpci',
      header: 'PW GPCI (with 1.0 Floor)',
      headerPattern: /^(\d{4} )?(PW|WORK) GPCI( \(WITH 1\.0 FLOOR\))?$/,
      required: true,
      decimal: gpci,
      position: [119, 126],
    },
    {
      name: 'pw_gpci_without_floor',
      header: 'PW GPCI (without 1.0 Floor)',
      headerPattern: /^(\d{4} )?(PW|WORK) GPCI \(WITHOUT 1\.0 FLOOR\)$/,
      optional: true,
      decimal: gpci,
    },
    {
      name: 'pe_gpci',
      header: 'PE GPCI',
      headerPattern: /^(\d{4} )?PE GPCI$/,
      required: true,
      decimal: gpci,
      position: [127, 138],
    },
    {
      name: 'mp_gpci',
      header: 'MP GPCI',
      headerPattern: /^(\d{4} )?(MP|PLI) GPCI$/,
      required: true,
      decimal: gpci,
      position: [139, 150],
    },
  ],
  csv: {
    headerAnchor: /^MEDICARE ADMINI?STRATIVE CONTRACTOR|^CONTRACTOR$|^MAC$|^CARRIER$/,
    encoding: 'windows-1252',
  },
  // A record: MAC, spaces, the state. Before the first, the title, a blank line and the header;
  // after the last, "MAC Assignments as of …" and two footnotes.
  fixedWidth: {
    recordLength: 150,
    recordPattern: '[0-9]{5} +[A-Z]{2} .*',
    trailer: true,
    encoding: 'windows-1252',
    // The 126-character records of earlier years (RVU23D's GPCI2023.txt, as stored from CMS's
    // rvu23d.zip: the values end at 102, 114 and 126, under headers that do not line up).
    otherLayouts: [
      {
        recordLength: 126,
        positions: {
          locality_name: [30, 94],
          pw_gpci: [95, 102],
          pe_gpci: [103, 114],
          mp_gpci: [115, 126],
        },
      },
    ],
  },
  // After the 109 localities: a blank line, "MAC Assignments as of …" and two footnotes.
  nonRecords: { blank: true, notes: '^[^0-9]' },
  stagingTable: 'stg_pfs_gpci',
  factTables: [{ name: 'pfs_gpci', key: ['mac', 'locality_number'] }],
  rowPerStagedRow: true,
  variantComparison: 'staged-rows',
  maxRejectRate: 0,
  models: ['pfs_gpci.sql'],
};
