#!/usr/bin/env node
import { Command } from 'commander';
import { CATALOG } from '../pipelines/index.js';
import { registerDiff } from './commands/diff-command.js';
import { failureOf } from './commands/failure.js';
import { registerLookup } from './commands/lookup-command.js';
import { registerRefresh } from './commands/refresh-command.js';
import { registerSql } from './commands/sql-command.js';
import { registerStatus } from './commands/status-command.js';
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

// One file per command under src/commands/; the catalog of sources is passed down from here.
registerRefresh(program, CATALOG);
registerLookup(program, CATALOG);
registerSql(program);
registerStatus(program, CATALOG);
registerDiff(program, CATALOG);
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
