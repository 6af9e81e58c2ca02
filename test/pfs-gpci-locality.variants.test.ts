import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pfsGpciPipeline } from '../pipelines/pfs-gpci/pipeline.js';
import { pfsLocalityPipeline } from '../pipelines/pfs-locality/pipeline.js';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { profileFile } from '../src/extract/file-profile.js';
import { stageCsvFiles } from '../src/extract/readers/csv-reader.js';
import { stageFixedWidthFile } from '../src/extract/readers/fixed-width-reader.js';
import { createStagingTable, variantTable } from '../src/extract/readers/staging.js';
import { removeNonRecords } from '../src/extract/stage-source.js';
import type { PipelineDefinition } from '../src/pipeline-definition.js';
import { pipelineChecks } from '../src/transform/checks.js';
import { openFullRefresh, rows } from './helpers/database.js';
import { rowsJson } from './helpers/duckdb.js';
import { makeTempDir, REPO_RAW_DIR, removeTempDirs } from './helpers/raw.js';
import { openStagingDatabase } from './helpers/staging.js';

/**
 * GPCI2025.txt and 25LOCCO.txt, the fixed-width copies of the RVU25D package's GPCI and
 * locality-county CSVs, read by position and compared with them as PPRRVU's TXT is.
 */
const RELEASE_DIR = join(REPO_RAW_DIR, 'pfs-rvu', 'RVU25D');

/** Stages a file of the release with the pipeline's reader, into its staging or variant table. */
async function stage(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  name: string,
  dir = RELEASE_DIR,
): Promise<{ rowsStaged: number; linesRejected: number }> {
  const rule = pipeline.files.find((r) => r.pattern.test(name));
  if (!rule) throw new Error(`${name} matches no ${pipeline.source} file rule`);
  const table =
    rule.role === 'variant' ? variantTable(pipeline) : (pipeline.stagingTable as string);
  const path = join(dir, name);
  const file = {
    path,
    relativePath: `pfs-rvu/RVU25D/${basename(path)}`,
    name,
    rule,
    profile: await profileFile(path),
    origin: 'local' as const,
  };
  await createStagingTable(connection, table, pipeline.columns);
  const target = {
    source: pipeline.source,
    table,
    releaseId: 'RVU25D',
    file,
    columns: pipeline.columns,
  };
  if (rule.format === 'csv' && pipeline.csv) {
    const [result] = await stageCsvFiles(connection, [target], pipeline.csv);
    if (!result) throw new Error(`${name}: not staged`);
    return result;
  }
  if (rule.format === 'fixed-width' && pipeline.fixedWidth) {
    return stageFixedWidthFile(connection, target, pipeline.fixedWidth);
  }
  throw new Error(`${name}: no layout for ${rule.format}`);
}

/** The failures of one of the pipeline's checks, on what is staged now. */
async function failures(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  name: string,
): Promise<string[]> {
  const check = pipelineChecks(pipeline).find((c) => c.name === name);
  if (!check) throw new Error(`${pipeline.source} has no check "${name}"`);
  const reader = await connection.runAndReadAll(check.failures);
  return reader.getRowsJS().map(([failure]) => String(failure));
}

