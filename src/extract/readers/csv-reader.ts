import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../../db/sql.js';
import { InputError } from '../../errors.js';
import type { CsvLayout } from '../../pipeline-definition.js';
import { detectCsvLayout } from './csv-layout.js';
import {
  countRows,
  recordReaderRejects,
  recordTruncation,
  type StageResult,
  type StagingTarget,
  stagedValue,
} from './staging.js';

/**
 * Reads a published CSV into the staging table. TypeScript finds the header; DuckDB's reader
 * parses the bulk with every column typed as text (type guessing breaks on HCPCS codes).
 */
export async function stageCsvFile(
  connection: DuckDBConnection,
  target: StagingTarget,
  layout: CsvLayout,
): Promise<StageResult> {
  const { file, columns } = target;
  const detected = await detectCsvLayout(
    file.path,
    file.relativePath,
    layout.headerAnchor,
    columns,
  );
  const fieldNames = Array.from({ length: detected.fieldCount }, (_, i) => `f${i}`);
  const columnSpec = `{${fieldNames.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ')}}`;

  await connection.run('DROP TABLE IF EXISTS _csv_rejects; DROP TABLE IF EXISTS _csv_reject_scans');
  // The table's rowid follows file order (insertion order is preserved).
  const read = await connection.prepare(`
    CREATE OR REPLACE TEMP TABLE _csv_read AS
    SELECT * FROM read_csv($1,
      skip = ${detected.headerRecords}, header = false, columns = ${columnSpec},
      delim = ',', quote = '"', escape = '"', auto_detect = false, strict_mode = true,
      null_padding = false, encoding = ${literal(layout.encoding ?? 'utf-8')}, store_rejects = true,
      rejects_table = '_csv_rejects', rejects_scan = '_csv_reject_scans')`);
  read.bind([file.path]);
  await read.run();

  // DuckDB reports one reject row per problem; keep one per line.
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE _csv_reject_lines AS
    SELECT line::BIGINT AS line,
           'unreadable row: ' || lower(replace(any_value(error_type ORDER BY column_idx), '_', ' ')) AS rule,
           any_value(error_message ORDER BY column_idx) AS detail,
           trim(any_value(csv_line), E'\\r\\n') AS raw_text
    FROM _csv_rejects GROUP BY line`);
  await recordReaderRejects(connection, target, '_csv_reject_lines');
  const truncated = await recordTruncation(connection, target);

  const rowsRead = await countRows(connection, 'SELECT count(*) FROM _csv_read');
  const linesRejected = await countRows(connection, 'SELECT count(*) FROM _csv_reject_lines');
  const expected = file.profile.lines - detected.headerEndLine;
  if (rowsRead + linesRejected === 0 && !truncated) {
    throw new InputError(
      file.relativePath,
      detected.headerEndLine,
      'no records',
      'the file has a header but no data rows',
    );
  }
  if (rowsRead + linesRejected !== expected) {
    throw new InputError(
      file.relativePath,
      null,
      'line accounting',
      `${expected} data lines after the header, but ${rowsRead} rows read and ${linesRejected} rejected ` +
        '(blank lines or line breaks inside quoted fields would cause this)',
    );
  }

  // Accepted row i sits on line base + i plus the rejected lines before it.
  const base = detected.headerEndLine + 1;
  const lineExpr =
    linesRejected === 0
      ? `${base} + r.rowid`
      : `${base} + r.rowid + (SELECT count(*) FROM _csv_gaps g WHERE g.at <= r.rowid)`;
  if (linesRejected > 0) {
    await connection.run(`
      CREATE OR REPLACE TEMP TABLE _csv_gaps AS
      SELECT line - ${base} - (row_number() OVER (ORDER BY line) - 1) AS at FROM _csv_reject_lines`);
  }
  const select = columns
    .map((c) => {
      const index = detected.fieldIndex[c.name];
      return stagedValue(c, index === null || index === undefined ? null : `r.f${index}`);
    })
    .join(',\n      ');
  const insert = await connection.prepare(`
    INSERT INTO ${identifier(target.table)}
    SELECT $1, $2, ${lineExpr},
      ${select}
    FROM _csv_read r ORDER BY r.rowid`);
  insert.bind([target.releaseId, file.relativePath]);
  await insert.run();
  await connection.run(
    'DROP TABLE _csv_read; DROP TABLE _csv_reject_lines; DROP TABLE IF EXISTS _csv_gaps',
  );
  return { rowsStaged: rowsRead, linesRejected: linesRejected + (truncated ? 1 : 0) };
}
