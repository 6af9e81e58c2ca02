/**
 * A model's INSERT keeps the order of the rows it selects: DuckDB then plans a BATCH_INSERT,
 * which writes them in order whatever the threads do. A join in the SELECT (one that took the
 * rejected lines away, say) made it a plain parallel INSERT: pfs_rvu, loaded unsorted in the
 * order of its files, came out with a release's rows rotated now and then, and its Parquet
 * partition with other bytes from one run to the next.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINES } from '../../pipelines/index.js';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';
import { runSqlFiles } from '../../src/db/run-sql-files.js';
import { createStagingTable } from '../../src/extract/readers/staging.js';
import { CORE_MODELS } from '../../src/models/tables.js';
import { MODELS_DIR, PIPELINES_DIR } from '../../src/paths.js';

let db: DuckDBHandle;

beforeAll(async () => {
  db = await openDuckDB(':memory:');
  await db.connection.run('SET threads = 2');
  // The core models: the tables and macros the source models read.
  await runSqlFiles(db.connection, MODELS_DIR, CORE_MODELS);
});

afterAll(() => db.close());

/** The INSERT statements of a model file. */
function inserts(sql: string): string[] {
  return sql.match(/^INSERT INTO [\s\S]*?;[ \t]*$/gm) ?? [];
}

async function plan(sql: string): Promise<string> {
  const reader = await db.connection.runAndReadAll(`EXPLAIN ${sql.replace(/;\s*$/, '')}`);
  return reader
    .getRowsJS()
    .map((row) => String(row[1]))
    .join('\n');
}

describe.each(PIPELINES.map((p) => [p.source, p] as const))('%s', (_source, pipeline) => {
  it('inserts every model row in the order it is selected (BATCH_INSERT)', async () => {
    await createStagingTable(db.connection, pipeline.stagingTable, pipeline.columns);
    let checked = 0;
    for (const model of pipeline.models) {
      const sql = await readFile(join(PIPELINES_DIR, pipeline.source, 'models', model), 'utf8');
      // The model's tables (its statements on empty staging).
      await db.connection.run(sql);
      for (const insert of inserts(sql)) {
        expect(await plan(insert), `${model}: ${insert.slice(0, 60)}`).toMatch(/BATCH_INSERT/);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
