import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import readXlsxFile from 'read-excel-file/node';
import { identifier } from '../../db/sql.js';
import { InputError } from '../../errors.js';
import type { XlsxLayout } from '../../pipeline-definition.js';
import { RAW_TEXT_MAX_CHARS } from '../../reject-rules.js';
import { mapColumns, normaliseHeader } from './column-mapping.js';
import {
  recordReaderRejects,
  type StageResult,
  type StagingTarget,
  stagedValue,
} from './staging.js';

type Cell = string | number | boolean | Date | null;

/**
 * The text of every workbook row read (source_file, source_line, raw_text): a workbook has no
 * text lines to quote, so a row rejected after reading (validation) takes its raw_text from
 * here (attachRawText), and the table is dropped once that is done.
 */
export const SHEET_ROW_TEXT_TABLE = '_sheet_row_text';

/** What read-excel-file gives for bytes that are not UTF-8 in the sheet XML. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/** Cell text as written in the workbook: numbers keep their digits, dates become YYYY-MM-DD. */
function cellText(cell: Cell): string | null {
  if (cell === null || cell === undefined) return null;
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell);
}

function isBlank(text: string | null): boolean {
  return text === null || text.trim() === '';
}

/** A row as a person reads it: its cells up to the last one not blank, joined by tabs. */
function rowText(texts: readonly (string | null)[]): string {
  let end = texts.length;
  while (end > 0 && isBlank(texts[end - 1] ?? null)) end--;
  return texts
    .slice(0, end)
    .map((t) => t ?? '')
    .join('\t')
    .slice(0, RAW_TEXT_MAX_CHARS);
}

