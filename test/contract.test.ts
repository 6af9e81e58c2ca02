import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pfsRvuPipeline } from '../pipelines/pfs-rvu/pipeline.js';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { identifier, literal } from '../src/db/sql.js';
import { BlockedRunError } from '../src/errors.js';
import { CONTRACT_VERSION, type Contract } from '../src/load/contract.js';
import { openFullRefresh, rows } from './helpers/database.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';
import { hashTree, makeTempDir, removeTempDirs, smallPfsRaw } from './helpers/raw.js';
import { refresh } from './helpers/refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

describe('the Parquet contract (out/manifest.json)', () => {
  let db: DuckDBHandle;
  let contract: Contract;
  beforeAll(async () => {
    db = await openFullRefresh();
    contract = JSON.parse(await readFile(join(shared.outDir, 'manifest.json'), 'utf8')) as Contract;
  });
  afterAll(() => db.close());

  it('describes every dataset with columns, key, partitioning, files and releases', () => {
    expect(contract.contract_version).toBe(CONTRACT_VERSION);
    const pfs = contract.datasets.find((d) => d.name === 'pfs_rvu');
    expect(pfs).toMatchObject({
      key: ['release_id', 'hcpcs', 'modifier'],
      partitioning: ['release_id'],
      row_count: 19090,
      releases: ['RVU25D'],
    });
    expect(pfs?.files).toEqual([
      expect.objectContaining({ path: 'parquet/pfs_rvu/release_id=RVU25D/pfs_rvu.parquet' }),
    ]);
    expect(pfs?.columns.find((c) => c.name === 'work_rvu')).toMatchObject({ type: 'DECIMAL(8,2)' });
    expect(contract.datasets.map((d) => d.name)).toEqual(
      expect.arrayContaining(['release', 'indicator_code', 'hcpcs_code', 'opps_addendum_b', 'mue']),
    );
  });

  it('names the release column release_id in Parquet as in DuckDB, never release', () => {
    for (const dataset of contract.datasets) {
      const names = dataset.columns.map((c) => c.name);
      expect(names, dataset.name).not.toContain('release');
      if (dataset.partitioning.length > 0) {
        expect(dataset.partitioning, dataset.name).toEqual(['release_id']);
        expect(names.at(-1), dataset.name).toBe('release_id');
      }
    }
  });

  it('gives the histories, release_diff and code_history a key', () => {
    const key = (name: string) => contract.datasets.find((d) => d.name === name)?.key;
    expect(key('pfs_rvu_history')).toEqual(['hcpcs', 'modifier', 'valid_from']);
    expect(key('hcpcs_code_history')).toEqual(['hcpcs', 'valid_from']);
    expect(key('release_diff')).toEqual(['source', 'to_release', 'key', 'column_name']);
    expect(key('code_history')).toEqual(['source', 'hcpcs', 'release_id']);
    const keyless = contract.datasets.filter((d) => d.key.length === 0).map((d) => d.name);
    expect(keyless).toEqual(['rejected_row', 'check_result']);
  });

  it("states each table column's nullability as DuckDB declares it (NOT NULL), pfs_rvu.hcpcs included", async () => {
    const declared = await rows(
      db,
      `SELECT table_name || '.' || column_name AS name, is_nullable AS nullable FROM duckdb_columns()
       WHERE table_name IN (SELECT table_name FROM duckdb_tables() WHERE database_name = current_database())
         AND database_name = current_database()`,
    );
    const nullable = new Map(declared.map((r) => [String(r.name), r.nullable]));
    let compared = 0;
    for (const dataset of contract.datasets) {
      for (const column of dataset.columns) {
        const inDuckDB = nullable.get(`${dataset.name}.${column.name}`);
        if (inDuckDB === undefined || dataset.partitioning.includes(column.name)) continue;
        // NOT NULL in DuckDB is not nullable in the contract; a column DuckDB lets be NULL may
        // be declared never NULL where DuckDB cannot say so (code_card_current is built by a
        // query): the data are held to it below.
        if (!inDuckDB) {
          expect(column.nullable, `${dataset.name}.${column.name}`).toBe(false);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
    const pfs = contract.datasets.find((d) => d.name === 'pfs_rvu');
    expect(pfs?.columns.find((c) => c.name === 'hcpcs')?.nullable).toBe(false);
    expect(pfs?.columns.find((c) => c.name === 'modifier')?.nullable).toBe(true);
    expect(pfs?.columns.find((c) => c.name === 'release_id')?.nullable).toBe(false);
  });

  it("states a table's primary key in DuckDB as its key", async () => {
    const keys = await rows(
      db,
      `SELECT table_name AS name, array_to_string(constraint_column_names, ',') AS key
       FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()`,
    );
    expect(keys.length).toBeGreaterThanOrEqual(9);
    for (const { name, key } of keys) {
      const dataset = contract.datasets.find((d) => d.name === name);
      if (dataset) expect(dataset.key.join(','), String(name)).toBe(key);
    }
  });

  it('holds the data to every key (unique) and every column that is not nullable (no NULL)', async () => {
    const outDir = shared.outDir;
    const checks = contract.datasets.map((dataset) => {
      const partitioned = dataset.partitioning.length > 0;
      const source = `read_parquet(${literal(join(outDir, 'parquet', dataset.name, partitioned ? '*/*.parquet' : '*.parquet'))}, hive_partitioning = ${partitioned}, hive_types_autocast = false)`;
      const key = dataset.key.map((k) => identifier(k)).join(', ');
      const notNull = dataset.columns.filter((c) => !c.nullable);
      const failures = [
        ...(key ? [`count(*) - count(DISTINCT (${key}, 0))`] : ['0']),
        ...notNull.map((c) => `count(*) FILTER (WHERE ${identifier(c.name)} IS NULL)`),
      ];
      return `SELECT ${literal(dataset.name)} AS dataset, [${failures.join(', ')}]::BIGINT[] AS failures,
                     ${literal(JSON.stringify(['key', ...notNull.map((c) => c.name)]))} AS names FROM ${source}`;
    });
    const found = await rows(db, checks.join('\nUNION ALL\n'));
    const broken = found.flatMap((r) => {
      const names = JSON.parse(String(r.names)) as string[];
      return (r.failures as unknown as string[]).flatMap((n, i) =>
        Number(n) > 0 ? [`${r.dataset}: ${names[i]} (${n} rows)`] : [],
      );
    });
    expect(broken).toEqual([]);
    expect(found).toHaveLength(contract.datasets.length);
  });

  it('reads back every dataset with read_parquet and the documented glob: the same rows as DuckDB', async () => {
    const outDir = shared.outDir;
    for (const dataset of contract.datasets) {
      const partitioned = dataset.partitioning.length > 0;
      const glob = join(outDir, 'parquet', dataset.name, partitioned ? '*/*.parquet' : '*.parquet');
      const columns = dataset.columns.map((c) => `${identifier(c.name)}::VARCHAR`).join(', ');
      const parquet = `read_parquet(${literal(glob)}, hive_partitioning = ${partitioned}, hive_types_autocast = false)`;
      // The same multiset of rows: the row count and the sum of the rows' hashes (of their text)
      // agree. EXCEPT ALL both ways took half a minute on pfs_payment_current's million rows.
      const fingerprint = (from: string) =>
        `(SELECT count(*)::VARCHAR || ' ' || coalesce(sum(hash(${columns})), 0)::VARCHAR FROM ${from})`;
      const [both] = await rows(
        db,
        `SELECT ${fingerprint(identifier(dataset.name))} AS duckdb, ${fingerprint(parquet)} AS parquet`,
      );
      expect(both?.parquet, dataset.name).toBe(both?.duckdb);
      const [count] = await rows(db, `SELECT count(*) AS n FROM ${identifier(dataset.name)}`);
      expect(Number(count?.n), dataset.name).toBe(dataset.row_count);
    }
  });

  it("writes a view's file in key order: pfs_payment_current's", async () => {
    const outDir = shared.outDir;
    const glob = join(outDir, 'parquet', 'pfs_payment_current', '*/*.parquet');
    // NULLS FIRST as the export orders: no modifier ('') before any modifier.
    const [order] = await rows(
      db,
      `SELECT count(*) AS rows, count(*) FILTER (WHERE previous > current) AS out_of_order FROM (
         SELECT (hcpcs, coalesce(modifier, ''), basis, mac, locality_number) AS current,
                lag((hcpcs, coalesce(modifier, ''), basis, mac, locality_number))
                  OVER (ORDER BY file_row_number) AS previous
         FROM read_parquet(${literal(glob)}, file_row_number = true))`,
    );
    expect(Number(order?.rows)).toBe(984_161);
    expect(order?.out_of_order).toBe('0');
  });

  it('gives a dataset with no rows one file with its columns (the glob finds it)', async () => {
    const outDir = shared.outDir;
    const qpp = contract.datasets.find((d) => d.name === 'pfs_rvu_qpp');
    expect(qpp).toMatchObject({ row_count: 0, releases: [] });
    expect(qpp?.files.map((f) => f.path)).toEqual([
      'parquet/pfs_rvu_qpp/release_id=__HIVE_DEFAULT_PARTITION__/pfs_rvu_qpp.parquet',
    ]);
    const described = await rows(
      db,
      `SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM read_parquet(
         ${literal(join(outDir, 'parquet', 'pfs_rvu_qpp', '*/*.parquet'))}, hive_partitioning = true, hive_types_autocast = false))`,
    );
    expect(described).toEqual(qpp?.columns.map((c) => ({ name: c.name, type: c.type })));
    const [count] = await rows(
      db,
      `SELECT count(*) AS n FROM read_parquet(${literal(join(outDir, 'parquet', 'pfs_rvu_qpp', '*/*.parquet'))})`,
    );
    expect(count).toEqual({ n: '0' });
  });

  it('exports the decoded datasets: codes with their labels as plain columns', async () => {
    const outDir = shared.outDir;
    const read = (name: string) =>
      `read_parquet(${literal(join(outDir, 'parquet', name, name === 'code_card_current' ? '*.parquet' : '*/*.parquet'))}, hive_partitioning = ${name !== 'code_card_current'}, hive_types_autocast = false)`;
    expect(
      await rows(
        db,
        `SELECT release_id, status_code, status_label, global_days, global_days_label FROM ${read('pfs_decoded')}
         WHERE hcpcs = '38211' AND modifier IS NULL`,
      ),
    ).toEqual([
      {
        release_id: 'RVU25D',
        status_code: 'I',
        status_label: 'Not valid for Medicare purposes',
        global_days: 'XXX',
        global_days_label: 'The global concept does not apply to the code.',
      },
    ]);
    expect(
      await rows(
        db,
        `SELECT status_indicator, status_indicator_label, apc FROM ${read('opps_decoded')} WHERE hcpcs = '38211'`,
      ),
    ).toEqual([
      {
        status_indicator: 'S',
        status_indicator_label: 'Procedure or Service, Not Discounted When Multiple',
        apc: '5241',
      },
    ]);
    expect(
      await rows(
        db,
        `SELECT status_label, ccs_label FROM ${read('code_card_current')} WHERE hcpcs = '38211' AND modifier IS NULL`,
      ),
    ).toEqual([
      { status_label: 'Not valid for Medicare purposes', ccs_label: 'Bone marrow transplant' },
    ]);
    const decoded = contract.datasets.find((d) => d.name === 'pfs_decoded');
    expect(decoded).toMatchObject({ key: ['release_id', 'hcpcs', 'modifier'], row_count: 19090 });
    expect(decoded?.columns.find((c) => c.name === 'status_code')?.nullable).toBe(false);
  });
});

describe('a schema change that breaks the contract', () => {
  afterAll(removeTempDirs);

  it('fails the run unless the contract version is raised', async () => {
    // RVU25D's first 300 rows: the contract compares columns, whatever the rows.
    const rawDir = await smallPfsRaw(300, 'contract-raw');
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
