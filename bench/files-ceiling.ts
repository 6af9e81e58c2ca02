/**
 * The ceiling for files of several shapes (the mix, or PFS releases with their package files):
 * DuckDB reading the same bytes into one table per group of like files, then COPY of each table to
 * a ZSTD Parquet file, all in one database file.
 * - CSV: read_csv with the group's columns as VARCHAR, the lines before the data skipped, short
 *   rows (titles, footnotes) padded with NULLs; nothing decoded or validated.
 * - Fixed-width: read_csv of whole lines into one VARCHAR column (the records are not cut into
 *   fields: the pipeline does that).
 * - Workbooks (XLSX): DuckDB has no reader here, so the ceiling is the time to read each workbook
 *   with read-excel-file, as the pipeline's reader does (src/extract/readers/xlsx-reader.ts), and
 *   append its rows below the header as VARCHAR to a table.
 * - Saved HTML pages: read_text.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, VARCHAR } from '@duckdb/node-api';
import readXlsxFile from 'read-excel-file/node';
import type { MixFile } from './mix/files.js';

/**
 * What the ceiling needs of a file. `skip` counts CSV rows (a quoted cell may span lines), as
 * read_csv's skip does. Text is read as UTF-8 (DuckDB's default): the lines DuckDB decodes are
 * ASCII in every generated file, and a skipped preamble (HCPCS's cp1252 apostrophe) is not decoded.
 */
export type CeilingFile = Pick<MixFile, 'path' | 'format' | 'group' | 'skip' | 'fields' | 'rows'>;

export interface CeilingGroup {
  group: string;
  format: MixFile['format'];
  files: number;
  /** Rows DuckDB (or the workbook reader) read. */
  rows: number;
  /** Data rows the generator wrote (titles and footnotes not counted). */
  expectedRows: number;
  /** Reading into the table, then the COPY to Parquet. */
  seconds: number;
}

export interface FilesCeilingResult {
  rows: number;
  seconds: number;
  groups: CeilingGroup[];
}

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;
/** A field separator no fixed-width record holds: each line is read whole. */
const UNIT_SEPARATOR = '\u001f';

function readStatement(table: string, format: MixFile['format'], files: CeilingFile[]): string {
  const list = `[${files.map((f) => quote(f.path)).join(', ')}]`;
  const first = files[0] as CeilingFile;
  if (format === 'html') return `CREATE TABLE ${table} AS SELECT * FROM read_text(${list})`;
  const columns =
    format === 'fixed-width'
      ? `'line': 'VARCHAR'`
      : Array.from({ length: first.fields }, (_, i) => `'f${i}': 'VARCHAR'`).join(', ');
  const dialect =
    format === 'fixed-width'
      ? `delim = ${quote(UNIT_SEPARATOR)}, quote = ''`
      : `delim = ',', quote = '"', escape = '"'`;
  return `CREATE TABLE ${table} AS SELECT * FROM read_csv(${list},
    skip = ${first.skip}, header = false, columns = {${columns}}, ${dialect},
    auto_detect = false, strict_mode = false, null_padding = true)`;
}

export async function runFilesCeiling(options: {
  files: readonly CeilingFile[];
  workDir: string;
}): Promise<FilesCeilingResult> {
  await mkdir(options.workDir, { recursive: true });
  const byGroup = new Map<string, CeilingFile[]>();
  for (const f of options.files) {
    // Files of one group with a different preamble are read by their own statement.
    const key = `${f.group}\u0000${f.skip}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), f]);
  }
  const started = performance.now();
  const instance = await DuckDBInstance.create(join(options.workDir, 'ceiling.duckdb'), {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  const groups: CeilingGroup[] = [];
  try {
    for (const [n, files] of [...byGroup.values()].entries()) {
      const groupStarted = performance.now();
      const first = files[0] as CeilingFile;
      const table = `g${n}`;
      if (first.format === 'xlsx') {
        const columns = Array.from({ length: first.fields }, (_, i) => `f${i} VARCHAR`);
        await connection.run(`CREATE TABLE ${table} (${columns.join(', ')})`);
        const appender = await connection.createAppender(table);
        for (const file of files) {
          const sheets = await readXlsxFile(file.path, {
            trim: false,
            parseNumber: (t: string) => t,
          });
          for (const row of (sheets[0]?.data ?? []).slice(file.skip)) {
            for (let c = 0; c < first.fields; c++) {
              const cell = row[c];
              if (cell === null || cell === undefined) appender.appendNull();
              else appender.appendValue(String(cell), VARCHAR);
            }
            appender.endRow();
          }
        }
        appender.closeSync();
      } else {
        await connection.run(readStatement(table, first.format, files));
      }
      await connection.run(
        `COPY ${table} TO ${quote(join(options.workDir, `${table}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
      );
      const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${table}`);
      groups.push({
        group: first.group,
        format: first.format,
        files: files.length,
        rows: Number(reader.getRows()[0]?.[0] ?? 0),
        expectedRows: files.reduce((sum, f) => sum + f.rows, 0),
        seconds: (performance.now() - groupStarted) / 1000,
      });
    }
    await connection.run('CHECKPOINT');
    return {
      rows: groups.reduce((sum, g) => sum + g.rows, 0),
      seconds: (performance.now() - started) / 1000,
      groups,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
