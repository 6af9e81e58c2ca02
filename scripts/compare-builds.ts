#!/usr/bin/env node
/**
 * Compares two builds (two out dirs): the DuckDB file's tables, views and macros, and every
 * Parquet file under parquet/. Exit 0 when they hold the same data, 1 when not, 2 on bad usage
 * (through make, a difference reads "Error 1" and make itself exits 2).
 *
 *   make compare-builds A=out-before B=out-after
 *   node dist/scripts/compare-builds.js <outA> <outB>
 *
 * Self-contained on purpose (only @duckdb/node-api and node:): it must keep working while src/
 * moves around, and it opens DuckDB the way src/db/open-duckdb.ts does (read-only, extension
 * autoinstall and autoload off: the machines are offline, parquet is bundled).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

const DATABASE_FILE_NAME = 'fee_schedule.duckdb';
const PARQUET_DIR_NAME = 'parquet';

/**
 * Columns left out of the row comparison, by table name (the same name is used for the DuckDB
 * table and for its Parquet folder, parquet/<table>/). Only what names the run itself: two
 * refreshes of the same inputs with the same code differ in these and in nothing else.
 */
export const EXCLUDED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  // run_id is "<UTC time>-<pid>" of the refresh and started_at its start: new on every run.
  // (raw_dir and pipeline_version stay compared: they are inputs, not properties of the run.)
  run: ['run_id', 'started_at'],
  // Each check's row names the run that made it (the same run_id as above).
  check_result: ['run_id'],
};

/**
 * Parquet key-value metadata keys left out of the comparison because they change per run.
 * None today: the export (src/load/parquet-export.ts) writes table, segment, release,
 * source_file, source_sha256 and pipeline_version, all fixed by the inputs and the code. A key
 * naming the run (a run id, a write time) added there would belong here.
 */
export const PER_RUN_PARQUET_KEYS: ReadonlySet<string> = new Set<string>([]);

/** At most this many differing rows are printed per side. */
const SAMPLE_ROWS = 3;

export type Status = 'identical' | 'different' | 'only in A' | 'only in B';

export interface ItemComparison {
  /** table, view or macro (DuckDB), or parquet (a file, by path relative to parquet/). */
  kind: 'table' | 'view' | 'macro' | 'parquet';
  name: string;
  status: Status;
  /** Row counts in A and B (tables, views, Parquet files). */
  rows?: { a: number; b: number };
  /**
   * Parquet files: whether the bytes are the same (then rows are not read). Different bytes with
   * the same rows and metadata are still `identical`.
   */
  bytesIdentical?: boolean;
  /**
   * A view whose rows were not read: its definition is the same in both, and so is every table
   * and macro, so it shows the same rows (the pfs_payment view of a hundred releases is two
   * hundred million rows).
   */
  rowsNotRead?: boolean;
  /** What differs, one line each (empty when identical). */
  differences: string[];
}

export interface BuildComparison {
  a: ResolvedBuild;
  b: ResolvedBuild;
  equal: boolean;
  /**
   * Whether the two DuckDB files (and their WAL, if any) have the same bytes: then their rows are
   * not read. Two refreshes never give the same bytes (the run's id is stored).
   */
  databaseBytesIdentical: boolean;
  database: ItemComparison[];
  parquet: ItemComparison[];
}

export interface ResolvedBuild {
  dir: string;
  database: string;
  parquetDir: string;
}

/** Thrown for an out dir that is not a build: exit 2. */
export class UsageError extends Error {}

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** The published database and Parquet folder of an out dir, symlinks (out/.current) followed. */
export async function resolveBuild(dir: string): Promise<ResolvedBuild> {
  const database = await realpath(join(dir, DATABASE_FILE_NAME)).catch(() => null);
  const parquetDir = await realpath(join(dir, PARQUET_DIR_NAME)).catch(() => null);
  if (!database || !parquetDir) {
    throw new UsageError(
      `${dir}: no ${DATABASE_FILE_NAME} and ${PARQUET_DIR_NAME}/ (not an out dir of a refresh?)`,
    );
  }
  return { dir: resolve(dir), database, parquetDir };
}

interface Handle {
  connection: DuckDBConnection;
  close(): void;
}