describe('GPCI2025.txt and 25LOCCO.txt in the refresh of raw/', () => {
  let db: DuckDBHandle;
  beforeAll(async () => {
    db = await openFullRefresh();
  });
  afterAll(() => db?.close());

  it('reads each TXT as the variant of its CSV, as many rows, none rejected', async () => {
    expect(
      await rows(
        db,
        `SELECT source_file, role, rows_staged, lines_rejected FROM source_file
         WHERE source IN ('pfs-gpci', 'pfs-locality') ORDER BY source_file`,
      ),
    ).toEqual([
      // 110 rows each: 05302 99 is listed twice.
      {
        source_file: 'pfs-rvu/RVU25D/25LOCCO.csv',
        role: 'primary',
        rows_staged: '110',
        lines_rejected: '0',
      },
      {
        source_file: 'pfs-rvu/RVU25D/25LOCCO.txt',
        role: 'variant',
        rows_staged: '110',
        lines_rejected: '0',
      },
      {
        source_file: 'pfs-rvu/RVU25D/GPCI2025.csv',
        role: 'primary',
        rows_staged: '109',
        lines_rejected: '0',
      },
      {
        source_file: 'pfs-rvu/RVU25D/GPCI2025.txt',
        role: 'variant',
        rows_staged: '109',
        lines_rejected: '0',
      },
    ]);
  });

  it('finds the GPCI files identical and the LOCCO files listing the same localities', async () => {
    expect(
      await rows(
        db,
        `SELECT source, check_name, severity, passed, failing_rows FROM check_result
         WHERE source IN ('pfs-gpci', 'pfs-locality') AND check_name LIKE 'variant files%'
         ORDER BY source, check_name`,
      ),
    ).toEqual([
      {
        source: 'pfs-gpci',
        check_name: 'variant files give identical rows',
        severity: 'blocking',
        passed: true,
        failing_rows: '0',
      },
      {
        source: 'pfs-locality',
        check_name: 'variant files list the same localities',
        severity: 'blocking',
        passed: true,
        failing_rows: '0',
      },
      {
        source: 'pfs-locality',
        check_name: 'variant files word the localities alike (counties to the TXT width)',
        severity: 'warning',
        passed: false,
        failing_rows: '2',
      },
    ]);
  });

  it('names the two localities the files word differently, with both lines', async () => {
    const [detail] = await rows(
      db,
      `SELECT detail FROM check_result
       WHERE check_name = 'variant files word the localities alike (counties to the TXT width)'`,
    );
    // 25LOCCO.csv line 13 / 25LOCCO.txt line 13, and line 15 of each, as the files have them.
    expect(String(detail?.detail).split('\n')).toEqual([
      'RVU25D locality 01112 05: area "SAN FRANCISCO-OAKLAND-BERKELEY (SAN FRANCISCO CNTY/ALAMEDA/CONTR COSTA CNTY/SAN MATEO)" at pfs-rvu/RVU25D/25LOCCO.csv:15, "SAN FRANCISCO-OAKLAND-BERKELEY (SAN FRANCISCO CNTY/ALAMEDA/CONTRA COSTA/SAN MATEO)" at pfs-rvu/RVU25D/25LOCCO.txt:15',
      'RVU25D locality 01182 18: state "CALIFORNIA" at pfs-rvu/RVU25D/25LOCCO.csv:13, blank at pfs-rvu/RVU25D/25LOCCO.txt:13; area "LOS ANGELES-LONG BEACH-ANAHEIM (LOS ANGELES CNTY)" at pfs-rvu/RVU25D/25LOCCO.csv:13, "LOS ANGELES-LONG BEACH-ANAHEIM (LOS ANGELES CNTY/ORANG CNTY)" at pfs-rvu/RVU25D/25LOCCO.txt:13; counties "LOS ANGELES /ORAGNGE CNTY" at pfs-rvu/RVU25D/25LOCCO.csv:13, "LOS ANGELES/ORANGE" at pfs-rvu/RVU25D/25LOCCO.txt:13',
    ]);
  });
});

