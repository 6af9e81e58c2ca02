import { copyFile, link, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { mapOnConnections } from '../db/connection-pool.js';
import { identifier, literal } from '../db/sql.js';

/**
 * The hive partition column of a source's facts: the folder release_id=<id>/, named as the
 * column is in DuckDB (one name for the release everywhere).
 */
export const PARTITION_COLUMN = 'release_id';

/**
 * The folder of a partitioned dataset that has no release yet: it holds one file with no rows
 * and the dataset's columns, so that reading parquet/<dataset>/*\/*.parquet finds a file and the
 * schema (Hive's name for the partition of no value).
 */
export const EMPTY_PARTITION = `${PARTITION_COLUMN}=__HIVE_DEFAULT_PARTITION__`;

export interface ParquetTable {
  name: string;
  /**
   * Row order of a one-file table, where the table's own order is not the one to publish; of
   * each release's file for a view (a join gives no order of its own).
   */
  orderBy?: string;
  /**
   * Facts of a source (and views over them) are written one folder per release
   * (release_id=<id>/), as hive partitions.
   */
  source?: string;
  /**
   * A date column: the table is written one file per year of it, <table>-<year>.parquet, and
   * <table>-open.parquet for its NULLs (open history intervals), so that a run appending a
   * release writes only the years it changed. An empty table is one empty <table>.parquet.
   */
  segmentBy?: string;
  /**
   * The source whose releases alone change a segmented table's rows (its history): when the
   * run added none of them, every segment of the published run is taken over, the open one too.
   */
  changedBy?: string;
  /**
   * The table whose release ids are a view's partitions (a decoded view's rows are its table's):
   * listing them from the view ran its label joins once more per row.
   */
  partitionsFrom?: string;
  /** A release's rows by another query than the table's (a view's, whose join costs more). */
  releaseRows?: ReleaseRows;
  /**
   * The sources a mart across sources is built from: when the run added a release of none of
   * them, the mart is as published and so are its partitions, read from the published folders
   * rather than listed by a query (listing a view's releases computed the view).
   */
  builtFrom?: readonly string[];
  /**
   * Its files are written before the others: a view computed as its file is written (a million
   * rows) took as long as the rest of the export, which then ran beside it rather than before.
   */
  writeFirst?: boolean;
  /**
   * It holds the newest release of its source only (newest_release(source)): that release's file
   * is written without listing the view's releases first (listing a view computed it), and
   * gives way to the empty partition when it has no rows.
   */
  newestOnly?: boolean;
}

/**
 * A dataset's rows release by release, by another query than the table's. The file's rows are
 * still in the dataset's orderBy.
 */
export interface ReleaseRows {
  /** Run once on each connection, before it writes the first of the dataset's files. */
  setup: string;
  /** Run on each of those connections once every file is written. */
  cleanup: string;
  release(release: string): {
    /** Statements to run first, on the same connection. */
    prepare: string;
    /** The SELECT of the dataset's columns without release_id, rows in the table's stored order. */
    select: string;
    /** One boolean: true when `select` gives its rows in `orderBy` order already. */
    inOrder(orderBy: string): string;
  };
}

export interface ReleaseFiles {
  source: string;
  release: string;
  /** The files the release's rows came from, and their sha256, in the same order. */
  sourceFiles: string[];
  sourceSha256s: string[];
}

/** Release partitions and year segments the published run wrote already, from the same rows. */
export interface PublishedPartitions {
  parquetDir: string;
  /** "<source>/<release>" of each release taken over unchanged. */
  releases: ReadonlySet<string>;
  /**
   * The earliest effective date among the releases this run added (YYYY-MM-DD): segments of
   * earlier years hold rows dated before it, which releases added later do not change. Null
   * when no added release is dated: every segment is written.
   */
  since: string | null;
  /** The sources the run added releases of. */
  addedSources: ReadonlySet<string>;
}

/** The segment of a row: the year of the date column, or "open" where it is NULL. */
function segmentSql(column: string): string {
  return `coalesce(CAST(year(${identifier(column)}) AS VARCHAR), 'open')`;
}

/**
 * Writes each table under parquetDir/<table>/, ZSTD-compressed, with key-value metadata naming
 * the release and the source file's sha256 so a snapshot can be traced to its bytes. The
 * partitions of releases taken over from the published run are linked, not written again.
 * Files are written on all `connections` at once: a release's file is too small for DuckDB to
 * write it on more than one thread, so one connection per core keeps the cores busy.
 */
export async function exportParquet(
  connections: readonly DuckDBConnection[],
  parquetDir: string,
  tables: readonly ParquetTable[],
  releases: readonly ReleaseFiles[],
  pipelineVersion: string,
  published?: PublishedPartitions,
): Promise<string[]> {
  const [connection] = connections;
  if (!connection) throw new Error('parquet export: no connection');
  const written: string[] = [];
  type Write = (connection: DuckDBConnection) => Promise<unknown>;
  const writes: Write[] = [];
  const firstWrites: Write[] = [];
  /** Files of the published run to link: published file, file written, and how to write it. */
  const links: [string, string, Write][] = [];
  const kept = tables.map(
    (table) =>
      published !== undefined &&
      table.source !== undefined &&
      table.builtFrom?.every((source) => !published.addedSources.has(source)) === true,
  );
  // A run building on the published one lists the partitions of a source's facts in two parts:
  // the releases it took over, from the published folders (their rows are as published), and
  // the releases it added, from their rows alone (listing every release's rows again took half a
  // second at 100 releases).
  const takenOver = (table: ParquetTable) =>
    published !== undefined && table.source !== undefined && table.segmentBy === undefined;
  const added = (source: string) =>
    releases
      .filter((r) => r.source === source && !published?.releases.has(`${source}/${r.release}`))
      .map((r) => r.release);
  const parts = await partitionValues(
    connection,
    tables.map((table, i) => {
      if (kept[i] || table.newestOnly) return null;
      return takenOver(table) && table.source ? { table, only: added(table.source) } : { table };
    }),
  );
  for (const [i, table] of tables.entries()) {
    if (kept[i] && published) {
      parts[i] = await publishedReleases(published.parquetDir, table.name);
    } else if (!table.newestOnly && takenOver(table) && published) {
      const carried = (await publishedReleases(published.parquetDir, table.name)).filter((r) =>
        published.releases.has(`${table.source}/${r}`),
      );
      parts[i] = [...carried, ...(parts[i] ?? [])].sort();
    } else if (table.newestOnly && table.source) {
      const newest = await firstValue(
        connection,
        `SELECT newest_release(${literal(table.source)})`,
      );
      parts[i] = newest === null || newest === undefined ? [] : [String(newest)];
    }
  }
  // Release rows (ReleaseRows) are set up once on each connection, before its first file of them.
  const setUps = new Map<DuckDBConnection, Map<string, ReleaseRows>>();
  const setUp = async (c: DuckDBConnection, name: string, rows: ReleaseRows) => {
    const done = setUps.get(c) ?? new Map<string, ReleaseRows>();
    setUps.set(c, done);
    if (done.has(name)) return;
    await c.run(rows.setup);
    done.set(name, rows);
  };
  const unchangedBefore = published?.since ? Number(published.since.slice(0, 4)) : null;
  for (const [i, table] of tables.entries()) {
    const tableDir = join(parquetDir, table.name);
    if (table.segmentBy) {
      const segment = segmentSql(table.segmentBy);
      const segments = parts[i] ?? [];
      for (const name of segments.length > 0 ? segments : [null]) {
        const file = name === null ? `${table.name}.parquet` : `${table.name}-${name}.parquet`;
        const path = join(tableDir, file);
        written.push(path);
        const where = name === null ? '' : ` WHERE ${segment} = ${literal(name)}`;
        const write = (c: DuckDBConnection) =>
          copyToParquet(
            c,
            `SELECT * FROM ${identifier(table.name)}${where}${table.orderBy ? ` ORDER BY ${table.orderBy}` : ''}`,
            path,
            {
              table: table.name,
              ...(name === null ? {} : { segment: name }),
              pipeline_version: pipelineVersion,
            },
          );
        const untouched =
          table.changedBy !== undefined && !published?.addedSources.has(table.changedBy);
        if (
          published &&
          name !== null &&
          (untouched || (unchangedBefore !== null && Number(name) < unchangedBefore)) // "open" is NaN
        ) {
          links.push([join(published.parquetDir, table.name, file), path, write]);
        } else {
          (table.writeFirst ? firstWrites : writes).push(write);
        }
      }
      continue;
    }
    if (!table.source) {
      const path = join(tableDir, `${table.name}.parquet`);
      (table.writeFirst ? firstWrites : writes).push((c) =>
        copyToParquet(
          c,
          `SELECT * FROM ${identifier(table.name)}${table.orderBy ? ` ORDER BY ${table.orderBy}` : ''}`,
          path,
          {
            table: table.name,
            pipeline_version: pipelineVersion,
          },
        ),
      );
      written.push(path);
      continue;
    }
    // No release yet: one file with the columns and no rows (a reader of the documented glob
    // finds the schema instead of "No files found").
    const emptyPath = join(tableDir, EMPTY_PARTITION, `${table.name}.parquet`);
    const writeEmpty = (c: DuckDBConnection) =>
      copyToParquet(
        c,
        `SELECT * EXCLUDE (${PARTITION_COLUMN}) FROM ${identifier(table.name)} WHERE false`,
        emptyPath,
        { table: table.name, pipeline_version: pipelineVersion },
      );
    if ((parts[i] ?? []).length === 0) {
      written.push(emptyPath);
      (table.writeFirst ? firstWrites : writes).push(writeEmpty);
      continue;
    }
    for (const releaseId of parts[i] ?? []) {
      const release = releases.find((r) => r.source === table.source && r.release === releaseId);
      if (!release)
        throw new Error(`parquet export: no source file known for release ${releaseId}`);
      const path = join(
        tableDir,
        `${PARTITION_COLUMN}=${release.release}`,
        `${table.name}.parquet`,
      );
      const at = written.push(path) - 1;
      const rows = table.releaseRows?.release(release.release);
      const write = async (c: DuckDBConnection) => {
        let orderBy = table.orderBy;
        if (rows && table.releaseRows) {
          await setUp(c, table.name, table.releaseRows);
          await c.run(rows.prepare);
          // Sorting took the labels' lookups off DuckDB's dictionary vectors, one per row instead
          // of one per distinct code: a release's rows stored in key order already (as CMS files
          // list them) are written as stored (19,000 rows: 70 ms sorted, 45 ms not, 5 ms to check).
          if (orderBy && (await firstValue(c, rows.inOrder(orderBy))) === true) {
            orderBy = undefined;
          }
        }
        const rowsWritten = await copyToParquet(
          c,
          // No ORDER BY: a release's rows are in the table in line order (loaded from staging
          // in file order, insertion order preserved), and sorting each file cost a second at
          // 100 releases. Tests hold the files to source_line order and the models' INSERTs to
          // DuckDB's order-keeping BATCH_INSERT. A view is ordered by its orderBy.
          `${
            rows?.select ??
            `SELECT * EXCLUDE (${PARTITION_COLUMN}) FROM ${identifier(table.name)}
           WHERE ${PARTITION_COLUMN} = ${literal(release.release)}`
          }${orderBy ? ` ORDER BY ${orderBy}` : ''}`,
          path,
          {
            table: table.name,
            release: release.release,
            source_file: release.sourceFiles.join(' '),
            source_sha256: release.sourceSha256s.join(' '),
            pipeline_version: pipelineVersion,
          },
        );
        if (table.newestOnly && rowsWritten === 0) {
          // Its one release has no rows here: no partition, as a listing would have found.
          await rm(dirname(path), { recursive: true });
          await mkdir(dirname(emptyPath), { recursive: true });
          await writeEmpty(c);
          written[at] = emptyPath;
        }
      };
      if (published?.releases.has(`${table.source}/${release.release}`)) {
        const from = join(
          published.parquetDir,
          table.name,
          `${PARTITION_COLUMN}=${release.release}`,
          `${table.name}.parquet`,
        );
        links.push([from, path, write]);
      } else {
        (table.writeFirst ? firstWrites : writes).push(write);
      }
    }
  }
  // Folders, then the published files linked, all at once (one after another, a hundred
  // partitions took a tenth of a second); a file the published run lacks is written.
  await Promise.all(
    [...new Set(written.map((path) => dirname(path)))].map((dir) =>
      mkdir(dir, { recursive: true }),
    ),
  );
  const linked = await Promise.all(links.map(([from, to]) => linkOrCopy(from, to)));
  links.forEach(([, , write], k) => {
    if (!linked[k]) writes.push(write);
  });
  await mapOnConnections(connections, [...firstWrites, ...writes], (write, connection) =>
    write(connection),
  );
  for (const [c, done] of setUps) for (const rows of done.values()) await c.run(rows.cleanup);
  return written;
}

async function firstValue(connection: DuckDBConnection, sql: string): Promise<unknown> {
  return (await connection.runAndReadAll(sql)).getRowsJS()[0]?.[0];
}

/**
 * The partitions of each table, in order: its release ids (a source's facts; `only` those
 * releases), its segments (segmentBy), none for the others. One statement: one per table cost
 * more than the queries.
 */
async function partitionValues(
  connection: DuckDBConnection,
  tables: readonly ({ table: ParquetTable; only?: readonly string[] } | null)[],
): Promise<string[][]> {
  const queries = tables.flatMap((listed, i) => {
    if (listed === null) return [];
    const { table, only } = listed;
    const value = table.segmentBy
      ? segmentSql(table.segmentBy)
      : table.source
        ? PARTITION_COLUMN
        : null;
    if (value === null || only?.length === 0) return [];
    const where = only ? ` WHERE ${PARTITION_COLUMN} IN (${only.map(literal).join(', ')})` : '';
    return [
      `SELECT DISTINCT ${i} AS i, ${value} AS value FROM ${identifier(table.partitionsFrom ?? table.name)}${where}`,
    ];
  });
  const values = tables.map((): string[] => []);
  if (queries.length === 0) return values;
  const reader = await connection.runAndReadAll(
    `${queries.join('\nUNION ALL\n')}\nORDER BY i, value`,
  );
  for (const [i, value] of reader.getRowsJS()) values[Number(i)]?.push(String(value));
  return values;
}

/** The releases of a partitioned dataset the published run wrote (its release_id=<id> folders). */
async function publishedReleases(parquetDir: string, table: string): Promise<string[]> {
  const prefix = `${PARTITION_COLUMN}=`;
  let names: string[];
  try {
    names = await readdir(join(parquetDir, table));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => name.startsWith(prefix) && name !== EMPTY_PARTITION)
    .map((name) => name.slice(prefix.length))
    .sort();
}

async function copyToParquet(
  connection: DuckDBConnection,
  select: string,
  path: string,
  metadata: Record<string, string>,
): Promise<number> {
  const kv = Object.entries(metadata)
    .map(([k, v]) => `${identifier(k)}: ${literal(v)}`)
    .join(', ');
  // ZSTD's fastest level: a hundred releases' files are most of the export, and DuckDB's default
  // level (3) took a third longer to write them for 3 % fewer bytes (a PPRRVU release's file:
  // 35 ms and 435 kB against 27 ms and 450 kB).
  const result = await connection.run(
    `COPY (${select}) TO ${literal(path)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, KV_METADATA {${kv}})`,
  );
  return result.rowsChanged;
}

/**
 * Published files never change, so a hard link shares one; a copy where links are not possible.
 * False when the published run has no such file.
 */
async function linkOrCopy(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    await copyFile(from, to);
    return true;
  }
}
