import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';

/** What one statement of a script returned: its columns, the rows kept, and how many were not. */
export interface StatementResult {
  columns: string[];
  types: DuckDBType[];
  /** Values as DuckDB gives them: each knows its own type (a DECIMAL its scale, a DATE its day). */
  rows: DuckDBValue[][];
  /** Rows past the row cap: counted, not kept. */
  rowsLeftOut: number;
}
