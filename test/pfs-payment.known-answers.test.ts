import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { openFullRefresh, rows } from './helpers/database.js';
import { dollars, feeCents, gpciLine, packageLines, rvuLine } from './helpers/rvu-package.js';

/**
 * The RVU25D package's locality files and the payment view, against the files themselves and
 * against CMS's own payment amounts (PFREV25C, test/fixtures/pfrev/).
 */
let db: DuckDBHandle;
beforeAll(async () => {
  db = await openFullRefresh();
});
afterAll(() => db.close());

describe('the RVU package files beside PPRRVU (RVU25D)', () => {
  it('loads GPCI2025.csv: 109 localities, the title, the note and two footnotes skipped', async () => {
    expect(
      await rows(
        db,
        `SELECT source, rows_staged, lines_skipped, lines_rejected FROM source_file
         WHERE release_id = 'RVU25D' AND source <> 'pfs-rvu' AND role = 'primary' ORDER BY source`,
      ),
    ).toEqual([
      // 110 rows: 01182-99 (CA rest of state) is listed twice alike; loaded once, with a warning.
      { source: 'pfs-anesthesia', rows_staged: '109', lines_skipped: '1', lines_rejected: '0' },
      { source: 'pfs-gpci', rows_staged: '109', lines_skipped: '4', lines_rejected: '0' },
      { source: 'pfs-locality', rows_staged: '110', lines_skipped: '56', lines_rejected: '0' },
      { source: 'pfs-opps-cap', rows_staged: '16100', lines_skipped: '1', lines_rejected: '0' },
    ]);
    expect(
      await rows(
        db,
        `SELECT (SELECT count(*) FROM pfs_gpci) AS gpci, (SELECT count(*) FROM pfs_locality) AS locco,
                (SELECT count(*) FROM pfs_anesthesia_cf) AS anes, (SELECT count(*) FROM pfs_opps_cap) AS cap`,
      ),
    ).toEqual([{ gpci: '109', locco: '109', anes: '109', cap: '16100' }]);
  });

  it('gives the MAC and locality their leading zeros back (25LOCCO.csv writes 2102 and 1)', async () => {
    const [alaska] = packageLines('25LOCCO.csv').filter((f) => f[2]?.trim() === 'ALASKA');
    expect(alaska?.slice(0, 2)).toEqual(['2102', '1']);
    expect(
      await rows(
        db,
        "SELECT mac, locality_number, state_name, counties FROM pfs_locality WHERE state_name = 'ALASKA'",
      ),
    ).toEqual([
      { mac: '02102', locality_number: '01', state_name: 'ALASKA', counties: 'ALL COUNTIES' },
    ]);
  });

  it('fills the state down: the second California locality says CALIFORNIA', async () => {
    const [row] = await rows(
      db,
      `SELECT state_name, fee_schedule_area FROM pfs_locality
       WHERE mac = '01112' AND locality_number = '09'`,
    );
    expect(row).toEqual({
      state_name: 'CALIFORNIA',
      fee_schedule_area: 'SAN JOSE-SUNNYVALE-SANTA CLARA (SANTA CLARA CNTY)',
    });
  });

  it('reads the anesthesia CF of Alabama and Alaska as ANES2025.csv writes them', async () => {
    const file = packageLines('ANES2025.csv');
    // "10112 ,00 ,ALABAMA,19.31 ": trailing spaces in the file, none in the table; four places,
    // as the header's national CF (20.3178) has.
    expect(file[1]).toEqual(['10112 ', '00 ', 'ALABAMA', '19.31 ']);
    expect(file[2]).toEqual(['02102 ', '01 ', 'ALASKA*', '27.86 ']);
    expect(
      await rows(
        db,
        `SELECT mac, locality_number, anesthesia_cf::VARCHAR AS cf, source_line::INTEGER AS source_line
         FROM pfs_anesthesia_cf
         WHERE mac IN ('10112', '02102') ORDER BY source_line`,
      ),
    ).toEqual([
      { mac: '10112', locality_number: '00', cf: '19.3100', source_line: 2 },
      { mac: '02102', locality_number: '01', cf: '27.8600', source_line: 3 },
    ]);
  });

  it('reads the OPPS cap of 0633T-TC in San Francisco as OPPSCAP_Oct.csv writes it', async () => {
    expect(packageLines('OPPSCAP_Oct.csv')[1]).toEqual([
      '0633T',
      'TC',
      'C',
      '01112',
      '05',
      '150.69',
      '150.69',
    ]);
    expect(
      await rows(
        db,
        `SELECT status_code, facility_price::VARCHAR AS f, non_facility_price::VARCHAR AS nf
         FROM pfs_opps_cap WHERE hcpcs = '0633T' AND modifier = 'TC' AND mac = '01112'
           AND locality_number = '05'`,
      ),
    ).toEqual([{ status_code: 'C', f: '150.69', nf: '150.69' }]);
  });
});