async function open(path: string): Promise<Handle> {
  const instance = await DuckDBInstance.create(path, {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    // Two databases are open at once, each by default allowed 80 % of the memory: together they
    // had the 100-release builds killed for want of memory.
    memory_limit: `${Math.floor((totalmem() * 0.3) / 2 ** 20)}MB`,
    ...(path === ':memory:' ? {} : { access_mode: 'READ_ONLY' }),
  });
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

type Row = Record<string, string | number | boolean | null>;

async function rows(connection: DuckDBConnection, sql: string): Promise<Row[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Row[];
}

// --- DuckDB ---------------------------------------------------------------------------------

interface Column {
  name: string;
  type: string;
  comment: string | null;
}

interface DbObject {
  kind: 'table' | 'view' | 'macro';
  /** "schema"."name" to query it. */
  sqlName: string;
  columns: Column[];
  comment: string | null;
  /** A view's or macro's definition. */
  definition: string | null;
}

/** Tables, views and macros of the database's own catalog (no internal or temporary ones). */
async function catalog(connection: DuckDBConnection): Promise<Map<string, DbObject>> {
  const objects = await rows(
    connection,
    `SELECT 'table' AS kind, schema_name, table_name AS name, comment, NULL AS definition
       FROM duckdb_tables()
      WHERE database_name = current_database() AND NOT internal AND NOT temporary
     UNION ALL
     SELECT 'view', schema_name, view_name, comment, sql
       FROM duckdb_views()
      WHERE database_name = current_database() AND NOT internal AND NOT temporary
     UNION ALL
     SELECT 'macro', schema_name, function_name, any_value(comment),
            string_agg(function_type || ' (' || CAST(parameters AS VARCHAR) || ') ' ||
                       coalesce(macro_definition, ''), ' | ' ORDER BY CAST(parameters AS VARCHAR))
       FROM duckdb_functions()
      WHERE database_name = current_database() AND NOT internal
        AND function_type IN ('macro', 'table_macro')
      GROUP BY schema_name, function_name
     ORDER BY kind, schema_name, name`,
  );
  const columns = await rows(
    connection,
    `SELECT schema_name, table_name, column_name, data_type, comment
       FROM duckdb_columns()
      WHERE database_name = current_database() AND NOT internal
      ORDER BY schema_name, table_name, column_index`,
  );
  const result = new Map<string, DbObject>();
  for (const o of objects) {
    const schema = String(o.schema_name);
    const name = String(o.name);
    const key = schema === 'main' ? name : `${schema}.${name}`;
    result.set(`${o.kind} ${key}`, {
      kind: o.kind as DbObject['kind'],
      sqlName: `${ident(schema)}.${ident(name)}`,
      columns: columns
        .filter((c) => c.schema_name === schema && c.table_name === name)
        .map((c) => ({
          name: String(c.column_name),
          type: String(c.data_type),
          comment: c.comment === null ? null : String(c.comment),
        })),
      comment: o.comment === null ? null : String(o.comment),
      definition: o.definition === null ? null : String(o.definition),
    });
  }
  return result;
}

/** The row as one typed value: a struct of the given columns. */
function rowValue(columns: readonly string[]): string {
  if (columns.length === 0) return `''`;
  return `struct_pack(${columns.map((c) => `${ident(c)} := ${ident(c)}`).join(', ')})`;
}

/** One row as text: its struct cast to VARCHAR (NULL and 'NULL' differ). */
function rowText(columns: readonly string[]): string {
  return `CAST(${rowValue(columns)} AS VARCHAR)`;
}

/**
 * Row count and a digest of the rows as a multiset: the sum and the XOR of each row's 64-bit
 * hash (DuckDB's, of the typed values in column order: NULL hashes apart from any value), which
 * no row order changes. Rows digested as the sorted MD5s of their text took 15 times as long
 * (the pfs_payment view's two million rows: 7.7 s against 0.5 s); a difference found is then
 * looked into by the rows' MD5s (rowHashes).
 */
async function rowDigest(
  connection: DuckDBConnection,
  from: string,
  columns: readonly string[],
): Promise<{ n: number; digest: string }> {
  const [row] = await rows(
    connection,
    `SELECT count(*) AS n, coalesce(sum(h::HUGEINT), 0) || ':' || coalesce(bit_xor(h), 0) AS digest
       FROM (SELECT hash(${rowValue(columns)}) AS h FROM ${from})`,
  );
  return { n: Number(row?.n), digest: String(row?.digest) };
}

/** Hash → how many rows have it. */
async function rowHashes(
  connection: DuckDBConnection,
  from: string,
  columns: readonly string[],
): Promise<Map<string, number>> {
  const result = await rows(
    connection,
    `SELECT md5(${rowText(columns)}) AS h, count(*) AS n FROM ${from} GROUP BY h`,
  );
  return new Map(result.map((r) => [String(r.h), Number(r.n)]));
}

/** The text of the rows whose hash is among `hashes` (at most SAMPLE_ROWS). */
async function rowsWithHashes(
  connection: DuckDBConnection,
  from: string,
  columns: readonly string[],
  hashes: readonly string[],
): Promise<string[]> {
  if (hashes.length === 0) return [];
  const result = await rows(
    connection,
    `SELECT DISTINCT t FROM (SELECT ${rowText(columns)} AS t FROM ${from})
      WHERE md5(t) IN (${hashes.map(literal).join(', ')}) ORDER BY t LIMIT ${SAMPLE_ROWS}`,
  );
  return result.map((r) => String(r.t));
}

/**
 * Per column, a cheap order-free digest of its values (count, nulls, sum of 64-bit hashes):
 * only a hint naming the columns whose values differ, once the rows are known to differ.
 */
async function columnDigests(
  connection: DuckDBConnection,
  from: string,
  columns: readonly string[],
): Promise<Map<string, string>> {
  if (columns.length === 0) return new Map();
  const [row] = await rows(
    connection,
    `SELECT ${columns
      .map(
        (c, i) =>
          `count(${ident(c)}) || '/' || CAST(coalesce(sum(hash(CAST(${ident(c)} AS VARCHAR))::HUGEINT), 0) AS VARCHAR) AS ${ident(`c${i}`)}`,
      )
      .join(', ')} FROM ${from}`,
  );
  return new Map(columns.map((c, i) => [c, String(row?.[`c${i}`])]));
}

/** Multiset difference: hashes in `a` more often than in `b`, and how many rows that is. */
function extra(a: Map<string, number>, b: Map<string, number>): { hashes: string[]; n: number } {
  const hashes: string[] = [];
  let n = 0;
  for (const [h, count] of a) {
    const surplus = count - (b.get(h) ?? 0);
    if (surplus > 0) {
      hashes.push(h);
      n += surplus;
    }
  }
  return { hashes: hashes.sort(), n };
}

function describeColumns(a: readonly Column[], b: readonly Column[]): string[] {
  const out: string[] = [];
  const byName = (cs: readonly Column[]) => new Map(cs.map((c) => [c.name, c]));
  const inA = byName(a);
  const inB = byName(b);
  const onlyA = a.filter((c) => !inB.has(c.name)).map((c) => c.name);
  const onlyB = b.filter((c) => !inA.has(c.name)).map((c) => c.name);
  if (onlyA.length) out.push(`columns only in A: ${onlyA.join(', ')}`);
  if (onlyB.length) out.push(`columns only in B: ${onlyB.join(', ')}`);
  for (const c of a) {
    const other = inB.get(c.name);
    if (!other) continue;
    if (c.type !== other.type)
      out.push(`column ${c.name}: type ${c.type} in A, ${other.type} in B`);
    if (c.comment !== other.comment) out.push(`column ${c.name}: comment differs`);
  }
  const common = (cs: readonly Column[], other: Map<string, Column>) =>
    cs.filter((c) => other.has(c.name)).map((c) => c.name);
  if (common(a, inB).join('\0') !== common(b, inA).join('\0')) out.push('column order differs');
  return out;
}

const sampleLines = (label: string, texts: readonly string[]) =>
  texts.map((t) => `${label}: ${t.length > 400 ? `${t.slice(0, 400)}…` : t}`);

async function compareObject(
  key: string,
  a: { connection: DuckDBConnection; object: DbObject | undefined },
  b: { connection: DuckDBConnection; object: DbObject | undefined },
): Promise<ItemComparison> {
  const kind = (a.object ?? b.object)?.kind as DbObject['kind'];
  const name = key.slice(kind.length + 1);
  if (!a.object || !b.object) {
    return { kind, name, status: a.object ? 'only in A' : 'only in B', differences: [] };
  }
  const oa = a.object;
  const ob = b.object;
  const differences: string[] = [];
  if (oa.comment !== ob.comment) differences.push('comment differs');
  if (oa.definition !== ob.definition) differences.push('definition differs');
  if (kind === 'macro') {
    return { kind, name, status: differences.length ? 'different' : 'identical', differences };
  }
  differences.push(...describeColumns(oa.columns, ob.columns));

  // Rows over the columns both have (in A's order), less the per-run ones.
  const excluded = new Set(EXCLUDED_COLUMNS[name] ?? []);
  const inB = new Set(ob.columns.map((c) => c.name));
  const columns = oa.columns.map((c) => c.name).filter((c) => inB.has(c) && !excluded.has(c));
  const [da, db] = await Promise.all([
    rowDigest(a.connection, oa.sqlName, columns),
    rowDigest(b.connection, ob.sqlName, columns),
  ]);
  if (da.n !== db.n) differences.push(`row count ${da.n} in A, ${db.n} in B`);
  if (da.digest !== db.digest) {
    const [ha, hb] = await Promise.all([
      rowHashes(a.connection, oa.sqlName, columns),
      rowHashes(b.connection, ob.sqlName, columns),
    ]);
    const onlyA = extra(ha, hb);
    const onlyB = extra(hb, ha);
    const [ca, cb, sa, sb] = await Promise.all([
      columnDigests(a.connection, oa.sqlName, columns),
      columnDigests(b.connection, ob.sqlName, columns),
      rowsWithHashes(a.connection, oa.sqlName, columns, onlyA.hashes),
      rowsWithHashes(b.connection, ob.sqlName, columns, onlyB.hashes),
    ]);
    const changed = columns.filter((c) => ca.get(c) !== cb.get(c));
    differences.push(
      `rows differ: ${onlyA.n} only in A, ${onlyB.n} only in B` +
        (changed.length ? `; values differ in column(s) ${changed.join(', ')}` : ''),
      ...sampleLines('A only', sa),
      ...sampleLines('B only', sb),
    );
  }
  return {
    kind,
    name,
    status: differences.length ? 'different' : 'identical',
    rows: { a: da.n, b: db.n },
    differences,
  };
}

/**
 * The tables, views and macros of two databases. Byte-identical files (WAL included) hold the
 * same data: their catalog is listed from one and no row is read.
 */
export async function compareDatabases(
  a: string,
  b: string,
): Promise<{ items: ItemComparison[]; bytesIdentical: boolean }> {
  const bytesIdentical = await sameDatabaseBytes(a, b);
  if (bytesIdentical) {
    const handle = await open(a);
    try {
      const objects = await catalog(handle.connection);
      const items = [...objects.entries()]
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(
          ([key, o]): ItemComparison => ({
            kind: o.kind,
            name: key.slice(o.kind.length + 1),
            status: 'identical',
            differences: [],
          }),
        );
      return { items, bytesIdentical };
    } finally {
      handle.close();
    }
  }
  const [ha, hb] = await Promise.all([open(a), open(b)]);
  try {
    const [ca, cb] = await Promise.all([catalog(ha.connection), catalog(hb.connection)]);
    const keys = [...new Set([...ca.keys(), ...cb.keys()])].sort();
    const compare = (key: string) =>
      compareObject(
        key,
        { connection: ha.connection, object: ca.get(key) },
        { connection: hb.connection, object: cb.get(key) },
      );
    const compared = new Map<string, ItemComparison>();
    // Tables and macros first: where they are all identical, a view of the same definition is too.
    for (const key of keys.filter((k) => !k.startsWith('view ')))
      compared.set(key, await compare(key));
    const basesIdentical = [...compared.values()].every((item) => item.status === 'identical');
    for (const key of keys.filter((k) => k.startsWith('view '))) {
      const [va, vb] = [ca.get(key), cb.get(key)];
      compared.set(
        key,
        basesIdentical &&
          va &&
          vb &&
          va.definition === vb.definition &&
          va.comment === vb.comment &&
          describeColumns(va.columns, vb.columns).length === 0
          ? {
              kind: 'view',
              name: key.slice('view '.length),
              status: 'identical',
              rowsNotRead: true,
              differences: [],
            }
          : await compare(key),
      );
    }
    return { items: keys.map((key) => compared.get(key) as ItemComparison), bytesIdentical };
  } finally {
    ha.close();
    hb.close();
  }
}

// --- Parquet --------------------------------------------------------------------------------

/** Files under dir (paths relative to it, with /), following symlinks. */
async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const target = entry.isSymbolicLink() ? await stat(path) : entry;
    if (target.isDirectory()) files.push(...(await filesUnder(path, base)));
    else if (target.isFile()) files.push(relative(base, path).split(sep).join('/'));
  }
  return files.sort();
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  if (sa.size !== sb.size) return false;
  const hash = async (path: string) =>
    createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  const [x, y] = await Promise.all([hash(a), hash(b)]);
  return x === y;
}

