import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Catalog } from '../catalog.js';
import { fetchNewPipelineReleases } from '../extract/discovery/discover.js';
import { refresh } from '../run/refresh.js';
import { UsageError } from './errors.js';
import { readLandingPagesFile } from './landing-pages-file.js';
import { defaultOutDir, defaultRawDir } from './options.js';

interface RefreshCommandOptions {
  raw: string;
  out: string;
  json?: boolean;
  online?: boolean;
  landingPages?: string;
  force?: boolean;
}

export function registerRefresh(program: Command, catalog: Catalog): void {
  program
    .command('refresh')
    .description(
      'rebuild out/ from the releases in raw/; publishes only if every blocking check passes',
    )
    .option('--raw <dir>', 'folder of raw releases', defaultRawDir())
    .option('--out <dir>', 'output folder', defaultOutDir())
    .option('--online', 'first discover and download new releases from the CMS pages into raw/')
    .option(
      '--landing-pages <file>',
      'with --online: JSON file moving landing pages elsewhere (a mirror, a fixture site)',
    )
    .option('--offline', 'use raw/ alone (the default)')
    .option('--force', 'rebuild even when nothing changed since the published run')
    .option('--json', 'print the run summary as JSON on stdout')
    .action(async (options: RefreshCommandOptions) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const rawDir = resolve(options.raw);
      if (options.landingPages !== undefined && !options.online) {
        throw new UsageError('--landing-pages is used with --online only');
      }
      if (options.online) {
        const override = options.landingPages
          ? await readLandingPagesFile(resolve(options.landingPages), catalog.pipelines)
          : null;
        await fetchNewPipelineReleases({
          rawDir,
          pipelines: catalog.pipelines,
          log,
          ...(override ? { pages: override.pages, clientOptions: override.clientOptions } : {}),
        });
      }
      const summary = await refresh({
        rawDir,
        outDir: resolve(options.out),
        catalog,
        log,
        force: options.force === true,
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      if (summary.unchanged) {
        process.stdout.write(
          `refresh: nothing changed since the published run; ${summary.databasePath} is current (${summary.seconds.toFixed(1)} s)\n`,
        );
        return;
      }
      const lines = [
        `refresh ${summary.runId}: published in ${summary.seconds.toFixed(1)} s`,
        ...summary.releases.map(
          (r) =>
            `  ${r.source} ${r.release} (effective ${r.effectiveFrom ?? '?'}): ${r.rowsLoaded} rows loaded, ` +
            `${r.files.reduce((n, f) => n + f.rejected, 0)} lines rejected`,
        ),
        ...summary.changes.map(
          (c) =>
            `  ${c.source} ${c.from} → ${c.to}: ${c.added} added, ${c.ended} ended, ${c.changed} changed`,
        ),
        `  checks: ${summary.checks.filter((c) => c.failing === 0).length}/${summary.checks.length} passed`,
        ...summary.checks
          .filter((c) => c.failing > 0)
          .map((c) => `    ${c.severity}: ${c.name} (${c.table}): ${c.failing} failing`),
        `  ${summary.databasePath}`,
        `  ${summary.parquetDir}/`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
