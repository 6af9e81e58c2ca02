import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { manifestText, type ReleaseManifest } from '../../src/extract/manifest.js';
import { findRawReleases } from '../../src/extract/raw-releases.js';
import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';

afterAll(removeTempDirs);

/** A raw dir with one PFS release folder holding a (content-free) CSV, and maybe a manifest. */
async function rawWith(folder: string, manifest?: object): Promise<string> {
  const rawDir = join(await makeTempDir('overrides'), 'raw');
  const dir = join(rawDir, 'pfs-rvu', folder);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'PPRRVU26_JAN_R.csv'), 'HCPCS,MOD\r\n');
  if (manifest) await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return rawDir;
}

const withOverride: PipelineDefinition = {
  ...pfsRvuPipeline,
  releaseOverrides: { RVU26AR: { effectiveFrom: '2026-02-15', published: '2026-02-10' } },
};

describe('releaseOverrides', () => {
  it('gives a correction release its effective date where the folder name cannot', async () => {
    const rawDir = await rawWith('RVU26AR');
    const [plain] = await findRawReleases(await rawWith('RVU26AR'), pfsRvuPipeline);
    expect(plain?.manifest.effective_from).toBeNull();
    const [release] = await findRawReleases(rawDir, withOverride);
    expect(release?.manifest).toMatchObject({
      release: 'RVU26AR',
      effective_from: '2026-02-15',
      published: '2026-02-10',
      is_full: true,
    });
    // The manifest the refresh writes (once it publishes the release) keeps the override.
    expect(release?.manifestWritten).toBe(true);
    const written = JSON.parse(manifestText(release?.manifest as ReleaseManifest));
    expect(written.effective_from).toBe('2026-02-15');
  });

  it('leaves a manifest that states the date alone', async () => {
    const rawDir = await rawWith('RVU26AR', {
      source: 'pfs-rvu',
      release: 'RVU26AR',
      effective_from: '2026-03-01',
      is_full: true,
      files: [],
    });
    const [release] = await findRawReleases(rawDir, withOverride);
    expect(release?.manifest.effective_from).toBe('2026-03-01');
  });
});
