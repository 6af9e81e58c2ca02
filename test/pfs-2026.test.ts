import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, PIPELINES } from '../pipelines/index.js';
import { pfsGpciPipeline } from '../pipelines/pfs-gpci/pipeline.js';
import { pfsOppsCapPipeline } from '../pipelines/pfs-opps-cap/pipeline.js';
import { pfsRvuPipeline } from '../pipelines/pfs-rvu/pipeline.js';
import { type FeeSchedule, openFeeSchedule } from '../src/db/fee-schedule.js';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { EMPTY_PARTITION } from '../src/load/parquet-export.js';
import { diffReleases } from '../src/query/diff.js';
import { lookupCode } from '../src/query/lookup.js';
import { openOutDatabase, rowsJson } from './helpers/duckdb.js';
import {
  NON_QPP_CF,
  type Pfs2026Release,
  QPP_CF,
  writeAnes2026,
  writeGpci2026,
  writeLocco2026,
  writePfs2026Release,
} from './helpers/pfs-2026.js';
import { copyRaw, makeTempDir, removeTempDirs } from './helpers/raw.js';
import { failedRefresh, refresh } from './helpers/refresh.js';
import { dollars, feeCents, gpciLine, rvuLine } from './helpers/rvu-package.js';

/** Every row of RVU25D (a slice would trip the row-count drift check against RVU25D). */
const CODES = undefined;

let rawDir: string;
let outDir: string;
let release: Pfs2026Release;
let db: DuckDBHandle;

beforeAll(async () => {
  rawDir = await copyRaw();
  release = await writePfs2026Release(rawDir, 'RVU26A', { codes: CODES });
  await writeAnes2026(rawDir, 'RVU26A');
  await writeLocco2026(rawDir, 'RVU26A');
  outDir = join(await makeTempDir('pfs-2026-out'), 'out');
  // Every source (only the PFS has releases here): the code card needs them all.
  await refresh({ rawDir, outDir });
  db = await openOutDatabase(outDir);
});

afterAll(async () => {
  db?.close();
  await removeTempDirs();
});

const q = (sql: string) => rowsJson(db.connection, sql);

