import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { BlockedRunError } from '../src/errors.js';
import { DATABASE_FILE_NAME } from '../src/paths.js';
import { openOutDatabase, rowsJson, scalar } from './helpers/duckdb.js';
import {
  CSV_KEY,
  CSV_NAME,
  copyRaw,
  filesUnder,
  joinLines,
  makeTempDir,
  REPO_RAW_DIR,
  readFileLines,
  readManifestJson,
  releaseFile,
  removeTempDirs,
  sha256,
  TXT_KEY,
  TXT_NAME,
} from './helpers/raw.js';
import { refreshPfs } from './helpers/refresh.js';
import {
  comparableColumns,
  openStagingDatabase,
  pfsRawFile,
  stagePfsFile,
} from './helpers/staging.js';

afterAll(removeTempDirs);

describe('refresh of the CSV primary and the fixed-width TXT variant, no manifest', () => {
  let rawDir: string;
  let db: DuckDBHandle;

  beforeAll(async () => {
    // No manifest.json: the run must write one (a release dropped into raw/ by hand).
    rawDir = await copyRaw({ withoutManifest: true });
    const outDir = await makeTempDir('out');
    await refreshPfs({ rawDir, outDir });
    db = await openOutDatabase(outDir);
  });
  afterAll(() => db?.close());

  it("passes 'variant files give identical rows' with 0 failing", async () => {
    expect(
      await rowsJson(
        db.connection,
        `SELECT severity, passed, failing_rows::INTEGER AS failing_rows, detail FROM check_result
         WHERE check_name = 'variant files give identical rows'`,
      ),
    ).toEqual([{ severity: 'blocking', passed: true, failing_rows: 0, detail: null }]);
  });

  it('reads the same number of rows from both files and loads 19,090', async () => {
    expect(
      await rowsJson(
        db.connection,
        'SELECT role, rows_staged::INTEGER AS n FROM source_file ORDER BY role',
      ),
    ).toEqual([
      { role: 'primary', n: 19090 },
      { role: 'variant', n: 19090 },
    ]);
    expect(await scalar(db.connection, 'SELECT count(*) FROM pfs_rvu')).toBe(19090);
    expect(await scalar(db.connection, 'SELECT count(*) FROM check_result WHERE NOT passed')).toBe(
      0,
    );
  });

  it('writes manifest.json: origin local, release facts from the folder name', async () => {
    expect(await readManifestJson(rawDir)).toMatchObject({
      source: 'pfs-rvu',
      release: 'RVU25D',
      published: null,
      effective_from: '2025-10-01',
      is_full: true,
      origin: 'local',
    });
    expect(
      await rowsJson(
        db.connection,
        `SELECT release_id, effective_from::VARCHAR AS effective_from, published, origin
         FROM release`,
      ),
    ).toEqual([
      { release_id: 'RVU25D', effective_from: '2025-10-01', published: null, origin: 'local' },
    ]);
  });

  it('writes manifest.json with the sha256 and size of each file, origin local', async () => {
    const csv = await readFile(releaseFile(rawDir, CSV_NAME));
    const txt = await readFile(releaseFile(rawDir, TXT_NAME));
    const manifest = await readManifestJson(rawDir);
    expect(manifest.files).toEqual([
      { path: CSV_NAME, sha256: sha256(csv), bytes: csv.length, origin: 'local' },
      { path: TXT_NAME, sha256: sha256(txt), bytes: txt.length, origin: 'local' },
    ]);
    // ... which are the bytes CMS published (raw/pfs-rvu/RVU25D/manifest.json of the repo).
    // (the repo's RVU25D holds the package's GPCI, locality, anesthesia and OPPS cap files too)
    const published = await readManifestJson(REPO_RAW_DIR);
    expect(manifest.files.map((f) => [f.path, f.sha256, f.bytes])).toEqual(
      published.files
        .filter((f) => [CSV_NAME, TXT_NAME].includes(f.path))
        .map((f) => [f.path, f.sha256, f.bytes]),
    );
    expect(manifest.files[0]?.sha256).toBe(
      '8af460f38bf982b79b07269fbc8b7256a8ef3bd3aa025a9c5cb71c1e52523c56',
    );
    expect(manifest.files[0]?.bytes).toBe(2547226);
    expect(
      await rowsJson(db.connection, 'SELECT source_file, origin FROM source_file ORDER BY 1'),
    ).toEqual([
      { source_file: CSV_KEY, origin: 'local' },
      { source_file: TXT_KEY, origin: 'local' },
    ]);
  });
});

