import { cpSync, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openOutDatabase, rowsJson } from '../helpers/duckdb.js';
import {
  CSV_NAME,
  makeTempDir,
  RELEASE_SUBDIR,
  releaseFile,
  removeTempDirs,
  smallPfsRaw,
} from '../helpers/raw.js';
import { failedRefresh, refreshPfs } from '../helpers/refresh.js';

afterAll(removeTempDirs);

async function releasesOf(outDir: string): Promise<string[]> {
  const db = await openOutDatabase(outDir);
  try {
    const rows = await rowsJson(
      db.connection,
      "SELECT release_id FROM release WHERE source = 'pfs-rvu' ORDER BY 1",
    );
    return rows.map((r) => String(r.release_id));
  } finally {
    db.close();
  }
}

describe('the inputs fingerprint records what the run read, when it read it', () => {
  it('a release dropped into raw/ during a refresh is loaded by the next one', async () => {
    // RVU25D dropped in by hand (no manifest): the run writes its manifest. Its first 300 rows:
    // what is read when does not depend on the file's size.
    const rawDir = await smallPfsRaw(300, 'dropped');
    const outDir = join(await makeTempDir('out'), 'out');
    let dropped = false;
    await refreshPfs({
      rawDir,
      outDir,
      log: (line) => {
        // The build has listed the releases it reads: a copy lands now, as a cron job's would.
        if (!dropped && /^pfs-rvu: \d+ release\(s\) to read/.test(line)) {
          cpSync(join(rawDir, RELEASE_SUBDIR), join(rawDir, 'pfs-rvu', 'RVU26A'), {
            recursive: true,
          });
          dropped = true;
        }
      },
    });
    expect(dropped).toBe(true);
    expect(await releasesOf(outDir)).toEqual(['RVU25D']);
    const log: string[] = [];
    const second = await refreshPfs({ rawDir, outDir, log: (line) => log.push(line) });
    expect(log.join('\n')).not.toContain('nothing changed');
    expect(second.unchanged).toBe(false);
    expect(await releasesOf(outDir)).toEqual(['RVU25D', 'RVU26A']);
    // And then nothing is new.
    expect((await refreshPfs({ rawDir, outDir })).unchanged).toBe(true);
  });
});

describe('a hand-dropped file is recorded in its manifest only when a run publishes it', () => {
  it('a blocked run writes no manifest; the file, once whole, is read again and published', async () => {
    // RVU25D's first 300 rows (a whole file and a cut one are what counts, not their size).
    const rawDir = await smallPfsRaw(300, 'hand-dropped');
    const csv = releaseFile(rawDir, CSV_NAME);
    const whole = await readFile(csv);
    // Half copied: cut in the middle of a line.
    await writeFile(csv, whole.subarray(0, Math.floor(whole.length / 2) + 7));
    const outDir = join(await makeTempDir('out'), 'out');
    const error = await failedRefresh({ rawDir, outDir });
    expect(error.message).toMatch(/blocked|truncated/);
    expect(existsSync(releaseFile(rawDir, 'manifest.json'))).toBe(false);
    // The copy finishes: the next run reads the whole file and publishes it.
    await writeFile(csv, whole);
    const summary = await refreshPfs({ rawDir, outDir });
    expect(summary.unchanged).toBe(false);
    expect(await releasesOf(outDir)).toEqual(['RVU25D']);
    const manifest = JSON.parse(await readFile(releaseFile(rawDir, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual([CSV_NAME]);
    // The manifest written after publishing is what the published run recorded: nothing changed.
    expect((await refreshPfs({ rawDir, outDir })).unchanged).toBe(true);
  });
});
