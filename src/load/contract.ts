import type { Stats } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import { BlockedRunError } from '../errors.js';
import { sha256OfFile } from '../extract/file-profile.js';
import { literalPath } from '../extract/readers/literal-path.js';
import { EMPTY_PARTITION, PARTITION_COLUMN, type ParquetTable } from './parquet-export.js';

/**
 * Version of the Parquet contract in out/manifest.json. Raise it, deliberately, with a change
 * that removes or retypes a column, changes a dataset's key or lets a column hold NULL that did
 * not: without that, such a change fails the run (and test/contract-snapshot.test.ts), because
 * downstream systems would break on it.
 *
 * 2: the hive partition column is release_id (was release), as in DuckDB; keys of the
 * histories, release_diff, code_history and the page sources' tables; nullability as declared.
 */
export const CONTRACT_VERSION = 2;
export const MANIFEST_NAME = 'manifest.json';

export interface DatasetColumn {
  name: string;
  type: string;
  nullable: boolean;
  description: string | null;
}

/**
 * A dataset as the run declares it: where it is written (ParquetTable), the columns that
 * identify a row (within a release for a source's facts) and, for a view, the columns that are
 * never NULL. A table's nullability is its CREATE TABLE's (NOT NULL), a view's this list: the
 * one declaration the contract states and the tests hold the data to.
 */
export interface ExportedDataset extends ParquetTable {
  key: readonly string[];
  notNull?: readonly string[];
  /** A view showing this table's columns: a column NOT NULL there is never NULL here either. */
  nullableAs?: string;
}

export interface Dataset {
  name: string;
  description: string | null;
  key: string[];
  partitioning: string[];
  row_count: number;
  columns: DatasetColumn[];
  releases: string[];
  files: { path: string; sha256: string; bytes: number }[];
}

export interface Contract {
  contract_version: number;
  pipeline_version: string;
  run_id: string;
  generated_at: string;
  format: { type: 'parquet'; compression: 'zstd'; layout: string };
  datasets: Dataset[];
}

/** A published run's contract and folder: its files' hashes serve for files linked to them. */
export interface PublishedContract {
  contract: Contract;
  outputDir: string;
}

/**
 * The columns that identify a row of a dataset: a source's facts (and the views over them) add
 * the release they belong to to their declared key. DuckDB's key on a fact table is this too
 * (src/run/fact-keys.ts).
 */
export function datasetKey(table: Pick<ExportedDataset, 'key' | 'source'>): string[] {
  return table.source ? [PARTITION_COLUMN, ...table.key] : [...table.key];
}

/**
 * Describes every Parquet dataset the run wrote: columns as the Parquet files carry them. A file
 * that is the published file itself (a hard link: same device and inode) keeps its published
 * sha256 instead of being read again.
 */
export async function buildContract(
  connection: DuckDBConnection,
  outputDir: string,
  parquetDir: string,
  tables: readonly ExportedDataset[],
  runId: string,
  pipelineVersion: string,
  published?: PublishedContract,
): Promise<Contract> {
  const publishedSha256 = new Map(
    (published?.contract.datasets ?? []).flatMap((d) => d.files.map((f) => [f.path, f.sha256])),
  );
  // The descriptions and nullability of every table and column, read once (two queries per
  // dataset added up). A view's columns are all nullable to DuckDB: its declaration says more.
  const columnFacts = new Map(
    (
      await connection.runAndReadAll(
        "SELECT table_name || '.' || column_name, comment, is_nullable FROM duckdb_columns() WHERE schema_name = 'main' AND database_name = current_database()",
      )
    )
      .getRowsJS()
      .map(([key, comment, nullable]) => [
        String(key),
        { comment: comment as string | null, nullable: nullable !== false },
      ]),
  );
  const tableComments = new Map(
    (
      await connection.runAndReadAll(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()",
      )
    )
      .getRowsJS()
      .map(([name, comment]) => [String(name), comment as string | null]),
  );
  const files = await Promise.all(tables.map((table) => parquetFiles(parquetDir, table)));
  // Every dataset's columns, and its row count and releases, in one statement each (three per
  // dataset, one after another, took most of the contract's time).
  const columns = await describeColumns(connection, parquetDir, tables, files, columnFacts);
  const counts = await countRows(connection, tables, files);
  // Every file at once (a hundred release partitions were a hundred stat pairs in a row).
  const fileEntries = await Promise.all(
    files.map((paths) =>
      Promise.all(
        paths.map(async (path) => {
          const relativePath = relative(outputDir, path);
          const stats = await stat(path);
          const known = publishedSha256.get(relativePath);
          const linked =
            known !== undefined && published
              ? await sameFile(stats, join(published.outputDir, relativePath))
              : false;
          return {
            path: relativePath,
            sha256: linked && known ? known : await sha256OfFile(path),
            bytes: stats.size,
          };
        }),
      ),
    ),
  );
  const datasets: Dataset[] = tables.map((table, i) => ({
    name: table.name,
    description: tableComments.get(table.name) ?? null,
    key: datasetKey(table),
    partitioning: table.source ? [PARTITION_COLUMN] : [],
    row_count: counts[i]?.count ?? 0,
    columns: columns[i] ?? [],
    releases: counts[i]?.releases ?? [],
    files: fileEntries[i] ?? [],
  }));
  return {
    contract_version: CONTRACT_VERSION,
    pipeline_version: pipelineVersion,
    run_id: runId,
    generated_at: new Date().toISOString(),
    format: {
      type: 'parquet',
      compression: 'zstd',
      layout: `parquet/<dataset>/<dataset>.parquet; parquet/<dataset>/${PARTITION_COLUMN}=<id>/<dataset>.parquet for facts and the views over them (hive partitions, the partition column ${PARTITION_COLUMN} as in DuckDB: read it as text); parquet/<dataset>/<dataset>-<year>.parquet and <dataset>-open.parquet for the histories (release_diff, code_history, <fact>_history: one file per year of the row's date, open intervals apart; <dataset>.parquet when empty). Read a dataset as parquet/<dataset>/*.parquet or, for partitioned datasets, parquet/<dataset>/*/*.parquet. Every dataset has at least one file: a partitioned dataset with no release yet has one file with its columns and no rows, under ${EMPTY_PARTITION}/. nullable: false means no row holds NULL there (the Parquet files mark every column optional). A key identifies a row; a NULL in a key column (modifier) compares equal to NULL.`,
    },
    datasets,
  };
}

