import { DuckDBTypeId, type DuckDBValue, JsonDuckDBValueConverter } from '@duckdb/node-api';
import { stringify } from 'csv-stringify/sync';
import type { StatementResult } from './statement-result.js';

export type OutputFormat = 'table' | 'csv' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json'];

/** Longest cell a table shows; longer values end in "…" (CSV and JSON keep them whole). */
const MAX_CELL = 60;

const NUMERIC = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.BIGNUM,
]);

/**
 * A value as DuckDB writes it, or null for NULL. The value's own toString is DuckDB's text of
 * its type: a DATE 2025-10-01, a DECIMAL(8,2) 1.30 with both places, a TIMESTAMP WITH TIME ZONE
 * with its offset; a JS Date would turn a day into a UTC midnight and a decimal into a float.
 */
export function valueText(value: DuckDBValue): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? value : String(value);
}

/** An aligned text table, NULL written as NULL, numbers to the right, and the row count. */
export function renderTable(result: StatementResult): string {
  const cells = result.rows.map((row) =>
    row.map((value) => {
      const text = valueText(value) ?? 'NULL';
      return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
    }),
  );
  const widths = result.columns.map((name, i) =>
    Math.max(name.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const right = result.types.map((type) => NUMERIC.has(type.typeId));
  const line = (values: string[], header = false) =>
    values
      .map((v, i) => (right[i] && !header ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join(' │ ')
      .trimEnd();
  const count = result.rows.length;
  return `${[
    line(result.columns, true),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...cells.map((row) => line(row)),
    `(${count} row${count === 1 ? '' : 's'})`,
  ].join('\n')}\n`;
}

/**
 * RFC 4180 CSV with a header line: fields holding a comma, quote or line break quoted, quotes
 * doubled. NULL is an empty field and the empty string a quoted one (""), so they stay apart.
 */
export function renderCsv(result: StatementResult): string {
  return stringify([result.columns, ...result.rows.map((row) => row.map(valueText))], {
    cast: { string: (v) => (v === '' ? { value: '', quoted_empty: true } : v) },
  });
}

/**
 * A JSON array of one object per row. NULL is null; DECIMAL, DATE, TIMESTAMP and BIGINT values
 * are strings in DuckDB's text (exact: "1.30", "2025-10-01"), as the typed client returns them.
 */
export function renderJson(result: StatementResult): string {
  const objects = result.rows.map((row) =>
    Object.fromEntries(
      result.columns.map((name, i) => {
        const type = result.types[i];
        const value = row[i] ?? null;
        return [
          name,
          type ? JsonDuckDBValueConverter(value, type, JsonDuckDBValueConverter) : null,
        ];
      }),
    ),
  );
  return `${JSON.stringify(objects, null, 2)}\n`;
}

export function renderResult(result: StatementResult, format: OutputFormat): string {
  if (format === 'csv') return renderCsv(result);
  if (format === 'json') return renderJson(result);
  return renderTable(result);
}
