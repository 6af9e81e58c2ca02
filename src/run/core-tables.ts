import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from '../catalog.js';
import { runSqlFiles } from '../db/run-sql-files.js';
import { literal } from '../db/sql.js';
import { CORE_MODELS, SHARED_HISTORY_MODELS } from '../models/tables.js';
import { MODELS_DIR } from '../paths.js';
import { loadCodeTables } from '../transform/code-tables.js';
import { PIPELINE_VERSION } from '../version.js';

/**
 * The tables every run has, the run's own row and the code tables. A run building on a copy of
 * the published database keeps its tables and code tables (same code, same code tables) and
 * replaces the run row; check_result keeps the outcomes of sources with nothing new.
 */
export async function createCoreTables(
  connection: DuckDBConnection,
  run: { runId: string; rawDir: string; codeTablesDir: string },
  catalog: Catalog,
  extending: boolean,
  log: (line: string) => void,
): Promise<void> {
  if (extending) {
    await connection.run('DELETE FROM run');
  } else {
    await runSqlFiles(connection, MODELS_DIR, CORE_MODELS);
    const sources = catalog.pipelines.map((p) => p.source).join(', ');
    await connection.run(
      `COMMENT ON COLUMN release.source IS ${literal(`Source pipeline (${sources}).`)}`,
    );
  }
  const insertRun = await connection.prepare(
    'INSERT INTO run VALUES ($1, now()::TIMESTAMP, $2, $3)',
  );
  insertRun.bind([run.runId, run.rawDir, PIPELINE_VERSION]);
  await insertRun.run();
  if (extending) {
    log('code tables: as in the published run');
  } else {
    const codes = await loadCodeTables(connection, run.codeTablesDir, catalog.pipelines);
    log(`code tables: ${codes.systems} systems, ${codes.codes} codes`);
  }
}

/** release_diff and code_history, written by every source's history and read by views. */
export async function createSharedHistoryTables(connection: DuckDBConnection): Promise<void> {
  await runSqlFiles(connection, MODELS_DIR, SHARED_HISTORY_MODELS);
}