/**
 * Each dataset's columns as its Parquet files carry them, in order; a source with no release
 * yet has no file: what its files will hold.
 */
async function describeColumns(
  connection: DuckDBConnection,
  parquetDir: string,
  tables: readonly ExportedDataset[],
  files: readonly (readonly string[])[],
  facts: ReadonlyMap<string, { comment: string | null; nullable: boolean }>,
): Promise<DatasetColumn[][]> {
  const described = await connection.runAndReadAll(
    tables
      .map((table, i) => {
        const glob = table.source
          ? join(literalPath(parquetDir), table.name, `${PARTITION_COLUMN}=*`, '*.parquet')
          : join(literalPath(parquetDir), table.name, '*.parquet');
        const query =
          (files[i] ?? []).length > 0
            ? `SELECT * FROM read_parquet(${literal(glob)}, hive_partitioning = ${table.source ? 'true' : 'false'}, hive_types_autocast = false)`
            : `SELECT * ${table.source ? `EXCLUDE (${PARTITION_COLUMN}), ${PARTITION_COLUMN}` : ''} FROM ${identifier(table.name)}`;
        return `SELECT ${i} AS dataset, row_number() OVER () AS position, column_name, column_type, "null"
                FROM (DESCRIBE ${query})`;
      })
      .join('\nUNION ALL\n')
      .concat('\nORDER BY dataset, position'),
  );
  const columns = tables.map((): DatasetColumn[] => []);
  for (const [dataset, , name, type] of described.getRowsJS()) {
    const table = tables[Number(dataset)] as ExportedDataset;
    const fact = facts.get(`${table.name}.${String(name)}`);
    const shown = table.nullableAs ? facts.get(`${table.nullableAs}.${String(name)}`) : undefined;
    const partition = table.source !== undefined && name === PARTITION_COLUMN;
    columns[Number(dataset)]?.push({
      name: String(name),
      type: String(type),
      nullable:
        !partition &&
        (fact?.nullable ?? true) &&
        (shown?.nullable ?? true) &&
        !(table.notNull ?? []).includes(String(name)),
      description:
        fact?.comment ??
        (partition ? `Release id (hive partition ${PARTITION_COLUMN}=<id>).` : null),
    });
  }
  return columns;
}

/**
 * Each dataset's row count and, for a source's facts, its releases (the partitions with rows),
 * as the files the run wrote hold them: from their footers, in one statement. Counting in
 * DuckDB evaluated each exported view once more (pfs_decoded's label joins for every row), a
 * twentieth of a second per release.
 */
