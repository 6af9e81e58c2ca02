import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import { readLines } from '../extract/read-lines.js';
import { SHEET_ROW_TEXT_TABLE } from '../extract/readers/xlsx-reader.js';
import { RAW_TEXT_MAX_CHARS } from '../reject-rules.js';

/**
 * Fills rejected_row.raw_text for rejects found after reading (validation): a workbook row's
 * text from what the XLSX reader kept of it, a text file's line from the file.
 */
export async function attachRawText(
  connection: DuckDBConnection,
  filesByLineageKey: ReadonlyMap<string, string>,
): Promise<void> {
  await attachSheetRowText(connection);
  const reader = await connection.runAndReadAll(
    'SELECT DISTINCT source_file, source_line FROM rejected_row WHERE raw_text IS NULL ORDER BY ALL',
  );
  const wanted = new Map<string, Set<number>>();
  for (const [file, line] of reader.getRowsJS() as [string, bigint | number][]) {
    const lines = wanted.get(file) ?? new Set<number>();
    lines.add(Number(line));
    wanted.set(file, lines);
  }
  if (wanted.size === 0) return;
  await connection.run(
    'CREATE OR REPLACE TABLE _reject_text (source_file VARCHAR, source_line BIGINT, raw_text VARCHAR)',
  );
  const appender = await connection.createAppender('_reject_text');
  for (const [file, lines] of wanted) {
    const path = filesByLineageKey.get(file);
    if (!path) continue;
    for (const [line, text] of await readLines(path, lines)) {
      appender.appendVarchar(file);
      appender.appendBigInt(BigInt(line));
      appender.appendVarchar(text.slice(0, RAW_TEXT_MAX_CHARS));
      appender.endRow();
    }
  }
  appender.closeSync();
  await connection.run(`
    UPDATE rejected_row j SET raw_text = t.raw_text FROM _reject_text t
    WHERE j.source_file = t.source_file AND j.source_line = t.source_line AND j.raw_text IS NULL;
    DROP TABLE _reject_text`);
}

/** The text of rejected workbook rows, from the table the XLSX reader filled; then drops it. */
async function attachSheetRowText(connection: DuckDBConnection): Promise<void> {
  const table = identifier(SHEET_ROW_TEXT_TABLE);
  const exists = await connection.runAndReadAll(
    `SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = ${literal(SHEET_ROW_TEXT_TABLE)}`,
  );
  if (exists.getRows().length === 0) return;
  await connection.run(`
    UPDATE rejected_row j SET raw_text = t.raw_text FROM ${table} t
    WHERE j.source_file = t.source_file AND j.source_line = t.source_line AND j.raw_text IS NULL;
    DROP TABLE ${table}`);
}
