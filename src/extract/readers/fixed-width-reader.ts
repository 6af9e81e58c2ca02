import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../../db/sql.js';
import { InputError } from '../../errors.js';
import type { FixedWidthLayout } from '../../pipeline-definition.js';
import {
  countRows,
  recordTruncation,
  type StageResult,
  type StagingTarget,
  stagedValue,
} from './staging.js';

/**
 * Reads a fixed-width file by position, never by whitespace: adjacent fields touch
 * ("2.149XXX.00"). DuckDB reads whole lines; the positions come from the column list. Lines
 * before the first record are preamble; a line after it that is not a record is rejected.
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
      auto_detect = false, strict_mode = false, encoding = ${literal(layout.encoding ?? 'utf-8')})`);
  read.bind([file.path]);
  await read.run();
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE _fw_lines AS
    SELECT text, (rowid + 1)::BIGINT AS line,
           text IS NOT NULL AND regexp_full_match(text, ${literal(layout.recordPattern)}) AS is_record
    FROM _fw_read;
    DROP TABLE _fw_read`);
  const lines = await countRows(connection, 'SELECT count(*) FROM _fw_lines');
  if (lines !== file.profile.lines) {
    throw new InputError(
      file.relativePath,
      null,
      'line accounting',
      `${file.profile.lines} lines in the file but ${lines} read`,
    );
  }
  const firstRecord = await countRows(
    connection,
    'SELECT coalesce(min(line), 0) FROM _fw_lines WHERE is_record',
  );
  if (firstRecord === 0) {
    throw new InputError(
      file.relativePath,
      null,
      'no records',
      `no line matches ${layout.recordPattern}`,
    );
  }

  const rejects = await connection.prepare(`
    INSERT INTO rejected_row (source, release_id, source_file, source_line, rule, column_name, value, detail, raw_text)
    SELECT $1, $2, $3, line,
           CASE WHEN NOT is_record THEN 'not a record' ELSE 'record length' END, NULL, NULL,
           CASE WHEN NOT is_record THEN 'the line does not have the record layout'
                ELSE 'record is ' || length(text) || ' characters, the layout has ${layout.recordLength}' END,
           text
    FROM _fw_lines
    WHERE line > ${firstRecord} AND (NOT is_record OR length(text) > ${layout.recordLength})`);
  rejects.bind([target.source, target.releaseId, file.relativePath]);
  await rejects.run();
  const truncated = await recordTruncation(connection, target);

  const accepted = `is_record AND length(text) <= ${layout.recordLength}`;
  const select = columns
    .map((c) => {
      if (!c.position) throw new Error(`column ${c.name} has no fixed-width position`);
      const [from, to] = c.position;
      return stagedValue(c, `substr(text, ${from}, ${to - from + 1})`);
    })
    .join(',\n      ');
  const insert = await connection.prepare(`
    INSERT INTO ${identifier(target.table)}
    SELECT $1, $2, line,
      ${select}
    FROM _fw_lines WHERE ${accepted} ORDER BY line`);
  insert.bind([target.releaseId, file.relativePath]);
  await insert.run();
  const rowsStaged = await countRows(
    connection,
    `SELECT count(*) FROM _fw_lines WHERE ${accepted}`,
  );
  const linesRejected = await countRows(
    connection,
    `SELECT count(*) FROM _fw_lines WHERE line > ${firstRecord} AND NOT (${accepted})`,
  );
  await connection.run('DROP TABLE _fw_lines');
  return { rowsStaged, linesRejected: linesRejected + (truncated ? 1 : 0) };
}
