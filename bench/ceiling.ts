/**
 * The ceiling: DuckDB's own CSV reader loading the same files into a table of a database file
 * and writing that table to one Parquet file (ZSTD, like the pipeline's). Every column is text;
 * nothing is decoded, validated or traced to its line.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export interface CeilingResult {
  rows: number;
  seconds: number;
  databasePath: string;
  parquetPath: string;
}

/** The real PPRRVU header: 5 banner lines and 5 header lines before the first row. */
export const PFS_HEADER_LINES = 10;
export const PFS_FIELD_COUNT = 31;

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

export async function runCeiling(options: {
  csvFiles: readonly string[];
  workDir: string;
  skip?: number;
  fields?: number;
}): Promise<CeilingResult> {
  const skip = options.skip ?? PFS_HEADER_LINES;
  const fields = options.fields ?? PFS_FIELD_COUNT;
  await mkdir(options.workDir, { recursive: true });
  const databasePath = join(options.workDir, 'ceiling.duckdb');
  const parquetPath = join(options.workDir, 'ceiling.parquet');
  const columns = Array.from({ length: fields }, (_, i) => `'f${i}': 'VARCHAR'`).join(', ');
  const files = `[${options.csvFiles.map(quote).join(', ')}]`;

  const started = performance.now();
  const instance = await DuckDBInstance.create(databasePath, {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  let rows: number;
  try {
    await connection.run(`
      CREATE TABLE pfs AS SELECT * FROM read_csv(${files},
        skip = ${skip}, header = false, columns = {${columns}},
        delim = ',', quote = '"', escape = '"', auto_detect = false, strict_mode = true,
        null_padding = false)`);
    await connection.run(
      `COPY pfs TO ${quote(parquetPath)} (FORMAT parquet, COMPRESSION zstd); CHECKPOINT`,
    );
    const seconds = (performance.now() - started) / 1000;
    const reader = await connection.runAndReadAll('SELECT count(*) FROM pfs');
    rows = Number(reader.getRows()[0]?.[0] ?? 0);
    return { rows, seconds, databasePath, parquetPath };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
