import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import type { PipelineDefinition, SourceColumn } from '../pipeline-definition.js';
import { CODE_OUT_OF_DATE, NUL_BYTE, UNKNOWN_CODE } from '../reject-rules.js';

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

  // One pass over the staged rows keeps those that might fail a check (codes are tested against
  // the codes valid on every release day); the checks themselves then read only those.
  const alwaysValid = await codesValidOnEveryDay(connection, source);
  const mightFail = columns
    .flatMap((column) => columnChecks(column, alwaysValid.get(column.system ?? '') ?? []))
    .map((check) => `(${check.failsWhen})`)
    .join('\n       OR ');
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE _suspect_rows AS
    SELECT s.* FROM ${identifier(stagingTable)} s
    WHERE ${mightFail}`);
  const suspect = await connection.runAndReadAll('SELECT count(*) FROM _suspect_rows');
  if (Number(suspect.getRows()[0]?.[0] ?? 0) === 0) {
    // Nothing to test: planning the checks' union (one subquery per code) alone takes a while.
    await connection.run('DROP TABLE _suspect_rows');
    return 0;
  }
  const union = checks
    .map(
      (check) => `
    SELECT ${literal(source)}, s.release_id, s.source_file, s.source_line, ${literal(check.rule)} AS rule,
           ${literal(check.column)} AS column_name, s.${identifier(check.column)} AS value,
           ${check.detail} AS detail,
           ${(check.rule === UNKNOWN_CODE && keepUnknownCodes) || check.rule === CODE_OUT_OF_DATE ? 'true' : 'false'} AS row_kept
    FROM _suspect_rows s LEFT JOIN release r ON r.source = ${literal(source)} AND r.release_id = s.release_id
    WHERE ${check.failsWhen}`,
    )
    .join('\n    UNION ALL');
  const reader = await connection.runAndReadAll(`
    INSERT INTO rejected_row (source, release_id, source_file, source_line, rule, column_name, value, detail, row_kept)
    ${union}`);
  await connection.run('DROP TABLE _suspect_rows');
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

/**
 * Per code system, the codes valid on every release day of the source (from its first release
 * to its last): for those, a release's own day need not be looked at. A release with no day
 * accepts any code of the system (code_valid_on), so only dated releases narrow the list.
 */
async function codesValidOnEveryDay(
  connection: DuckDBConnection,
  source: string,
): Promise<Map<string, readonly string[]>> {
  const prepared = await connection.prepare(`
    WITH days AS (
      SELECT min(effective_from) AS first_day, max(effective_from) AS last_day
      FROM release WHERE source = $1
    )
    SELECT system, list(code ORDER BY code) FROM indicator_code, days
    WHERE (valid_from IS NULL OR valid_from <= first_day)
      AND (valid_to IS NULL OR last_day < valid_to)
    GROUP BY system`);
  prepared.bind([source]);
  const reader = await prepared.runAndReadAll();
  return new Map(
    reader
      .getRowsJS()
      .map(([system, codes]) => [String(system), (codes as unknown[]).map((c) => String(c))]),
  );
}

interface ColumnCheck {
  column: string;
  rule: string;
  /** SQL condition over staging row s and release r. */
  failsWhen: string;
  /** SQL expression explaining the failure. */
  detail: string;
}

/**
 * The checks of a column. With alwaysValid (the codes of its system valid on every release day),
 * code check is the cheap pre-test: a value outside that list might be unknown on its date.
 */
function columnChecks(column: SourceColumn, alwaysValid?: readonly string[]): ColumnCheck[] {
  const value = `s.${identifier(column.name)}`;
  const shown = `'''' || ${value} || ''''`;
  const code = column.codeRegex
    ? `regexp_extract(${value}, ${literal(column.codeRegex)}, 1)`
    : value;
  const checks: ColumnCheck[] = [
    {
      // A NUL byte is no text a file means: it would load silently and cut the value short in C
      // programs reading the outputs.
      column: column.name,
      rule: NUL_BYTE,
      failsWhen: `${value} IS NOT NULL AND contains(${value}, chr(0))`,
      detail: literal(`${column.header} holds a NUL byte (0x00)`),
    },
  ];
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
      // The plain cast first: most values are plain numbers.
      failsWhen: `${value} IS NOT NULL AND TRY_CAST(${value} AS DECIMAL(${precision}, ${scale})) IS NULL AND TRY_CAST(clean_number(${value}) AS DECIMAL(${precision}, ${scale})) IS NULL`,
      detail: `${shown} || ${literal(` does not fit DECIMAL(${precision}, ${scale})`)}`,
    });
  }
  if (column.system) {
    const system = literal(column.system);
    const inTable = `code_label(${system}, ${code}, NULL) IS NOT NULL`;
    const onTheDay = `code_label(${system}, ${code}, r.effective_from) IS NOT NULL`;
    if (alwaysValid) {
      // The pre-test: a value outside the codes valid on every day might fail either check.
      checks.push({
        column: column.name,
        rule: UNKNOWN_CODE,
        failsWhen: `${value} IS NOT NULL${alwaysValid.length > 0 ? ` AND ${code} NOT IN (${alwaysValid.map(literal).join(', ')})` : ''}`,
        detail: 'NULL',
      });
    } else {
      checks.push(
        {
          column: column.name,
          rule: UNKNOWN_CODE,
          failsWhen: `${value} IS NOT NULL AND NOT ${inTable}`,
          detail: `${shown} || ${literal(` is not a code of ${column.system} (${column.header})`)} ||
                   coalesce(' on ' || r.effective_from, '')`,
        },
        {
          column: column.name,
          rule: CODE_OUT_OF_DATE,
          failsWhen: `${value} IS NOT NULL AND ${inTable} AND NOT ${onTheDay}`,
          detail: `${shown} || ${literal(` is a code of ${column.system} (${column.header}) but not on `)} ||
                   r.effective_from || ' by its code table''s dates: the row is kept, the value has no label that day'`,
        },
      );
    }
  }
  return checks;
}
