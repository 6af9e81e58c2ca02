import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PIPELINES } from '../../../pipelines/index.js';
import { openDuckDB } from '../../db/open-duckdb.js';
import { CODE_TABLES_DIR, PROJECT_ROOT } from '../../paths.js';
import { loadCodeTables } from '../code-tables.js';
import { CodeTables } from './decode-code-page.js';

const INDICATOR_CODE_MODEL = join(
  PROJECT_ROOT,
  'src',
  'transform',
  'models',
  '03_indicator_code.sql',
);

/**
 * The code tables for decoding outside a refresh: those of the published database when there is
 * one, else code-tables/*.csv loaded into an in-memory database the way a refresh loads them.
 */
export async function codeTablesFor(
  databasePath: string | null,
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
    await db.connection.run(await readFile(INDICATOR_CODE_MODEL, 'utf8'));
    await loadCodeTables(db.connection, CODE_TABLES_DIR, PIPELINES);
    return { tables: await CodeTables.read(db.connection), from: CODE_TABLES_DIR };
  } finally {
    db.close();
  }
}
