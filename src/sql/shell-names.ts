import type { SqlSession } from './session.js';

/** The names the shell completes: read once when it starts (the database is read-only). */
export interface ShellNames {
  tables: string[];
  columns: string[];
}

export async function loadShellNames(session: SqlSession): Promise<ShellNames> {
  const names: ShellNames = { tables: [], columns: [] };
  for await (const result of session.run(
    `SELECT DISTINCT table_name, 'table' FROM duckdb_columns() WHERE schema_name = 'main'
     UNION SELECT DISTINCT column_name, 'column' FROM duckdb_columns() WHERE schema_name = 'main'
     ORDER BY 1`,
  )) {
    for (const [name, kind] of result.rows) {
      (kind === 'table' ? names.tables : names.columns).push(String(name));
    }
  }
  return names;
}
