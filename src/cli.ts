#!/usr/bin/env node
import { Command } from 'commander';
import { CATALOG } from '../pipelines/index.js';
import type { Catalog } from './catalog.js';
import { failureOf } from './commands/failure.js';
import { terminalText } from './terminal-text.js';
import { PIPELINE_VERSION } from './version.js';

// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const program = new Command()
  .name('fse')
  .description('Medicare fee-schedule reference files, decoded into DuckDB and Parquet')
  .version(PIPELINE_VERSION)
  .exitOverride();

type Register = (program: Command, catalog: Catalog) => void;

/**
 * One file per command under src/commands/, loaded only when its command runs (or to list them
 * all, for help): `fse lookup` does not load the refresh's machinery. Start-up time is most of a
 * lookup's (docs/performance.md).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  refresh: async () => (await import('./commands/refresh-command.js')).registerRefresh,
  lookup: async () => (await import('./commands/lookup-command.js')).registerLookup,
  sql: async () => (await import('./commands/sql-command.js')).registerSql,
  status: async () => (await import('./commands/status-command.js')).registerStatus,
  diff: async () => (await import('./commands/diff-command.js')).registerDiff,
};

// The command named is the first word that is not an option (no option of fse's own takes a value).
const named = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const loaders =
  named !== undefined && Object.hasOwn(COMMANDS, named)
    ? [COMMANDS[named] as () => Promise<Register>]
    : Object.values(COMMANDS);
// The catalog of sources is passed down from here.
for (const register of await Promise.all(loaders.map((load) => load()))) {
  register(program, CATALOG);
}
for (const source of CATALOG.pageSources) source.registerCommands?.(program, CATALOG);
for (const register of CATALOG.commands ?? []) register(program, CATALOG);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Messages quote files and pages: control characters in them are escaped on the terminal.
  const failure = failureOf(error);
  if (failure.message) process.stderr.write(terminalText(failure.message));
  process.exitCode = failure.exitCode;
}
