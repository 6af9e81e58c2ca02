import type { Command } from 'commander';
import type { Catalog } from '../catalog.js';
import { openDuckDB } from '../db/open-duckdb.js';
import { pinPublishedDatabase } from '../db/published-run.js';
import { DiffRequestError, diffReleases, formatDiff } from '../query/diff.js';
import { UsageError } from './errors.js';
import { writeJson } from './json-output.js';
import { defaultOutDir, publishedDatabase } from './options.js';

interface DiffOptions {
  source?: string;
  json?: boolean;
  out: string;
}

export function registerDiff(program: Command, catalog: Catalog): void {
  const sources = catalog.pipelines.map((p) => p.source).join(', ');
  program
    .command('diff')
    .description(
      'what changed between two releases of a source: added, ended and changed rows, summary first',
    )
    .argument('<releaseA>', 'the earlier release, e.g. RVU25D')
    .argument('<releaseB>', 'the later release, e.g. RVU26A')
    .option('--source <source>', `source of the releases (${sources}); default: inferred`)
    .option('--json', 'print JSON for programs')
    .option('--out <dir>', 'output folder holding fee_schedule.duckdb', defaultOutDir())
    .action(async (releaseA: string, releaseB: string, options: DiffOptions) => {
      // `fse diff … | head` closes stdout early: not an error.
      process.stdout.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
      });
      const { database } = pinPublishedDatabase(publishedDatabase(options.out));
      const handle = await openDuckDB(database, { readOnly: true });
      try {
        const diff = await diffReleases(handle.connection, {
          from: releaseA,
          to: releaseB,
          pipelines: catalog.pipelines,
          ...(options.source ? { source: options.source } : {}),
        }).catch((error: unknown) => {
          if (error instanceof DiffRequestError) throw new UsageError(`diff: ${error.message}`);
          throw error;
        });
        if (options.json) writeJson(diff);
        else process.stdout.write(formatDiff(diff));
      } finally {
        handle.close();
      }
    });
}
