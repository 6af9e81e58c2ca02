import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import type { PipelineDefinition, SourceColumn } from '../pipeline-definition.js';
import { UNKNOWN_CODE } from '../reject-rules.js';

/**
 * Checks every staged value against its column's declaration (required, pattern, decimal,
 * code table valid on the release's effective date) and records each failure in rejected_row.
 * The SQL is built from the column list; file values stay in tables and never enter SQL text.
 */
export async function validateStagedRows(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  stagingTable: string,
): Promise<number> {
  const { source, columns } = pipeline;
  const keepUnknownCodes = pipeline.unknownCodes === 'warn';
  const checks = columns.flatMap((column) => columnChecks(column));
  if (checks.length === 0) return 0;
  const table = identifier(stagingTable);
  const union = checks
    .map(
      (check) => `
    SELECT ${literal(source)}, s.release_id, s.source_file, s.source_line, ${literal(check.rule)} AS rule,
           ${literal(check.column)} AS column_name, s.${identifier(check.column)} AS value,
           ${check.detail} AS detail,
           ${check.rule === UNKNOWN_CODE && keepUnknownCodes ? 'true' : 'false'} AS row_kept
    FROM ${table} s LEFT JOIN release r ON r.source = ${literal(source)} AND r.release_id = s.release_id
    WHERE ${check.failsWhen}`,
    )
    .join('\n    UNION ALL');
  const reader = await connection.runAndReadAll(`
    INSERT INTO rejected_row (source, release_id, source_file, source_line, rule, column_name, value, detail, row_kept)
    ${union}`);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

interface ColumnCheck {
  column: string;
  rule: string;
  /** SQL condition over staging row s and release r. */
  failsWhen: string;
  /** SQL expression explaining the failure. */
  detail: string;
}

function columnChecks(column: SourceColumn): ColumnCheck[] {
  const value = `s.${identifier(column.name)}`;
  const shown = `'''' || ${value} || ''''`;
  const code = column.codeRegex
    ? `regexp_extract(${value}, ${literal(column.codeRegex)}, 1)`
    : value;
  const checks: ColumnCheck[] = [];
  if (column.required) {
    checks.push({
      column: column.name,
      rule: 'required value missing',
      failsWhen: `${value} IS NULL`,
      detail: literal(`${column.header} is blank`),
    });
  }
  if (column.pattern) {
    checks.push({
      column: column.name,
      rule: 'value does not match pattern',
      failsWhen: `${value} IS NOT NULL AND NOT regexp_full_match(${value}, ${literal(column.pattern)})`,
      detail: `${shown} || ${literal(` is not of the form ${column.pattern}`)}`,
    });
  }
  if (column.decimal) {
    const { precision, scale } = column.decimal;
    checks.push({
      column: column.name,
      rule: 'not a decimal number',
      failsWhen: `${value} IS NOT NULL AND TRY_CAST(clean_number(${value}) AS DECIMAL(${precision}, ${scale})) IS NULL`,
      detail: `${shown} || ${literal(` does not fit DECIMAL(${precision}, ${scale})`)}`,
    });
  }
  if (column.system) {
    checks.push({
      column: column.name,
      rule: UNKNOWN_CODE,
      failsWhen: `${value} IS NOT NULL AND code_label(${literal(column.system)}, ${code}, r.effective_from) IS NULL`,
      detail: `${shown} || ${literal(` is not a code of ${column.system} (${column.header})`)} ||
               coalesce(' on ' || r.effective_from, '')`,
    });
  }
  return checks;
}
