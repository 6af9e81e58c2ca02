#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CATALOG } from '../pipelines/index.js';
import { registerDiff } from './commands/diff-command.js';
import { EXIT, UsageError } from './commands/errors.js';
import { registerLookup } from './commands/lookup-command.js';
import { registerRefresh } from './commands/refresh-command.js';
import { registerSql } from './commands/sql-command.js';
import { registerStatus } from './commands/status-command.js';
import { BlockedRunError, DiskFullError, InputError } from './errors.js';
import { SourcesFailedError } from './extract/discovery/discover.js';
import { DiscoveryError } from './extract/discovery/landing-page.js';
import { FetchError } from './extract/fetch/errors.js';
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
  const write = process.stderr.write.bind(process.stderr);
  const stderr = { write: (text: string) => write(terminalText(text)) };
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof BlockedRunError) {
    stderr.write(`\n${error.message}\n${error.details.map((d) => `  ${d}`).join('\n')}\n`);
    process.exitCode = EXIT.blocked;
  } else if (error instanceof InputError) {
    stderr.write(`\nrefresh blocked, nothing was published: ${error.message}\n`);
    process.exitCode = EXIT.blocked;
  } else if (
    error instanceof FetchError ||
    error instanceof DiscoveryError ||
    error instanceof SourcesFailedError
  ) {
    // Unreachable or failing sources, and pages that changed shape, are 3; a download refused by
    // a safety rule blocks (1).
    const errors =
      error instanceof SourcesFailedError ? error.failures.map((f) => f.error) : [error];
    const unavailable = errors.some(
      (e) =>
        e instanceof DiscoveryError ||
        (e instanceof FetchError && ['timeout', 'network', 'http'].includes(e.kind)),
    );
    const shape = errors.some((e) => e instanceof DiscoveryError && e.kind === 'changed-shape');
    stderr.write(
      `\nonline refresh stopped, nothing was published: ${error.message}\n` +
        (shape
          ? 'A landing page was reached but no longer has the shape its parser expects: see README, "When a CMS page changes shape".\n'
          : ''),
    );
    process.exitCode = unavailable ? EXIT.sourceUnavailable : EXIT.blocked;
  } else if (error instanceof DiskFullError) {
    stderr.write(`\nrefresh stopped, nothing was published: ${error.message}\n`);
    process.exitCode = EXIT.diskFull;
  } else if (error instanceof UsageError) {
    stderr.write(`${error.message}\n`);
    process.exitCode = EXIT.usage;
  } else {
    stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = EXIT.usage;
  }
}
