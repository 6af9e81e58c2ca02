import type { Catalog } from '../catalog.js';
import { describeInputs, publishedInputs, type RefreshInputs } from './inputs-fingerprint.js';
import { type PublishedRun, publishedRunToExtend } from './reuse-published.js';

/** What a run has to do, decided before it opens a data file. */
export type RunPlan =
  | { kind: 'unchanged' }
  /** Build from nothing (`base` null) or on the published run, reading only what is new. */
  | { kind: 'build'; inputs: RefreshInputs; base: PublishedRun | null };

/**
 * Nothing new in raw/ and the same code: the published run already is this run's result. Only
 * releases added since the published run: build on it. Else (or forced): build from nothing.
 */
export async function planRun(
  options: { rawDir: string; outDir: string; catalog: Catalog; force?: boolean },
  log: (line: string) => void,
): Promise<RunPlan> {
  const inputs = await describeInputs(options.rawDir, options.catalog);
  const previous = await publishedInputs(options.outDir);
  if (!options.force && inputs.fingerprint === previous?.fingerprint) {
    log('nothing changed in raw/, the code tables or the pipeline since the published run');
    return { kind: 'unchanged' };
  }
  const base = options.force
    ? null
    : await publishedRunToExtend(
        options.outDir,
        previous,
        inputs,
        options.catalog.pageSources.map((s) => s.source),
      );
  if (base) {
    log(`${base.folders.size} release(s) unchanged since the published run: taken over as built`);
  }
  return { kind: 'build', inputs, base };
}