async function countRows(
  connection: DuckDBConnection,
  tables: readonly ExportedDataset[],
  files: readonly (readonly string[])[],
): Promise<{ count: number; releases: string[] }[]> {
  const paths = files.flat();
  const rows = new Map<string, number>();
  if (paths.length > 0) {
    const reader = await connection.runAndReadAll(
      `SELECT file_name, num_rows FROM parquet_file_metadata([${paths.map((p) => literal(literalPath(p))).join(', ')}])`,
    );
    for (const [name, count] of reader.getRowsJS()) rows.set(String(name), Number(count));
  }
  return tables.map((table, i) => {
    let count = 0;
    const releases = new Set<string>();
    for (const path of files[i] ?? []) {
      const n = rows.get(path);
      if (n === undefined) throw new Error(`contract: no row count read for ${path}`);
      count += n;
      const partition = basename(dirname(path));
      if (table.source && n > 0 && partition.startsWith(`${PARTITION_COLUMN}=`)) {
        releases.add(partition.slice(PARTITION_COLUMN.length + 1));
      }
    }
    // In DuckDB's order of text (bytes), as list(DISTINCT release_id ORDER BY release_id) was.
    const sorted = [...releases].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return { count, releases: sorted };
  });
}

/**
 * A dataset's Parquet files in path order: the .parquet files of its folder or, for a source's
 * facts, of its release_id=<id> folders.
 */
async function parquetFiles(parquetDir: string, table: ParquetTable): Promise<string[]> {
  const dir = join(parquetDir, table.name);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files = table.source
    ? (
        await Promise.all(
          entries
            .filter((e) => e.isDirectory() && e.name.startsWith(`${PARTITION_COLUMN}=`))
            .map(async (e) =>
              (
                await readdir(join(dir, e.name))
              )
                .filter((name) => name.endsWith('.parquet'))
                .map((name) => join(dir, e.name, name)),
            ),
        )
      ).flat()
    : entries
        .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
        .map((e) => join(dir, e.name));
  return files.sort();
}

async function sameFile(stats: Stats, otherPath: string): Promise<boolean> {
  const other = await stat(otherPath).catch(() => null);
  return other !== null && other.ino === stats.ino && other.dev === stats.dev;
}

/** What of a dataset a reader relies on: its key and each column's type and nullability. */
export type ContractShape = Pick<Dataset, 'name' | 'key'> & {
  columns: Pick<DatasetColumn, 'name' | 'type' | 'nullable'>[];
};

/**
 * Changes that break a reader of the previous contract: a dataset or column gone, retyped, a
 * column that may now be NULL, or another key. A new dataset or column, or a column that can no
 * longer be NULL, does not.
 */
export function breakingChanges(
  previous: { datasets: readonly ContractShape[] },
  next: { datasets: readonly ContractShape[] },
): string[] {
  const changes: string[] = [];
  for (const old of previous.datasets) {
    const now = next.datasets.find((d) => d.name === old.name);
    if (!now) {
      changes.push(`dataset ${old.name} was removed`);
      continue;
    }
    if (old.key.join(',') !== now.key.join(',')) {
      changes.push(
        `${old.name}: key changed from (${old.key.join(', ')}) to (${now.key.join(', ')})`,
      );
    }
    for (const column of old.columns) {
      const current = now.columns.find((c) => c.name === column.name);
      if (!current) changes.push(`${old.name}.${column.name} was removed`);
      else if (current.type !== column.type) {
        changes.push(
          `${old.name}.${column.name} changed type from ${column.type} to ${current.type}`,
        );
      } else if (current.nullable && !column.nullable) {
        changes.push(`${old.name}.${column.name} may now be NULL`);
      }
    }
  }
  return changes;
}

/** The part of a contract a reader relies on, as test/contract-snapshot.json keeps it. */
export interface ContractSnapshot {
  contract_version: number;
  datasets: ContractShape[];
}

export function contractSnapshot(contract: Contract): ContractSnapshot {
  return {
    contract_version: contract.contract_version,
    datasets: contract.datasets.map((d) => ({
      name: d.name,
      key: [...d.key],
      columns: d.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    })),
  };
}

/**
 * The changes that break a reader of `previous` while `next` keeps its contract version: none
 * once the version is raised.
 */
export function unversionedBreakingChanges(
  previous: ContractSnapshot,
  next: ContractSnapshot,
): string[] {
  return next.contract_version > previous.contract_version ? [] : breakingChanges(previous, next);
}

export async function readPublishedContract(outDir: string): Promise<Contract | null> {
  const text = await readFile(join(outDir, MANIFEST_NAME), 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as Contract);
}

/**
 * Fails the run when the new Parquet schema breaks the published contract and the contract
 * version was not raised; additive changes (new datasets, new columns) pass.
 */
export function checkContract(previous: Contract | null, next: Contract): void {
  if (!previous) return;
  const changes = unversionedBreakingChanges(previous, next);
  if (changes.length > 0) {
    throw new BlockedRunError(
      `refresh blocked: the Parquet schema changed in a way that breaks contract version ${previous.contract_version}; nothing was published. If the change is intended, raise CONTRACT_VERSION in src/load/contract.ts.`,
      changes,
    );
  }
}

export async function writeContract(dir: string, contract: Contract): Promise<void> {
  await writeFile(join(dir, MANIFEST_NAME), `${JSON.stringify(contract, null, 2)}\n`);
}
