import type { DuckDBConnection } from '@duckdb/node-api';
import { runSqlFiles } from '../db/run-sql-files.js';
import { identifier } from '../db/sql.js';
import type { PipelineDefinition } from '../pipeline-definition.js';
import { type CheckOutcome, runFactKeyChecks } from '../transform/checks.js';

/**
 * DuckDB's error for a row whose key a PRIMARY KEY or unique index holds already: "Duplicate
 * key ..." for one row, "PRIMARY KEY or UNIQUE constraint violation: duplicate key ..." for an
 * INSERT of many.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof Error && /Constraint Error: .*duplicate key /i.test(error.message);
}

/**
 * The fact keys repeated within the staged releases, by file and line, found by running the
 * source's models again into keyless empty copies of its fact tables (temporary tables, which
 * the models' unqualified names reach first). For a run building on the published database,
 * whose fact tables have their keys: a repeated key failed a model's INSERT with DuckDB's
 * "Duplicate key", which names no file or line. Empty when the models fail again or no key
 * repeats: the caller keeps DuckDB's error then.
 */
export async function repeatedFactKeys(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  modelsDir: string,
): Promise<CheckOutcome[]> {
  const copies = pipeline.factTables.map((f) => identifier(f.name));
  try {
    for (const table of copies) {
      await connection.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${table} LIMIT 0`);
    }
    await runSqlFiles(connection, modelsDir, pipeline.models);
    const outcomes = await runFactKeyChecks(
      connection,
      pipeline,
      (f) => `temp.${identifier(f.name)}`,
    );
    return outcomes.filter((o) => o.failing > 0);
  } catch {
    return [];
  } finally {
    for (const table of copies) {
      await connection.run(`DROP TABLE IF EXISTS temp.${table}`).catch(() => {});
    }
  }
}