/**
 * The database file's bytes and its write-ahead log's: a read-only open replays a leftover
 * `.wal` (changes not checkpointed), so equal files with a different WAL hold different data.
 */
async function sameDatabaseBytes(a: string, b: string): Promise<boolean> {
  const wal = async (path: string) =>
    (await stat(`${path}.wal`).catch(() => null)) ? `${path}.wal` : null;
  const [walA, walB] = await Promise.all([wal(a), wal(b)]);
  if ((walA === null) !== (walB === null)) return false;
  if (walA && walB && !(await sameBytes(walA, walB))) return false;
  return sameBytes(a, b);
}

interface ParquetFacts {
  columns: Column[];
  kv: Map<string, string>;
  n: number;
  digest: string;
}

const readParquet = (path: string, rowNumbers = false) =>
  `read_parquet(${literal(path)}, hive_partitioning = false${rowNumbers ? ', file_row_number = true' : ''})`;

async function parquetColumns(connection: DuckDBConnection, path: string): Promise<Column[]> {
  const described = await rows(connection, `DESCRIBE SELECT * FROM ${readParquet(path)}`);
  return described.map((c) => ({
    name: String(c.column_name),
    type: String(c.column_type),
    comment: null,
  }));
}

/** Each row's hash in file order. */
function orderedHashes(path: string, columns: readonly string[]): string {
  return `SELECT file_row_number AS i, md5(${rowText(columns)}) AS h
            FROM ${readParquet(path, true)}`;
}

