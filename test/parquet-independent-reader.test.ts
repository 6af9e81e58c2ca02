import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects, parquetSchema, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { identifier, literal } from '../src/db/sql.js';
import type { Contract, Dataset, DatasetColumn } from '../src/load/contract.js';
import { EMPTY_PARTITION, PARTITION_COLUMN } from '../src/load/parquet-export.js';
import { openFullRefresh, rows } from './helpers/database.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

/**
 * The Parquet files are standard: hyparquet, a Parquet reader with no DuckDB in it (pinned in
 * package.json), reads every file of every dataset in the manifest. Its schema gives the
 * contract's types (DECIMAL with precision and scale, DATE, text), its row counts the
 * contract's, the hive folder the partition value DuckDB reads, and its values of the first
 * rows of each file DuckDB's, text padding kept ('09', '000'), decimals to the last digit.
 */
const SAMPLE_ROWS = 300;

/** The type DuckDB names for a Parquet column, from its physical and logical types alone. */
function typeOf(element: SchemaElement): string {
  const logical = element.logical_type;
  if (element.converted_type === 'DECIMAL' || logical?.type === 'DECIMAL') {
    return `DECIMAL(${element.precision},${element.scale})`;
  }
  if (element.converted_type === 'DATE' || logical?.type === 'DATE') return 'DATE';
  if (logical?.type === 'TIMESTAMP' || element.converted_type?.startsWith('TIMESTAMP')) {
    return 'TIMESTAMP';
  }
  if (element.converted_type === 'UTF8' || logical?.type === 'STRING') return 'VARCHAR';
  switch (element.type) {
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'INT32':
      return element.converted_type === 'INT_8'
        ? 'TINYINT'
        : element.converted_type === 'INT_16'
          ? 'SMALLINT'
          : 'INTEGER';
    case 'INT64':
      return element.converted_type === 'UINT_64' ? 'UBIGINT' : 'BIGINT';
    case 'DOUBLE':
      return 'DOUBLE';
    default:
      return `unknown ${element.type}`;
  }
}

/** A value as hyparquet gives it, as text the way DuckDB's side of the comparison is written. */
function textOf(value: unknown, column: DatasetColumn): string | null {
  if (value === null || value === undefined) return null;
  const decimal = /^DECIMAL\(\d+,(\d+)\)$/.exec(column.type);
  if (decimal) return (value as number).toFixed(Number(decimal[1]));
  if (column.type === 'DATE') return (value as Date).toISOString().slice(0, 10);
  if (column.type === 'TIMESTAMP') return String((value as Date).getTime());
  return String(value);
}

/** DuckDB's side: the same text (a timestamp as epoch milliseconds, hyparquet's precision). */
function duckdbText(column: DatasetColumn): string {
  const name = identifier(column.name);
  return column.type === 'TIMESTAMP'
    ? `CAST(epoch_ms(${name}) AS VARCHAR) AS ${name}`
    : `CAST(${name} AS VARCHAR) AS ${name}`;
}

let db: DuckDBHandle;
let contract: Contract;
const outDir = () => shared.outDir;

beforeAll(async () => {
  db = await openFullRefresh();
  contract = JSON.parse(await readFile(join(outDir(), 'manifest.json'), 'utf8')) as Contract;
});
afterAll(() => db.close());

