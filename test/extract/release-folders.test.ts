import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { betosPipeline } from '../../pipelines/betos/pipeline.js';
import { hcpcsPipeline } from '../../pipelines/hcpcs/pipeline.js';
import { muePipeline } from '../../pipelines/mue/pipeline.js';
import { oppsAddendumBPipeline } from '../../pipelines/opps-addendum-b/pipeline.js';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { findRawReleases } from '../../src/extract/raw-releases.js';
import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';

/**
 * Release folders holding what CMS's zips hold, members a source does not read included: which
 * file each source reads (its primary, its variants) and which it leaves, as a refresh finds them.
 * The files are empty: only their names matter here.
 */
afterAll(removeTempDirs);

async function folder(
  pipeline: PipelineDefinition,
  release: string,
  names: readonly string[],
): Promise<{ release: string; primary: string[]; variants: string[]; ignored: string[] }> {
  const rawDir = await makeTempDir('release-folders');
  const dir = join(rawDir, pipeline.source, release);
  await mkdir(dir, { recursive: true });
  for (const name of names) await writeFile(join(dir, name), '');
  const [found, ...others] = await findRawReleases(rawDir, pipeline);
  if (!found || others.length > 0) throw new Error(`expected one ${pipeline.source} release`);
  return {
    release: found.release,
    primary: found.primaries.map((f) => f.name),
    variants: found.variants.map((f) => f.name),
    ignored: found.ignored,
  };
}

describe('what a source reads from a release folder as CMS ships it', () => {
  it('HCPCS, October 2026: the data file and its workbook, not the transaction report', async () => {
    // The October 2026 zip as a public test lists it (HCPC2026_OCT_ANWEB_v2); April 2026's holds
    // "HCPC2026_APR_ANWEB_Transaction Report.xlsx", the quarter's changes by code.
    expect(
      await folder(hcpcsPipeline, 'HCPC2026_OCT', [
        'HCPC2026_OCT_ANWEB_v2.txt',
        'HCPC2026_OCT_ANWEB_v2.xlsx',
        'HCPC2026_OCT_Corrections_09102026.xlsx',
        'HCPC2026_recordlayout.txt',
        'NOC codes_OCT2026.xlsx',
        'proc_notes_OCT2026.txt',
        'HCPC2026_OCT_ANWEB_Transaction Report_v2.xlsx',
      ]),
    ).toEqual({
      release: 'HCPC2026_OCT',
      primary: ['HCPC2026_OCT_ANWEB_v2.txt'],
      variants: ['HCPC2026_OCT_ANWEB_v2.xlsx'],
      ignored: [
        'HCPC2026_OCT_ANWEB_Transaction Report_v2.xlsx',
        'HCPC2026_OCT_Corrections_09102026.xlsx',
        'HCPC2026_recordlayout.txt',
        'NOC codes_OCT2026.xlsx',
        'proc_notes_OCT2026.txt',
      ],
    });
  });

  it('BETOS 2009: the re-issued file with a version and date in its name', async () => {
    // chse-ohsu/PublicUseData BETOS/betpuf09: betpuf09_V2_110708.txt beside r-me-bet09.txt.
    expect(
      await folder(betosPipeline, '2009', ['betpuf09_V2_110708.txt', 'r-me-bet09.txt']),
    ).toEqual({
      release: '2009',
      primary: ['betpuf09_V2_110708.txt'],
      variants: [],
      ignored: ['r-me-bet09.txt'],
    });
  });

  it('PFS: a numbered correction release (RVU10AR1), its date left to the manifest', async () => {
    const rawDir = await makeTempDir('release-folders');
    const dir = join(rawDir, 'pfs-rvu', 'RVU10AR1');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'PPRRVU10.csv'), '');
    const [release] = await findRawReleases(rawDir, pfsRvuPipeline);
    expect([release?.release, release?.manifest.effective_from]).toEqual(['RVU10AR1', null]);
  });

  it('names a file a subfolder holds, as a zip unpacked with its folders leaves it', async () => {
    // The January 2026 Addendum B zip: "508 Version 2026 January Web Addendum B/2026 January Web
    // Addendum B.12.29.25.csv" (cms-formats.md section 4.1).
    const rawDir = await makeTempDir('release-folders');
    const sub = join(
      rawDir,
      'opps-addendum-b',
      '2026-01',
      '508 Version 2026 January Web Addendum B',
    );
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, '2026 January Web Addendum B.12.29.25.csv'), '');
    await expect(findRawReleases(rawDir, oppsAddendumBPipeline)).rejects.toThrow(
      'found 0; only files in the release folder itself are read, and a subfolder holds "508 Version 2026 January Web Addendum B/2026 January Web Addendum B.12.29.25.csv": move it up',
    );
  });

  it('says a source read in parts expects its files, not one primary file', async () => {
    const rawDir = await makeTempDir('release-folders');
    await mkdir(join(rawDir, 'mue', '2026-04'), { recursive: true });
    await writeFile(
      join(rawDir, 'mue', '2026-04', 'MCR_MUE_PractitionerServices_Eff_04-01-2026.xlsx'),
      '',
    );
    await expect(findRawReleases(rawDir, muePipeline)).rejects.toThrow(
      'expected the mue files (^mcr_mue_.*services.*\\.csv$), found none',
    );
  });
});
