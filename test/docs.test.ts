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

  it('has a COMMENT on every macro, and lists each in the data dictionary', async () => {
    const macros = await rows(
      db,
      `SELECT DISTINCT function_name AS name, comment FROM duckdb_functions()
       WHERE NOT internal AND function_type IN ('macro', 'table_macro') AND schema_name = 'main'
       ORDER BY 1`,
    );
    expect(macros.map((m) => m.name)).toEqual(
      expect.arrayContaining(['ccs_category_of', 'code_label', 'code_shape', 'kept_out_lines']),
    );
    expect(macros.filter((m) => !m.comment).map((m) => m.name)).toEqual([]);
    const generated = await generateDataDictionary(db.connection, CATALOG);
    const section = generated.slice(generated.indexOf('\n## Macros\n'));
    for (const macro of macros) {
      expect(section, String(macro.name)).toContain(`| \`${macro.name}\` |`);
    }
    expect(section).toContain(
      '| `code_label` | macro | `code_system`, `code_value`, `on_day` | code_label(code_system, code_value, on_day): the label',
    );
  });

  it('matches docs/data-dictionary.md (run `make docs` after changing a model)', async () => {
    const generated = await generateDataDictionary(db.connection, CATALOG);
    expect(generated).toBe(await readFile(dictionaryFile, 'utf8'));
  });
});
