/**
 * The tables every run has, declared once: the SQL file that creates each (in this folder, named
 * after it), its key and the order of its Parquet file. Read by the run, the export, the
 * contract, the data dictionary and the tests.
 */

export interface CoreTable {
  name: string;
  /** Columns that identify a row (empty: none does). */
  key: readonly string[];
  /**
   * Row order of its Parquet file where rows are appended: a run building on a published one
   * adds its rows after the others, so the table's order is not a full rebuild's, and the files
   * must be the same.
   */
  orderBy?: string;
}

/** SQL files a fresh build runs first, in this order: a table's references come before it. */
export const CORE_MODELS: readonly string[] = [
  'run.sql',
  'release.sql',
  'source_file.sql',
  'indicator_system.sql',
  'indicator_code.sql',
  'clean_number.sql',
  'code_label.sql',
  'rejected_row.sql',
  'check_result.sql',
];

/**
 * Tables every source's history writes, created if missing before any source loads: views
 * read them, and a run building on a published database has them already.
 */
export const SHARED_HISTORY_MODELS: readonly string[] = ['release_diff.sql', 'code_history.sql'];

/** The core tables exported as Parquet datasets, in export order. */
export const CORE_TABLES: readonly CoreTable[] = [
  { name: 'run', key: ['run_id'] },
  { name: 'release', key: ['source', 'release_id'], orderBy: 'source, effective_from, release_id' },
  { name: 'source_file', key: ['source_file'], orderBy: 'source_file' },
  { name: 'indicator_system', key: ['system'] },
  { name: 'indicator_code', key: ['system', 'code'] },
  {
    name: 'rejected_row',
    key: [],
    orderBy: 'source, source_file, source_line, rule, column_name',
  },
  { name: 'check_result', key: [] },
];
