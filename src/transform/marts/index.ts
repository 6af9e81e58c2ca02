/** Tables built across sources once every source's tables exist, each with the sources it reads. */
export interface Mart {
  file: string;
  sources: readonly string[];
  /** Columns that identify a row. */
  key: readonly string[];
}

export const MARTS: readonly Mart[] = [
  {
    file: 'code_card.sql',
    sources: ['pfs-rvu', 'hcpcs', 'opps-addendum-b', 'mue', 'ccs'],
    key: ['as_of', 'hcpcs', 'modifier'],
  },
  { file: 'pfs_views.sql', sources: ['pfs-rvu'], key: [] },
];
