import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CATALOG } from '../../pipelines/index.js';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import type { Catalog } from '../../src/catalog.js';
import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import {
  type RefreshOptions,
  type RefreshSummary,
  refresh as runRefresh,
} from '../../src/run/refresh.js';
import { copyRaw, makeTempDir } from './raw.js';
import { sharedBuild } from './shared-build.js';

const run = promisify(execFile);

export type { RefreshSummary } from '../../src/run/refresh.js';

/** The project's catalog with only these pipelines (marts needing others are skipped). */
export function catalogWith(pipelines: readonly PipelineDefinition[]): Catalog {
  return { ...CATALOG, pipelines };
}

/** A test's refresh: the project's catalog, or only `pipelines` of it. */
export type TestRefreshOptions = Omit<RefreshOptions, 'catalog'> & {
  pipelines?: readonly PipelineDefinition[];
};

/** refresh() with the project's catalog, or with only the pipelines given. */
export function refresh({ pipelines, ...options }: TestRefreshOptions): Promise<RefreshSummary> {
  return runRefresh({ ...options, catalog: pipelines ? catalogWith(pipelines) : CATALOG });
}

/**
 * refresh() with the PFS pipeline only, so the outputs (check_result, Parquet folders) hold
 * PFS and the core tables whatever other sources the project grows.
 */
export function refreshPfs(
  options: Omit<TestRefreshOptions, 'pipelines'>,
): Promise<RefreshSummary> {
  return refresh({ ...options, pipelines: [pfsRvuPipeline] });
}

/** Runs a PFS refresh that must fail and returns what it threw. */
export async function failedRefresh(
  options: Omit<TestRefreshOptions, 'pipelines'>,
): Promise<Error> {
  const outcome = await refreshPfs(options).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(outcome instanceof Error)) throw new Error('the refresh succeeded but should have failed');
  return outcome;
}

/**
 * refreshPfs() of a copy of the repository's raw/pfs-rvu (RVU25D whole, manifest and TXT),
 * built once per run and shared by the files that only read it (sharedBuild): its out dir and
 * the summary.
 */
export async function sharedPfsRun(): Promise<{ outDir: string; summary: RefreshSummary }> {
  const { dir, value } = await sharedBuild('pfs-rvu25d', async (parent) =>
    refreshPfs({ rawDir: await copyRaw({ parent }), outDir: join(parent, 'out') }),
  );
  return { outDir: join(dir, 'out'), summary: value };
}

/**
 * A copy of sharedPfsRun()'s raw and out dirs in a temp dir of this test file, for a test that
 * goes on refreshing from that published run: the same raw files with their modification times
 * (what the next refresh compares) and the out dir with its links as they are (relative). The
 * copy takes a fraction of a second; a refresh of RVU25D of its own took ~4.5 s of CPU.
 */
export async function copyOfSharedPfsRun(): Promise<{
  rawDir: string;
  outDir: string;
  summary: RefreshSummary;
}> {
  const { outDir: sharedOut, summary } = await sharedPfsRun();
  const shared = join(sharedOut, '..');
  const dir = await makeTempDir('shared-pfs-copy');
  // cp -a: modification times to the nanosecond (fs.cp's preserveTimestamps rounds them to the
  // millisecond, and the refresh compares them as stat gives them), links as they are.
  await run('cp', ['-a', join(shared, 'raw'), join(shared, 'out'), dir]);
  return { rawDir: join(dir, 'raw'), outDir: join(dir, 'out'), summary };
}
