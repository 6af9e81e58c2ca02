import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from '../catalog.js';
import { identifier, literal } from '../db/sql.js';
import { datasetKey } from '../load/contract.js';

/** A fact table's key as DuckDB holds it: a PRIMARY KEY, or a unique index where it may be NULL. */
export interface FactKey {
  table: string;
  /** The contract's key of the table: release_id and the pipeline's declared key. */
  columns: string[];
  /** Key columns that may hold NULL (modifier: NULL for the global service). */
  nullable: string[];
}

/**
 * Name of the unique index that stands for the key of a fact table whose key may hold NULL.
 * A PRIMARY KEY forbids NULL, and DuckDB has no ALTER TABLE ... ADD UNIQUE; a unique index on
 * the column's value with NULL read as '' holds the contract's rule that NULL equals NULL in a
 * key (a plain UNIQUE would let two global-service rows of one code through). '' never occurs
 * in a key column: a blank cell is read as NULL.
 */
export function keyIndexName(table: string): string {
  return `${table}_key`;
}

/** The key of every source's fact table, from the pipelines' declarations (as the contract's). */
export async function factKeys(connection: DuckDBConnection, catalog: Catalog): Promise<FactKey[]> {
  const facts = catalog.pipelines.flatMap((p) =>
    p.factTables.map((f) => ({
      table: f.name,
      columns: datasetKey({ key: f.key, source: p.source }),
    })),
  );
  if (facts.length === 0) return [];
  const nullable = new Set(
    (
      await connection.runAndReadAll(
        `SELECT table_name || '.' || column_name FROM duckdb_columns()
         WHERE is_nullable AND schema_name = 'main' AND database_name = current_database()
           AND table_name IN (${facts.map((f) => literal(f.table)).join(', ')})`,
      )
    )
      .getRowsJS()
      .map(([name]) => String(name)),
  );
  return facts.map((f) => ({
    ...f,
    nullable: f.columns.filter((c) => nullable.has(`${f.table}.${c}`)),
  }));
}

/**
 * Declares each fact table's key in DuckDB once its rows are loaded and checked (the unique-key
 * check named any repeated row by file and line first: a constraint in CREATE TABLE would have
 * failed the load with DuckDB's bare "Duplicate key" instead). Added after the bulk load, the
 * index is built once rather than kept up row by row. A table that has its key already (a run
 * building on the published database, which holds them) is left as it is.
 */
export async function declareFactKeys(
  connection: DuckDBConnection,
  catalog: Catalog,
): Promise<void> {
  const keys = await factKeys(connection, catalog);
  const declared = new Set(
    (
      await connection.runAndReadAll(
        `SELECT table_name, NULL FROM duckdb_constraints()
         WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()
         UNION ALL
         SELECT table_name, index_name FROM duckdb_indexes()
         WHERE is_unique AND database_name = current_database()`,
      )
    )
      .getRowsJS()
      .filter(([table, index]) => index === null || index === keyIndexName(String(table)))
      .map(([table]) => String(table)),
  );
  for (const key of keys) {
    if (declared.has(key.table)) continue;
    await connection.run(keyStatement(key));
  }
}

/** The statement that declares a fact table's key. */
export function keyStatement(key: FactKey): string {
  if (key.nullable.length === 0) {
    return `ALTER TABLE ${identifier(key.table)} ADD PRIMARY KEY (${key.columns.map(identifier).join(', ')})`;
  }
  const columns = key.columns.map((c) =>
    key.nullable.includes(c) ? `(coalesce(${identifier(c)}, ''))` : identifier(c),
  );
  return `CREATE UNIQUE INDEX ${identifier(keyIndexName(key.table))} ON ${identifier(key.table)} (${columns.join(', ')})`;
}
