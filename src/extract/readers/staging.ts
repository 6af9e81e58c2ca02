import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../../db/sql.js';
import type { PipelineDefinition, SourceColumn } from '../../pipeline-definition.js';
import { TRUNCATED_FILE } from '../../reject-rules.js';
import type { RawFile } from '../raw-releases.js';

/** Where a reader puts a file's rows: a staging table of text columns plus lineage. */
export interface StagingTarget {
  source: string;
  table: string;
  releaseId: string;
  file: RawFile;
  columns: readonly SourceColumn[];
}

export interface StageResult {
  rowsStaged: number;
  linesRejected: number;
  /** How the file was read when not as its rule's format says ('tab-delimited'). */
  readAs?: string;
}

/** Trimmed from every value besides the space: tab, line feed, carriage return, NBSP. */
const TRIMMED_CODES = [9, 10, 13, 160];

/**
 * The staged text of a column from a raw field expression: trimmed (spaces, tabs, NBSP and the
 * column's stray characters), blank and declared "no value" markers as NULL, digit strings
 * re-padded where a workbook dropped zeros. `padded`: the fields are mostly padded to their
 * width (fixed-width records), so every one is trimmed without testing first.
 */
export function stagedValue(
  column: SourceColumn,
  raw: string | null,
  options: { padded?: boolean } = {},
): string {
  if (raw === null) return 'NULL::VARCHAR';
  const codes = [
    ...TRIMMED_CODES,
    ...(column.strayCharacters ?? []).map((c) => c.codePointAt(0) as number),
  ];
  const trimmed = `nullif(trim(${raw}, ' ' || ${codes.map((c) => `chr(${c})`).join(' || ')}), '')`;
  // Most delimited fields need no trimming: test cheaply first, trim the few that do (twice as
  // fast). The same value either way: a field with none of these characters trims to itself.
  const padded = [
    `starts_with(${raw}, ' ')`,
    `ends_with(${raw}, ' ')`,
    ...codes.map((c) => `contains(${raw}, chr(${c}))`),
  ].join(' OR ');
  let value = options.padded
    ? trimmed
    : `CASE WHEN ${raw} = '' THEN NULL WHEN ${padded} THEN ${trimmed} ELSE ${raw} END`;
  if (column.nullValues?.length) {
    value = `CASE WHEN ${value} IN (${column.nullValues.map(literal).join(', ')}) THEN NULL ELSE ${value} END`;
  }
  if (column.zeroPad) {
    // Only shorter digit strings: lpad would also cut a longer value down to the width.
    value = `CASE WHEN regexp_full_match(${value}, '[0-9]+') AND length(${value}) < ${column.zeroPad} THEN lpad(${value}, ${column.zeroPad}, '0') ELSE ${value} END`;
  }
  return value;
}

/**
 * Staging tables hold every declared column as text, exactly as read, with file and line. They
 * are temporary (in memory, spilled by DuckDB when large): dropped before publish anyway, and
 * writing them to the database file cost about a fifth of a refresh.
 */
export async function createStagingTable(
  connection: DuckDBConnection,
  table: string,
  columns: readonly SourceColumn[],
): Promise<void> {
  const columnDefs = columns.map((c) => `${identifier(c.name)} VARCHAR`).join(',\n  ');
  await connection.run(`CREATE TEMP TABLE IF NOT EXISTS ${identifier(table)} (
  release_id VARCHAR NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line INTEGER NOT NULL,
  ${columnDefs}
)`);
}

/**
 * Records a reader-level reject (a line that could not be split into fields) in rejected_row.
 * The rows come from a DuckDB table, so no value from the file passes through SQL text.
 */
export async function recordReaderRejects(
  connection: DuckDBConnection,
  target: StagingTarget,
  rejectLinesTable: string,
): Promise<void> {
  const prepared = await connection.prepare(`
    INSERT INTO rejected_row (source, release_id, source_file, source_line, rule, column_name, value, detail, raw_text)
    SELECT $1, $2, $3, line, rule, NULL, NULL, detail, raw_text FROM ${identifier(rejectLinesTable)}`);
  prepared.bind([target.source, target.releaseId, target.file.relativePath]);
  await prepared.run();
}

/** A cut file blocks the run whatever else is wrong with it. */
export async function recordTruncation(
  connection: DuckDBConnection,
  target: StagingTarget,
): Promise<boolean> {
  const { profile } = target.file;
  if (profile.endsWithNewline || profile.lines <= 1) return false;
  const prepared = await connection.prepare(`
    INSERT INTO rejected_row (source, release_id, source_file, source_line, rule, column_name, value, detail, raw_text)
    VALUES ($1, $2, $3, $4, ${literal(TRUNCATED_FILE)}, NULL, NULL, $5, NULL)`);
  prepared.bind([
    target.source,
    target.releaseId,
    target.file.relativePath,
    profile.lines,
    'the last line has no line ending while every other line has one: the file was cut short',
  ]);
  await prepared.run();
  return true;
}

export async function countRows(connection: DuckDBConnection, sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

/** Staging table holding the variant files (other formats of the same release). */
export function variantTable(pipeline: Pick<PipelineDefinition, 'stagingTable'>): string {
  return `${pipeline.stagingTable}__variant`;
}
