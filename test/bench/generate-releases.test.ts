import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatCsvLine,
  type GeneratedRelease,
  generateReleases,
  parseCsvLine,
  REAL_RELEASE_FILE,
  readRealRelease,
  releaseName,
} from '../../bench/generate-releases.js';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';
import { refresh } from '../helpers/refresh.js';

const dirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `fse-bench-${prefix}-`));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const SMALL = { count: 3, seed: 'test', rowsPerRelease: 500 } as const;

/** The file's lines without their CRLF (latin1, so every byte round-trips). */
async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'latin1');
  expect(text.endsWith('\r\n')).toBe(true);
  return text.slice(0, -2).split('\r\n');
}

describe('generateReleases (3 releases of ~500 rows)', () => {
  let rawDir: string;
  let releases: GeneratedRelease[];
  let realLines: string[];

  beforeAll(async () => {
    rawDir = join(await tempDir('gen'), 'raw');
    releases = await generateReleases({ rawDir, ...SMALL });
    realLines = await lines(REAL_RELEASE_FILE);
  });

  it('names folders and files like CMS releases, with no manifest or TXT', async () => {
    expect(releases.map((r) => r.relativePath)).toEqual([
      'pfs-rvu/RVU25D/PPRRVU2025_Oct.csv',
      'pfs-rvu/RVU26A/PPRRVU2026_Jan.csv',
      'pfs-rvu/RVU26B/PPRRVU2026_Apr.csv',
    ]);
    expect(await readdir(join(rawDir, 'pfs-rvu', 'RVU26A'))).toEqual(['PPRRVU2026_Jan.csv']);
    expect(releaseName(4)).toEqual({ id: 'RVU26D', fileName: 'PPRRVU2026_Oct.csv' });
    expect(releaseName(100).id).toBe('RVU50D');
  });

  it('copies the 10 preamble and header lines verbatim, CRLF only, 31 fields a row', async () => {
    for (const release of releases) {
      const text = await readFile(release.path, 'latin1');
      expect(text.split('\n').length).toBe(text.split('\r\n').length);
      const file = await lines(release.path);
      expect(file.slice(0, 10)).toEqual(realLines.slice(0, 10));
      const rows = file.slice(10);
      expect(rows.length).toBe(release.rows);
      expect(release.rows).toBeGreaterThanOrEqual(490);
      expect(release.rows).toBeLessThanOrEqual(520);
      for (const row of rows) expect(parseCsvLine(row)).toHaveLength(31);
    }
  });

  it('keeps quoted descriptors with commas, and unique keys in the real sort order', async () => {
    const rows = (await lines(releases[2]?.path as string)).slice(10);
    const quoted = rows.filter((r) => r.includes('"'));
    expect(quoted.length).toBeGreaterThan(0);
    for (const row of quoted) expect(parseCsvLine(row)[2]).toContain(',');
    const keys = rows.map((r) => {
      const f = parseCsvLine(r);
      return `${f[0]} ${f[1]}`;
    });
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(keys);
  });

  it('uses only values the real file has in each indicator column', async () => {
    const real = await readRealRelease();
    const unknown: string[] = [];
    for (const release of releases) {
      for (const row of (await lines(release.path)).slice(10)) {
        const fields = parseCsvLine(row);
        for (const [field, distribution] of real.distributions) {
          if (!distribution.values.includes(fields[field] as string)) {
            unknown.push(`${release.id} ${fields[0]} field ${field}: ${fields[field]}`);
          }
        }
        if (!/^[0-9A-Z]{5}$/.test(fields[0] as string)) unknown.push(`code ${fields[0]}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('reports the changes: ~3 % of rows, one code added and one removed', () => {
    expect(releases.map((r) => r.diff)).toEqual([
      { changed: 0, added: 0, removed: 0 },
      expect.objectContaining({ changed: 15 }),
      expect.objectContaining({ changed: 15 }),
    ]);
    for (const r of releases.slice(1)) {
      expect(r.diff.added).toBeGreaterThanOrEqual(1);
      expect(r.diff.removed).toBeGreaterThanOrEqual(1);
    }
  });

  it('is deterministic: same seed, same bytes; another seed, other bytes', async () => {
    const again = await generateReleases({ rawDir: join(await tempDir('again'), 'raw'), ...SMALL });
    expect(again.map((r) => r.sha256)).toEqual(releases.map((r) => r.sha256));
    for (const [i, r] of again.entries()) {
      expect((await readFile(r.path)).equals(await readFile(releases[i]?.path as string))).toBe(
        true,
      );
    }
    const other = await generateReleases({
      rawDir: join(await tempDir('other'), 'raw'),
      ...SMALL,
      seed: 'other',
    });
    for (const [i, r] of other.entries()) expect(r.sha256).not.toBe(releases[i]?.sha256);
  });

  it('writes only the later releases with `from`, byte-identical to a full run', async () => {
    const tail = await generateReleases({
      rawDir: join(await tempDir('from'), 'raw'),
      ...SMALL,
      from: 2,
    });
    expect(tail.map((r) => [r.id, r.sha256])).toEqual([['RVU26B', releases[2]?.sha256]]);
  });

  describe('loaded by the real pipeline', () => {
    let db: DuckDBHandle;

    beforeAll(async () => {
      const outDir = join(await tempDir('out'), 'out');
      // Only the PFS pipeline: the other sources have no releases here.
      await refresh({ rawDir, outDir, pipelines: [pfsRvuPipeline] });
      db = await openDuckDB(join(outDir, 'fee_schedule.duckdb'), { readOnly: true });
    });
    afterAll(() => db?.close());

    it('loads every generated row of every release, none rejected', async () => {
      const reader = await db.connection.runAndReadAll(
        'SELECT release_id, count(*)::INTEGER FROM pfs_rvu GROUP BY ALL ORDER BY 1',
      );
      expect(reader.getRowsJS()).toEqual(releases.map((r) => [r.id, r.rows]));
      const rejected = await db.connection.runAndReadAll(
        'SELECT count(*)::INTEGER FROM rejected_row',
      );
      expect(rejected.getRowsJS()).toEqual([[0]]);
    });

    it('sees consecutive releases differ by exactly the rows the generator changed', async () => {
      for (const [i, release] of releases.entries()) {
        if (i === 0) continue;
        const previous = releases[i - 1] as GeneratedRelease;
        const reader = await db.connection.runAndReadAll(`
          WITH a AS (SELECT hcpcs || ' ' || coalesce(modifier, '') AS k,
                            * EXCLUDE (release_id, source_file, source_line)
                     FROM pfs_rvu WHERE release_id = '${previous.id}'),
               b AS (SELECT hcpcs || ' ' || coalesce(modifier, '') AS k,
                            * EXCLUDE (release_id, source_file, source_line)
                     FROM pfs_rvu WHERE release_id = '${release.id}')
          SELECT (SELECT count(*) FROM (SELECT * FROM b WHERE k IN (SELECT k FROM a)
                                        EXCEPT SELECT * FROM a))::INTEGER,
                 (SELECT count(*) FROM b WHERE k NOT IN (SELECT k FROM a))::INTEGER,
                 (SELECT count(*) FROM a WHERE k NOT IN (SELECT k FROM b))::INTEGER`);
        const [changed, added, removed] = reader.getRowsJS()[0] as number[];
        expect({ changed, added, removed }).toEqual(release.diff);
      }
    });
  });
});

describe('generateReleases at full size', () => {
  it('makes release 0 the real RVU25D file, byte for byte', async () => {
    const [first] = await generateReleases({
      rawDir: join(await tempDir('full'), 'raw'),
      count: 1,
    });
    expect(first?.rows).toBe(19090);
    expect((await readFile(first?.path as string)).equals(await readFile(REAL_RELEASE_FILE))).toBe(
      true,
    );
  });
});

describe('CSV line helpers', () => {
  it('round-trip quoted fields with commas and quotes', () => {
    const fields = ['80161', '', 'Asy carbamazepin 10,11-epxid', 'say "hi"', ''];
    const line = formatCsvLine(fields);
    expect(line).toBe('80161,,"Asy carbamazepin 10,11-epxid","say ""hi""",');
    expect(parseCsvLine(line)).toEqual(fields);
  });
});
