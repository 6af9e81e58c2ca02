import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pfsAnesthesiaPipeline } from '../pipelines/pfs-anesthesia/pipeline.js';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { rowsJson } from './helpers/duckdb.js';
import { writeAnes2026 } from './helpers/pfs-2026.js';
import { makeTempDir, REPO_RAW_DIR, removeTempDirs } from './helpers/raw.js';
import { openStagingDatabase, stageFileOf } from './helpers/staging.js';

/**
 * The anesthesia file of the RVU package in the layouts CMS has used: one factor named after
 * the national figure (ANES2025.csv, real), "<year> Anesthesia Conversion Factor" beside the
 * locality's GPCIs (2024), and two factors from CY2026, the qualifying APM participants' first.
 */
const ANES2025 = join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D', 'ANES2025.csv');

let db: DuckDBHandle;
let dir: string;

beforeAll(async () => {
  db = await openStagingDatabase();
  dir = await makeTempDir('anes-layouts');
});

afterAll(async () => {
  db?.close();
  await removeTempDirs();
});

/** Stages the file and returns what it gives for 10112 00 (Alabama) and 01212 01 (Hawaii, Guam). */
async function staged(path: string, release: string) {
  await db.connection.run('DROP TABLE IF EXISTS stg_pfs_anesthesia');
  const result = await stageFileOf(
    db.connection,
    pfsAnesthesiaPipeline,
    path,
    `pfs-rvu/${release}/${path.split('/').at(-1)}`,
    release,
  );
  const rows = await rowsJson(
    db.connection,
    `SELECT mac, locality_number, locality_name, anesthesia_cf, anesthesia_cf_qpp,
            source_line::INTEGER AS line
     FROM stg_pfs_anesthesia WHERE mac IN ('10112', '01212') ORDER BY mac`,
  );
  return { ...result, rows };
}

describe('the anesthesia file in the layouts CMS has used', () => {
  it('ANES2025.csv: "National Anes CF of 20.3178", one factor', async () => {
    // 110 rows: the empty one at the end is removed after staging (a non-record).
    expect(await staged(ANES2025, 'RVU25D')).toEqual({
      rowsStaged: 110,
      linesRejected: 0,
      rows: [
        {
          mac: '01212',
          locality_number: '01',
          locality_name: 'HAWAII, GUAM',
          anesthesia_cf: '20.24',
          anesthesia_cf_qpp: null,
          line: 44,
        },
        {
          mac: '10112',
          locality_number: '00',
          locality_name: 'ALABAMA',
          anesthesia_cf: '19.31',
          anesthesia_cf_qpp: null,
          line: 2,
        },
      ],
    });
  });

  it('2024: "2024 Anesthesia Conversion Factor", then the Work, PE and MP GPCIs', async () => {
    // ANES2025.csv's rows under the 2024 workbook's headers (andrewallenbruce's RVU24A readers:
    // contractor, locality, locality_name, 2024_anesthesia_conversion_factor, work, pe, mp);
    // the GPCI values are made up, the reader leaves them.
    const [, ...lines] = (await readFile(ANES2025, 'utf8')).split('\r\n');
    const path = join(dir, 'ANES2024.csv');
    await writeFile(
      path,
      [
        'Contractor,Locality,Locality Name,2024 Anesthesia Conversion Factor,Work,PE,MP',
        // The empty row at the end (",,,") keeps a cell per column.
        ...lines.map((line) =>
          /[0-9] *$/.test(line) ? `${line},1.000,0.869,0.575` : line && `${line},,,`,
        ),
      ].join('\r\n'),
    );
    const { rows, ...counts } = await staged(path, 'RVU24A');
    expect(counts).toEqual({ rowsStaged: 110, linesRejected: 0 });
    expect(rows.map((r) => [r.mac, r.anesthesia_cf, r.anesthesia_cf_qpp])).toEqual([
      ['01212', '20.24', null],
      ['10112', '19.31', null],
    ]);
  });

  it('CY2026: the qualifying and the non-qualifying APM factors, each in its own column', async () => {
    await writeAnes2026(dir, 'RVU26A');
    const { rows, ...counts } = await staged(
      join(dir, 'pfs-rvu', 'RVU26A', 'ANES2026.csv'),
      'RVU26A',
    );
    expect(counts).toEqual({ rowsStaged: 110, linesRejected: 0 });
    // writeAnes2026: the non-qualifying factor is 2025's, the qualifying one 0.10 more.
    expect(rows.map((r) => [r.mac, r.anesthesia_cf, r.anesthesia_cf_qpp])).toEqual([
      ['01212', '20.24', '20.34'],
      ['10112', '19.31', '19.41'],
    ]);
  });
});