async function parquetFacts(
  connection: DuckDBConnection,
  path: string,
  columns: readonly string[],
): Promise<Omit<ParquetFacts, 'columns'>> {
  const kvRows = await rows(
    connection,
    `SELECT CAST(key AS VARCHAR) AS k, CAST(value AS VARCHAR) AS v
       FROM parquet_kv_metadata(${literal(path)})`,
  );
  const [digest] = await rows(
    connection,
    `SELECT count(*) AS n, md5(coalesce(string_agg(h, '' ORDER BY i), '')) AS digest
       FROM (${orderedHashes(path, columns)})`,
  );
  return {
    kv: new Map(kvRows.map((r) => [String(r.k), String(r.v)])),
    n: Number(digest?.n),
    digest: String(digest?.digest),
  };
}

async function rowTextsAt(
  connection: DuckDBConnection,
  path: string,
  columns: readonly string[],
  positions: readonly number[],
): Promise<string[]> {
  if (positions.length === 0) return [];
  const result = await rows(
    connection,
    `SELECT file_row_number AS i, ${rowText(columns)} AS t FROM ${readParquet(path, true)}
      WHERE file_row_number IN (${positions.join(', ')}) ORDER BY i`,
  );
  return result.map((r) => `row ${r.i}: ${r.t}`);
}

