import { cp, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildComparison, compareBuilds } from '../scripts/compare-builds.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

/** The items (tables, views, macros, Parquet files) a comparison reports as not identical. */
function notIdentical(c: BuildComparison): string[] {
  return [...c.database, ...c.parquet]
    .filter((item) => item.status !== 'identical')
    .map((item) => `${item.kind} ${item.name}: ${item.status}`);
}

/** Rewrites a Parquet file of the copy from a query, keeping its key-value metadata. */
async function rewriteParquet(
  connection: DuckDBConnection,
  path: string,
  select: string,
  compression: string,
): Promise<void> {
  const kv = (
    await connection.runAndReadAll(
      `SELECT CAST(key AS VARCHAR) AS k, CAST(value AS VARCHAR) AS v FROM parquet_kv_metadata('${path}.orig')`,
    )
  ).getRowObjectsJson() as { k: string; v: string }[];
  const metadata = kv.map(({ k, v }) => `"${k}": '${v.replaceAll("'", "''")}'`).join(', ');
  await connection.run(
    `COPY (${select.replaceAll('$FILE', `read_parquet('${path}.orig')`)}) TO '${path}'
       (FORMAT parquet, COMPRESSION ${compression}, KV_METADATA {${metadata}})`,
  );
}

describe('scripts/compare-builds.ts', () => {
  let dir: string;
  let copy: string;

  beforeAll(async () => {
    // A copy of the shared build's published files (the symlinks through .current followed).
    dir = await mkdtemp(join(tmpdir(), 'fse-compare-'));
    copy = join(dir, 'out');
    await cp(
      await realpath(join(shared.outDir, 'fee_schedule.duckdb')),
      join(copy, 'fee_schedule.duckdb'),
    );
    await cp(await realpath(join(shared.outDir, 'parquet')), join(copy, 'parquet'), {
      recursive: true,
    });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports an unmodified copy identical, then exactly what was changed in it', async () => {
    const same = await compareBuilds(shared.outDir, copy);
    expect(notIdentical(same)).toEqual([]);
    expect(same.equal).toBe(true);
    expect(same.databaseBytesIdentical).toBe(true);
    expect(same.parquet.every((file) => file.bytesIdentical)).toBe(true);
    // Every table, view and Parquet file of the build was listed.
    expect(same.database.filter((i) => i.kind === 'table').length).toBeGreaterThan(20);
    expect(same.database.some((i) => i.kind === 'view' && i.name === 'code_card')).toBe(true);
    expect(same.parquet.map((f) => f.name)).toContain('pfs_rvu/release_id=RVU25D/pfs_rvu.parquet');

    // In the copy: one name of one code system, in the table (no view reads it) and in its
    // Parquet file; and source_file.parquet written again with other bytes but the same rows.
    const parquet = join(copy, 'parquet');
    const systemFile = join(parquet, 'indicator_system', 'indicator_system.parquet');
    const sourceFile = join(parquet, 'source_file', 'source_file.parquet');
    await cp(systemFile, `${systemFile}.orig`);
    await cp(sourceFile, `${sourceFile}.orig`);
    await rm(systemFile);
    await rm(sourceFile);
    const instance = await DuckDBInstance.create(join(copy, 'fee_schedule.duckdb'), {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    try {
      await connection.run(
        `UPDATE indicator_system SET name = 'Status' WHERE system = 'pfs_status_code'`,
      );
      await rewriteParquet(
        connection,
        systemFile,
        `SELECT * REPLACE (CASE WHEN system = 'pfs_status_code' THEN 'Status' ELSE name END AS name)
           FROM $FILE`,
        'zstd',
      );
      await rewriteParquet(connection, sourceFile, 'SELECT * FROM $FILE', 'snappy');
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    await rm(`${systemFile}.orig`);
    await rm(`${sourceFile}.orig`);

    const changed = await compareBuilds(shared.outDir, copy);
    expect(changed.equal).toBe(false);
    expect(notIdentical(changed)).toEqual([
      'table indicator_system: different',
      'parquet indicator_system/indicator_system.parquet: different',
    ]);
    const table = changed.database.find((i) => i.name === 'indicator_system');
    expect(table?.rows).toEqual({ a: 29, b: 29 });
    expect(table?.differences[0]).toBe(
      'rows differ: 1 only in A, 1 only in B; values differ in column(s) name',
    );
    expect(table?.differences.join('\n')).toContain("'name': Status Code,");
    expect(table?.differences.join('\n')).toContain("'name': Status,");
    const file = changed.parquet.find((f) => f.name.startsWith('indicator_system/'));
    expect(file?.differences[0]).toMatch(/^rows differ at 1 position\(s\), first at row \d+$/);
    // Other bytes, the same rows in the same order and the same metadata: identical.
    expect(changed.parquet.find((f) => f.name.startsWith('source_file/'))).toMatchObject({
      status: 'identical',
      bytesIdentical: false,
    });
    // Every row of every table of the full build compared (~26 s of CPU): on a loaded 2-core
    // machine, at nice 19, it overran the default 60 s.
  }, 240_000);
});
