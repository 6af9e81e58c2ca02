import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Catalog } from '../catalog.js';
import { fetchNewPipelineReleases } from '../extract/discovery/discover.js';
import type { FetchReleaseResult } from '../extract/fetch/fetch-release.js';
import { fetchStatePath, readFetchState } from '../extract/fetch/fetch-state.js';
import type { PipelineDefinition } from '../pipeline-definition.js';
import { type DiscoveryStatus, describeDiscovery, discoveryStatus } from '../query/status.js';
import { refresh } from '../run/refresh.js';
import { UsageError } from './errors.js';
import { writeJson } from './json-output.js';
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
      let online: OnlineSource[] | null = null;
      if (options.online) {
        const override = options.landingPages
          ? await readLandingPagesFile(resolve(options.landingPages), catalog.pipelines)
          : null;
        const fetched = await fetchNewPipelineReleases({
          rawDir,
          pipelines: catalog.pipelines,
          log,
          ...(override ? { pages: override.pages, clientOptions: override.clientOptions } : {}),
        });
        online = await onlineSummary(rawDir, catalog.pipelines, fetched);
      }
      const summary = await refresh({
        rawDir,
        outDir: resolve(options.out),
        catalog,
        log,
        force: options.force === true,
      });
      if (options.json) {
        writeJson(online ? { ...summary, online } : summary);
        return;
      }
      const onlineLines = (online ?? []).map(
        (o) =>
          `  online ${o.source}: ${describeDiscovery(o.discovery)}` +
          (o.fetched.length > 0 ? `; fetched ${o.fetched.join(', ')}` : ''),
      );
      if (summary.unchanged) {
        process.stdout.write(
          `${[
            `refresh: nothing changed since the published run; ${summary.databasePath} is current (${summary.seconds.toFixed(1)} s)`,
            ...onlineLines,
          ].join('\n')}\n`,
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
        ...onlineLines,
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

/** How the online step went for one source: its page's shape and what it fetched. */
export interface OnlineSource {
  source: string;
  discovery: DiscoveryStatus | null;
  fetched: string[];
}

async function onlineSummary(
  rawDir: string,
  pipelines: readonly PipelineDefinition[],
  results: readonly FetchReleaseResult[],
): Promise<OnlineSource[]> {
  const pages = (await readFetchState(fetchStatePath(rawDir))).pages ?? {};
  return pipelines
    .filter((p) => p.discovery)
    .map((pipeline) => ({
      source: pipeline.source,
      discovery: discoveryStatus(pipeline, pages),
      fetched: results
        .filter((r) => r.source === pipeline.source && r.status === 'fetched')
        .map((r) => r.release),
    }));
}