describe('a CY2026 release: a non-QPP and a QPP file, 32 columns', () => {
  it('keeps both conversion factors and pricing indicators, one row per file', async () => {
    expect(
      await q(
        `SELECT release_id, basis, conversion_factor::VARCHAR AS cf, pricing_indicator, rows::INTEGER AS rows
         FROM pfs_payment_basis ORDER BY release_id, basis`,
      ),
    ).toEqual([
      { release_id: 'RVU25D', basis: 'all', cf: '32.3465', pricing_indicator: null, rows: 19090 },
      {
        release_id: 'RVU26A',
        basis: 'non_qpp',
        cf: NON_QPP_CF,
        pricing_indicator: '9',
        rows: release.nonQppRows,
      },
      {
        release_id: 'RVU26A',
        basis: 'qpp',
        cf: QPP_CF,
        pricing_indicator: '1',
        rows: release.qppRows,
      },
    ]);
    expect(release.qppRows).toBeLessThan(release.nonQppRows);
  });

  it('keeps both anesthesia conversion factors of a locality, the QPP one beside the other', async () => {
    expect(
      await q(
        `SELECT release_id, anesthesia_cf::VARCHAR AS cf, anesthesia_cf_qpp::VARCHAR AS cf_qpp,
                source_line::INTEGER AS line, count(*) OVER (PARTITION BY release_id)::INTEGER AS localities
         FROM pfs_anesthesia_cf WHERE (mac, locality_number) IN (('10112', '00'), ('01212', '01'))
         ORDER BY release_id, mac`,
      ),
    ).toEqual([
      // ANES2025.csv: "01212 ,01 ,"HAWAII, GUAM",20.24 ", "10112 ,00 ,ALABAMA,19.31 ".
      { release_id: 'RVU25D', cf: '20.2400', cf_qpp: null, line: 44, localities: 2 },
      { release_id: 'RVU25D', cf: '19.3100', cf_qpp: null, line: 2, localities: 2 },
      { release_id: 'RVU26A', cf: '20.2400', cf_qpp: '20.3400', line: 44, localities: 2 },
      { release_id: 'RVU26A', cf: '19.3100', cf_qpp: '19.4100', line: 2, localities: 2 },
    ]);
    expect(
      await q(
        `SELECT release_id, count(*)::INTEGER AS n, count(anesthesia_cf_qpp)::INTEGER AS qpp
         FROM pfs_anesthesia_cf GROUP BY ALL ORDER BY ALL`,
      ),
    ).toEqual([
      { release_id: 'RVU25D', n: 109, qpp: 0 },
      { release_id: 'RVU26A', n: 109, qpp: 109 },
    ]);
  });

  it('reads a LOCCO TXT saved tab-delimited by its header, the counties compared whole', async () => {
    expect(
      await q(
        `SELECT file_name, format, rows_staged::INTEGER AS rows FROM source_file
         WHERE source = 'pfs-locality' AND release_id = 'RVU26A' ORDER BY 1`,
      ),
    ).toEqual([
      { file_name: '26LOCCO.csv', format: 'csv', rows: 110 },
      { file_name: '26LOCCO.txt', format: 'tab-delimited', rows: 110 },
    ]);
    // The same cells: no locality worded otherwise (RVU25D's CSV and TXT word two differently).
    const [wording] = await q(
      `SELECT detail FROM check_result
       WHERE source = 'pfs-locality' AND check_name LIKE 'variant files word the localities alike%'`,
    );
    expect(String(wording?.detail ?? '')).not.toContain('RVU26A');
  });

  it('warns of the package files RVU26A lacks (GPCI, OPPS cap), naming the release', async () => {
    expect(
      await q(
        `SELECT source, severity, passed, detail FROM check_result
         WHERE check_name = 'every pfs-rvu release has this source''s file' ORDER BY source`,
      ),
    ).toEqual([
      { source: 'pfs-anesthesia', severity: 'warning', passed: true, detail: null },
      {
        source: 'pfs-gpci',
        severity: 'warning',
        passed: false,
        detail: 'RVU26A: no pfs-gpci file in the release folder',
      },
      { source: 'pfs-locality', severity: 'warning', passed: true, detail: null },
      {
        source: 'pfs-opps-cap',
        severity: 'warning',
        passed: false,
        detail: 'RVU26A: no pfs-opps-cap file in the release folder',
      },
    ]);
  });

  it('stores what both files share once: pfs_rvu has the non-QPP file, pfs_rvu_qpp the QPP rows', async () => {
    expect(
      await q(`SELECT count(*)::INTEGER AS n FROM pfs_rvu WHERE release_id = 'RVU26A'`),
    ).toEqual([{ n: release.nonQppRows }]);
    expect(
      await q(`SELECT count(*)::INTEGER AS n FROM pfs_rvu_qpp WHERE release_id = 'RVU26A'`),
    ).toEqual([{ n: release.qppRows }]);
    expect(
      await q(`SELECT source_file FROM pfs_rvu WHERE release_id = 'RVU26A' GROUP BY ALL`),
    ).toEqual([{ source_file: 'pfs-rvu/RVU26A/PPRRVU2026_Jan_nonQPP.csv' }]);
  });

  it('shows where the two files differ: codes the QPP file leaves out, an OPPS value', async () => {
    const differences = await q(
      `SELECT hcpcs, modifier, difference, column_name, non_qpp_value, qpp_value
       FROM pfs_basis_differences ORDER BY ALL`,
    );
    expect(differences).toContainEqual({
      hcpcs: '71046',
      modifier: null,
      difference: 'value differs',
      column_name: 'facility_pe_opps',
      non_qpp_value: '2.76',
      qpp_value: '2.77',
    });
    expect(differences).toContainEqual({
      hcpcs: '00100',
      modifier: null,
      difference: 'only in the non-QPP file',
      column_name: null,
      non_qpp_value: null,
      qpp_value: null,
    });
    expect(differences.filter((d) => d.difference === 'only in the non-QPP file')).toHaveLength(
      release.nonQppRows - release.qppRows,
    );
  });

  it('decodes PRIC IND through its code table, marked unverified', async () => {
    expect(
      await q(
        `SELECT code, label FROM indicator_code WHERE system = 'pfs_pricing_indicator' ORDER BY code`,
      ),
    ).toEqual([
      { code: '1', label: 'Qualifying APM participant (QPP conversion factor)' },
      { code: '9', label: 'Not a qualifying APM participant (non-QPP conversion factor)' },
    ]);
    const [system] = await q(
      `SELECT description FROM indicator_system WHERE system = 'pfs_pricing_indicator'`,
    );
    expect(String(system?.description)).toMatch(/UNVERIFIED/);
  });

  it('reads each TXT as the variant of its own CSV', async () => {
    expect(
      await q(
        `SELECT passed FROM check_result
         WHERE source = 'pfs-rvu' AND check_name = 'variant files give identical rows'`,
      ),
    ).toEqual([{ passed: true }]);
    expect(
      await q(`SELECT source_file, role FROM source_file WHERE release_id = 'RVU26A' ORDER BY 1`),
    ).toEqual([
      { source_file: 'pfs-rvu/RVU26A/26LOCCO.csv', role: 'primary' },
      { source_file: 'pfs-rvu/RVU26A/26LOCCO.txt', role: 'variant' },
      { source_file: 'pfs-rvu/RVU26A/ANES2026.csv', role: 'primary' },
      { source_file: 'pfs-rvu/RVU26A/PPRRVU2026_Jan_QPP.csv', role: 'primary' },
      { source_file: 'pfs-rvu/RVU26A/PPRRVU2026_Jan_QPP.txt', role: 'variant' },
      { source_file: 'pfs-rvu/RVU26A/PPRRVU2026_Jan_nonQPP.csv', role: 'primary' },
      { source_file: 'pfs-rvu/RVU26A/PPRRVU2026_Jan_nonQPP.txt', role: 'variant' },
    ]);
  });
});

