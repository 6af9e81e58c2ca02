import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pfsRvuPipeline } from '../pipelines/pfs-rvu/pipeline.js';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { BlockedRunError } from '../src/errors.js';
import { CONTRACT_VERSION, type Contract } from '../src/load/contract.js';
import { openFullRefresh, rows } from './helpers/database.js';
import { copyRaw, hashTree, makeTempDir, removeTempDirs } from './helpers/raw.js';
import { refresh } from './helpers/refresh.js';

describe('the Parquet contract (out/manifest.json)', () => {
  let db: DuckDBHandle;
  let contract: Contract;
  beforeAll(async () => {
    db = await openFullRefresh();
    contract = JSON.parse(
      await readFile(join(inject('fullRefresh').outDir, 'manifest.json'), 'utf8'),
    ) as Contract;
  });
  afterAll(() => db.close());

  it('describes every dataset with columns, key, partitioning, files and releases', () => {
    expect(contract.contract_version).toBe(CONTRACT_VERSION);
    const pfs = contract.datasets.find((d) => d.name === 'pfs_rvu');
    expect(pfs).toMatchObject({
      key: ['release', 'hcpcs', 'modifier'],
      partitioning: ['release'],
      row_count: 19090,
      releases: ['RVU25D'],
    });
    expect(pfs?.files).toEqual([
      expect.objectContaining({ path: 'parquet/pfs_rvu/release=RVU25D/pfs_rvu.parquet' }),
    ]);
    expect(pfs?.columns.find((c) => c.name === 'work_rvu')).toMatchObject({ type: 'DECIMAL(8,2)' });
    expect(contract.datasets.map((d) => d.name)).toEqual(
      expect.arrayContaining(['release', 'indicator_code', 'hcpcs_code', 'opps_addendum_b', 'mue']),
    );
  });

  it('reads back every dataset with read_parquet: the same rows as the DuckDB table', async () => {
    const outDir = inject('fullRefresh').outDir;
    for (const dataset of contract.datasets) {
      const partitioned = dataset.partitioning.length > 0;
      if (partitioned && dataset.files.length === 0) {
        // A partitioned dataset with no rows has no partition, so no file (pfs_rvu_qpp before a
        // CY2026 release is loaded): the contract says so.
        expect(dataset.row_count, dataset.name).toBe(0);
        const [count] = await rows(db, `SELECT count(*) AS n FROM "${dataset.name}"`);
        expect(Number(count?.n), dataset.name).toBe(0);
        continue;
      }
      const glob = join(
        outDir,
        'parquet',
        dataset.name,
        partitioned ? 'release=*' : '',
        '*.parquet',
      );
      const columns = dataset.columns
        .filter((c) => c.name !== 'release')
        .map((c) => `"${c.name}"::VARCHAR`)
        .join(', ');
      const release = partitioned ? ', release_id::VARCHAR' : '';
      const parquetRelease = partitioned ? ', "release"::VARCHAR' : '';
      const [diff] = await rows(
        db,
        `SELECT count(*) AS n FROM (
           (SELECT ${columns}${release} FROM "${dataset.name}"
            EXCEPT ALL SELECT ${columns}${parquetRelease} FROM read_parquet('${glob}', hive_partitioning = ${partitioned}))
           UNION ALL
           (SELECT ${columns}${parquetRelease} FROM read_parquet('${glob}', hive_partitioning = ${partitioned})
            EXCEPT ALL SELECT ${columns}${release} FROM "${dataset.name}"))`,
      );
      expect(diff, dataset.name).toEqual({ n: '0' });
      const [count] = await rows(db, `SELECT count(*) AS n FROM "${dataset.name}"`);
      expect(Number(count?.n), dataset.name).toBe(dataset.row_count);
    }
  });
});

describe('a schema change that breaks the contract', () => {
  afterAll(removeTempDirs);

  it('fails the run unless the contract version is raised', async () => {
    const rawDir = await copyRaw();
    const outDir = join(await makeTempDir('contract'), 'out');
    const pipelines = [pfsRvuPipeline];
    await refresh({ rawDir, outDir, pipelines });

    // Pretend the published contract had a column this version no longer writes.
    const manifestPath = join(outDir, 'manifest.json');
    const published = JSON.parse(await readFile(manifestPath, 'utf8')) as Contract;
    published.datasets
      .find((d) => d.name === 'pfs_rvu')
      ?.columns.push({
        name: 'retired_column',
        type: 'VARCHAR',
        nullable: true,
        description: null,
      });
    await writeFile(manifestPath, JSON.stringify(published));
    const before = await hashTree(outDir);

    const error = await refresh({ rawDir, outDir, pipelines, force: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BlockedRunError);
    expect((error as BlockedRunError).details).toEqual(['pfs_rvu.retired_column was removed']);
    expect(await hashTree(outDir)).toEqual(before);

    // The same change with the contract version raised over the published one passes.
    published.contract_version = CONTRACT_VERSION - 1;
    await writeFile(manifestPath, JSON.stringify(published));
    await expect(refresh({ rawDir, outDir, pipelines, force: true })).resolves.toMatchObject({
      runId: expect.any(String),
    });
  });
});
