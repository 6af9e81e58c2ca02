import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Catalog } from '../catalog.js';
import type { FailingCheck } from '../errors.js';
import { fetchNewPipelineReleases } from '../extract/discovery/discover.js';
import type { FetchReleaseResult } from '../extract/fetch/fetch-release.js';
import { fetchStatePath, readFetchState } from '../extract/fetch/fetch-state.js';
import { REPORT_NAME } from '../load/report.js';
import { refreshRecentRuns } from '../load/report-runs.js';
import type { PipelineDefinition } from '../pipeline-definition.js';
import { type DiscoveryStatus, discoveryStatus } from '../query/status.js';
import {
  type RefreshOptions,
  type RefreshSummary,
  refresh,
  refreshStages,
} from '../run/refresh.js';
import { newRunId } from '../run/run-id.js';
import {
  appendRunLog,
  appendRunLogSync,
  isoWithZone,
  type RunLogEntry,
  type RunOutcome,
} from '../run/run-log.js';
import { terminalText } from '../terminal-text.js';
import { EXIT, UsageError } from './errors.js';
import { failureOf } from './failure.js';
import { writeJson } from './json-output.js';
import { readLandingPagesFile } from './landing-pages-file.js';
import { defaultOutDir, defaultRawDir } from './options.js';
import { type Progress, progressFor, type Verbosity } from './progress.js';
import { publishedLine, summaryLines, wherePublished } from './refresh-summary.js';

interface RefreshCommandOptions {
  raw: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
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
    .option('--quiet', 'no progress and no summary: only a failure is reported (cron)')
    .option('--verbose', "also each stage's time, and the stack trace of an unexpected error")
    .action(async (options: RefreshCommandOptions) => {
      if (options.landingPages !== undefined && !options.online) {
        throw new UsageError('--landing-pages is used with --online only');
      }
      if (options.quiet && options.verbose) {
        throw new UsageError('--quiet and --verbose: give one of them');
      }
      const verbosity: Verbosity = options.quiet ? 'quiet' : options.verbose ? 'verbose' : 'normal';
      const outDir = resolve(options.out);
      const runId = newRunId();
      const startedAt = new Date();
      const progress = progressFor({
        runId,
        verbosity,
        stages: refreshStages(catalog) + (options.online ? 1 : 0),
      });
      const entry = (
        outcome: RunOutcome,
        exitCode: number,
        summary: string,
        failingChecks: FailingCheck[],
      ): RunLogEntry => ({
        id: runId,
        started_at: isoWithZone(startedAt),
        ended_at: isoWithZone(new Date()),
        outcome,
        exit_code: exitCode,
        summary,
        failing_checks: failingChecks,
      });
      try {
        const { summary, online } = await run(options, catalog, progress, {
          runId,
          // A run stopped by a signal exits from the handler: its line is written there.
          beforeSignalExit: (signal, exitCode, published) =>
            appendRunLogSync(
              outDir,
              entry(
                'stopped',
                exitCode,
                published
                  ? `stopped by ${signal} once the publish under way was finished: this run is published`
                  : `stopped by ${signal}; nothing was published`,
                [],
              ),
            ),
        });
        progress.end();
        const exitCode = summary.unchanged ? EXIT.nothingNew : EXIT.ok;
        await appendRunLog(
          outDir,
          entry(
            summary.unchanged ? 'nothing-new' : 'published',
            exitCode,
            summary.unchanged ? 'nothing new since the published run' : publishedLine(summary),
            summary.checks
              .filter((c) => c.failing > 0)
              .map((c) => ({ name: c.name, table: c.table, failing: c.failing })),
          ),
        );
        await showInReport(outDir);
        process.exitCode = exitCode;
        if (options.json) {
          writeJson(online ? { ...summary, online } : summary);
        } else if (verbosity !== 'quiet') {
          process.stdout.write(`${summaryLines(summary, online, outDir).join('\n')}\n`);
        }
      } catch (error) {
        progress.end();
        const failure = failureOf(error);
        if (failure.outcome === null) throw error;
        // The run log must not hide the failure it records (a full disk fails both).
        const logged = await appendRunLog(
          outDir,
          entry(failure.outcome, failure.exitCode, failure.summary, failure.failingChecks),
        ).then(
          () => true,
          () => false,
        );
        // A refresh that never took the lock leaves the report to the one holding it.
        if (failure.outcome !== 'lock-busy') await showInReport(outDir);
        process.stderr.write(terminalText(failure.message));
        if (verbosity === 'verbose' && error instanceof Error && error.stack) {
          process.stderr.write(terminalText(`${error.stack}\n`));
        }
        process.stderr.write(
          `${wherePublished(outDir, logged ? 'this attempt is the last line of' : 'could not write')}\n`,
        );
        process.exitCode = failure.exitCode;
      }
    });
}

/** The report's recent runs read again from the run log (a failed run publishes no report). */
async function showInReport(outDir: string): Promise<void> {
  await refreshRecentRuns(outDir, REPORT_NAME).catch((error: unknown) => {
    process.stderr.write(
      terminalText(
        `could not add this attempt to ${join(outDir, REPORT_NAME)}: ${(error as Error).message}\n`,
      ),
    );
  });
}

/** The online step (if asked for), then the refresh, reporting progress as they go. */
async function run(
  options: RefreshCommandOptions,
  catalog: Catalog,
  progress: Progress,
  extra: Pick<RefreshOptions, 'runId' | 'beforeSignalExit'>,
): Promise<{ summary: RefreshSummary; online: OnlineSource[] | null }> {
  const rawDir = resolve(options.raw);
  let online: OnlineSource[] | null = null;
  if (options.online) {
    progress.stage('online: discover and fetch new releases');
    const override = options.landingPages
      ? await readLandingPagesFile(resolve(options.landingPages), catalog.pipelines)
      : null;
    const fetched = await fetchNewPipelineReleases({
      rawDir,
      pipelines: catalog.pipelines,
      log: progress.log,
      ...(override ? { pages: override.pages, clientOptions: override.clientOptions } : {}),
    });
    online = await onlineSummary(rawDir, catalog.pipelines, fetched);
  }
  const summary = await refresh({
    rawDir,
    outDir: resolve(options.out),
    catalog,
    log: progress.log,
    stage: progress.stage,
    force: options.force === true,
    ...extra,
  });
  return { summary, online };
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