describe('GPCI2025.csv and GPCI2025.txt staged side by side', () => {
  let staging: DuckDBHandle;
  let connection: DuckDBConnection;
  const check = 'variant files give identical rows';

  beforeAll(async () => {
    staging = await openStagingDatabase();
    connection = staging.connection;
    // The CSV's blank line, "MAC Assignments as of …" and two footnotes are staged, then
    // taken out as the run does; the TXT reader leaves its preamble and trailer out itself.
    expect(await stage(connection, pfsGpciPipeline, 'GPCI2025.csv')).toEqual({
      rowsStaged: 113,
      linesRejected: 0,
    });
    expect(await stage(connection, pfsGpciPipeline, 'GPCI2025.txt')).toEqual({
      rowsStaged: 109,
      linesRejected: 0,
    });
    expect([...(await removeNonRecords(connection, pfsGpciPipeline))]).toEqual([
      ['pfs-rvu/RVU25D/GPCI2025.csv', 4],
    ]);
  });
  afterAll(() => staging?.close());

  it('reads the TXT by position: Alabama on line 4, Alaska (1.5 work floor) on line 5', async () => {
    // GPCI2025.txt lines 4 and 5: "10112  AL  00  ALABAMA  1.000  0.869  0.575",
    // "02102  AK  01  ALASKA*  1.500  1.081  0.592" (runs of spaces shortened here).
    expect(
      await rowsJson(
        connection,
        `SELECT source_line, mac, state, locality_number, locality_name, pw_gpci,
                pw_gpci_without_floor, pe_gpci, mp_gpci
         FROM stg_pfs_gpci__variant WHERE source_line IN (4, 5) ORDER BY source_line`,
      ),
    ).toEqual([
      {
        source_line: 4,
        mac: '10112',
        state: 'AL',
        locality_number: '00',
        locality_name: 'ALABAMA',
        pw_gpci: '1.000',
        pw_gpci_without_floor: null,
        pe_gpci: '0.869',
        mp_gpci: '0.575',
      },
      {
        source_line: 5,
        mac: '02102',
        state: 'AK',
        locality_number: '01',
        locality_name: 'ALASKA*',
        pw_gpci: '1.500',
        pw_gpci_without_floor: null,
        pe_gpci: '1.081',
        mp_gpci: '0.592',
      },
    ]);
  });

  it('finds no difference between the CSV ("1" for 1.000) and the TXT', async () => {
    expect(await failures(connection, pfsGpciPipeline, check)).toEqual([]);
  });

  it('does compare values: one PE GPCI changed in the TXT, named with both values', async () => {
    await connection.run(
      "UPDATE stg_pfs_gpci__variant SET pe_gpci = '0.870' WHERE mac = '10112' AND locality_number = '00'",
    );
    try {
      expect(await failures(connection, pfsGpciPipeline, check)).toEqual([
        'differs: RVU25D 10112 00: pe_gpci "0.869" in the primary file, "0.870" in the variant file',
      ]);
    } finally {
      await connection.run(
        "UPDATE stg_pfs_gpci__variant SET pe_gpci = '0.869' WHERE mac = '10112' AND locality_number = '00'",
      );
    }
  });
});

describe('a GPCI TXT in the 126-character layout of earlier years', () => {
  afterAll(removeTempDirs);
  it("is read by that layout's positions: the indices equal the CSV's", async () => {
    // GPCI2023.txt as stored from CMS's rvu23d.zip: "10112           AL      00   ALABAMA   …
    // 1.000       0.878       0.748", the values ending at 102, 114 and 126. Built here from
    // GPCI2025.txt's records: the name cut to 30-94, the three values moved to end there.
    const lines = (await readFile(join(RELEASE_DIR, 'GPCI2025.txt'), 'latin1')).split('\r\n');
    const relaid = lines.map((line) =>
      line.length === 150
        ? `${line.slice(0, 29)}${line.slice(29, 94)}${line.slice(118, 126)}${line.slice(126, 138)}${line.slice(138, 150)}`
        : line,
    );
    expect(relaid[3]).toBe(
      `10112           AL      00   ALABAMA${' '.repeat(61)}1.000       0.869       0.575`,
    );
    const dir = await makeTempDir('gpci-126');
    await writeFile(join(dir, 'GPCI2025.txt'), relaid.join('\r\n'), 'latin1');
    const staging = await openStagingDatabase();
    try {
      const { connection } = staging;
      await stage(connection, pfsGpciPipeline, 'GPCI2025.csv');
      expect(await stage(connection, pfsGpciPipeline, 'GPCI2025.txt', dir)).toEqual({
        rowsStaged: 109,
        linesRejected: 0,
      });
      await removeNonRecords(connection, pfsGpciPipeline);
      expect(
        await failures(connection, pfsGpciPipeline, 'variant files give identical rows'),
      ).toEqual([
        // Every index equal; the one name longer than the layout's 65 characters is cut, and
        // said so (how CMS's 126-character files hold such a name was not seen).
        'differs: RVU25D 01112 05: locality_name "SAN FRANCISCO-OAKLAND-BERKELEY (SAN FRANCISCO/SAN MATEO/ALAMEDA/CONTRA COSTA CNTY)" in the primary file, "SAN FRANCISCO-OAKLAND-BERKELEY (SAN FRANCISCO/SAN MATEO/ALAMEDA/C" in the variant file',
      ]);
      expect(
        await rowsJson(
          connection,
          `SELECT locality_name, pw_gpci, pe_gpci, mp_gpci FROM stg_pfs_gpci__variant WHERE source_line = 5`,
        ),
      ).toEqual([
        { locality_name: 'ALASKA*', pw_gpci: '1.500', pe_gpci: '1.081', mp_gpci: '0.592' },
      ]);
    } finally {
      staging.close();
    }
  });
});

