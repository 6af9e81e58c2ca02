import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../pipelines/index.js';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { generateDataDictionary } from '../src/docs/data-dictionary.js';
import { openFullRefresh, rows } from './helpers/database.js';

const dictionaryFile = fileURLToPath(new URL('../docs/data-dictionary.md', import.meta.url));

let db: DuckDBHandle;
beforeAll(async () => {
  db = await openFullRefresh();
});
afterAll(() => db.close());

describe('self-describing database', () => {
  it('has a COMMENT on every table, view and column', async () => {
    const missing = await rows(
      db,
      `SELECT table_name || coalesce('.' || column_name, '') AS what FROM (
         SELECT table_name, NULL AS column_name, comment FROM duckdb_tables() WHERE schema_name = 'main'
         UNION ALL SELECT view_name, NULL, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal
         UNION ALL SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main'
           AND table_name NOT LIKE 'duckdb_%' AND table_name NOT LIKE 'sqlite_%' AND table_name <> 'pragma_database_list'
       ) WHERE comment IS NULL OR comment = '' ORDER BY 1`,
    );
    expect(missing.map((r) => r.what)).toEqual([]);
  });

  it('matches docs/data-dictionary.md (run `make docs` after changing a model)', async () => {
    const generated = await generateDataDictionary(db.connection, CATALOG);
    expect(generated).toBe(await readFile(dictionaryFile, 'utf8'));
  });
});