async function compareParquetFile(
  connection: DuckDBConnection,
  name: string,
  a: string,
  b: string,
): Promise<ItemComparison> {
  if (await sameBytes(a, b)) {
    // The same bytes: the same rows, in the same order, and the same metadata.
    const [meta] = await rows(
      connection,
      `SELECT num_rows FROM parquet_file_metadata(${literal(a)})`,
    );
    const n = Number(meta?.num_rows);
    return {
      kind: 'parquet',
      name,
      status: 'identical',
      rows: { a: n, b: n },
      bytesIdentical: true,
      differences: [],
    };
  }
  const differences: string[] = [];
  const [colsA, colsB] = await Promise.all([
    parquetColumns(connection, a),
    parquetColumns(connection, b),
  ]);
  differences.push(...describeColumns(colsA, colsB));
  const table = name.split('/')[0] ?? '';
  const excluded = new Set(EXCLUDED_COLUMNS[table] ?? []);
  const inB = new Set(colsB.map((c) => c.name));
  const columns = colsA.map((c) => c.name).filter((c) => inB.has(c) && !excluded.has(c));
  const fa = await parquetFacts(connection, a, columns);
  const fb = await parquetFacts(connection, b, columns);

  for (const key of [...new Set([...fa.kv.keys(), ...fb.kv.keys()])].sort()) {
    if (PER_RUN_PARQUET_KEYS.has(key)) continue;
    const va = fa.kv.get(key);
    const vb = fb.kv.get(key);
    if (va === vb) continue;
    if (va === undefined) differences.push(`metadata key ${key} only in B (${vb})`);
    else if (vb === undefined) differences.push(`metadata key ${key} only in A (${va})`);
    else
      differences.push(`metadata ${key}: ${JSON.stringify(va)} in A, ${JSON.stringify(vb)} in B`);
  }

  if (fa.n !== fb.n) differences.push(`row count ${fa.n} in A, ${fb.n} in B`);
  if (fa.digest !== fb.digest) {
    // Position by position: the files must hold the same rows in the same order.
    const hashes = async (path: string) =>
      (await rows(connection, `${orderedHashes(path, columns)} ORDER BY i`)).map((r) =>
        String(r.h),
      );
    const ha = await hashes(a);
    const hb = await hashes(b);
    const differing: number[] = [];
    for (let i = 0; i < Math.max(ha.length, hb.length); i++) {
      if (ha[i] !== hb[i]) differing.push(i);
    }
    const sorted = (hs: string[]) => [...hs].sort().join('');
    const sameSet = sorted(ha) === sorted(hb);
    const sample = differing.slice(0, SAMPLE_ROWS);
    differences.push(
      `rows differ at ${differing.length} position(s), first at row ${differing[0]}` +
        (sameSet ? ' (the same rows, in another order)' : ''),
      ...sampleLines('A', await rowTextsAt(connection, a, columns, sample)),
      ...sampleLines('B', await rowTextsAt(connection, b, columns, sample)),
    );
  }
  return {
    kind: 'parquet',
    name,
    status: differences.length ? 'different' : 'identical',
    rows: { a: fa.n, b: fb.n },
    bytesIdentical: false,
    differences,
  };
}

