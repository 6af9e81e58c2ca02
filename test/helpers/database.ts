import { join } from 'node:path';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';
import { fullRefresh } from './full-refresh.js';

/** The database of the shared full refresh (test/global-setup.ts), opened read-only. */
export async function openFullRefresh(): Promise<DuckDBHandle> {
  const { outDir } = await fullRefresh();
  return openDuckDB(join(outDir, 'fee_schedule.duckdb'), { readOnly: true });
}

/** Rows of a query as plain JSON values (DECIMAL and BIGINT as strings). */
export async function rows(
  handle: DuckDBHandle,
  sql: string,
): Promise<Record<string, string | number | boolean | null>[]> {
  const reader = await handle.connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, string | number | boolean | null>[];
}
