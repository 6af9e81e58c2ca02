import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Catalog } from '../catalog.js';
import { DiskFullError, isDiskFull } from '../errors.js';
import { MANIFEST_FILE_NAME, manifestText, writeManifest } from '../extract/manifest.js';
import { CODE_TABLES_DIR, DATABASE_FILE_NAME, PARQUET_DIR_NAME } from '../paths.js';
import type { CheckOutcome } from '../transform/checks.js';
import { build } from './build.js';
import { INPUTS_FILE, withManifests } from './inputs-fingerprint.js';
import type { ReleaseSummary } from './load-sources.js';
import { acquireLock } from './lock.js';
import type { ReleaseChanges } from './outputs.js';
import { planRun } from './plan.js';
import {
  buildDirFor,
  discardBuild,
  discardBuildSync,
  publishBuild,
  removeUnpublishedRuns,
} from './publish.js';
import { newRunId } from './run-id.js';

export type { ReleaseSummary } from './load-sources.js';
export type { ReleaseChanges } from './outputs.js';

export interface RefreshOptions {
  rawDir: string;
  outDir: string;
  /** The sources, marts and code card: from the command line (pipelines/index.ts). */
  catalog: Catalog;
  log?: (line: string) => void;
  codeTablesDir?: string;
  /** Rebuild even when nothing changed since the published run. */
  force?: boolean;
  /** Bytes of release files staged at a time (default 64 MiB); a test sets it to group less. */
  stagingGroupBytes?: number;
  /** The run's id, when the caller logs the attempt under it (default: a new one). */
  runId?: string;
  /** Called as each stage starts (refreshStages() of them when the run builds). */
  stage?: (name: string) => void;
  /**
   * Called, synchronously, just before SIGINT/SIGTERM end the process with this exit code;
   * `published` when the signal came during a publish, which was finished first.
   */
  beforeSignalExit?: (signal: NodeJS.Signals, exitCode: number, published: boolean) => void;
}

/** Stages of a run that builds: plan, code tables, releases, one load per source, then four. */
export function refreshStages(catalog: Catalog): number {
  return 3 + catalog.pipelines.length + 4;
}

export interface RefreshSummary {
  runId: string;
  databasePath: string;
  parquetDir: string;
  releases: ReleaseSummary[];
  checks: CheckOutcome[];
  seconds: number;
  /** True when nothing changed since the published run, which stays as it is. */
  unchanged: boolean;
  /** Per source, keys added, ended and changed by its newest release. */
  changes: ReleaseChanges[];
}

/**
 * A run, step by step: take the lock; plan (nothing new, build on the published run, or build
 * from nothing); build in a folder of its own (load sources, derive, marts, checks, outputs);
 * publish it only if every blocking check passed. A failed run leaves out/ as it was.
 */
export async function refresh(options: RefreshOptions): Promise<RefreshSummary> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const stage = options.stage ?? (() => {});
  const lock = await acquireLock(options.outDir, log);
  const runId = options.runId ?? newRunId();
  const buildDir = buildDirFor(options.outDir, runId);
  const paths = {
    databasePath: join(options.outDir, DATABASE_FILE_NAME),
    parquetDir: join(options.outDir, PARQUET_DIR_NAME),
  };
  // SIGTERM/SIGINT: the build is removed, the lock released and the process exits 143/130 (a
  // publish under way is finished first: the symlink swap is never cut in half).
  let publishing = false;
  let published = false;
  let stopping: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping !== null) return;
    stopping = signal;
    if (publishing) {
      log(`${signal}: finishing the publish under way, then stopping`);
      return;
    }
    try {
      discardBuildSync(buildDir);
      log(`${signal}: stopped; the build was removed and the lock released, nothing was published`);
    } catch (error) {
      // Still stopped with the signal's exit code: the next refresh removes an unfinished run.
      log(
        `${signal}: stopped; the lock released, nothing was published; the build folder could not be removed (${(error as Error).message}): the next refresh removes it`,
      );
    }
    lock.releaseSync();
    options.beforeSignalExit?.(signal, exitCodeFor(signal), false);
    process.exit(exitCodeFor(signal));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const abandoned = await removeUnpublishedRuns(options.outDir);
    if (abandoned.length > 0) log(`removed unfinished runs: ${abandoned.join(', ')}`);
    stage('plan: what changed in raw/');
    const plan = await planRun(options, log);
    if (plan.kind === 'unchanged') {
      const seconds = (Date.now() - started) / 1000;
      return { runId, releases: [], checks: [], changes: [], ...paths, seconds, unchanged: true };
    }
    await mkdir(buildDir, { recursive: true });
    const { manifestsToWrite, ...summary } = await build(
      buildDir,
      runId,
      { ...options, codeTablesDir: options.codeTablesDir ?? CODE_TABLES_DIR },
      plan.base,
      log,
      stage,
    );
    // What the run read, as the plan saw it before reading: a folder dropped in since is new to
    // the next run. Manifests of files dropped in by hand count as written, and are written once
    // the run is published (a blocked run records nothing).
    const inputs = withManifests(
      plan.inputs,
      new Map(
        manifestsToWrite.map((r) => [
          relative(options.rawDir, join(r.dir, MANIFEST_FILE_NAME)),
          manifestText(r.manifest),
        ]),
      ),
    );
    await writeFile(join(buildDir, INPUTS_FILE), `${JSON.stringify(inputs)}\n`);
    publishing = true;
    stage('publish');
    await publishBuild(buildDir, options.outDir, runId);
    published = true;
    for (const release of manifestsToWrite) await writeManifest(release.dir, release.manifest);
    log(
      `published ${join(options.outDir, DATABASE_FILE_NAME)} and ${join(options.outDir, PARQUET_DIR_NAME)}/`,
    );
    return { ...summary, ...paths, seconds: (Date.now() - started) / 1000, unchanged: false };
  } catch (error) {
    await discardBuild(buildDir);
    if (isDiskFull(error)) {
      throw new DiskFullError(options.outDir, await neededBytes(options), error);
    }
    throw error;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await lock.release();
    if (stopping !== null) {
      options.beforeSignalExit?.(stopping, exitCodeFor(stopping), published);
      process.exit(exitCodeFor(stopping));
    }
  }
}

/** About how much room a run takes: the published run's size, else twice the raw files'. */
async function neededBytes(options: { rawDir: string; outDir: string }): Promise<number> {
  const published = await sizeOf(join(options.outDir, '.current', '.'));
  return published > 0 ? published : 2 * (await sizeOf(options.rawDir));
}

async function sizeOf(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  const sizes = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map((e) =>
        stat(join(e.parentPath, e.name)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/** The shell's convention: 128 + the signal's number (SIGINT 2, SIGTERM 15). */
function exitCodeFor(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}
