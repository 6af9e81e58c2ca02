import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { openDuckDB } from '../db/open-duckdb.js';
import { pinPublishedDatabase } from '../db/published-run.js';
import { GuardedStatementError } from '../sql/guarded-statements.js';
import { printScript } from '../sql/print-script.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../sql/render.js';
import { SqlSession } from '../sql/session.js';
import { startShell } from '../sql/shell.js';
import { EXIT, UsageError } from './errors.js';
import { defaultOutDir, publishedDatabase } from './options.js';

interface SqlOptions {
  format: string;
  out: string;
  allowWrites?: boolean;
  maxRows?: number;
}

/** Rows a result shows on a terminal unless --max-rows says otherwise; piped output is whole. */
export const TERMINAL_ROW_CAP = 1000;

function rowCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--max-rows ${value}: expected a whole number`);
  return Number(value);
}

/**
 * `fse sql`: query the published database without the DuckDB CLI (not packaged for Debian),
 * read-only. A query argument or piped stdin runs as a script; on a terminal, with no query,
 * an interactive shell.
 */
export function registerSql(program: Command): void {
  program
    .command('sql')
    .description('query out/fee_schedule.duckdb (read-only); without a query, an interactive shell')
    .argument('[query]', 'SQL to run, e.g. "SELECT source, count(*) FROM release GROUP BY 1"')
    .option('--format <format>', 'table, csv or json', 'table')
    .option(
      '--max-rows <n>',
      `rows shown per result (0: all); default ${TERMINAL_ROW_CAP} on a terminal, all when piped`,
      rowCount,
    )
    .option('--out <dir>', 'output folder holding fee_schedule.duckdb', defaultOutDir())
    .option(
      '--allow-writes',
      'let COPY … TO and EXPORT write files, ATTACH other databases and INSTALL/LOAD extensions',
    )
    .action(async (query: string | undefined, options: SqlOptions) => {
      if (!OUTPUT_FORMATS.includes(options.format as OutputFormat)) {
        throw new UsageError(`--format ${options.format}: expected ${OUTPUT_FORMATS.join(', ')}`);
      }
      const format = options.format as OutputFormat;
      const cap = options.maxRows ?? (process.stdout.isTTY ? TERMINAL_ROW_CAP : 0);
      const maxRows = cap === 0 ? undefined : cap;
      // Pinned to the run published now: a refresh publishing meanwhile does not move the shell.
      const { database } = pinPublishedDatabase(publishedDatabase(options.out));
      // Opened by its path, the working directory left as it is: a relative path in the SQL
      // (read_csv('x.csv'), COPY … TO 'x.csv') is the caller's folder, not the run folder.
      const db = await openDuckDB(database, { readOnly: true });
      const session = new SqlSession(db.connection, { allowWrites: options.allowWrites === true });
      try {
        if (query === undefined && process.stdin.isTTY) {
          await startShell(session, { format, ...(maxRows ? { maxRows } : {}) });
          return;
        }
        const script = query ?? (await text(process.stdin));
        const ok = await printScript(session, script, format, maxRows).catch((error: unknown) => {
          if (error instanceof GuardedStatementError) throw new UsageError(error.message);
          throw error;
        });
        if (!ok) process.exitCode = EXIT.blocked;
      } finally {
        db.close();
      }
    });
}