describe('what Medicare pays in 2026: a non-QPP and a QPP amount', () => {
  // A refresh of its own, small: RVU26A alone with 99213 and 38211 (status I), a GPCI file in
  // the 2026 layout (SYNTHETIC, GPCI2025.csv's indices: no real 2026 GPCI file was obtained),
  // and the sources pfs_payment reads. 99213 in San Francisco (01112 05): the RVUs of the
  // fixture's 99213 row (RVU25D's, in both 2026 files), each file's conversion factor.
  let payments: DuckDBHandle;
  let small: Pfs2026Release;
  const rvu = rvuLine('99213');
  const gpci = gpciLine('01112', '05');
  const expected = (cf: string, facility: boolean) =>
    dollars(feeCents({ ...rvu, conversionFactor: cf }, gpci, facility));
  const p = (sql: string) => rowsJson(payments.connection, sql);

  beforeAll(async () => {
    const raw = join(await makeTempDir('pfs-2026-payment-raw'), 'raw');
    small = await writePfs2026Release(raw, 'RVU26A', { codes: new Set(['99213', '38211']) });
    await writeGpci2026(raw, 'RVU26A', { tabDelimitedTxt: true });
    const out = join(await makeTempDir('pfs-2026-payment-out'), 'out');
    await refresh({
      rawDir: raw,
      outDir: out,
      pipelines: [pfsRvuPipeline, pfsGpciPipeline, pfsOppsCapPipeline],
    });
    payments = await openOutDatabase(out);
  });
  afterAll(() => payments?.close());

  it('reads a GPCI TXT saved tab-delimited by its header, as the CSV it must equal', async () => {
    expect(
      await p(
        `SELECT file_name, format, role, rows_staged::INTEGER AS rows, lines_rejected::INTEGER AS rejected
         FROM source_file WHERE source = 'pfs-gpci' ORDER BY 1`,
      ),
    ).toEqual([
      { file_name: 'GPCI2026.csv', format: 'csv', role: 'primary', rows: 109, rejected: 0 },
      {
        file_name: 'GPCI2026.txt',
        format: 'tab-delimited',
        role: 'variant',
        rows: 109,
        rejected: 0,
      },
    ]);
    expect(
      await p(
        `SELECT passed FROM check_result
         WHERE source = 'pfs-gpci' AND check_name = 'variant files give identical rows'`,
      ),
    ).toEqual([{ passed: true }]);
  });

  it('worked out by hand: 99213, 01112 05, non-QPP and QPP', () => {
    // RVU25D 99213: work 1.30, non-facility PE 1.35, MP 0.10 (PPRRVU2025_Oct.csv); 01112 05:
    // PW 1.088, PE 1.419, MP 0.445 (GPCI2025.csv line 24). Non-facility: (1.30 × 1.088 + 1.35 ×
    // 1.419 + 0.10 × 0.445) × CF = 3.37455 × CF.
    expect(rvu.status).toBe('A');
    expect([rvu.work, rvu.nonFacilityPe, rvu.mp]).toEqual(['1.30', '1.35', '0.10']);
    expect([gpci.line, gpci.pw, gpci.pe, gpci.mp]).toEqual([24, '1.088', '1.419', '0.445']);
    expect(expected(NON_QPP_CF, false)).toBe('112.71'); // 3.37455 × 33.4009 = 112.7130…
    expect(expected(QPP_CF, false)).toBe('113.28'); // 3.37455 × 33.5675 = 113.2752…
  });

  it('prices 99213 in 01112 05 once per conversion factor, each traced to its own file', async () => {
    expect(
      await p(
        `SELECT basis, conversion_factor::VARCHAR AS cf, pw_gpci::VARCHAR AS pw,
                non_facility_amount::VARCHAR AS non_facility, facility_amount::VARCHAR AS facility,
                non_facility_payment::VARCHAR AS paid, rvu_source_file, rvu_source_line,
                gpci_source_file, gpci_source_line
         FROM pfs_payment
         WHERE release_id = 'RVU26A' AND mac = '01112' AND locality_number = '05'
           AND hcpcs = '99213' AND modifier IS NULL
         ORDER BY basis`,
      ),
    ).toEqual([
      {
        basis: 'non_qpp',
        cf: NON_QPP_CF,
        pw: gpci.pw,
        non_facility: expected(NON_QPP_CF, false),
        facility: expected(NON_QPP_CF, true),
        paid: expected(NON_QPP_CF, false),
        rvu_source_file: 'pfs-rvu/RVU26A/PPRRVU2026_Jan_nonQPP.csv',
        rvu_source_line: small.nonQppLineOf('99213'),
        gpci_source_file: 'pfs-rvu/RVU26A/GPCI2026.csv',
        gpci_source_line: gpci.line,
      },
      {
        basis: 'qpp',
        cf: QPP_CF,
        pw: gpci.pw,
        non_facility: expected(QPP_CF, false),
        facility: expected(QPP_CF, true),
        paid: expected(QPP_CF, false),
        rvu_source_file: 'pfs-rvu/RVU26A/PPRRVU2026_Jan_QPP.csv',
        rvu_source_line: small.qppLineOf('99213'),
        gpci_source_file: 'pfs-rvu/RVU26A/GPCI2026.csv',
        gpci_source_line: gpci.line,
      },
    ]);
  });

  it('pfs_payment_current, the Parquet dataset: both amounts in all 109 localities, no 38211', async () => {
    expect(
      await p(
        `SELECT release_id, basis, count(*)::INTEGER AS n, count(DISTINCT hcpcs)::INTEGER AS codes,
                any_value(non_facility_payment::VARCHAR) FILTER (WHERE hcpcs = '99213'
                  AND modifier IS NULL AND mac = '01112' AND locality_number = '05') AS paid
         FROM pfs_payment_current GROUP BY ALL ORDER BY ALL`,
      ),
    ).toEqual([
      {
        release_id: 'RVU26A',
        basis: 'non_qpp',
        n: 109,
        codes: 1,
        paid: expected(NON_QPP_CF, false),
      },
      { release_id: 'RVU26A', basis: 'qpp', n: 109, codes: 1, paid: expected(QPP_CF, false) },
    ]);
  });
});

