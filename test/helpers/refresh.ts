import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { type RefreshOptions, type RefreshSummary, refresh } from '../../src/refresh.js';

/**
 * refresh() with the PFS pipeline only, so the outputs (check_result, Parquet folders) hold
 * PFS and the core tables whatever other sources the project grows.
 */
export function refreshPfs(options: Omit<RefreshOptions, 'pipelines'>): Promise<RefreshSummary> {
  return refresh({ ...options, pipelines: [pfsRvuPipeline] });
}

/** Runs a PFS refresh that must fail and returns what it threw. */
export async function failedRefresh(options: Omit<RefreshOptions, 'pipelines'>): Promise<Error> {
  const outcome = await refreshPfs(options).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(outcome instanceof Error)) throw new Error('the refresh succeeded but should have failed');
  return outcome;
}
