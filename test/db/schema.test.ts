import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBDialect } from '../../src/db/dialect/index.js';
import { openDuckDB } from '../../src/db/open-duckdb.js';
import { generateSchemaSource } from '../../src/db/schema-codegen.js';
import { type FullRefresh, fullRefresh } from '../helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

const schemaFile = fileURLToPath(new URL('../../src/db/schema.ts', import.meta.url));

describe('src/db/schema.ts', () => {
  const dir = () => shared.outDir;

  it('matches the schema of a freshly built database (run `make schema` after changing a model)', async () => {
    const handle = await openDuckDB(join(dir(), 'fee_schedule.duckdb'), { readOnly: true });
    const db = new Kysely({ dialect: new DuckDBDialect({ connection: handle.connection }) });
    try {
      const generated = await generateSchemaSource(db);
      expect(generated).toBe(await readFile(schemaFile, 'utf8'));
      expect(generated).toContain('export interface PfsRvuTable {');
      expect(generated).toContain('  work_rvu: Decimal;');
      expect(generated).toContain('  modifier: string | null;');
    } finally {
      await db.destroy();
      handle.close();
    }
  });
});
