import { createInterface } from 'node:readline';
import { type DuckDBConnection, type DuckDBResultReader, StatementType } from '@duckdb/node-api';
import type { Command } from 'commander';
import { openDuckDB } from '../db/open-duckdb.js';
import { terminalJson, terminalText } from '../terminal-text.js';
import { UsageError } from './errors.js';
import { defaultOutDir, publishedDatabase } from './options.js';

type Format = 'table' | 'csv' | 'json';
interface SqlOptions {
  format: string;
  out: string;
  allowWrites?: boolean;
}
const FORMATS: readonly Format[] = ['table', 'csv', 'json'];
const MAX_CELL = 60;

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function csvCell(value: unknown): string {
  const s = text(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Renders a result as an aligned text table, CSV, or JSON lines of objects. */
export function formatResult(columns: string[], rows: unknown[][], format: Format): string {
  if (format === 'json') {
    const objects = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
    return `${JSON.stringify(objects, null, 2)}\n`;
  }
  if (format === 'csv') {
    return `${[columns, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
  }
  const cells = rows.map((row) =>
    row.map((v) => {
      const s = v === null || v === undefined ? 'NULL' : text(v);
      return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s;
    }),
  );
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)),
  );
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' │ ');
  return `${[
    line(columns),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...cells.map(line),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  ].join('\n')}\n`;
}

/**
 * Statements that write files (COPY … TO, EXPORT DATABASE), attach other databases or load
 * code (ATTACH, DETACH, COPY FROM DATABASE, INSTALL, LOAD): off unless --allow-writes. The
 * database is opened read-only, but COPY … TO 'out/parquet/…' would replace a published file.
 */
const GUARDED = new Map<StatementType, string>([
  [StatementType.COPY, 'COPY'],
  [StatementType.EXPORT, 'EXPORT'],
  [StatementType.ATTACH, 'ATTACH'],
  [StatementType.DETACH, 'DETACH'],
  [StatementType.COPY_DATABASE, 'COPY FROM DATABASE'],
  [StatementType.LOAD, 'LOAD'],
  [StatementType.EXTENSION, 'INSTALL'],
  [StatementType.UPDATE_EXTENSIONS, 'UPDATE EXTENSIONS'],
]);

function guardedError(statement: string): UsageError {
  return new UsageError(
    `fse sql: ${statement} statements are off (they write files, attach databases or load extensions); pass --allow-writes to run them`,
  );
}

/** Runs each statement in turn, refusing guarded ones first; formats the last one's result. */
async function runQuery(
  connection: DuckDBConnection,
  sql: string,
  format: Format,
  allowWrites = false,
): Promise<string> {
  // EXPORT DATABASE makes its folder while it is prepared: it is refused by its words first.
  if (!allowWrites && /\bEXPORT\s+DATABASE\b/i.test(sql)) throw guardedError('EXPORT');
  const statements = await connection.extractStatements(sql);
  let reader: DuckDBResultReader | undefined;
  for (let i = 0; i < statements.count; i++) {
    const prepared = await statements.prepare(i);
    const guarded = GUARDED.get(prepared.statementType);
    if (guarded && !allowWrites) throw guardedError(guarded);
    reader = await prepared.runAndReadAll();
  }
  if (!reader) return '';
  const rows = format === 'json' ? reader.getRowsJson() : reader.getRowsJS();
  return formatResult(reader.columnNames(), rows as unknown[][], format);
}

/**
 * `fse sql`: query the published database without the DuckDB CLI (not packaged for Debian),
 * read-only; with no query, an interactive shell reading statements ended by ";".
 */
export function registerSql(program: Command): void {
  program
    .command('sql')
    .description('query out/fee_schedule.duckdb (read-only); without a query, an interactive shell')
    .argument('[query]', 'SQL to run, e.g. "SELECT source, count(*) FROM release GROUP BY 1"')
    .option('--format <format>', 'table, csv or json', 'table')
    .option('--out <dir>', 'output folder holding fee_schedule.duckdb', defaultOutDir())
    .option(
      '--allow-writes',
      'let COPY … TO and EXPORT write files, ATTACH other databases and INSTALL/LOAD extensions',
    )
    .action(async (query: string | undefined, options: SqlOptions) => {
      if (!FORMATS.includes(options.format as Format)) {
        throw new UsageError(`--format ${options.format}: expected ${FORMATS.join(', ')}`);
      }
      const format = options.format as Format;
      const allowWrites = options.allowWrites === true;
      const db = await openDuckDB(publishedDatabase(options.out), { readOnly: true });
      try {
        if (query !== undefined) {
          process.stdout.write(
            forTerminal(await runQuery(db.connection, query, format, allowWrites), format),
          );
          return;
        }
        await shell(db.connection, format, allowWrites);
      } finally {
        db.close();
      }
    });
}

/** Output with control characters escaped (JSON stays JSON). */
function forTerminal(text: string, format: Format): string {
  return format === 'json' ? terminalJson(text) : terminalText(text);
}

async function shell(
  connection: DuckDBConnection,
  format: Format,
  allowWrites: boolean,
): Promise<void> {
  const interactive = process.stdin.isTTY === true;
  const input = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: interactive,
  });
  if (interactive) {
    process.stdout.write(
      'fee_schedule (read-only). End statements with ";". .tables lists tables, .quit leaves.\n',
    );
  }
  let pending = '';
  input.setPrompt(interactive ? 'fse> ' : '');
  input.prompt();
  for await (const line of input) {
    const trimmed = line.trim();
    if (pending === '' && (trimmed === '.quit' || trimmed === '.exit')) break;
    if (pending === '' && trimmed === '.tables') {
      process.stdout.write(
        forTerminal(
          await runQuery(
            connection,
            "SELECT table_name AS name, comment FROM duckdb_tables() WHERE schema_name = 'main' UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal ORDER BY 1",
            format,
          ),
          format,
        ),
      );
    } else {
      pending += `${line}\n`;
      if (trimmed.endsWith(';')) {
        try {
          process.stdout.write(
            forTerminal(await runQuery(connection, pending, format, allowWrites), format),
          );
        } catch (error) {
          process.stdout.write(terminalText(`error: ${(error as Error).message}\n`));
          if (!interactive) process.exitCode = 1;
        }
        pending = '';
      }
    }
    input.setPrompt(interactive ? (pending ? '  ...> ' : 'fse> ') : '');
    input.prompt();
  }
  input.close();
}
