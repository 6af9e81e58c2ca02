import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog } from '../catalog.js';
import { sha256OfFile } from '../extract/file-profile.js';
import { type Contract, MANIFEST_NAME } from '../load/contract.js';
import { describeInputs, publishedInputs, type RefreshInputs } from './inputs-fingerprint.js';
import { publishedDir } from './publish.js';
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
    const damaged = await damagedPublishedFile(options.outDir);
    if (damaged === null) {
      log('nothing changed in raw/, the code tables or the pipeline since the published run');
      return { kind: 'unchanged' };
    }
    // Nothing of the published run is reused: its files are not what it published.
    log(`${damaged}; rebuilding from nothing`);
    return { kind: 'build', inputs, base: null };
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

/**
 * The first published Parquet file whose bytes are not those out/manifest.json lists (changed,
 * or gone), described; null when every file matches. A no-op refresh checks this, so a file
 * overwritten after publishing is rebuilt rather than served.
 */
async function damagedPublishedFile(outDir: string): Promise<string | null> {
  const dir = publishedDir(outDir);
  const text = await readFile(join(dir, MANIFEST_NAME), 'utf8').catch(() => null);
  if (text === null) return `the published run has no ${MANIFEST_NAME}`;
  const contract = JSON.parse(text) as Contract;
  for (const dataset of contract.datasets) {
    for (const file of dataset.files) {
      const sha256 = await sha256OfFile(join(dir, file.path)).catch(() => null);
      if (sha256 === null) return `published file ${file.path} is missing`;
      if (sha256 !== file.sha256) {
        return `published file ${file.path} does not match its sha256 in ${MANIFEST_NAME} (${sha256}, listed ${file.sha256})`;
      }
    }
  }
  return null;
}