/** The column letters of a 0-based column index: 0 → A, 26 → AA. */
function columnLetters(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** Cell references ("L120, M120"), at most a few of them. */
function cellRefs(columns: readonly number[], line: number): string {
  const shown = columns.slice(0, 5).map((c) => `${columnLetters(c)}${line}`);
  return columns.length > shown.length
    ? `${shown.join(', ')} and ${columns.length - shown.length} more`
    : shown.join(', ');
}

/** Why a sheet row cannot be staged (as the CSV reader's rules name it), or null. */
function unreadableRow(
  texts: readonly (string | null)[],
  width: number,
  line: number,
): { rule: string; detail: string } | null {
  const beyond = texts.flatMap((t, c) => (c >= width && !isBlank(t) ? [c] : []));
  if (beyond.length > 0) {
    return {
      rule: 'unreadable row: too many columns',
      detail: `${cellRefs(beyond, line)} right of the header's last column (${columnLetters(width - 1)})`,
    };
  }
  const replaced = texts.flatMap((t, c) => (t?.includes(REPLACEMENT_CHARACTER) ? [c] : []));
  if (replaced.length > 0) {
    return {
      rule: 'unreadable row: invalid encoding',
      detail:
        `${cellRefs(replaced, line)} holds U+FFFD, the replacement character: ` +
        'the sheet has bytes there that are not valid UTF-8',
    };
  }
  return null;
}

function appendText(appender: DuckDBAppender, text: string | null): void {
  if (text === null) appender.appendNull();
  else appender.appendVarchar(text);
}

/**
 * Reads the first sheet of a workbook into the staging table; the line of a row is its sheet
 * row number. Numbers are kept as the text the workbook stores, so codes and rates are not
 * rounded; zeros a workbook dropped (APC 12 for 0012) are restored by the column's zeroPad. A
 * row with cells right of the header, or with text that was not valid UTF-8, is rejected.
 */
export async function stageXlsxFile(
  connection: DuckDBConnection,
  target: StagingTarget,
  layout: XlsxLayout,
): Promise<StageResult> {
  const { file, columns } = target;
  let rows: Cell[][];
  try {
    const sheets = await readXlsxFile(file.path, {
      trim: false,
      parseNumber: (text: string) => text,
    });
    rows = (sheets[0]?.data ?? []) as Cell[][];
  } catch (error) {
    throw new InputError(file.relativePath, null, 'unreadable workbook', (error as Error).message);
  }
  const headerIndex = rows.findIndex(
    (row) =>
      normaliseHeader(cellText(row[0] ?? null) ?? '') === normaliseHeader(layout.headerAnchor),
  );
  if (headerIndex === -1) {
    throw new InputError(
      file.relativePath,
      null,
      'header not found',
      `no row of the first sheet starts with "${layout.headerAnchor}"`,
    );
  }
  const header = (rows[headerIndex] ?? []).map((c) => cellText(c) ?? '');
  const fieldIndex = mapColumns(header, columns, file.relativePath, headerIndex + 1);
  // read-excel-file pads every row to the sheet's width: the header ends at its last name.
  let width = header.length;
  while (width > 0 && isBlank(header[width - 1] ?? null)) width--;

  const fields = Array.from({ length: width }, (_, i) => `f${i} VARCHAR`).join(', ');
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE _xlsx_read (line BIGINT, ${fields});
    CREATE OR REPLACE TEMP TABLE _xlsx_reject_lines (line BIGINT, rule VARCHAR, detail VARCHAR, raw_text VARCHAR);
    CREATE TEMP TABLE IF NOT EXISTS ${identifier(SHEET_ROW_TEXT_TABLE)} (source_file VARCHAR, source_line BIGINT, raw_text VARCHAR)`);
  const staged = await connection.createAppender('_xlsx_read');
  const rejected = await connection.createAppender('_xlsx_reject_lines');
  const texts = await connection.createAppender(SHEET_ROW_TEXT_TABLE);
  let rowsStaged = 0;
  let linesRejected = 0;
  for (let i = headerIndex + 1; i < rows.length; i++) {
    const row = (rows[i] ?? []).map((c) => cellText(c ?? null));
    if (row.every(isBlank)) continue; // an empty sheet row holds no data
    const line = i + 1;
    const raw = rowText(row);
    const problem = unreadableRow(row, width, line);
    if (problem) {
      rejected.appendBigInt(BigInt(line));
      rejected.appendVarchar(problem.rule);
      rejected.appendVarchar(problem.detail);
      rejected.appendVarchar(raw);
      rejected.endRow();
      linesRejected++;
      continue;
    }
    staged.appendBigInt(BigInt(line));
    for (let c = 0; c < width; c++) appendText(staged, row[c] ?? null);
    staged.endRow();
    texts.appendVarchar(file.relativePath);
    texts.appendBigInt(BigInt(line));
    texts.appendVarchar(raw);
    texts.endRow();
    rowsStaged++;
  }
  staged.closeSync();
  rejected.closeSync();
  texts.closeSync();
  await recordReaderRejects(connection, target, '_xlsx_reject_lines');
  if (rowsStaged + linesRejected === 0) {
    await connection.run('DROP TABLE _xlsx_read; DROP TABLE _xlsx_reject_lines');
    throw new InputError(
      file.relativePath,
      headerIndex + 1,
      'no records',
      'the sheet has a header but no data rows',
    );
  }

  const select = columns
    .map((c) => {
      const index = fieldIndex[c.name];
      return stagedValue(c, index === null || index === undefined ? null : `f${index}`);
    })
    .join(',\n      ');
  // No ORDER BY: the appender wrote _xlsx_read in sheet order and DuckDB keeps insertion order
  // (preserve_insertion_order), as the fixed-width reader relies on too.
  const insert = await connection.prepare(`
    INSERT INTO ${identifier(target.table)}
    SELECT $1, $2, line,
      ${select}
    FROM _xlsx_read`);
  insert.bind([target.releaseId, file.relativePath]);
  await insert.run();
  await connection.run('DROP TABLE _xlsx_read; DROP TABLE _xlsx_reject_lines');
  return { rowsStaged, linesRejected };
}
