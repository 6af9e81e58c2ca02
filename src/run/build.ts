import { constants } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from '../catalog.js';
import { manifestsToWrite, type RawRelease, rawFolderOf } from '../extract/raw-releases.js';
import { registerReleases } from '../extract/stage-source.js';
import type { ReleaseFiles } from '../load/parquet-export.js';
import { DATABASE_FILE_NAME } from '../paths.js';
import type { CheckOutcome } from '../transform/checks.js';
import { throwIfBlocked } from './blocked.js';
import { createCoreTables, createSharedHistoryTables } from './core-tables.js';
import { declareFactKeys } from './fact-keys.js';
import { loadAndDerive } from './load-and-derive.js';
import {
  type CarriedRelease,
  carriedReleases,
  GROUP_BYTES,
  type LoadedSource,
  linesRejectedPerRelease,
  type ReleaseSummary,
  rowsPerRelease,
} from './load-sources.js';
import { buildMartsAfterPages } from './marts.js';
import { type ReleaseChanges, writeOutputs } from './outputs.js';
import type { PublishedRun } from './reuse-published.js';
import { openRunDatabase, threadsForRun } from './run-database.js';

export interface BuildOptions {
  rawDir: string;
  outDir: string;
  codeTablesDir: string;
  catalog: Catalog;
  /** Bytes of release files staged at a time. */
  stagingGroupBytes?: number;
}

export interface BuildSummary {
  runId: string;
  releases: ReleaseSummary[];
  checks: CheckOutcome[];
  /** Per source, keys added, ended and changed by its newest release. */
  changes: ReleaseChanges[];
  /** Manifests to write or complete (files dropped in by hand), once the run is published. */
  manifestsToWrite: ReturnType<typeof manifestsToWrite>;
}

/**
 * Builds a run's outputs in buildDir, step by step: the core tables; each source's new releases
 * loaded; beside the histories and checks, the marts; the page sources; then, if no blocking
 * check failed, the Parquet files, contract and report. With `base`, the run builds on a copy of
 * the published database and reads only the releases added since.
 */
export async function build(
  buildDir: string,
  runId: string,
  options: BuildOptions,
  base: PublishedRun | null,
  log: (line: string) => void,
  stage: (name: string) => void = () => {},
): Promise<BuildSummary> {
  const { catalog } = options;
  const extending = base !== null;
  const databasePath = join(buildDir, DATABASE_FILE_NAME);
  // A copy-on-write clone where the file system has them (XFS, Btrfs): the published database is
  // hundreds of MB at a hundred releases, and copying it was up to 0.85 s of a +1 refresh here
  // (ext4, which copies). The clone shares the published file's blocks until the run writes.
  if (base) await copyFile(base.databasePath, databasePath, constants.COPYFILE_FICLONE);
  const db = await openRunDatabase(databasePath, extending);
  try {
    const { connection } = db;
    stage('code tables');
    await createCoreTables(connection, { ...options, runId }, catalog, extending, log);
    const carried = base ? await carriedReleases(connection) : [];
    // Each source's new releases first: which sources load data decides when the marts start.
    stage('find new releases');
    const toRead: RawRelease[][] = [];
    for (const pipeline of catalog.pipelines) {
      const sharing = catalog.pipelines.filter(
        (p) => p !== pipeline && rawFolderOf(p) === rawFolderOf(pipeline),
      );
      toRead.push(
        await registerReleases(connection, options.rawDir, pipeline, log, base?.folders, sharing),
      );
    }
    await createSharedHistoryTables(connection);
    await threadsForRun(
      connection,
      toRead
        .flat()
        .flatMap((r) => [...r.primaries, ...r.variants])
        .reduce((sum, f) => sum + f.profile.bytes, 0),
      extending,
    );

    const { loaded, checks } = await loadAndDerive(db, runId, catalog, toRead, {
      extending,
      groupBytes: options.stagingGroupBytes ?? GROUP_BYTES,
      log,
      stage,
    });
    stage('page sources and marts');
    // Page sources are reconciled against the marts, which this run built again: they are
    // loaded again too (saved pages are few and small), then the marts that add to them.
    for (const source of catalog.pageSources) {
      await source.load({ connection, rawDir: options.rawDir, log });
    }
    await buildMartsAfterPages(connection, catalog, log);
    throwIfBlocked(checks);
    await declareFactKeys(connection, catalog);
    stage('Parquet, contract and report');

    const { releases, parquetReleases, addedDays } = await summarise(
      db.connection,
      loaded,
      carried,
    );
    const changes = await writeOutputs(db, buildDir, catalog, {
      runId,
      outDir: options.outDir,
      releases: parquetReleases,
      base,
      carried: new Set(carried.map((c) => `${c.release.source}/${c.release.release}`)),
      addedDays,
    });
    return {
      runId,
      releases,
      checks,
      changes,
      manifestsToWrite: manifestsToWrite(toRead.flat()),
    };
  } finally {
    db.close();
  }
}

/** The run's releases, source by source: those taken over, then those read. */
async function summarise(
  connection: DuckDBConnection,
  loaded: readonly LoadedSource[],
  carried: readonly CarriedRelease[],
): Promise<{ releases: ReleaseSummary[]; parquetReleases: ReleaseFiles[]; addedDays: string[] }> {
  const releases: ReleaseSummary[] = [];
  const parquetReleases: ReleaseFiles[] = [];
  const addedDays: string[] = [];
  const rejected = await linesRejectedPerRelease(connection);
  const rejectedIn = (source: string, release: string) => rejected.get(`${source} ${release}`) ?? 0;
  for (const { pipeline, staged } of loaded) {
    const rows = await rowsPerRelease(connection, pipeline);
    for (const { release, parquet } of carried.filter(
      (c) => c.release.source === pipeline.source,
    )) {
      releases.push({
        ...release,
        rowsLoaded: rows.get(release.release) ?? 0,
        linesRejected: rejectedIn(release.source, release.release),
      });
      parquetReleases.push(parquet);
    }
    for (const { raw, files } of staged) {
      if (raw.manifest.effective_from) addedDays.push(raw.manifest.effective_from);
      releases.push({
        source: pipeline.source,
        release: raw.release,
        effectiveFrom: raw.manifest.effective_from,
        files,
        rowsLoaded: rows.get(raw.release) ?? 0,
        linesRejected: rejectedIn(pipeline.source, raw.release),
      });
      parquetReleases.push({
        source: pipeline.source,
        release: raw.release,
        sourceFiles: raw.primaries.map((f) => f.relativePath),
        sourceSha256s: raw.primaries.map((f) => f.profile.sha256),
      });
    }
  }
  return { releases, parquetReleases, addedDays };
}