export async function compareParquetDirs(a: string, b: string): Promise<ItemComparison[]> {
  const [filesA, filesB] = await Promise.all([filesUnder(a), filesUnder(b)]);
  const inA = new Set(filesA);
  const inB = new Set(filesB);
  const handle = await open(':memory:');
  try {
    const result: ItemComparison[] = [];
    for (const name of [...new Set([...filesA, ...filesB])].sort()) {
      if (!inA.has(name) || !inB.has(name)) {
        result.push({
          kind: 'parquet',
          name,
          status: inA.has(name) ? 'only in A' : 'only in B',
          differences: [],
        });
      } else if (!name.endsWith('.parquet')) {
        const same = await sameBytes(join(a, name), join(b, name));
        result.push({
          kind: 'parquet',
          name,
          status: same ? 'identical' : 'different',
          bytesIdentical: same,
          differences: same ? [] : ['not a Parquet file: bytes differ'],
        });
      } else {
        result.push(
          await compareParquetFile(handle.connection, name, join(a, name), join(b, name)),
        );
      }
    }
    return result;
  } finally {
    handle.close();
  }
}

// --- both -----------------------------------------------------------------------------------

/** Compares the builds in two out dirs (each with fee_schedule.duckdb and parquet/). */
export async function compareBuilds(dirA: string, dirB: string): Promise<BuildComparison> {
  const [a, b] = await Promise.all([resolveBuild(dirA), resolveBuild(dirB)]);
  const [{ items: database, bytesIdentical: databaseBytesIdentical }, parquet] = await Promise.all([
    compareDatabases(a.database, b.database),
    compareParquetDirs(a.parquetDir, b.parquetDir),
  ]);
  const equal = [...database, ...parquet].every((item) => item.status === 'identical');
  return { a, b, equal, databaseBytesIdentical, database, parquet };
}

