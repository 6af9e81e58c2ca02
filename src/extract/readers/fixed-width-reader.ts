import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../../db/sql.js';
import { InputError } from '../../errors.js';
import { countRows, recordTruncation, type StageResult, type StagingTarget } from './staging.js';

export interface FixedWidthLayout {
  recordLength: number;
  /** Lines starting with this prefix are header records (PPRRVU: "HDR"). */
  skipLinePrefix: string;
}

/**
 * Reads a fixed-width file by position, never by whitespace: adjacent fields touch
 * ("2.149XXX.00"). DuckDB reads whole lines; the positions come from the column list.
 */
export async function stageFixedWidthFile(
  connection: DuckDBConnection,
  target: StagingTarget,
  layout: FixedWidthLayout,
): Promise<StageResult> {
  const { file, columns } = target;
  // A table's rowid follows file order (insertion order is preserved), so rowid + 1 is the line.
  const read = await connection.prepare(`
    CREATE OR REPLACE TEMP TABLE _fw_read AS
    SELECT text FROM read_csv($1,
      header = false, columns = {'text': 'VARCHAR'}, delim = E'\\x1F', quote = '', escape = '',
      auto_detect = false, strict_mode = false)`);
  read.bind([file.path]);
  await read.run();
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE _fw_lines AS SELECT text, (rowid + 1)::BIGINT AS line FROM _fw_read;
    DROP TABLE _fw_read`);
  const lines = await countRows(connection, 'SELECT count(*) FROM _fw_lines');
  if (lines !== file.profile.lines) {
    throw new InputError(
      file.relativePath,
      null,
      'line accounting',
      `${file.profile.lines} lines in the file but ${lines} read (blank lines would cause this)`,
    );
  }

  const recordFilter = `text IS NOT NULL AND NOT starts_with(text, ${literal(layout.skipLinePrefix)})`;
  const rejects = await connection.prepare(`
    INSERT INTO rejected_row (release_id, source_file, source_line, rule, column_name, value, detail, raw_text)
    SELECT $1, $2, line, 'record length', NULL, NULL,
           'record is ' || length(text) || ' characters, the layout has ${layout.recordLength}', text
    FROM _fw_lines WHERE ${recordFilter} AND length(text) <> ${layout.recordLength}`);
  rejects.bind([target.releaseId, file.relativePath]);
  await rejects.run();
  const truncated = await recordTruncation(connection, target);

  const select = columns
    .map((c) => {
      if (!c.position) throw new Error(`column ${c.name} has no fixed-width position`);
      const [from, to] = c.position;
      return `nullif(trim(substr(text, ${from}, ${to - from + 1})), '')`;
    })
    .join(', ');
  const insert = await connection.prepare(`
    INSERT INTO ${identifier(target.table)}
    SELECT $1, $2, line, ${select} FROM _fw_lines
    WHERE ${recordFilter} AND length(text) = ${layout.recordLength} ORDER BY line`);
  insert.bind([target.releaseId, file.relativePath]);
  await insert.run();
  const rowsStaged = await countRows(
    connection,
    `SELECT count(*) FROM _fw_lines WHERE ${recordFilter} AND length(text) = ${layout.recordLength}`,
  );
  const linesRejected = await countRows(
    connection,
    `SELECT count(*) FROM _fw_lines WHERE ${recordFilter} AND length(text) <> ${layout.recordLength}`,
  );
  await connection.run('DROP TABLE _fw_lines');
  return { rowsStaged, linesRejected: linesRejected + (truncated ? 1 : 0) };
}
