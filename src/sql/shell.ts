import { homedir } from 'node:os';
import { join } from 'node:path';
import { type REPLServer, Recoverable, start } from 'node:repl';
import { GuardedStatementError } from './guarded-statements.js';
import { printScript } from './print-script.js';
import { OUTPUT_FORMATS, type OutputFormat } from './render.js';
import type { SqlSession } from './session.js';
import { loadShellNames, type ShellNames } from './shell-names.js';
import { endsStatement } from './statement-complete.js';

export interface ShellOptions {
  format: OutputFormat;
  maxRows?: number;
}

/** Where the shell keeps the lines typed: $FSE_HISTORY, else ~/.fse_sql_history. */
export function historyFile(): string {
  return process.env.FSE_HISTORY || join(homedir(), '.fse_sql_history');
}

const HELP = `Statements end with ";" and may span lines; each result prints in the current mode.
  .tables            tables and views, with what each holds
  .schema <table>    the columns of a table or view: type and meaning
  .mode [table|csv|json]  the output format (no argument: the current one)
  .help              this text
  .exit, .quit       leave (or Ctrl-D); Ctrl-C clears the line
Tab completes table and column names. Read-only: nothing typed here can change the database.
`;

/**
 * The interactive `fse sql`: node's REPL with SQL in place of JavaScript. Its readline gives
 * line editing, history kept in a file and completion; a statement without its ";" yet is
 * "recoverable", so the REPL asks for the next line instead of running it.
 */
export async function startShell(session: SqlSession, options: ShellOptions): Promise<void> {
  let format = options.format;
  const names = await loadShellNames(session);
  const run = async (script: string) => {
    try {
      await printScript(session, script, format, options.maxRows);
    } catch (error) {
      if (!(error instanceof GuardedStatementError)) throw error;
      process.stderr.write(`${error.message}\n`);
    }
  };

  process.stdout.write(
    'fee_schedule (read-only). End statements with ";"; .help lists the commands.\n',
  );
  const server = start({
    prompt: 'fse> ',
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    useColors: false,
    preview: false,
    ignoreUndefined: true,
    completer: (line: string) => complete(line, names),
    eval: (input, _context, _file, done) => {
      if (input.trim() === '') return done(null, undefined);
      if (!endsStatement(input))
        return done(new Recoverable(new Error('statement not ended')), undefined);
      run(input).then(
        () => done(null, undefined),
        (error: Error) => done(error, undefined),
      );
    },
  });
  // The REPL's JavaScript commands mean nothing here.
  const commands = server.commands as Record<string, unknown>;
  for (const command of ['break', 'clear', 'editor', 'load', 'save']) delete commands[command];
  keepOpenOnCtrlC(server, session);
  defineCommands(server, {
    help: () => process.stdout.write(HELP),
    tables: () => run(TABLES_QUERY),
    schema: (table) => {
      if (table === '') {
        process.stderr.write(
          '.schema needs a table or view: .schema <table> (.tables lists them)\n',
        );
        return;
      }
      if (!names.tables.includes(table)) {
        process.stderr.write(`.schema: no table or view named ${table} (.tables lists them)\n`);
        return;
      }
      return run(schemaQuery(table));
    },
    mode: (mode) => {
      if (mode === '') process.stdout.write(`${format}\n`);
      else if (OUTPUT_FORMATS.includes(mode as OutputFormat)) format = mode as OutputFormat;
      else process.stderr.write(`.mode ${mode}: expected ${OUTPUT_FORMATS.join(', ')}\n`);
    },
  });
  server.defineCommand('quit', { help: 'leave the shell', action: () => server.close() });
  await new Promise<void>((resolve, reject) => {
    server.setupHistory(historyFile(), (error) => {
      if (error) process.stderr.write(`history not kept: ${error.message}\n`);
    });
    server.on('exit', resolve);
    server.on('error', reject);
  });
}

const TABLES_QUERY = `SELECT table_name AS name, 'table' AS kind, comment FROM duckdb_tables()
WHERE schema_name = 'main' AND NOT internal
UNION ALL SELECT view_name, 'view', comment FROM duckdb_views()
WHERE schema_name = 'main' AND NOT internal ORDER BY 1;`;

function schemaQuery(table: string): string {
  return `SELECT column_name AS column, data_type AS type, comment FROM duckdb_columns()
WHERE schema_name = 'main' AND table_name = '${table.replaceAll("'", "''")}' ORDER BY column_index;`;
}

/** Shell commands: each gets the text after its name, trimmed; output waits for the prompt. */
function defineCommands(
  server: REPLServer,
  commands: Record<string, (argument: string) => unknown>,
): void {
  for (const [name, action] of Object.entries(commands)) {
    server.defineCommand(name, {
      help:
        HELP.split('\n')
          .find((line) => line.includes(`.${name}`))
          ?.trim() ?? name,
      action: async (argument: string) => {
        await action(argument.trim());
        server.displayPrompt();
      },
    });
  }
}

/**
 * Ctrl-C clears the line and any statement begun, and stops a query running; it never leaves
 * the shell (the REPL's own handler leaves on a second Ctrl-C): .exit or Ctrl-D does.
 */
function keepOpenOnCtrlC(server: REPLServer, session: SqlSession): void {
  server.removeAllListeners('SIGINT');
  server.on('SIGINT', () => {
    session.interrupt();
    (server as REPLServer & { clearLine(): void }).clearLine();
    server.clearBufferedCommand();
    server.displayPrompt();
  });
}

/** Completes the word under the cursor: a dot command, or a table or column name. */
function complete(line: string, names: ShellNames): [string[], string] {
  const word = /[\w.]*$/.exec(line)?.[0] ?? '';
  if (line.startsWith('.') && !line.includes(' ')) {
    const commands = ['.tables', '.schema ', '.mode ', '.help', '.exit', '.quit'];
    return [commands.filter((c) => c.startsWith(line)), line];
  }
  if (/^\.schema\s/.test(line)) return [names.tables.filter((t) => t.startsWith(word)), word];
  if (/^\.mode\s/.test(line)) return [OUTPUT_FORMATS.filter((f) => f.startsWith(word)), word];
  if (word === '') return [[], word];
  const lower = word.toLowerCase();
  const hits = [...names.tables, ...names.columns].filter((n) => n.startsWith(lower));
  return [[...new Set(hits)].sort(), word];
}