/** The printed summary: one line per table, view, macro and Parquet file, then the verdict. */
export function formatComparison(c: BuildComparison): string {
  const lines: string[] = [
    `A: ${c.a.dir}  (${c.a.database})`,
    `B: ${c.b.dir}  (${c.b.database})`,
    `excluded columns (differ on every run): ${Object.entries(EXCLUDED_COLUMNS)
      .flatMap(([table, columns]) => columns.map((col) => `${table}.${col}`))
      .join(', ')}`,
    `per-run Parquet metadata keys ignored: ${PER_RUN_PARQUET_KEYS.size ? [...PER_RUN_PARQUET_KEYS].join(', ') : 'none'}`,
    '',
    `${DATABASE_FILE_NAME} (${c.databaseBytesIdentical ? 'bytes identical: the same data, rows not read' : 'bytes differ: rows compared'})`,
  ];
  const widthOf = (labels: string[]) => Math.max(20, ...labels.map((l) => l.length));
  let width = widthOf(c.database.map((i) => `${i.kind} ${i.name}`));
  const plural = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
  const line = (item: ItemComparison, label: string) => {
    const rowCount = item.rows
      ? item.rows.a === item.rows.b
        ? plural(item.rows.a)
        : `${plural(item.rows.a)} in A, ${item.rows.b} in B`
      : '';
    const bytes =
      item.bytesIdentical === undefined
        ? ''
        : item.bytesIdentical
          ? 'bytes identical'
          : 'bytes differ';
    const notRead = item.rowsNotRead ? 'same definition over identical tables: rows not read' : '';
    const extras = [rowCount, bytes, notRead].filter(Boolean).join(', ');
    lines.push(
      `  ${label.padEnd(width)} ${item.status === 'identical' ? 'identical' : item.status.toUpperCase()}${extras ? `  (${extras})` : ''}`,
    );
    for (const d of item.differences) lines.push(`      ${d}`);
  };
  for (const item of c.database) line(item, `${item.kind} ${item.name}`);
  lines.push('', `${PARQUET_DIR_NAME}/`);
  width = widthOf(c.parquet.map((i) => i.name));
  for (const item of c.parquet) line(item, item.name);
  const count = (items: ItemComparison[], kind: ItemComparison['kind']) => {
    const all = items.filter((i) => i.kind === kind);
    const bad = all.filter((i) => i.status !== 'identical').length;
    return `${kind}s ${all.length - bad}/${all.length} identical`;
  };
  lines.push(
    '',
    `${c.equal ? 'IDENTICAL' : 'DIFFERENT'}: ${[
      count(c.database, 'table'),
      count(c.database, 'view'),
      count(c.database, 'macro'),
      `Parquet files ${c.parquet.filter((i) => i.status === 'identical').length}/${c.parquet.length} identical`,
    ].join(', ')}`,
  );
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 2 || argv.some((a) => a === '-h' || a === '--help')) {
    process.stderr.write(
      'usage: compare-builds <outA> <outB>\n' +
        '  compares fee_schedule.duckdb (tables, views, macros: names, columns, types, rows)\n' +
        '  and parquet/ (files, rows in order, key-value metadata) of two out dirs;\n' +
        '  exit 0 when equal, 1 when not, 2 on bad usage\n',
    );
    return 2;
  }
  try {
    const comparison = await compareBuilds(argv[0] as string, argv[1] as string);
    process.stdout.write(`${formatComparison(comparison)}\n`);
    return comparison.equal ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

// Run as a program (not imported, as the test does): node dist/scripts/compare-builds.js A B
const invoked = process.argv[1] ? await realpath(process.argv[1]).catch(() => null) : null;
if (invoked && import.meta.url === pathToFileURL(invoked).href) {
  process.exitCode = await main(process.argv.slice(2));
}
