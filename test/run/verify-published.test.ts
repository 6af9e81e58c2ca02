import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs, smallPfsRaw } from '../helpers/raw.js';
import { refreshPfs } from '../helpers/refresh.js';

afterAll(removeTempDirs);

interface Manifest {
  datasets: { name: string; files: { path: string; sha256: string }[] }[];
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

describe("a no-op refresh verifies the published files against out/manifest.json's sha256", () => {
  it('rebuilds when a published Parquet file was overwritten or removed, and names it', async () => {
    // RVU25D's first 300 rows: the published files are checked whatever they hold.
    const rawDir = await smallPfsRaw(300, 'verify-raw');
    const outDir = join(await makeTempDir('verify'), 'out');
    await refreshPfs({ rawDir, outDir });
    const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
    const file = manifest.datasets.find((d) => d.name === 'pfs_rvu')?.files[0];
    if (!file) throw new Error('no pfs_rvu file in the manifest');
    // Overwritten in place (as COPY … TO did through fse sql).
    await writeFile(join(outDir, file.path), 'PAR1 not the published file PAR1');
    const log: string[] = [];
    const summary = await refreshPfs({ rawDir, outDir, log: (line) => log.push(line) });
    expect(summary.unchanged).toBe(false);
    expect(log.join('\n')).toContain(file.path);
    expect(log.join('\n')).toMatch(/sha256/);
    const rebuilt = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
    for (const d of rebuilt.datasets) {
      for (const f of d.files) expect(await sha256(join(outDir, f.path)), f.path).toBe(f.sha256);
    }
    // Intact now: the next refresh has nothing to do.
    expect((await refreshPfs({ rawDir, outDir })).unchanged).toBe(true);
    // A removed file is found too.
    await rm(join(outDir, file.path));
    expect((await refreshPfs({ rawDir, outDir })).unchanged).toBe(false);
  });
});
