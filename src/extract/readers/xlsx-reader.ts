import type { DuckDBConnection } from '@duckdb/node-api';
import readXlsxFile from 'read-excel-file/node';
import { identifier } from '../../db/sql.js';
import { InputError } from '../../errors.js';
import type { XlsxLayout } from '../../pipeline-definition.js';
import { mapColumns, normaliseHeader } from './column-mapping.js';
import { type StageResult, type StagingTarget, stagedValue } from './staging.js';

type Cell = string | number | boolean | Date | null;

/** Cell text as written in the workbook: numbers keep their digits, dates become YYYY-MM-DD. */
function cellText(cell: Cell): string | null {
  if (cell === null || cell === undefined) return null;
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell);
}

/**
 * Reads the first sheet of a workbook into the staging table; the line of a row is its sheet
 * row number. Numbers are kept as the text the workbook stores, so codes and rates are not
 * rounded; zeros a workbook dropped (APC 12 for 0012) are restored by the column's zeroPad.
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
  const width = header.length;

  const fields = Array.from({ length: width }, (_, i) => `f${i} VARCHAR`).join(', ');
  await connection.run(`CREATE OR REPLACE TABLE _xlsx_read (line BIGINT, ${fields})`);
  const appender = await connection.createAppender('_xlsx_read');
  let rowsStaged = 0;
  for (let i = headerIndex + 1; i < rows.length; i++) {
    const row = rows[i] ?? [];
    const texts = Array.from({ length: width }, (_, c) => cellText(row[c] ?? null));
    if (texts.every((t) => t === null || t.trim() === '')) continue; // an empty sheet row holds no data
    appender.appendBigInt(BigInt(i + 1));
    for (const text of texts) {
      if (text === null) appender.appendNull();
      else appender.appendVarchar(text);
    }
    appender.endRow();
    rowsStaged++;
  }
  appender.closeSync();
  if (rowsStaged === 0) {
    await connection.run('DROP TABLE _xlsx_read');
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
  const insert = await connection.prepare(`
    INSERT INTO ${identifier(target.table)}
    SELECT $1, $2, line,
      ${select}
    FROM _xlsx_read ORDER BY line`);
  insert.bind([target.releaseId, file.relativePath]);
  await insert.run();
  await connection.run('DROP TABLE _xlsx_read');
  return { rowsStaged, linesRejected: 0 };
}
