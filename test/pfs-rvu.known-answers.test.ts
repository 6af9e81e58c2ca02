import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PFS_RVU_COLUMNS } from '../pipelines/pfs-rvu/columns.js';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { identifier, literal } from '../src/db/sql.js';
import { counts, openOutDatabase, rowsJson, scalar } from './helpers/duckdb.js';
import {
  CSV_KEY,
  type ManifestJson,
  REPO_RAW_DIR,
  readManifestJson,
  removeTempDirs,
  TXT_KEY,
} from './helpers/raw.js';
import type { RefreshSummary } from './helpers/refresh.js';
import { sharedPfsRun } from './helpers/refresh.js';

let summary: RefreshSummary;
let db: DuckDBHandle;
let connection: DuckDBConnection;
let repoManifest: ManifestJson;

beforeAll(async () => {
  repoManifest = await readManifestJson(REPO_RAW_DIR);
  let outDir: string;
  ({ outDir, summary } = await sharedPfsRun());
  db = await openOutDatabase(outDir);
  connection = db.connection;
});

afterAll(async () => {
  db?.close();
  await removeTempDirs();
});

describe('pfs_rvu from RVU25D (known answers from the real file)', () => {
  it('loads 19,090 rows', async () => {
    expect(await scalar(connection, 'SELECT count(*) FROM pfs_rvu')).toBe(19090);
    expect(summary.releases).toEqual([
      expect.objectContaining({ source: 'pfs-rvu', release: 'RVU25D', rowsLoaded: 19090 }),
    ]);
  });

  it('has 16,852 distinct HCPCS codes', async () => {
    expect(await scalar(connection, 'SELECT count(DISTINCT hcpcs) FROM pfs_rvu')).toBe(16852);
  });

  it('has the status code counts of the file', async () => {
    expect(
      await counts(connection, 'SELECT status_code, count(*) FROM pfs_rvu GROUP BY 1 ORDER BY 1'),
    ).toEqual({
      A: 9021,
      B: 83,
      C: 1347,
      E: 1569,
      I: 1486,
      J: 276,
      M: 1216,
      N: 336,
      P: 142,
      R: 1058,
      T: 8,
      X: 2548,
    });
  });

  it('has the global days counts of the file, zero padding kept', async () => {
    expect(
      await counts(connection, 'SELECT global_days, count(*) FROM pfs_rvu GROUP BY 1 ORDER BY 1'),
    ).toEqual({ XXX: 11722, '090': 3767, '000': 1371, YYY: 967, ZZZ: 775, '010': 471, MMM: 17 });
  });

  it('has the PC/TC indicator counts of the file', async () => {
    expect(
      await counts(
        connection,
        'SELECT pctc_indicator, count(*) FROM pfs_rvu GROUP BY 1 ORDER BY 1',
      ),
    ).toEqual({
      '9': 8014,
      '0': 7256,
      '1': 3325,
      '3': 230,
      '5': 104,
      '7': 74,
      '2': 49,
      '6': 19,
      '4': 18,
      '8': 1,
    });
  });

  it('has 1,127 modifier 26, 1,108 TC, 4 modifier 53 and NULL for the rest', async () => {
    expect(
      await counts(connection, 'SELECT modifier, count(*) FROM pfs_rvu GROUP BY 1 ORDER BY 1'),
    ).toEqual({ '26': 1127, TC: 1108, '53': 4, NULL: 19090 - 1127 - 1108 - 4 });
    expect(await scalar(connection, "SELECT count(*) FROM pfs_rvu WHERE modifier = ''")).toBe(0);
  });

  it('has modifier 53 only on 44388, 45378, G0105 and G0121', async () => {
    const rows = await rowsJson(
      connection,
      "SELECT hcpcs FROM pfs_rvu WHERE modifier = '53' ORDER BY hcpcs",
    );
    expect(rows.map((r) => r.hcpcs)).toEqual(['44388', '45378', 'G0105', 'G0121']);
  });

  it('flags non-facility NA on 4,064 rows and facility NA on 2,530', async () => {
    expect(await scalar(connection, 'SELECT count(*) FROM pfs_rvu WHERE non_facility_na')).toBe(
      4064,
    );
    expect(await scalar(connection, 'SELECT count(*) FROM pfs_rvu WHERE facility_na')).toBe(2530);
  });

  it('flags not used for Medicare payment on 148 rows', async () => {
    expect(
      await scalar(connection, 'SELECT count(*) FROM pfs_rvu WHERE not_used_for_medicare_payment'),
    ).toBe(148);
  });

  it('decodes the 38211 row field by field', async () => {
    const rows = await rowsJson(
      connection,
      `SELECT hcpcs, modifier, description, status_code, not_used_for_medicare_payment,
              pctc_indicator, global_days, multiple_procedure, bilateral_surgery,
              assistant_surgery, co_surgeons, team_surgery, physician_supervision,
              diagnostic_imaging_family, non_facility_na, facility_na,
              work_rvu::VARCHAR AS work_rvu, non_facility_pe_rvu::VARCHAR AS non_facility_pe_rvu,
              facility_pe_rvu::VARCHAR AS facility_pe_rvu, mp_rvu::VARCHAR AS mp_rvu,
              non_facility_total::VARCHAR AS non_facility_total,
              facility_total::VARCHAR AS facility_total, source_file, source_line
       FROM pfs_rvu WHERE hcpcs = '38211'`,
    );
    expect(rows).toEqual([
      {
        hcpcs: '38211',
        modifier: null,
        description: 'Tumor cell deplete of harvst',
        status_code: 'I',
        not_used_for_medicare_payment: true,
        pctc_indicator: '9',
        global_days: 'XXX',
        multiple_procedure: '9',
        bilateral_surgery: '9',
        assistant_surgery: '9',
        co_surgeons: '9',
        team_surgery: '9',
        physician_supervision: '09',
        diagnostic_imaging_family: '99',
        non_facility_na: true,
        facility_na: false,
        work_rvu: '1.42',
        non_facility_pe_rvu: '0.56',
        facility_pe_rvu: '0.56',
        mp_rvu: '0.16',
        non_facility_total: '2.14',
        facility_total: '2.14',
        source_file: CSV_KEY,
        source_line: 4562,
      },
    ]);
  });

  it('puts 0001F on line 11, the first line after the 10 header lines', async () => {
    expect(
      await rowsJson(
        connection,
        'SELECT hcpcs, source_line FROM pfs_rvu ORDER BY source_line LIMIT 1',
      ),
    ).toEqual([{ hcpcs: '0001F', source_line: 11 }]);
  });

  it('has conversion factor 32.3465 on every row', async () => {
    expect(
      await rowsJson(
        connection,
        'SELECT conversion_factor::VARCHAR AS cf, count(*)::INTEGER AS n FROM pfs_rvu GROUP BY 1',
      ),
    ).toEqual([{ cf: '32.3465', n: 19090 }]);
  });

  it('labels 38211 in pfs_decoded as not valid for Medicare, PC/TC not applicable', async () => {
    expect(
      await rowsJson(
        connection,
        "SELECT status_label, pctc_label FROM pfs_decoded WHERE hcpcs = '38211'",
      ),
    ).toEqual([{ status_label: 'Not valid for Medicare purposes', pctc_label: 'Not Applicable' }]);
  });

  it('has a code table row for every indicator value in pfs_rvu', async () => {
    // PRIC IND (CY2026 on) is one value per file: pfs_payment_basis keeps it, not pfs_rvu.
    const indicators = PFS_RVU_COLUMNS.filter((c) => c.system && c.name !== 'pricing_indicator');
    // Two kinds of indicator column pass this anti-join: code columns, and flag columns that
    // pfs_rvu stores as BOOLEAN (the file's "+" / "NA"), which map back to their one code.
    expect(indicators.map((c) => c.name)).toContain('status_code');
    expect(indicators.length).toBe(15);
    const flagCodes: Record<string, string> = {
      not_used_for_medicare_payment: '+',
      non_facility_na: 'NA',
      facility_na: 'NA',
    };
    const values = indicators
      .map((c) => {
        const code =
          c.name in flagCodes
            ? `CASE WHEN p.${identifier(c.name)} THEN ${literal(flagCodes[c.name] as string)} END`
            : `p.${identifier(c.name)}`;
        return `SELECT ${literal(c.system as string)} AS system, ${literal(c.name)} AS col, ${code} AS code, r.effective_from
                FROM pfs_rvu p JOIN release r USING (release_id)`;
      })
      .join('\nUNION ALL\n');
    const missing = await rowsJson(
      connection,
      `WITH v AS (${values})
       SELECT col, code, count(*)::INTEGER AS n FROM v
       WHERE code IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM indicator_code c
         WHERE c.system = v.system AND c.code = v.code
           AND (c.valid_from IS NULL OR c.valid_from <= v.effective_from)
           AND (c.valid_to IS NULL OR v.effective_from < c.valid_to))
       GROUP BY ALL ORDER BY ALL`,
    );
    expect(missing).toEqual([]);
    // The anti-join saw real values: every indicator column has at least one non-NULL value.
    const seen = await rowsJson(
      connection,
      `WITH v AS (${values}) SELECT count(DISTINCT col)::INTEGER AS n FROM v WHERE code IS NOT NULL`,
    );
    expect(seen).toEqual([{ n: 15 }]);
  });

  it('records every check as passed with no failing rows, the core checks among them', async () => {
    const rows = await rowsJson(
      connection,
      `SELECT check_name, severity, passed, failing_rows::INTEGER AS failing_rows
       FROM check_result ORDER BY check_name`,
    );
    // The set of checks grows with the pipeline (rejects, drift, ...): pin the ones that must
    // be there, and that none of them fails.
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.map((r) => r.check_name)).toEqual(
      expect.arrayContaining([
        'every staged row is loaded or rejected',
        'unique key (hcpcs, modifier) per release',
        'variant files give identical rows',
      ]),
    );
    for (const row of rows) expect(row).toMatchObject({ passed: true, failing_rows: 0 });
    expect(rows.filter((r) => r.severity === 'blocking').length).toBeGreaterThanOrEqual(3);
    expect(await scalar(connection, 'SELECT count(*) FROM rejected_row')).toBe(0);
  });

  it('has the release row RVU25D, effective 2025-10-01, published 2025-09-11', async () => {
    expect(
      await rowsJson(
        connection,
        `SELECT release_id, source, effective_from::VARCHAR AS effective_from,
                effective_to, published::VARCHAR AS published, is_full, origin
         FROM release`,
      ),
    ).toEqual([
      {
        release_id: 'RVU25D',
        source: 'pfs-rvu',
        effective_from: '2025-10-01',
        effective_to: null,
        published: '2025-09-11',
        is_full: true,
        origin: repoManifest.origin,
      },
    ]);
  });

  it('has both source files with the sha256 and size from the manifest', async () => {
    const expected = (name: string) => {
      const listed = repoManifest.files.find((f) => f.path === name);
      if (!listed) throw new Error(`${name} not in raw/pfs-rvu/RVU25D/manifest.json`);
      return listed;
    };
    const csv = expected('PPRRVU2025_Oct.csv');
    const txt = expected('PPRRVU2025_Oct.txt');
    expect(
      await rowsJson(
        connection,
        `SELECT source_file, release_id, format, role, sha256, bytes::INTEGER AS bytes,
                lines::INTEGER AS lines, rows_staged::INTEGER AS rows_staged,
                lines_rejected::INTEGER AS lines_rejected, origin
         FROM source_file ORDER BY source_file`,
      ),
    ).toEqual([
      {
        source_file: CSV_KEY,
        release_id: 'RVU25D',
        format: 'csv',
        role: 'primary',
        sha256: csv.sha256,
        bytes: csv.bytes,
        lines: 19100,
        rows_staged: 19090,
        lines_rejected: 0,
        origin: csv.origin,
      },
      {
        source_file: TXT_KEY,
        release_id: 'RVU25D',
        format: 'fixed-width',
        role: 'variant',
        sha256: txt.sha256,
        bytes: txt.bytes,
        lines: 19097,
        rows_staged: 19090,
        lines_rejected: 0,
        origin: txt.origin,
      },
    ]);
    expect(csv.sha256).toBe('8af460f38bf982b79b07269fbc8b7256a8ef3bd3aa025a9c5cb71c1e52523c56');
  });
});