describe('pfs_payment_of: one release of pfs_payment, each source filtered first', () => {
  it("gives RVU25D's amounts alone, the rows pfs_payment has for RVU25D", async () => {
    const fingerprint = (from: string) =>
      `SELECT release_id, count(*)::INTEGER AS n,
              sum(hash(hcpcs, modifier, mac, locality_number, non_facility_payment, facility_payment,
                       opps_cap_source_line))::VARCHAR AS digest
       FROM ${from} GROUP BY ALL ORDER BY ALL`;
    const of = await q(fingerprint(`pfs_payment_of('RVU25D')`));
    // Every RVU25D row (19,090) in each of its 109 localities.
    expect(of.map((r) => [r.release_id, r.n])).toEqual([['RVU25D', 19_090 * 109]]);
    expect(of).toEqual(await q(fingerprint(`pfs_payment WHERE release_id = 'RVU25D'`)));
  });

  it('pfs_payment_current is the newest release: none here, RVU26A has no GPCI file', async () => {
    expect(await q(`SELECT count(*)::INTEGER AS n FROM pfs_payment_current`)).toEqual([{ n: 0 }]);
    expect(await q(`SELECT count(*)::INTEGER AS n FROM pfs_payment_of('RVU26A')`)).toEqual([
      { n: 0 },
    ]);
  });

  it('its dataset is then the empty partition alone: the newest release wrote no file', async () => {
    // The export writes the newest release's file without listing the view's releases; a file
    // of no rows gives way to the empty partition, as a listing finding none would have.
    const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8'));
    const dataset = manifest.datasets.find(
      (d: { name: string }) => d.name === 'pfs_payment_current',
    );
    expect(dataset).toMatchObject({ row_count: 0, releases: [] });
    expect(dataset.files.map((f: { path: string }) => f.path)).toEqual([
      `parquet/pfs_payment_current/${EMPTY_PARTITION}/pfs_payment_current.parquet`,
    ]);
    expect(await readdir(join(outDir, 'parquet', 'pfs_payment_current'))).toEqual([
      EMPTY_PARTITION,
    ]);
  });
});

