import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../../db/sql.js';
import { InputError } from '../../errors.js';
import type { FixedWidthLayout } from '../../pipeline-definition.js';
import { RAW_TEXT_MAX_CHARS } from '../../reject-rules.js';
import { literalPath } from './literal-path.js';
import { readableCopy } from './readable-copy.js';
import {
  countRows,
  recordReaderRejects,
  recordTruncation,
  type StageResult,
  type StagingTarget,
  stagedValue,
} from './staging.js';

/**
 * Reads a fixed-width file by position, never by whitespace: adjacent fields touch
 * ("2.149XXX.00"). DuckDB reads whole lines; the positions come from the column list. Lines
 * before the first record are preamble; a line after it that is not a record is rejected, and
 * so is a line DuckDB cannot read (too long, or bytes invalid in the encoding), by its number.
 */
export async function stageFixedWidthFile(
  connection: DuckDBConnection,
  target: StagingTarget,
  layout: FixedWidthLayout,
): Promise<StageResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'fse-fw-'));
  try {
    const readable = await readableCopy(
      target.file,
      layout.encoding ?? 'utf-8',
      scratch,
      'copy.txt',
      {
        lfEndings: false,
      },
    );
    return await stageLines(connection, target, layout, readable);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function stageLines(
  connection: DuckDBConnection,
  target: StagingTarget,
  declared: FixedWidthLayout,
  readable: { path: string; encoding: string },
): Promise<StageResult> {
  const { file } = target;
  let layout = declared;
  let { columns } = target;
  // One column per line: the delimiter is four control bytes in a row, which no text holds
  // (with strict_mode off, DuckDB would drop whatever followed a delimiter inside a line). A
  // line DuckDB cannot read (over its 2 MB line limit, or invalid in the declared encoding) is
  // a reject of its own line: store_rejects keeps the rest of the file readable.
  await connection.run('DROP TABLE IF EXISTS _fw_rejects; DROP TABLE IF EXISTS _fw_reject_scans');
  const read = await connection.prepare(`
    CREATE OR REPLACE TEMP TABLE _fw_read AS
    SELECT text FROM read_csv($1,
      header = false, columns = {'text': 'VARCHAR'}, delim = E'\\x1F\\x1E\\x1D\\x1C',
      quote = '', escape = '', auto_detect = false, strict_mode = false,
      encoding = ${literal(readable.encoding)}, store_rejects = true,
      rejects_table = '_fw_rejects', rejects_scan = '_fw_reject_scans')`);
  read.bind([literalPath(readable.path)]);
  await read.run();
  // One reject per line; a line over DuckDB's limit is far longer than any record.
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE _fw_reject_lines AS
    SELECT line::BIGINT AS line,
           CASE WHEN any_value(error_type) = 'LINE SIZE OVER MAXIMUM' THEN 'record length'
                ELSE 'unreadable row: ' || lower(replace(any_value(error_type), '_', ' ')) END AS rule,
           CASE WHEN any_value(error_type) = 'LINE SIZE OVER MAXIMUM'
                THEN any_value(error_message) || ' The layout has ${layout.recordLength} characters.'
                ELSE any_value(error_message) END AS detail,
           left(trim(any_value(csv_line), E'\\r\\n'), ${RAW_TEXT_MAX_CHARS}) AS raw_text
    FROM _fw_rejects GROUP BY line;
    DROP TABLE _fw_rejects; DROP TABLE _fw_reject_scans`);
  await recordReaderRejects(connection, target, '_fw_reject_lines');
  const unreadable = await countRows(connection, 'SELECT count(*) FROM _fw_reject_lines');
  // A table's rowid follows file order (insertion order is preserved): read row i is line i + 1
  // plus the unreadable lines before it.
  const lineExpr =
    unreadable === 0
      ? 'r.rowid + 1'
      : 'r.rowid + 1 + (SELECT count(*) FROM _fw_gaps g WHERE g.at <= r.rowid)';
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE _fw_gaps AS
    SELECT line - 1 - (row_number() OVER (ORDER BY line) - 1) AS at FROM _fw_reject_lines;
    CREATE OR REPLACE TEMP TABLE _fw_lines AS
    SELECT r.text, (${lineExpr})::BIGINT AS line,
           r.text IS NOT NULL AND regexp_full_match(r.text, ${literal(layout.recordPattern)}) AS is_record
    FROM _fw_read r;
    DROP TABLE _fw_read; DROP TABLE _fw_gaps`);
  const lines = await countRows(connection, 'SELECT count(*) FROM _fw_lines');
  if (lines + unreadable !== file.profile.lines) {
    throw new InputError(
      file.relativePath,
      null,
      'line accounting',
      `${file.profile.lines} lines in the file but ${lines} read and ${unreadable} unreadable`,
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

  // Another year's layout when most records have its length.
  if (declared.otherLayouts?.length) {
    const usual = await countRows(
      connection,
      'SELECT length(text) FROM _fw_lines WHERE is_record GROUP BY 1 ORDER BY count(*) DESC, 1 DESC LIMIT 1',
    );
    const other = declared.otherLayouts.find((o) => o.recordLength === usual);
    if (other && usual !== declared.recordLength) {
      layout = { ...declared, recordLength: other.recordLength };
      columns = columns.map((c) => {
        const position = other.positions[c.name];
        return position ? { ...c, position } : c;
      });
    }
  }

  // Lines before the first record are a preamble, unless the layout has none; with a trailer,
  // lines after the last record are its notes; blank spacer lines are skipped where declared.
  // The first record is the preamble's end, not part of it: too long, it is rejected as any is.
  const afterPreamble = layout.preamble === false ? 0 : firstRecord - 1;
  const lastRecord = layout.trailer
    ? await countRows(connection, 'SELECT max(line) FROM _fw_lines WHERE is_record')
    : Number.MAX_SAFE_INTEGER;
  const spacer = layout.blankLines === 'skip' ? "trim(coalesce(text, '')) = ''" : 'false';
  const rejects = await connection.prepare(`
    INSERT INTO rejected_row (source, release_id, source_file, source_line, rule, column_name, value, detail, raw_text)
    SELECT $1, $2, $3, line,
           CASE WHEN NOT is_record THEN 'not a record' ELSE 'record length' END, NULL, NULL,
           CASE WHEN NOT is_record THEN 'the line does not have the record layout'
                ELSE 'record is ' || length(text) || ' characters, the layout has ${layout.recordLength}' END,
           left(text, ${RAW_TEXT_MAX_CHARS})
    FROM _fw_lines
    WHERE line > ${afterPreamble} AND line <= ${lastRecord} AND NOT (${spacer})
      AND (NOT is_record OR length(text) > ${layout.recordLength})`);
  rejects.bind([target.source, target.releaseId, file.relativePath]);
  await rejects.run();
  const truncated = await recordTruncation(connection, target);

  const accepted = `is_record AND length(text) <= ${layout.recordLength}`;
  // Each field cut from the line once (f<i>), then staged: each use of a substr() in the staged
  // value cut it again. Fixed-width fields are mostly padded to their width: trimmed untested.
  // A HCPCS file of 12,000 records: 165-210 ms, 145-165 ms so. No ORDER BY: _fw_lines is in line
  // order and DuckDB keeps insertion order (preserve_insertion_order, never turned off here), so
  // sorting the 48-column rows again only cost time (40 files of the mix: 11.1 s, 8.9 s without).
  const fields = columns.map((c) => {
    // A column some years' files lack (GPCI's work GPCI without the floor) may have no place.
    if (!c.position && c.optional) return null;
    if (!c.position) throw new Error(`column ${c.name} has no fixed-width position`);
    const [from, to] = c.position;
    return `substr(text, ${from}, ${to - from + 1})`;
  });
  const select = columns
    .map((c, i) => stagedValue(c, fields[i] ? `f${i}` : null, { padded: true }))
    .join(',\n      ');
  const cut = fields.flatMap((field, i) => (field ? [`${field} AS f${i}`] : [])).join(', ');
  const insert = await connection.prepare(`
    INSERT INTO ${identifier(target.table)}
    SELECT $1, $2, line,
      ${select}
    FROM (SELECT line${cut ? `, ${cut}` : ''} FROM _fw_lines WHERE ${accepted})`);
  insert.bind([target.releaseId, file.relativePath]);
  await insert.run();
  const rowsStaged = await countRows(
    connection,
    `SELECT count(*) FROM _fw_lines WHERE ${accepted}`,
  );
  const linesRejected = await countRows(
    connection,
    `SELECT count(*) FROM _fw_lines
     WHERE line > ${afterPreamble} AND line <= ${lastRecord} AND NOT (${spacer}) AND NOT (${accepted})`,
  );
  await connection.run('DROP TABLE _fw_lines; DROP TABLE _fw_reject_lines');
  return { rowsStaged, linesRejected: linesRejected + unreadable + (truncated ? 1 : 0) };
}
