import { existsSync } from 'node:fs';
import { openDuckDB } from '../../src/db/open-duckdb.js';
import { runSqlFiles } from '../../src/db/run-sql-files.js';
import { CODE_TABLES_DIR, MODELS_DIR } from '../../src/paths.js';
import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { loadCodeTables } from '../../src/transform/code-tables.js';
import { CodeTables } from './decode-code-page.js';

/**
 * The code tables for decoding outside a refresh: those of the published database when there is
 * one, else code-tables/*.csv loaded into an in-memory database the way a refresh loads them.
 */
export async function codeTablesFor(
  databasePath: string | null,
  pipelines: readonly PipelineDefinition[],
): Promise<{ tables: CodeTables; from: string }> {
  if (databasePath && existsSync(databasePath)) {
    const db = await openDuckDB(databasePath, { readOnly: true });
    try {
      return { tables: await CodeTables.read(db.connection), from: databasePath };
    } finally {
      db.close();
    }
  }
  const db = await openDuckDB(':memory:');
  try {
    await runSqlFiles(db.connection, MODELS_DIR, [
      'indicator_system.sql',
      'indicator_code.sql',
      'code_label.sql',
    ]);
    await loadCodeTables(db.connection, CODE_TABLES_DIR, pipelines);
    return { tables: await CodeTables.read(db.connection), from: CODE_TABLES_DIR };
  } finally {
    db.close();
  }
}
