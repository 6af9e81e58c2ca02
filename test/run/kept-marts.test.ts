/**
 * A run building on the published database keeps a mart across sources as published when none
 * of its sources has a new release: here BETOS gains a release and the PFS sources do not, so
 * pfs_payment_current is taken over, and the outputs still equal a full rebuild's (the release
 * rows too: a folder several sources share and nobody wrote a manifest for gives them all its
 * source's license, as the manifest the first run writes does in later runs).
 */
import { copyFile, cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { betosPipeline } from '../../pipelines/betos/pipeline.js';
import { pfsGpciPipeline } from '../../pipelines/pfs-gpci/pipeline.js';
import { pfsOppsCapPipeline } from '../../pipelines/pfs-opps-cap/pipeline.js';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { openOutDatabase, rowsJson, scalar, tableFingerprints } from '../helpers/duckdb.js';
import {
  makeTempDir,
  RELEASE_SUBDIR,
  REPO_RAW_DIR,
  removeTempDirs,
  smallPfsRaw,
} from '../helpers/raw.js';
import { refresh } from '../helpers/refresh.js';

const pipelines = [pfsRvuPipeline, pfsGpciPipeline, pfsOppsCapPipeline, betosPipeline];

let addedOut: string;
let fullOut: string;
const addedLog: string[] = [];

beforeAll(async () => {
  // RVU25D's first 600 rows (priced codes from line 415) with its GPCI and OPPS cap files (the
  // payment's sources), no manifest, and BETOS 2013; BETOS 2014 comes after the first run.
  const rawDir = await smallPfsRaw(600, 'kept-marts');
  for (const file of ['GPCI2025.csv', 'OPPSCAP_Oct.csv']) {
    await copyFile(join(REPO_RAW_DIR, RELEASE_SUBDIR, file), join(rawDir, RELEASE_SUBDIR, file));
  }
  const betos = (release: string) =>
    cp(join(REPO_RAW_DIR, 'betos', release), join(rawDir, 'betos', release), { recursive: true });
  await betos('2013');
  addedOut = join(await makeTempDir('kept-marts-out'), 'out');
  await refresh({ rawDir, outDir: addedOut, pipelines });
  await betos('2014');
  await refresh({ rawDir, outDir: addedOut, pipelines, log: (line) => addedLog.push(line) });
  fullOut = join(await makeTempDir('kept-marts-full'), 'out');
  await refresh({ rawDir, outDir: fullOut, pipelines });
}, 240_000);

afterAll(removeTempDirs);

it('keeps pfs_payment_current as published when only BETOS has a new release, and equals a full rebuild', async () => {
  // Built on the published run, the payment view and table kept.
  expect(addedLog).toContainEqual(expect.stringMatching(/taken over as built/));
  expect(addedLog).toContain(
    'pfs_payment_current.sql: kept as published, none of its sources has a new release',
  );
  expect(addedLog.filter((line) => line.includes('kept as published'))).toEqual([
    'pfs_payment.sql: kept as published, none of its sources has a new release',
    'pfs_payment_current.sql: kept as published, none of its sources has a new release',
  ]);
  const added = await openOutDatabase(addedOut);
  const full = await openOutDatabase(fullOut);
  try {
    expect(
      Number(await scalar(added.connection, 'SELECT count(*) FROM pfs_payment_current')),
    ).toBeGreaterThan(0);
    const releases = 'SELECT * FROM release ORDER BY ALL';
    expect(await rowsJson(added.connection, releases)).toEqual(
      await rowsJson(full.connection, releases),
    );
    expect(await tableFingerprints(added.connection)).toEqual(
      await tableFingerprints(full.connection),
    );
    // The Parquet dataset too: its partitions are the published ones (not listed again from
    // the view), and its file the one a full rebuild writes.
    const payments = async (out: string) => {
      const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as {
        datasets: { name: string; row_count: number; releases: string[]; files: unknown[] }[];
      };
      const dataset = manifest.datasets.find((d) => d.name === 'pfs_payment_current');
      return [dataset?.row_count, dataset?.releases, dataset?.files];
    };
    const [rows, releasesOf] = await payments(addedOut);
    expect(rows).toBeGreaterThan(0);
    expect(releasesOf).toEqual(['RVU25D']);
    expect(await payments(addedOut)).toEqual(await payments(fullOut));
  } finally {
    added.close();
    full.close();
  }
});
