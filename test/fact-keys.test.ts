/**
 * Each fact table's key declared in DuckDB (issue 20), from the one declaration the contract's
 * keys come from, and a key repeated in a release named by file, line and rule whether the run
 * builds everything (the unique-key check, before the keys are declared) or builds on the
 * published database, whose fact tables have their keys already.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../pipelines/index.js';
import { datasetKey } from '../src/load/contract.js';
import { keyIndexName } from '../src/run/fact-keys.js';
import { blameMatches, blamesOf, describeBlames } from './helpers/blame.js';
import { openOutDatabase, rowsJS } from './helpers/duckdb.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';
import {
  CSV_NAME,
  hashTree,
  joinLines,
  makeTempDir,
  RELEASE_SUBDIR,
  readFileLines,
  removeTempDirs,
  smallPfsRaw,
} from './helpers/raw.js';
import { refreshPfs } from './helpers/refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

afterAll(removeTempDirs);

/** Every fact table with the key the contract declares for it (release_id first). */
const FACT_KEYS = CATALOG.pipelines.flatMap((p) =>
  p.factTables.map((f) => ({ table: f.name, key: datasetKey({ key: f.key, source: p.source }) })),
);

/** The catalog's fact tables, and those whose key holds a modifier that may be NULL. */
const FACT_TABLES = [
  'betos_code',
  'ccs_range',
  'hcpcs_code',
  'hcpcs_tos',
  'mue',
  'opps_addendum_b',
  'pfs_anesthesia_cf',
  'pfs_gpci',
  'pfs_locality',
  'pfs_opps_cap',
  'pfs_payment_basis',
  'pfs_rvu',
  'pfs_rvu_qpp',
];
const MODIFIER_MAY_BE_NULL = ['pfs_opps_cap', 'pfs_rvu', 'pfs_rvu_qpp'];
describe('the keys of the fact tables in DuckDB', () => {
  let primary: Map<string, string[]>;
  let unique: Map<string, string>;
  let described: Map<string, string[]>;
  let contractKeys: Map<string, string[]>;

  beforeAll(async () => {
    const { outDir } = shared;
    const db = await openOutDatabase(outDir);
    try {
      const { connection } = db;
      primary = new Map(
        (
          await rowsJS(
            connection,
            `SELECT table_name, constraint_column_names FROM duckdb_constraints()
             WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()`,
          )
        ).map((r) => [String(r.table_name), (r.constraint_column_names as unknown[]).map(String)]),
      );
      unique = new Map(
        (
          await rowsJS(
            connection,
            `SELECT table_name, sql FROM duckdb_indexes()
             WHERE is_unique AND database_name = current_database()`,
          )
        ).map((r) => [String(r.table_name), String(r.sql)]),
      );
      described = new Map();
      for (const { table } of FACT_KEYS) {
        const columns = await rowsJS(connection, `DESCRIBE ${table}`);
        described.set(
          table,
          columns.filter((c) => c.key === 'PRI').map((c) => String(c.column_name)),
        );
      }
    } finally {
      db.close();
    }
    const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as {
      datasets: { name: string; key: string[] }[];
    };
    contractKeys = new Map(manifest.datasets.map((d) => [d.name, d.key]));
  });

  it('declares the 13 fact tables of the catalog', () => {
    expect(FACT_KEYS.map((f) => f.table).sort()).toEqual(FACT_TABLES);
  });

  it('gives a fact table whose key is never NULL a PRIMARY KEY: the contract key, shown by DESCRIBE', () => {
    const withPrimaryKey = FACT_KEYS.filter((f) => primary.has(f.table));
    expect(withPrimaryKey.map((f) => f.table).sort()).toEqual(
      FACT_TABLES.filter((t) => !MODIFIER_MAY_BE_NULL.includes(t)),
    );
    for (const { table, key } of withPrimaryKey) {
      expect(primary.get(table), table).toEqual(key);
      expect(contractKeys.get(table), table).toEqual(key);
      expect(described.get(table), table).toEqual(key);
    }
    expect(primary.get('pfs_gpci')).toEqual(['release_id', 'mac', 'locality_number']);
  });

  it('gives one whose key holds a NULL modifier a unique index, NULL equal to NULL as in the contract', () => {
    const withIndex = FACT_KEYS.filter((f) => !primary.has(f.table));
    expect(withIndex.map((f) => f.table).sort()).toEqual(MODIFIER_MAY_BE_NULL);
    for (const { table, key } of withIndex) {
      expect(contractKeys.get(table), table).toEqual(key);
      const columns = key.map((c) => (c === 'modifier' ? "(COALESCE(modifier, ''))" : c));
      expect(unique.get(table), table).toBe(
        `CREATE UNIQUE INDEX ${keyIndexName(table)} ON ${table}(${columns.join(', ')});`,
      );
    }
  });
});

describe('a key repeated in a release added to a published run', () => {
  /** A later release: the small RVU25D file again, its line 52 written twice. */
  const ADDED = join('pfs-rvu', 'RVU26A');
  let error: unknown;
  let before: Record<string, string>;
  let after: Record<string, string>;

  beforeAll(async () => {
    const rawDir = await smallPfsRaw(300, 'fact-keys');
    const outDir = join(await makeTempDir('fact-keys-out'), 'out');
    await refreshPfs({ rawDir, outDir });
    const lines = await readFileLines(join(rawDir, RELEASE_SUBDIR, CSV_NAME));
    lines.splice(52, 0, lines[51] as string);
    await mkdir(join(rawDir, ADDED), { recursive: true });
    await writeFile(join(rawDir, ADDED, CSV_NAME), joinLines(lines));
    before = await hashTree(outDir);
    const log: string[] = [];
    error = await refreshPfs({ rawDir, outDir, log: (l) => log.push(l) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    after = await hashTree(outDir);
    // It built on the published run (whose pfs_rvu has its key), not from scratch.
    expect(log.join('\n')).toContain('unchanged since the published run');
  }, 120_000);

  it('is refused naming the file, the repeated line and the unique-key rule; nothing published', () => {
    expect(error).toBeDefined();
    const blames = blamesOf(error);
    const expected = { file: `${ADDED}/${CSV_NAME}`, line: 53, rule: /^unique key/ };
    expect(
      blames.some((b) => blameMatches(b, expected)),
      describeBlames(blames),
    ).toBe(true);
    expect(String((error as Error).message)).not.toMatch(/Constraint Error/);
    expect(after).toEqual(before);
  });
});