describe('pfs_payment against CMS', () => {
  it("gives 76145 CMS's PFREV25C amounts in all 109 localities, to the cent", async () => {
    // "2025","01112","05","76145","  ","0001339.81","0001339.81",…: year, carrier, locality,
    // code, modifier, non-facility amount, facility amount (PF25PC.pdf record layout).
    const records = (
      parse(readFileSync(new URL('./fixtures/pfrev/PFREV25C.txt', import.meta.url)), {
        relaxColumnCount: true,
      }) as string[][]
    ).filter((f) => f[3] === '76145');
    expect(records).toHaveLength(109);
    const cms = records
      .map((f) => ({
        mac: f[1] as string,
        locality_number: f[2] as string,
        non_facility: Number(f[5]).toFixed(2),
        facility: Number(f[6]).toFixed(2),
      }))
      .sort((a, b) => `${a.mac}${a.locality_number}`.localeCompare(`${b.mac}${b.locality_number}`));
    const ours = await rows(
      db,
      `SELECT mac, locality_number, non_facility_payment::VARCHAR AS non_facility,
              facility_payment::VARCHAR AS facility
       FROM pfs_payment WHERE release_id = 'RVU25D' AND hcpcs = '76145' AND modifier IS NULL
       ORDER BY mac, locality_number`,
    );
    expect(ours).toEqual(cms);
  });

  it('works 22612 in San Francisco out from the RVU and GPCI rows it names', async () => {
    const rvu = rvuLine('22612');
    const gpci = gpciLine('01112', '05');
    const [row] = await rows(
      db,
      `SELECT non_facility_amount::VARCHAR AS nf, facility_amount::VARCHAR AS f,
              conversion_factor::VARCHAR AS cf, rvu_source_file, rvu_source_line,
              gpci_source_file, gpci_source_line
       FROM pfs_payment WHERE release_id = 'RVU25D' AND hcpcs = '22612' AND modifier IS NULL
         AND mac = '01112' AND locality_number = '05'`,
    );
    expect(row).toEqual({
      nf: dollars(feeCents(rvu, gpci)),
      f: dollars(feeCents(rvu, gpci, true)),
      cf: rvu.conversionFactor,
      rvu_source_file: 'pfs-rvu/RVU25D/PPRRVU2025_Oct.csv',
      rvu_source_line: rvu.line,
      gpci_source_file: 'pfs-rvu/RVU25D/GPCI2025.csv',
      gpci_source_line: gpci.line,
    });
  });

  it('pays the lesser of the fee schedule amount and the OPPS cap (74712 in San Francisco)', async () => {
    const fee = feeCents(rvuLine('74712'), gpciLine('01112', '05'));
    const cap = packageLines('OPPSCAP_Oct.csv').find(
      (f) => f[0] === '74712' && f[1] === '' && f[3] === '01112' && f[4] === '05',
    );
    expect(Number(cap?.[6])).toBeLessThan(Number(dollars(fee)));
    expect(
      await rows(
        db,
        `SELECT non_facility_amount::VARCHAR AS amount, opps_cap_non_facility::VARCHAR AS cap,
                non_facility_payment::VARCHAR AS payment
         FROM pfs_payment WHERE release_id = 'RVU25D' AND hcpcs = '74712' AND modifier IS NULL
           AND mac = '01112' AND locality_number = '05'`,
      ),
    ).toEqual([{ amount: dollars(fee), cap: cap?.[6], payment: cap?.[6] }]);
  });

  it('uses 15,260 of the 16,100 OPPSCAP rows: the other 840 list a locality again, alike', async () => {
    // OPPSCAP_Oct.csv lists 01182's six localities (17, 18, 71-74) under 01112 as well, with
    // the same prices: each payment row takes its own carrier's line, once.
    expect(
      await rows(
        db,
        `SELECT count(*) AS capped, count(DISTINCT opps_cap_source_line) AS lines,
                count(DISTINCT (hcpcs, modifier, basis, mac, locality_number)) AS keys
         FROM pfs_payment WHERE release_id = 'RVU25D' AND opps_cap_source_line IS NOT NULL`,
      ),
    ).toEqual([{ capped: '15260', lines: '15260', keys: '15260' }]);
    expect(
      await rows(
        db,
        `WITH unused AS (
           SELECT * FROM pfs_opps_cap c WHERE release_id = 'RVU25D' AND source_line NOT IN
             (SELECT opps_cap_source_line FROM pfs_payment
              WHERE release_id = 'RVU25D' AND opps_cap_source_line IS NOT NULL))
         SELECT mac, list(DISTINCT locality_number ORDER BY locality_number) AS localities,
                count(*) AS n,
                count(*) FILTER (WHERE EXISTS (
                  SELECT 1 FROM pfs_opps_cap o WHERE o.release_id = u.release_id AND o.mac = '01182'
                    AND o.locality_number = u.locality_number AND o.hcpcs = u.hcpcs
                    AND o.modifier IS NOT DISTINCT FROM u.modifier
                    AND o.non_facility_price = u.non_facility_price
                    AND o.facility_price = u.facility_price)) AS same_prices_under_01182
         FROM unused u GROUP BY mac`,
      ),
    ).toEqual([
      {
        mac: '01112',
        localities: ['17', '18', '71', '72', '73', '74'],
        n: '840',
        same_prices_under_01182: '840',
      },
    ]);
  });

  it('gives no amount where the status pays none (38211, status I)', async () => {
    expect(
      await rows(
        db,
        `SELECT DISTINCT status_code, has_amount, non_facility_payment FROM pfs_payment
         WHERE release_id = 'RVU25D' AND hcpcs = '38211'`,
      ),
    ).toEqual([{ status_code: 'I', has_amount: false, non_facility_payment: null }]);
  });
});