describe('every dataset read by an independent Parquet reader (hyparquet)', () => {
  it('covers every dataset of the manifest, each with at least one file', () => {
    expect(contract.datasets.length).toBeGreaterThan(30);
    for (const dataset of contract.datasets) {
      expect(dataset.files.length, dataset.name).toBeGreaterThan(0);
    }
  });

  it.each([
    'pfs_rvu',
    'pfs_decoded',
    'opps_decoded',
    'code_card_current',
    'hcpcs_code',
    'mue',
    'pfs_rvu_qpp',
    'release_diff',
    'code_history',
    'run',
  ])('%s is among them', (name) => {
    expect(contract.datasets.map((d) => d.name)).toContain(name);
  });

  it('reads the schema, row counts, partition values and first rows of every file as DuckDB does', async () => {
    const problems: string[] = [];
    let valuesCompared = 0;
    for (const dataset of contract.datasets) {
      const partitioned = dataset.partitioning.length > 0;
      const fileColumns = dataset.columns.filter(
        (c) => !(partitioned && c.name === PARTITION_COLUMN),
      );
      let rowsRead = 0;
      for (const file of dataset.files) {
        const path = join(outDir(), file.path);
        const bytes = await readFile(path);
        const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        const metadata = parquetMetadata(buffer);
        const schema = parquetSchema(metadata).children.map((c) => ({
          name: c.element.name,
          type: typeOf(c.element),
        }));
        const expected = fileColumns.map((c) => ({ name: c.name, type: c.type }));
        if (JSON.stringify(schema) !== JSON.stringify(expected)) {
          problems.push(`${file.path}: schema ${JSON.stringify(schema)}`);
          continue;
        }
        rowsRead += Number(metadata.num_rows);
        if (partitioned) problems.push(...(await partitionProblems(dataset, file.path, path)));
        const sample = (await parquetReadObjects({
          file: buffer,
          compressors,
          rowEnd: SAMPLE_ROWS,
        })) as Record<string, unknown>[];
        const mine = sample.map((row) => fileColumns.map((c) => textOf(row[c.name], c)));
        const duckdb = await rows(
          db,
          `SELECT ${fileColumns.map(duckdbText).join(', ')}
           FROM read_parquet(${literal(path)}, hive_partitioning = false, file_row_number = true)
           WHERE file_row_number < ${SAMPLE_ROWS} ORDER BY file_row_number`,
        );
        const theirs = duckdb.map((row) => fileColumns.map((c) => row[c.name] ?? null));
        if (mine.length !== theirs.length) {
          problems.push(`${file.path}: ${mine.length} sampled rows, DuckDB ${theirs.length}`);
        }
        for (const [i, row] of mine.entries()) {
          for (const [j, value] of row.entries()) {
            valuesCompared++;
            const other = theirs[i]?.[j] ?? null;
            if (value !== other) {
              problems.push(
                `${file.path} row ${i} ${fileColumns[j]?.name}: hyparquet ${JSON.stringify(value)}, DuckDB ${JSON.stringify(other)}`,
              );
            }
          }
        }
      }
      if (rowsRead !== dataset.row_count) {
        problems.push(
          `${dataset.name}: ${rowsRead} rows read, the contract says ${dataset.row_count}`,
        );
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(valuesCompared).toBeGreaterThan(100_000);
  });

  it('keeps text padding and reads decimals and dates exactly (pfs_rvu 38211, release)', async () => {
    const file = join(outDir(), 'parquet', 'pfs_rvu', 'release_id=RVU25D', 'pfs_rvu.parquet');
    const bytes = await readFile(file);
    const all = (await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      compressors,
      columns: ['hcpcs', 'modifier', 'global_days', 'work_rvu', 'conversion_factor'],
    })) as Record<string, unknown>[];
    expect(all).toHaveLength(19090);
    expect(all.find((r) => r.hcpcs === '38211' && r.modifier === null)).toMatchObject({
      global_days: 'XXX',
    });
    expect(all.filter((r) => r.global_days === '090').length).toBeGreaterThan(0);
    const release = await readFile(join(outDir(), 'parquet', 'release', 'release.parquet'));
    const releases = (await parquetReadObjects({
      file: release.buffer.slice(release.byteOffset, release.byteOffset + release.byteLength),
      compressors,
    })) as { release_id: string; effective_from: Date | null }[];
    const rvu25d = releases.find((r) => r.release_id === 'RVU25D');
    expect(rvu25d?.effective_from?.toISOString().slice(0, 10)).toBe('2025-10-01');
  });
});

/** A partition's folder value against what DuckDB reads from it as the hive column. */
async function partitionProblems(dataset: Dataset, relative: string, path: string) {
  const folder = relative.split('/').at(-2) ?? '';
  const value = folder.slice(`${PARTITION_COLUMN}=`.length);
  if (folder === EMPTY_PARTITION) {
    return dataset.row_count === 0
      ? []
      : [`${relative}: an empty partition in a dataset with rows`];
  }
  if (!dataset.releases.includes(value))
    return [`${relative}: release ${value} not in the contract`];
  const read = await rows(
    db,
    `SELECT DISTINCT ${PARTITION_COLUMN} AS value FROM read_parquet(${literal(path)},
       hive_partitioning = true, hive_types_autocast = false)`,
  );
  return JSON.stringify(read) === JSON.stringify([{ value }])
    ? []
    : [
        `${relative}: DuckDB reads ${PARTITION_COLUMN} ${JSON.stringify(read)}, the folder ${value}`,
      ];
}