describe('lookup and diff across the 2025 → 2026 boundary', () => {
  let schedule: FeeSchedule;
  beforeAll(async () => {
    schedule = await openFeeSchedule(join(outDir, 'fee_schedule.duckdb'));
  });
  afterAll(() => schedule.close());

  it('a card of a 2026 release shows both conversion factors', async () => {
    const [card] = await lookupCode(schedule, CATALOG.card, '99213');
    expect(card?.rvu).toMatchObject({
      conversion_factor: NON_QPP_CF,
      qpp_conversion_factor: QPP_CF,
    });
    const [anesthesia] = await lookupCode(schedule, CATALOG.card, '00100');
    expect(anesthesia?.rvu?.conversion_factor).toBe(NON_QPP_CF);
    expect(anesthesia?.rvu).not.toHaveProperty('qpp_conversion_factor'); // not in the QPP file
    const [old] = await lookupCode(schedule, CATALOG.card, '99213', { asOf: '2025-12-31' });
    expect(old?.rvu).not.toHaveProperty('qpp_conversion_factor');
  });

  it('diff says the layout change once, as facts of the releases, not as a change of every row', async () => {
    const diff = await diffReleases(db.connection, {
      from: 'RVU25D',
      to: 'RVU26A',
      // The anesthesia file ships in both releases too.
      source: 'pfs-rvu',
      pipelines: PIPELINES,
    });
    expect(diff.from.facts).toEqual([
      'all: conversion factor 32.3465, 19090 rows (pfs-rvu/RVU25D/PPRRVU2025_Oct.csv)',
    ]);
    expect(diff.to.facts).toEqual([
      `non_qpp: conversion factor ${NON_QPP_CF}, pricing indicator 9, ${release.nonQppRows} rows (pfs-rvu/RVU26A/PPRRVU2026_Jan_nonQPP.csv)`,
      `qpp: conversion factor ${QPP_CF}, pricing indicator 1, ${release.qppRows} rows (pfs-rvu/RVU26A/PPRRVU2026_Jan_QPP.csv)`,
    ]);
    // The rows compared are the non-QPP file's: their conversion factor changed (a real change);
    // no column of the layout (PRIC IND) is a row change.
    expect(Object.keys(diff.summary.columns)).toEqual(['conversion_factor']);
    expect(diff.summary.changed).toBe(release.nonQppRows);
  });
});

/**
 * The codes of the blocked runs' CY2026 release: the rows the tests below edit. The QPP file is
 * compared with the non-QPP file of its own release, so the release alone, small, blocks as a
 * whole one beside RVU25D does (that refresh read 19,090 rows twice over for a few codes).
 */
const BLOCKED_RUN_CODES = new Set(['99213', '99214']);

/**
 * A refresh of a CY2026 release whose QPP global row of `hcpcs` is edited (CSVs only: the run
 * blocks on them): what it threw, and where a code's row is in the QPP file.
 */
async function blockedWithQppRow(
  hcpcs: string,
  edit: (row: string[]) => void,
): Promise<{ message: string; lineOf: (hcpcs: string) => number }> {
  const raw = join(await makeTempDir('pfs-2026-bad-raw'), 'raw');
  const tampered = await writePfs2026Release(raw, 'RVU26A', {
    codes: BLOCKED_RUN_CODES,
    txt: false,
    editQppRows: (rows) => edit(rows.find((r) => r[0] === hcpcs && r[1] === '') as string[]),
  });
  const error = await failedRefresh({
    rawDir: raw,
    outDir: join(await makeTempDir('pfs-2026-bad'), 'out'),
  });
  return { message: JSON.stringify(error), lineOf: tampered.qppLineOf };
}

describe('a QPP file that disagrees blocks the run, naming file, line and column', () => {
  it('a QPP work RVU changed', async () => {
    const { message, lineOf } = await blockedWithQppRow('99213', (row) => {
      row[5] = '9.99';
    });
    expect(message).toContain(
      `pfs-rvu/RVU26A/PPRRVU2026_Jan_QPP.csv:${lineOf('99213')}: work_rvu (WORK RVU) is 9.99 in the QPP file and`,
    );
  });

  it('a row only in the QPP file', async () => {
    const { message, lineOf } = await blockedWithQppRow('99214', (row) => {
      row[0] = '99299';
    });
    expect(message).toContain(
      `pfs-rvu/RVU26A/PPRRVU2026_Jan_QPP.csv:${lineOf('99299')}: 99299 is in the QPP file but not in a non-QPP file of release RVU26A`,
    );
  });
});
