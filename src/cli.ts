#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { openFeeSchedule } from './db/fee-schedule.js';
import { BlockedRunError, InputError } from './errors.js';
import { formatCard, lookupCode } from './lookup.js';
import { DATABASE_FILE_NAME, DEFAULT_OUT_DIR, DEFAULT_RAW_DIR } from './paths.js';
import { refresh } from './refresh.js';
import { PIPELINE_VERSION } from './version.js';

/** Exit codes: 0 published / found, 1 blocked by bad input or checks, 2 usage or configuration. */
const EXIT_BLOCKED = 1;
const EXIT_USAGE = 2;

const program = new Command()
  .name('fse')
  .description('Medicare fee-schedule reference files, decoded into DuckDB and Parquet')
  .version(PIPELINE_VERSION)
  .exitOverride();

program
  .command('refresh')
  .description(
    'rebuild out/ from the releases in raw/; publishes only if every blocking check passes',
  )
  .option('--raw <dir>', 'folder of raw releases', process.env.RAW || DEFAULT_RAW_DIR)
  .option('--out <dir>', 'output folder', process.env.OUT || DEFAULT_OUT_DIR)
  .option('--json', 'print the run summary as JSON on stdout')
  .action(async (options: { raw: string; out: string; json?: boolean }) => {
    const summary = await refresh({
      rawDir: resolve(options.raw),
      outDir: resolve(options.out),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const lines = [
      `refresh ${summary.runId}: published in ${summary.seconds.toFixed(1)} s`,
      ...summary.releases.map(
        (r) =>
          `  ${r.source} ${r.release} (effective ${r.effectiveFrom ?? '?'}): ${r.rowsLoaded} rows loaded, ` +
          `${r.files.reduce((n, f) => n + f.rejected, 0)} lines rejected`,
      ),
      `  checks: ${summary.checks.filter((c) => c.failing === 0).length}/${summary.checks.length} passed`,
      `  ${summary.databasePath}`,
      `  ${summary.parquetDir}/`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });

program
  .command('lookup')
  .description('print the decoded fee-schedule card for a HCPCS/CPT code')
  .argument('<hcpcs>', 'the code, e.g. 38211')
  .option('--modifier <m>', 'modifier (26, TC, 53); default: every row of the code')
  .option('--as-of <date>', 'the card as of this day (YYYY-MM-DD); default: the newest release')
  .option('--json', 'print JSON for programs')
  .option(
    '--out <dir>',
    'output folder holding fee_schedule.duckdb',
    process.env.OUT || DEFAULT_OUT_DIR,
  )
  .action(async (hcpcs: string, options: LookupOptions) => {
    if (options.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf)) {
      throw new UsageError(`--as-of ${options.asOf}: expected a date YYYY-MM-DD`);
    }
    const path = join(resolve(options.out), DATABASE_FILE_NAME);
    if (!existsSync(path)) {
      throw new UsageError(`${path} does not exist: run "make refresh" first`);
    }
    const schedule = await openFeeSchedule(path);
    try {
      const cards = await lookupCode(schedule, hcpcs, {
        ...(options.modifier ? { modifier: options.modifier } : {}),
        ...(options.asOf ? { asOf: options.asOf } : {}),
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(cards, null, 2)}\n`);
      } else if (cards.length === 0) {
        process.stdout.write(`${hcpcs}: no loaded source lists this code\n`);
      } else {
        process.stdout.write(`${cards.map(formatCard).join('\n\n')}\n`);
      }
      if (cards.length === 0) process.exitCode = 1;
    } finally {
      await schedule.close();
    }
  });

class UsageError extends Error {}

interface LookupOptions {
  modifier?: string;
  asOf?: string;
  json?: boolean;
  out: string;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (error instanceof BlockedRunError) {
    process.stderr.write(`\n${error.message}\n${error.details.map((d) => `  ${d}`).join('\n')}\n`);
    process.exitCode = EXIT_BLOCKED;
  } else if (error instanceof InputError) {
    process.stderr.write(`\nrefresh blocked, nothing was published: ${error.message}\n`);
    process.exitCode = EXIT_BLOCKED;
  } else if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = EXIT_USAGE;
  }
}
