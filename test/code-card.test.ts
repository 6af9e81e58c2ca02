import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeeSchedule, openFeeSchedule } from '../src/db/fee-schedule.js';
import { lookupCode } from '../src/index.js';
import { openOutDatabase, rowsJson, scalar } from './helpers/duckdb.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

let schedule: FeeSchedule;
beforeAll(async () => {
  schedule = await openFeeSchedule(join(shared.outDir, 'fee_schedule.duckdb'));
});
afterAll(() => schedule.close());

describe('code card', () => {
  it('brings every source together for 38211, each field with its source and release', async () => {
    const [card] = await lookupCode(schedule, '38211');
    expect(card?.as_of).toBe('2025-10-01');
    const fields = card?.indicators ?? {};
    const summary = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, [v.source, v.release, v.code]]),
    );
    expect(summary).toEqual({
      status_code: ['pfs-rvu', 'RVU25D', 'I'],
      global_days: ['pfs-rvu', 'RVU25D', 'XXX'],
      pctc_indicator: ['pfs-rvu', 'RVU25D', '9'],
      multiple_procedure: ['pfs-rvu', 'RVU25D', '9'],
      bilateral_surgery: ['pfs-rvu', 'RVU25D', '9'],
      physician_supervision: ['pfs-rvu', 'RVU25D', '09'],
      assistant_surgery: ['pfs-rvu', 'RVU25D', '9'],
      co_surgeons: ['pfs-rvu', 'RVU25D', '9'],
      team_surgery: ['pfs-rvu', 'RVU25D', '9'],
      diagnostic_imaging_family: ['pfs-rvu', 'RVU25D', '99'],
      apc_status_indicator: ['opps-addendum-b', '2023-01', 'S'],
      apc: ['opps-addendum-b', '2023-01', '5241'],
      // CPT codes are not in the HCPCS Level II file: consulted, empty, never guessed.
      type_of_service: ['hcpcs', 'HCPC2020', null],
      // Their BETOS comes from the BETOS public-use file.
      betos: ['betos', '2014', 'T1H'],
      mue_practitioner: ['mue', '2025-10', '0'],
      mue_outpatient_hospital: ['mue', '2025-10', '0'],
      ccs_category: ['ccs', '2016', '64'],
    });
    expect(fields.ccs_category?.label).toBe('Bone marrow transplant');
    expect(fields.apc_status_indicator?.label).toBe(
      'Procedure or Service, Not Discounted When Multiple',
    );
    expect(fields.status_code?.label).toBe('Not valid for Medicare purposes');
  });

  it('decodes TOS and BETOS of a Level II code from the HCPCS file', async () => {
    const [card] = await lookupCode(schedule, 'A0021');
    expect(card?.long_description).toBe(
      'Ambulance service, outside state per mile, transport (medicaid only)',
    );
    expect(card?.indicators.type_of_service).toMatchObject({ code: 'D', release: 'HCPC2020' });
    expect(card?.indicators.betos).toMatchObject({
      code: 'O1A',
      label: 'Ambulance',
      source: 'hcpcs',
      release: 'HCPC2020',
    });
  });

  it('answers as of an earlier day from the releases in force then', async () => {
    const [card] = await lookupCode(schedule, '38211', { asOf: '2024-06-30' });
    expect(card?.as_of).toBe('2023-01-01');
    expect(card?.indicators.status_code?.release).toBeNull(); // no PFS release in force yet
    expect(card?.indicators.apc_status_indicator?.code).toBe('S');
  });

  it('code_card_of(list): the code_card rows of those codes on every date, and only those', async () => {
    const db = await openOutDatabase(shared.outDir);
    try {
      const rows = await rowsJson(
        db.connection,
        `SELECT hcpcs, CAST(as_of AS VARCHAR) AS as_of, pfs_release, hcpcs_release, opps_release
         FROM code_card_of(['38211', 'A0021']) ORDER BY ALL`,
      );
      expect(rows.map((r) => Object.values(r).join(' '))).toEqual([
        '38211 2023-01-01  HCPC2020 2023-01',
        '38211 2025-10-01 RVU25D HCPC2020 2023-01',
        'A0021 2019-01-01  HCPC2019 ',
        'A0021 2020-01-01  HCPC2020 ',
        'A0021 2023-01-01  HCPC2020 2023-01',
        'A0021 2025-10-01 RVU25D HCPC2020 2023-01',
      ]);
      // Every column as the view gives it: the list filters each source, the cards are the same.
      const differing = await scalar(
        db.connection,
        `SELECT count(*) FROM (
           (SELECT * FROM code_card_of(['38211', 'A0021'])
            EXCEPT ALL SELECT * FROM code_card WHERE hcpcs IN ('38211', 'A0021'))
           UNION ALL
           (SELECT * FROM code_card WHERE hcpcs IN ('38211', 'A0021')
            EXCEPT ALL SELECT * FROM code_card_of(['38211', 'A0021'])))`,
      );
      expect(Number(differing)).toBe(0);
    } finally {
      db.close();
    }
  });
});
