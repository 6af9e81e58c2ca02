import type { Mart } from '../src/catalog.js';

/** The sources the code card brings together: the card and its stored forms need them all. */
const CODE_CARD_SOURCES = ['pfs-rvu', 'hcpcs', 'opps-addendum-b', 'mue', 'ccs', 'betos'];

/**
 * Tables and views across sources (files in this folder, named after what they build), run in
 * this order once every source they read is loaded.
 */
export const MARTS: readonly Mart[] = [
  {
    file: 'code_card.sql',
    sources: CODE_CARD_SOURCES,
    key: ['as_of', 'hcpcs', 'modifier'],
    commentsFrom: ['pfs_rvu', 'hcpcs_code'],
  },
  {
    file: 'code_card_current.sql',
    sources: CODE_CARD_SOURCES,
    key: ['hcpcs', 'modifier'],
    commentsFrom: ['code_card'],
    // The current card of every code with its labels, for a reader with Parquet only.
    export: { notNull: ['as_of', 'hcpcs'] },
  },
  {
    // code_card_current, a row as one JSON text: what `lookup` reads. Not exported.
    file: 'code_card_current_json.sql',
    sources: CODE_CARD_SOURCES,
    key: ['hcpcs', 'modifier'],
    commentsFrom: ['code_card_current'],
  },
  {
    // A view: amounts per locality are computed when read (two million rows per release).
    file: 'pfs_payment.sql',
    sources: ['pfs-rvu', 'pfs-gpci', 'pfs-opps-cap'],
    key: ['release_id', 'basis', 'mac', 'locality_number', 'hcpcs', 'modifier'],
    commentsFrom: ['pfs_rvu', 'pfs_gpci'],
  },
  {
    // A view: the Parquet contract's payments, the newest release of pfs_payment with an amount.
    file: 'pfs_payment_current.sql',
    sources: ['pfs-rvu', 'pfs-gpci', 'pfs-opps-cap'],
    key: ['release_id', 'hcpcs', 'modifier', 'basis', 'mac', 'locality_number'],
    commentsFrom: ['pfs_payment', 'pfs_rvu', 'pfs_gpci'],
    export: {
      releasesOf: 'pfs-rvu',
      // Computed as it is written: a million rows, as long as the rest of the export.
      writeFirst: true,
      // Its view reads newest_release('pfs-rvu'): listing its releases computed it.
      newestOnly: true,
      notNull: [
        'hcpcs',
        'basis',
        'mac',
        'locality_number',
        'non_facility_amount',
        'facility_amount',
        'non_facility_payment',
        'facility_payment',
        'rvu_source_line',
        'gpci_source_line',
      ],
    },
  },
  {
    // Rows of reconciliation: where the BETOS file and the HCPCS file disagree on a code.
    file: 'reconcile_betos.sql',
    sources: ['hcpcs', 'betos'],
    key: [],
    after: 'page-sources',
  },
];
