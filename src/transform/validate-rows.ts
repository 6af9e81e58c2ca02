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

  // One pass over the staged rows keeps those that might fail a check (a code: one of the values
  // found failing on their release's day); the checks themselves then read only those.
  await findFailingCodes(connection, pipeline, stagingTable);
  const mightFail = columns
    .flatMap((column) => columnChecks(column, true))
    .map((check) => `(${check.failsWhen})`)
    .join('\n       OR ');
  // With its release's effective date: every check reads the rows, the join is done once.
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE _suspect_rows AS
    SELECT s.*, r.effective_from AS ${RELEASE_DAY}
    FROM ${identifier(stagingTable)} s
    LEFT JOIN release r ON r.source = ${literal(source)} AND r.release_id = s.release_id
    WHERE ${mightFail}`);
  const suspect = await connection.runAndReadAll('SELECT count(*) FROM _suspect_rows');
  if (Number(suspect.getRows()[0]?.[0] ?? 0) === 0) {
    // Nothing to test: planning the checks' union (one subquery per code) alone takes a while.
    await connection.run(`DROP TABLE _suspect_rows; DROP TABLE ${FAILING_CODES}`);
    return 0;
  }
  const union = checks
    .map(
      (check) => `
    SELECT ${literal(source)}, s.release_id, s.source_file, s.source_line, ${literal(check.rule)} AS rule,
           ${literal(check.column)} AS column_name, s.${identifier(check.column)} AS value,
           ${check.detail} AS detail,
           ${(check.rule === UNKNOWN_CODE && keepUnknownCodes) || check.rule === CODE_OUT_OF_DATE ? 'true' : 'false'} AS row_kept
    FROM _suspect_rows s
    WHERE ${check.failsWhen}`,
    )
    .join('\n    UNION ALL');
  const reader = await connection.runAndReadAll(`
    INSERT INTO rejected_row (source, release_id, source_file, source_line, rule, column_name, value, detail, row_kept)
    ${union}`);
  await connection.run(`DROP TABLE _suspect_rows; DROP TABLE ${FAILING_CODES}`);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

/**
 * The code values of the staged rows that are no code of their column's system on their
 * release's effective date, per column (temp table FAILING_CODES): looked up once per distinct
 * release and value, not per row. Values valid on every release day of the source are left out
 * first, cheaply. Over years of releases few codes are valid on every day (a code table row
 * dated from 2020 is not valid in 2016): testing every row of such a value took seconds per
 * hundred thousand rows.
 */
async function findFailingCodes(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  stagingTable: string,
): Promise<void> {
  const { source } = pipeline;
  const alwaysValid = await codesValidOnEveryDay(connection, source);
  const branches = pipeline.columns.flatMap((column) => {
    if (!column.system) return [];
    const valid = alwaysValid.get(column.system) ?? [];
    const value = `s.${identifier(column.name)}`;
    return [
      `SELECT ${literal(column.name)} AS column_name, v.release_id, v.value
       FROM (SELECT DISTINCT s.release_id, ${value} AS value FROM ${identifier(stagingTable)} s
             WHERE ${value} IS NOT NULL${valid.length > 0 ? ` AND ${codeOf(column, value)} NOT IN (${valid.map(literal).join(', ')})` : ''}) v
       LEFT JOIN release r ON r.source = ${literal(source)} AND r.release_id = v.release_id
       WHERE code_label(${literal(column.system)}, ${codeOf(column, 'v.value')}, r.effective_from) IS NULL`,
    ];
  });
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${FAILING_CODES} (column_name VARCHAR, release_id VARCHAR, value VARCHAR)`,
  );
  if (branches.length > 0) {
    await connection.run(`INSERT INTO ${FAILING_CODES} ${branches.join('\nUNION ALL\n')}`);
  }
}

/** The code in a column's value (a part of it where the column has a codeRegex). */
function codeOf(column: SourceColumn, value: string): string {
  return column.codeRegex ? `regexp_extract(${value}, ${literal(column.codeRegex)}, 1)` : value;
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

/** The column of _suspect_rows holding the row's release's effective date. */
const RELEASE_DAY = '_release_effective_from';

/** Temp table of the code values failing on their release's day (findFailingCodes). */
const FAILING_CODES = '_failing_codes';

interface ColumnCheck {
  column: string;
  rule: string;
  /** SQL condition over staging row s (with its release's day, RELEASE_DAY). */
  failsWhen: string;
  /** SQL expression explaining the failure. */
  detail: string;
}

/**
 * The checks of a column. As a pre-test (`preTest`), the code check is whether the value is one
 * of FAILING_CODES for the row's release: a row that fails either code check is among them.
 */
function columnChecks(column: SourceColumn, preTest = false): ColumnCheck[] {
  const value = `s.${identifier(column.name)}`;
  const shown = `'''' || ${value} || ''''`;
  const code = codeOf(column, value);
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
    const onTheDay = `code_label(${system}, ${code}, s.${RELEASE_DAY}) IS NOT NULL`;
    if (preTest) {
      checks.push({
        column: column.name,
        rule: UNKNOWN_CODE,
        failsWhen: `${value} IS NOT NULL AND (s.release_id, ${value}) IN (
          SELECT release_id, value FROM ${FAILING_CODES} WHERE column_name = ${literal(column.name)})`,
        detail: 'NULL',
      });
    } else {
      checks.push(
        {
          column: column.name,
          rule: UNKNOWN_CODE,
          failsWhen: `${value} IS NOT NULL AND NOT ${inTable}`,
          detail: `${shown} || ${literal(` is not a code of ${column.system} (${column.header})`)} ||
                   coalesce(' on ' || s.${RELEASE_DAY}, '')`,
        },
        {
          column: column.name,
          rule: CODE_OUT_OF_DATE,
          failsWhen: `${value} IS NOT NULL AND ${inTable} AND NOT ${onTheDay}`,
          detail: `${shown} || ${literal(` is a code of ${column.system} (${column.header}) but not on `)} ||
                   s.${RELEASE_DAY} || ' by its code table''s dates: the row is kept, the value has no label that day'`,
        },
      );
    }
  }
  return checks;
}
