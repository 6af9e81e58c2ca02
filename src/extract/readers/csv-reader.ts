import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { identifier, literal } from '../../db/sql.js';
import { InputError, unreadableFile } from '../../errors.js';
import type { CsvLayout } from '../../pipeline-definition.js';
import { type DetectedCsvLayout, detectCsvLayout } from './csv-layout.js';
import { literalPath } from './literal-path.js';
import { readableCopy } from './readable-copy.js';
import { recordTruncation, type StageResult, type StagingTarget, stagedValue } from './staging.js';

/** A file ready for DuckDB's reader: its layout, and the path DuckDB reads. */
interface CsvInput {
  target: StagingTarget;
  layout: DetectedCsvLayout;
  readPath: string;
  /** The encoding DuckDB reads readPath in. */
  encoding: 'utf-8' | 'latin-1';
}

/**
 * Reads published CSVs into their staging tables. TypeScript finds each file's header; DuckDB's
 * reader parses the bulk with every column typed as text (type guessing breaks on HCPCS codes).
 * Files that share a layout are read by one read_csv call: DuckDB reads them in parallel and
 * one statement replaces one per file. Results come back in the order of the targets.
 */
export async function stageCsvFiles(
  connection: DuckDBConnection,
  targets: readonly StagingTarget[],
  layout: CsvLayout,
): Promise<StageResult[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'fse-csv-'));
  try {
    const inputs: CsvInput[] = [];
    for (const target of targets) {
      const { file } = target;
      const detected = await detectCsvLayout(
        file.path,
        file.relativePath,
        layout.headerAnchor,
        target.columns,
        layout.delimiter,
      );
      // DuckDB's reader takes one line ending per file: a file mixing CRLF and LF is read from a
      // copy with LF only (same lines, so the same line numbers); so is one DuckDB cannot decode.
      const readable = await readableCopy(
        file,
        layout.encoding ?? 'utf-8',
        scratch,
        `${inputs.length}.csv`,
        {
          lfEndings: file.profile.lineEndings === 'mixed',
        },
      );
      inputs.push({
        target,
        layout: detected,
        readPath: readable.path,
        encoding: readable.encoding,
      });
    }
    const results = new Map<StagingTarget, StageResult>();
    for (const group of groupByLayout(inputs)) {
      for (const [target, result] of await stageGroup(connection, group)) {
        results.set(target, result);
      }
    }
    return targets.map((t) => results.get(t) as StageResult);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Bytes one read_csv call reads at most: its rows sit in memory (a temporary table) until they
 * are staged, so a bounded batch keeps memory flat however many releases there are.
 */
const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Files one read_csv call can read together: same table, header shape, fields and endings, up to
 * BATCH_BYTES a batch.
 */
function groupByLayout(inputs: readonly CsvInput[]): CsvInput[][] {
  const groups = new Map<string, CsvInput[]>();
  for (const input of inputs) {
    const endings = input.target.file.profile.lineEndings;
    const key = JSON.stringify([
      input.target.table,
      input.layout.headerRecords,
      input.layout.fieldCount,
      input.layout.fieldIndex,
      input.layout.delimiter,
      input.encoding,
      endings === 'mixed' || endings === 'cr' ? 'lf' : endings,
    ]);
    groups.set(key, [...(groups.get(key) ?? []), input]);
  }
  const batches: CsvInput[][] = [];
  for (const group of groups.values()) {
    let batch: CsvInput[] = [];
    let bytes = 0;
    for (const input of group) {
      if (batch.length > 0 && bytes + input.target.file.profile.bytes > BATCH_BYTES) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(input);
      bytes += input.target.file.profile.bytes;
    }
    batches.push(batch);
  }
  return batches;
}

/**
 * One group in one read. When DuckDB cannot read the group at all, each file is read alone so
 * the error names the file that caused it.
 */
async function stageGroup(
  connection: DuckDBConnection,
  group: readonly CsvInput[],
): Promise<Map<StagingTarget, StageResult>> {
  try {
    return await readGroup(connection, group);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (group.length === 1) {
      const { file } = (group[0] as CsvInput).target;
      throw unreadableFile(file.relativePath, error);
    }
    const results = new Map<StagingTarget, StageResult>();
    for (const input of group) {
      for (const [target, result] of await stageGroup(connection, [input])) {
        results.set(target, result);
      }
    }
    return results;
  } finally {
    await connection.run(
      'DROP TABLE IF EXISTS _csv_files; ' +
        'DROP TABLE IF EXISTS _csv_reject_lines; DROP TABLE IF EXISTS _csv_gaps',
    );
  }
}

/**
 * Reads a group straight into the staging table: one pass, values trimmed as they are read.
 * read_csv says which file a row came from (file_index) but not its line: rows go in with line
 * 0, in file order (insertion order is preserved), and their lines are set afterwards from their
 * position among the rows of their file.
 */
async function readGroup(
  connection: DuckDBConnection,
  group: readonly CsvInput[],
): Promise<Map<StagingTarget, StageResult>> {
  const first = group[0] as CsvInput;
  const { headerRecords, fieldCount, fieldIndex } = first.layout;
  const { table, columns } = first.target;
  const staging = identifier(table);

  // Which file is which: the path DuckDB reports, the lineage and where data lines start.
  await connection.run(`CREATE OR REPLACE TEMP TABLE _csv_files (
    path VARCHAR, source VARCHAR, release_id VARCHAR, source_file VARCHAR, base BIGINT,
    first_rowid BIGINT)`);
  const addFile = await connection.prepare(
    'INSERT INTO _csv_files VALUES ($1, $2, $3, $4, $5, NULL)',
  );
  for (const { target, layout: detected, readPath } of group) {
    addFile.bind([
      readPath,
      target.source,
      target.releaseId,
      target.file.relativePath,
      detected.headerEndLine + 1,
    ]);
    await addFile.run();
  }

  const fieldNames = Array.from({ length: fieldCount }, (_, i) => `f${i}`);
  const columnSpec = `{${fieldNames.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ')}}`;
  const select = columns
    .map((c) => {
      const index = fieldIndex[c.name];
      return stagedValue(c, index === null || index === undefined ? null : `r.f${index}`);
    })
    .join(',\n      ');
  await connection.run('DROP TABLE IF EXISTS _csv_rejects; DROP TABLE IF EXISTS _csv_reject_scans');
  // Release and file come from lists indexed by file_index (bound, so no file value enters the
  // SQL text); a join here would not promise to keep the rows in file order.
  const read = await connection.prepare(`
    INSERT INTO ${staging}
    SELECT $2[r.file_index::BIGINT + 1], $3[r.file_index::BIGINT + 1], 0,
      ${select}
    FROM read_csv($1,
      skip = ${headerRecords}, header = false, columns = ${columnSpec},
      delim = ${literal(first.layout.delimiter)}, quote = '"', escape = '"', auto_detect = false, strict_mode = true,
      null_padding = false, encoding = ${literal(first.encoding)}, store_rejects = true,
      rejects_table = '_csv_rejects', rejects_scan = '_csv_reject_scans') r`);
  read.bind(
    [
      listValue(group.map((g) => literalPath(g.readPath))),
      listValue(group.map((g) => g.target.releaseId)),
      listValue(group.map((g) => g.target.file.relativePath)),
    ],
    [LIST(VARCHAR), LIST(VARCHAR), LIST(VARCHAR)],
  );
  await read.run();

  // DuckDB reports one reject row per problem; keep one per line.
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE _csv_reject_lines AS
    SELECT f.path, f.source, f.release_id, f.source_file, f.base, j.line::BIGINT AS line,
           'unreadable row: ' || lower(replace(any_value(j.error_type ORDER BY j.column_idx), '_', ' ')) AS rule,
           any_value(j.error_message ORDER BY j.column_idx) AS detail,
           trim(any_value(j.csv_line), E'\\r\\n') AS raw_text
    FROM _csv_rejects j
    JOIN _csv_reject_scans s ON s.scan_id = j.scan_id AND s.file_id = j.file_id
    JOIN _csv_files f ON f.path = s.file_path
    GROUP BY ALL;
    INSERT INTO rejected_row (source, release_id, source_file, source_line, rule, column_name, value, detail, raw_text)
    SELECT source, release_id, source_file, line, rule, NULL, NULL, detail, raw_text FROM _csv_reject_lines;
    UPDATE _csv_files SET first_rowid = r.first_rowid
    FROM (SELECT source_file, min(rowid) AS first_rowid FROM ${staging} WHERE source_line = 0 GROUP BY ALL) r
    WHERE r.source_file = _csv_files.source_file`);

  const counts = await connection.runAndReadAll(`
    WITH read AS (
      SELECT source_file, count(*) AS n, max(rowid) - min(rowid) + 1 AS span
      FROM ${staging} WHERE source_line = 0 GROUP BY ALL
    )
    SELECT f.path, coalesce(r.n, 0), coalesce(r.span, 0),
           (SELECT count(*) FROM _csv_reject_lines j WHERE j.path = f.path)
    FROM _csv_files f LEFT JOIN read r USING (source_file)`);
  const countsByPath = new Map(
    counts
      .getRowsJS()
      .map(([path, rows, span, rejected]) => [
        String(path),
        { rows: Number(rows), span: Number(span ?? 0), rejected: Number(rejected) },
      ]),
  );

  const results = new Map<StagingTarget, StageResult>();
  let anyRejected = false;
  for (const { target, layout: detected, readPath } of group) {
    const { file } = target;
    const { rows, span, rejected } = countsByPath.get(readPath) ?? {
      rows: 0,
      span: 0,
      rejected: 0,
    };
    if (rows !== span) {
      throw new Error(
        `${file.relativePath}: rows of the file were not read in one run (${rows} rows over ${span})`,
      );
    }
    const truncated = await recordTruncation(connection, target);
    const expected = file.profile.lines - detected.headerEndLine;
    if (rows + rejected === 0 && !truncated) {
      throw new InputError(
        file.relativePath,
        detected.headerEndLine,
        'no records',
        'the file has a header but no data rows',
      );
    }
    // On one thread DuckDB's reader can reach the end of a file whose cut last line opens a
    // quote without a row or a reject for that line (7 rows read and 0 rejected of 8 lines; on
    // two threads it rejects the line). The truncation recorded above accounts for it: it is
    // the file's last line, so the lines of the rows before it stand.
    const cutLineUnread = truncated && rows + rejected === expected - 1;
    if (rows + rejected !== expected && !cutLineUnread) {
      throw new InputError(
        file.relativePath,
        null,
        'line accounting',
        `${expected} data lines after the header, but ${rows} rows read and ${rejected} rejected ` +
          '(blank lines or line breaks inside quoted fields would cause this)',
      );
    }
    anyRejected ||= rejected > 0;
    results.set(target, { rowsStaged: rows, linesRejected: rejected + (truncated ? 1 : 0) });
  }

  // Accepted row i of a file sits on line base + i plus the rejected lines before it.
  const offset = 's.rowid - f.first_rowid';
  let lineExpr = `f.base + ${offset}`;
  if (anyRejected) {
    await connection.run(`
      CREATE OR REPLACE TEMP TABLE _csv_gaps AS
      SELECT path, line - base - (row_number() OVER (PARTITION BY path ORDER BY line) - 1) AS at
      FROM _csv_reject_lines`);
    lineExpr += ` + (SELECT count(*) FROM _csv_gaps g WHERE g.path = f.path AND g.at <= ${offset})`;
  }
  await connection.run(`
    UPDATE ${staging} s SET source_line = ${lineExpr}
    FROM _csv_files f
    WHERE s.source_line = 0 AND s.source_file = f.source_file`);
  return results;
}
