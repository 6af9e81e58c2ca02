import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';
import { DATABASE_FILE_NAME } from '../../src/paths.js';

export type Row = Record<string, unknown>;

/** Opens the published database of an out dir read-only. */
export function openOutDatabase(outDir: string): Promise<DuckDBHandle> {
  return openDuckDB(join(outDir, DATABASE_FILE_NAME), { readOnly: true });
}

/** Rows as JSON values: BIGINT, DECIMAL and DATE come back as strings, exactly as stored. */
export async function rowsJson(connection: DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Row[];
}

/** Rows as JS values (BIGINT as bigint). */
export async function rowsJS(connection: DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Row[];
}

/** The single value of a one-row, one-column query, BIGINT turned into a number. */
export async function scalar(connection: DuckDBConnection, sql: string): Promise<unknown> {
  const reader = await connection.runAndReadAll(sql);
  const rows = reader.getRowsJS();
  if (rows.length !== 1 || rows[0]?.length !== 1) {
    throw new Error(`expected one value from: ${sql} (got ${rows.length} rows)`);
  }
  const value = rows[0][0];
  return typeof value === 'bigint' ? Number(value) : value;
}

/** A two-column query (key, count) as a plain object of numbers. */
export async function counts(
  connection: DuckDBConnection,
  sql: string,
): Promise<Record<string, number>> {
  const reader = await connection.runAndReadAll(sql);
  return Object.fromEntries(
    reader.getRowsJS().map(([key, n]) => [key === null ? 'NULL' : String(key), Number(n)]),
  );
}

/**
 * Count and order-free hash of every table's rows, leaving out what names the run (its id and
 * start): two builds of the same inputs give equal fingerprints.
 */
export async function tableFingerprints(
  connection: DuckDBConnection,
): Promise<Record<string, unknown>> {
  const tables = (await rowsJson(
    connection,
    `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1`,
  )) as { table_name: string }[];
  const result: Record<string, unknown> = {};
  for (const { table_name: table } of tables) {
    const exclude = { run: ['run_id', 'started_at'], check_result: ['run_id'] }[table];
    const select = exclude ? `* EXCLUDE (${exclude.join(', ')})` : '*';
    result[table] = (
      await rowsJson(
        connection,
        `SELECT count(*)::VARCHAR AS n, CAST(sum(hash(t)::HUGEINT) AS VARCHAR) AS h
         FROM (SELECT ${select} FROM "${table}") t`,
      )
    )[0];
  }
  return result;
}
