import { access, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pfsRvuPipeline } from '../pipelines/pfs-rvu/pipeline.js';
import {
  CSV_NAME,
  hashTree,
  makeTempDir,
  RELEASE_SUBDIR,
  removeTempDirs,
  smallPfsRaw,
} from './helpers/raw.js';
import { copyOfSharedPfsRun, refresh } from './helpers/refresh.js';

afterAll(removeTempDirs);

describe('a refresh with nothing new in raw/', () => {
  it('leaves the published run as it is, and rebuilds once a raw file changes', async () => {
    // The first refresh of a copy of raw/pfs-rvu into an empty out dir: the run shared by the
    // PFS suites (built once), copied with its raw files' modification times.
    const { rawDir, outDir, summary: first } = await copyOfSharedPfsRun();
    const pipelines = [pfsRvuPipeline];
    expect(first.unchanged).toBe(false);
    const published = await hashTree(outDir);

    const second = await refresh({ rawDir, outDir, pipelines });
    expect(second.unchanged).toBe(true);
    expect(await hashTree(outDir)).toEqual(published);

    // Same bytes, new modification time: the run cannot know without reading, so it rebuilds.
    const later = new Date(Date.now() + 60_000);
    await utimes(join(rawDir, RELEASE_SUBDIR, CSV_NAME), later, later);
    const third = await refresh({ rawDir, outDir, pipelines });
    expect(third.unchanged).toBe(false);
    expect(third.releases.map((r) => r.rowsLoaded)).toEqual([19090]);
  });

  it('counts a manifest the refresh wrote as an input: the next refresh has nothing new', async () => {
    // A release dropped in by hand (RVU25D's first 300 rows): no manifest until the refresh
    // writes one.
    const rawDir = await smallPfsRaw(300, 'noop-manifest-raw');
    const manifest = join(rawDir, RELEASE_SUBDIR, 'manifest.json');
    const outDir = join(await makeTempDir('noop-manifest'), 'out');
    const pipelines = [pfsRvuPipeline];
    expect((await refresh({ rawDir, outDir, pipelines })).unchanged).toBe(false);
    await access(manifest);
    expect((await refresh({ rawDir, outDir, pipelines })).unchanged).toBe(true);
  });
});