describe('25LOCCO.csv and 25LOCCO.txt staged side by side', () => {
  let staging: DuckDBHandle;
  let connection: DuckDBConnection;
  const localities = 'variant files list the same localities';
  const wording = 'variant files word the localities alike (counties to the TXT width)';

  beforeAll(async () => {
    staging = await openStagingDatabase();
    connection = staging.connection;
    // The CSV's 56 blank spacer and footnote rows are taken out as the run does; the TXT
    // reader skips its blank lines and footnote itself.
    expect(await stage(connection, pfsLocalityPipeline, '25LOCCO.csv')).toEqual({
      rowsStaged: 166,
      linesRejected: 0,
    });
    expect(await stage(connection, pfsLocalityPipeline, '25LOCCO.txt')).toEqual({
      rowsStaged: 110,
      linesRejected: 0,
    });
    expect([...(await removeNonRecords(connection, pfsLocalityPipeline))]).toEqual([
      ['pfs-rvu/RVU25D/25LOCCO.csv', 56],
    ]);
  });
  afterAll(() => staging?.close());

  it('reads the TXT by position, zeros kept, the counties cut at 58 characters', async () => {
    // 25LOCCO.txt line 5: "    10112       00    ALABAMA  STATEWIDE  ALL COUNTIES"; the
    // Atlanta line ends "DOUGLAS, FAYETTE," where the CSV goes on to "ROCKDALE AND WALTON".
    expect(
      await rowsJson(
        connection,
        `SELECT source_line, mac, locality_number, state_name, fee_schedule_area, counties
         FROM stg_pfs_locality__variant
         WHERE source_line = 5 OR (mac = '10212' AND locality_number = '01') ORDER BY source_line`,
      ),
    ).toEqual([
      {
        source_line: 5,
        mac: '10112',
        locality_number: '00',
        state_name: 'ALABAMA',
        fee_schedule_area: 'STATEWIDE',
        counties: 'ALL COUNTIES',
      },
      {
        source_line: 55,
        mac: '10212',
        locality_number: '01',
        state_name: 'GEORGIA',
        fee_schedule_area: 'ATLANTA',
        counties: 'BUTTS, CHEROKEE, CLAYTON, COBB, DEKALB, DOUGLAS, FAYETTE,',
      },
    ]);
  });

  it('lists the same 110 localities (05302 99 twice) in both files', async () => {
    expect(await failures(connection, pfsLocalityPipeline, localities)).toEqual([]);
  });

  it('finds the two localities worded differently, not the eight the TXT cuts short', async () => {
    expect(
      (await failures(connection, pfsLocalityPipeline, wording)).map((f) => f.slice(0, 30)),
    ).toEqual(['RVU25D locality 01112 05: area', 'RVU25D locality 01182 18: stat']);
  });

  it('blocks on a locality only one file lists, naming its line', async () => {
    await connection.run(
      "CREATE TEMP TABLE removed AS SELECT * FROM stg_pfs_locality__variant WHERE mac = '10112'",
    );
    await connection.run("DELETE FROM stg_pfs_locality__variant WHERE mac = '10112'");
    try {
      expect(await failures(connection, pfsLocalityPipeline, localities)).toEqual([
        'only in pfs-rvu/RVU25D/25LOCCO.csv:5: RVU25D locality 10112 00',
      ]);
    } finally {
      await connection.run('INSERT INTO stg_pfs_locality__variant SELECT * FROM removed');
    }
  });
});
