import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { identifier, literal } from '../src/db/sql.js';
import { CORE_TABLES as CORE_TABLE_DECLARATIONS } from '../src/models/tables.js';
import { counts, openOutDatabase, rowsJson, scalar } from './helpers/duckdb.js';
import {
  CSV_KEY,
  CSV_NAME,
  joinLines,
  makeTempDir,
  RELEASE_SUBDIR,
  REPO_RAW_DIR,
  readFileLines,
  readManifestJson,
  removeTempDirs,
  smallPfsRaw,
} from './helpers/raw.js';
import { refreshPfs, sharedPfsRun } from './helpers/refresh.js';

const CORE_TABLES = CORE_TABLE_DECLARATIONS.map((t) => t.name);

let parquetDir: string;
let db: DuckDBHandle;
let connection: DuckDBConnection;
let csvSha256: string;

/** read_parquet over the release partitions of pfs_rvu, with the hive column `release`. */
let factParquet: string;

/** Column names of a DuckDB table, in order. */
async function tableColumns(table: string): Promise<{ name: string; type: string }[]> {
  const rows = await rowsJson(
    connection,
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns
     WHERE table_name = ${literal(table)} ORDER BY ordinal_position`,
  );
  return rows as { name: string; type: string }[];
}

beforeAll(async () => {
  const manifest = await readManifestJson(REPO_RAW_DIR);
  const csv = manifest.files.find((f) => f.path === 'PPRRVU2025_Oct.csv');
  if (!csv) throw new Error('PPRRVU2025_Oct.csv not in the repository manifest');
  csvSha256 = csv.sha256;
  const { outDir, summary } = await sharedPfsRun();
  parquetDir = summary.parquetDir;
  expect(parquetDir).toBe(join(outDir, 'parquet'));
  factParquet = `read_parquet(${literal(join(parquetDir, 'pfs_rvu', '**', '*.parquet'))}, hive_partitioning = true)`;
  db = await openOutDatabase(outDir);
  connection = db.connection;
});

afterAll(async () => {
  db?.close();
  await removeTempDirs();
});

describe('Parquet export of pfs_rvu', () => {
  it('writes one partition folder, release_id=RVU25D', async () => {
    expect(await readdir(join(parquetDir, 'pfs_rvu'))).toEqual(['release_id=RVU25D']);
    expect(await readdir(join(parquetDir, 'pfs_rvu', 'release_id=RVU25D'))).toEqual([
      'pfs_rvu.parquet',
    ]);
  });

  it('has 19,090 rows, every one with release RVU25D', async () => {
    expect(
      await counts(
        connection,
        `SELECT release_id::VARCHAR, count(*) FROM ${factParquet} GROUP BY 1`,
      ),
    ).toEqual({ RVU25D: 19090 });
  });

  it('has the columns and types of the table (release_id moved to the partition, one name)', async () => {
    const table = (await tableColumns('pfs_rvu')).filter((c) => c.name !== 'release_id');
    const parquet = await rowsJson(
      connection,
      `SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM ${factParquet})`,
    );
    expect(parquet.filter((c) => c.name !== 'release_id')).toEqual(table);
    expect(parquet.map((c) => c.name)).toContain('release_id');
    expect(parquet.map((c) => c.name)).not.toContain('release');
  });

  it('holds exactly the rows of the DuckDB table (EXCEPT ALL both ways, as text)', async () => {
    const columns = (await tableColumns('pfs_rvu'))
      .filter((c) => c.name !== 'release_id')
      .map((c) => `${identifier(c.name)}::VARCHAR AS ${identifier(c.name)}`)
      .join(', ');
    const table = `SELECT release_id::VARCHAR AS rel, ${columns} FROM pfs_rvu`;
    const parquet = `SELECT release_id::VARCHAR AS rel, ${columns} FROM ${factParquet}`;
    expect(await scalar(connection, `SELECT count(*) FROM (${table} EXCEPT ALL ${parquet})`)).toBe(
      0,
    );
    expect(await scalar(connection, `SELECT count(*) FROM (${parquet} EXCEPT ALL ${table})`)).toBe(
      0,
    );
    // The comparison sees a difference when there is one.
    const altered = `SELECT release_id::VARCHAR AS rel, ${columns.replace(
      '"work_rvu"::VARCHAR AS "work_rvu"',
      `CASE WHEN hcpcs = '38211' THEN '1.43' ELSE work_rvu::VARCHAR END AS work_rvu`,
    )} FROM ${factParquet}`;
    expect(await scalar(connection, `SELECT count(*) FROM (${table} EXCEPT ALL ${altered})`)).toBe(
      1,
    );
  });

  it('is written in source_line order', async () => {
    expect(
      await scalar(
        connection,
        `SELECT count(*) FROM (
           SELECT source_line, lag(source_line) OVER (ORDER BY file_row_number) AS previous
           FROM read_parquet(${literal(join(parquetDir, 'pfs_rvu', 'release_id=RVU25D', 'pfs_rvu.parquet'))},
                             file_row_number = true))
         WHERE source_line <= previous`,
      ),
    ).toBe(0);
  });

  it("carries key-value metadata 'release' = RVU25D and the CSV's sha256", async () => {
    const file = join(parquetDir, 'pfs_rvu', 'release_id=RVU25D', 'pfs_rvu.parquet');
    const rows = await rowsJson(
      connection,
      `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${literal(file)})`,
    );
    const kv = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    expect(kv).toMatchObject({
      table: 'pfs_rvu',
      release: 'RVU25D',
      source_file: CSV_KEY,
      source_sha256: csvSha256,
    });
    expect(kv.source_sha256).toBe(
      '8af460f38bf982b79b07269fbc8b7256a8ef3bd3aa025a9c5cb71c1e52523c56',
    );
  });
});

describe('Parquet export of the core tables', () => {
  it('writes a folder for each core table and for pfs_rvu under parquet/', async () => {
    expect(await readdir(parquetDir)).toEqual(expect.arrayContaining([...CORE_TABLES, 'pfs_rvu']));
  });

  for (const table of CORE_TABLES) {
    it(`${table}: parquet/${table}/${table}.parquet has the row count of the table`, async () => {
      expect(await readdir(join(parquetDir, table))).toEqual([`${table}.parquet`]);
      const file = literal(join(parquetDir, table, `${table}.parquet`));
      const inParquet = await scalar(connection, `SELECT count(*) FROM read_parquet(${file})`);
      const inTable = await scalar(connection, `SELECT count(*) FROM ${identifier(table)}`);
      expect(inParquet).toBe(inTable);
    });
  }

  it('has non-empty core tables where the run produced rows', async () => {
    const file = (table: string) => literal(join(parquetDir, table, `${table}.parquet`));
    const n = async (table: string) =>
      scalar(connection, `SELECT count(*) FROM read_parquet(${file(table)})`);
    expect(await n('release')).toBe(1);
    expect(await n('source_file')).toBe(2);
    expect(await n('check_result')).toBeGreaterThanOrEqual(4);
    expect(await n('run')).toBe(1);
    expect(await n('rejected_row')).toBe(0);
    // The PFS code tables: 15 indicator systems, 93 codes (other sources may add their own);
    // the 15th, pfs_pricing_indicator (PRIC IND, CY2026 on), has 2.
    expect(
      await scalar(
        connection,
        `SELECT count(*) FROM read_parquet(${file('indicator_system')}) WHERE source = 'pfs-rvu'`,
      ),
    ).toBe(15);
    expect(
      await scalar(
        connection,
        `SELECT count(*) FROM read_parquet(${file('indicator_code')})
         WHERE system IN (SELECT system FROM read_parquet(${file('indicator_system')})
                          WHERE source = 'pfs-rvu')`,
      ),
    ).toBe(93);
  });
});

describe('Parquet compression', () => {
  it('uses ZSTD for every column chunk of every file', async () => {
    const glob = literal(join(parquetDir, '**', '*.parquet'));
    const rows = await rowsJson(
      connection,
      `SELECT DISTINCT compression::VARCHAR AS compression FROM parquet_metadata(${glob})`,
    );
    expect(rows).toEqual([{ compression: 'ZSTD' }]);
    // Every file that holds rows was inspected (an empty table, e.g. rejected_row, has no row
    // groups and so no compression to check), the pfs_rvu partition among them.
    const inspected = await rowsJson(
      connection,
      `SELECT count(DISTINCT file_name)::INTEGER AS n,
              bool_or(file_name LIKE '%/pfs_rvu/release_id=RVU25D/pfs_rvu.parquet') AS has_fact
       FROM parquet_metadata(${glob})`,
    );
    const withRows = await scalar(
      connection,
      `SELECT count(*)::INTEGER FROM parquet_file_metadata(${glob}) WHERE num_rows > 0`,
    );
    expect(withRows).toBeGreaterThanOrEqual(7);
    expect(inspected).toEqual([{ n: withRows, has_fact: true }]);
  });
});

describe('Parquet export of a decoded view', () => {
  /** Rows of a file in its row order: source_line and the key as text. */
  async function fileRows(c: DuckDBConnection, path: string): Promise<string[]> {
    const rows = await rowsJson(
      c,
      `SELECT source_line, hcpcs || '/' || coalesce(modifier, '') AS key
       FROM read_parquet(${literal(path)}, file_row_number = true) ORDER BY file_row_number`,
    );
    return rows.map((r) => `${r.source_line} ${r.key}`);
  }

  it('is in key order whether the release file lists its rows in key order or not (pfs_rvu in line order)', async () => {
    // RVU25D's first 40 data lines (lines 11-50), in key order as CMS lists them, then the same
    // lines with the first 20 moved after the others: key order is no longer line order.
    const sortedRaw = await smallPfsRaw(40, 'decoded-sorted');
    const csv = join(sortedRaw, RELEASE_SUBDIR, CSV_NAME);
    const lines = await readFileLines(csv);
    const shuffledRaw = await smallPfsRaw(40, 'decoded-shuffled');
    await writeFile(
      join(shuffledRaw, RELEASE_SUBDIR, CSV_NAME),
      joinLines([...lines.slice(0, 10), ...lines.slice(30), ...lines.slice(10, 30)]),
    );
    const files: Record<string, { decoded: string[]; facts: string[] }> = {};
    for (const [name, rawDir] of [
      ['sorted', sortedRaw],
      ['shuffled', shuffledRaw],
    ] as const) {
      const outDir = join(await makeTempDir(`decoded-${name}-out`), 'out');
      await refreshPfs({ rawDir, outDir });
      const out = await openOutDatabase(outDir);
      try {
        const release = join(outDir, 'parquet', '%s', 'release_id=RVU25D', '%s.parquet');
        files[name] = {
          decoded: await fileRows(out.connection, release.replaceAll('%s', 'pfs_decoded')),
          facts: await fileRows(out.connection, release.replaceAll('%s', 'pfs_rvu')),
        };
      } finally {
        out.close();
      }
    }
    const { sorted, shuffled } = files as Record<string, { decoded: string[]; facts: string[] }>;
    // The sorted file: key order is line order, lines 11-50.
    expect(sorted?.facts.map((r) => Number(r.split(' ')[0]))).toEqual(
      Array.from({ length: 40 }, (_, i) => 11 + i),
    );
    expect(sorted?.decoded).toEqual(sorted?.facts);
    // The shuffled file: the facts in its line order, the decoded view in key order, which is
    // the sorted file's key order (line 11 of the sorted file is line 31 of the shuffled one).
    expect(shuffled?.facts.map((r) => Number(r.split(' ')[0]))).toEqual(
      Array.from({ length: 40 }, (_, i) => 11 + i),
    );
    expect(shuffled?.decoded.map((r) => r.split(' ')[1])).toEqual(
      sorted?.decoded.map((r) => r.split(' ')[1]),
    );
    expect(shuffled?.decoded[0]).toBe(`31 ${sorted?.decoded[0]?.split(' ')[1]}`);
  });
});