describe('the CSV and the TXT staged side by side', () => {
  let staging: DuckDBHandle;
  let connection: DuckDBConnection;

  beforeAll(async () => {
    staging = await openStagingDatabase();
    connection = staging.connection;
    const csv = await pfsRawFile(releaseFile(REPO_RAW_DIR, CSV_NAME), CSV_KEY);
    const txt = await pfsRawFile(releaseFile(REPO_RAW_DIR, TXT_NAME), TXT_KEY);
    expect(await stagePfsFile(connection, 'stg_csv', csv)).toEqual({
      rowsStaged: 19090,
      linesRejected: 0,
    });
    expect(await stagePfsFile(connection, 'stg_txt', txt)).toEqual({
      rowsStaged: 19090,
      linesRejected: 0,
    });
  });
  afterAll(() => staging?.close());

  it('reads both files without a rejected line', async () => {
    expect(await scalar(connection, 'SELECT count(*) FROM rejected_row')).toBe(0);
  });

  it('gives no CSV row missing from the TXT (EXCEPT ALL, decimals cast)', async () => {
    const columns = comparableColumns();
    expect(
      await rowsJson(
        connection,
        `SELECT hcpcs, modifier FROM (SELECT ${columns} FROM stg_csv EXCEPT ALL SELECT ${columns} FROM stg_txt)`,
      ),
    ).toEqual([]);
  });

  it('gives no TXT row missing from the CSV (EXCEPT ALL, decimals cast)', async () => {
    const columns = comparableColumns();
    expect(
      await rowsJson(
        connection,
        `SELECT hcpcs, modifier FROM (SELECT ${columns} FROM stg_txt EXCEPT ALL SELECT ${columns} FROM stg_csv)`,
      ),
    ).toEqual([]);
  });

  it('does compare values: one changed work RVU makes one row differ each way', async () => {
    const columns = comparableColumns();
    const changed = `(SELECT * REPLACE (CASE WHEN hcpcs = '38211' THEN '1.43' ELSE work_rvu END AS work_rvu) FROM stg_txt)`;
    expect(
      await rowsJson(
        connection,
        `SELECT hcpcs, work_rvu::VARCHAR AS work_rvu FROM
           (SELECT ${columns} FROM stg_csv EXCEPT ALL SELECT ${columns} FROM ${changed})`,
      ),
    ).toEqual([{ hcpcs: '38211', work_rvu: '1.42' }]);
  });

  it('puts every TXT row 3 lines above its CSV row (7 HDR lines vs 10 header lines)', async () => {
    const rows = await rowsJson(
      connection,
      `SELECT count(*)::INTEGER AS matched,
              count(*) FILTER (WHERE t.source_line <> c.source_line - 3)::INTEGER AS off,
              min(c.source_line) AS first_csv, min(t.source_line) AS first_txt,
              max(c.source_line) AS last_csv, max(t.source_line) AS last_txt
       FROM stg_csv c JOIN stg_txt t
         ON t.hcpcs = c.hcpcs AND t.modifier IS NOT DISTINCT FROM c.modifier`,
    );
    expect(rows).toEqual([
      { matched: 19090, off: 0, first_csv: 11, first_txt: 8, last_csv: 19100, last_txt: 19097 },
    ]);
    expect(
      await rowsJson(connection, "SELECT source_line FROM stg_txt WHERE hcpcs = '38211'"),
    ).toEqual([{ source_line: 4559 }]);
  });
});

describe('a TXT variant that differs from the CSV in one RVU', () => {
  let outDir: string;
  let error: unknown;

  beforeAll(async () => {
    const rawDir = await copyRaw({ withoutManifest: true });
    const txtPath = releaseFile(rawDir, TXT_NAME);
    const lines = await readFileLines(txtPath);
    const line = lines[4559 - 1] as string;
    // Positions 60-65 (1-based) hold WORK RVU, right-aligned.
    expect(line.slice(0, 5)).toBe('38211');
    expect(line.slice(59, 65)).toBe('  1.42');
    lines[4559 - 1] = `${line.slice(0, 59)}  1.43${line.slice(65)}`;
    const changed = joinLines(lines);
    const original = await readFile(txtPath);
    expect(changed.length).toBe(original.length);
    await writeFile(txtPath, changed);

    outDir = await makeTempDir('out');
    error = await refreshPfs({ rawDir, outDir }).then(
      () => null,
      (e: unknown) => e,
    );
  });

  it('blocks the run with a BlockedRunError', () => {
    expect(error).toBeInstanceOf(BlockedRunError);
  });

  it("names the 'variant files give identical rows' check, 38211 and both work RVUs", () => {
    const details = (error as BlockedRunError).details;
    expect(details).toContain('variant files give identical rows (pfs_rvu): 1 failing');
    expect(details).toContain(
      '  differs: RVU25D 38211: work_rvu "1.42" in the primary file, "1.43" in the variant file',
    );
    expect(details.filter((d) => d.includes(' failing'))).toHaveLength(1);
  });

  it('publishes nothing into the out dir', async () => {
    expect(existsSync(join(outDir, DATABASE_FILE_NAME))).toBe(false);
    // Only the file the writer lock is taken on (it stays).
    expect(await filesUnder(outDir)).toEqual(['.refresh-lock.duckdb']);
  });
});
