import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { openFullRefresh, rows } from './helpers/database.js';

let db: DuckDBHandle;
beforeAll(async () => {
  db = await openFullRefresh();
});
afterAll(() => db.close());

async function value(sql: string): Promise<unknown> {
  const [row] = await rows(db, sql);
  return row ? Object.values(row)[0] : undefined;
}

describe('HCPCS Level II 2019 (fixed-width, Latin-1, continuation records)', () => {
  it('has one row per code: 6,800 codes of which 360 modifiers', async () => {
    expect(
      await rows(
        db,
        "SELECT count(*) AS n, count(DISTINCT hcpcs) AS d FROM hcpcs_code WHERE release_id = 'HCPC2019'",
      ),
    ).toEqual([{ n: '6800', d: '6800' }]);
    expect(
      await value(
        "SELECT count(*) FROM hcpcs_code WHERE release_id = 'HCPC2019' AND record_kind = 'modifier'",
      ),
    ).toBe('360');
  });

  it('gives A0021 the fields of its record', async () => {
    const [a0021] = await rows(
      db,
      `SELECT long_description, short_description, pricing_indicator_1, multiple_pricing_indicator,
              cross_reference_1, coverage_code, betos, added_date, action_effective_date,
              termination_date, action_code, source_line
       FROM hcpcs_code WHERE release_id = 'HCPC2019' AND hcpcs = 'A0021'`,
    );
    expect(a0021).toEqual({
      long_description: 'Ambulance service, outside state per mile, transport (medicaid only)',
      short_description: 'Outside state ambulance serv',
      pricing_indicator_1: '00',
      multiple_pricing_indicator: '9',
      cross_reference_1: 'A0030',
      coverage_code: 'I',
      betos: 'O1A',
      added_date: '1985-01-01',
      action_effective_date: '1996-09-10',
      termination_date: null,
      action_code: 'N',
      source_line: 535,
    });
    expect(
      await rows(
        db,
        "SELECT position, type_of_service FROM hcpcs_tos WHERE release_id = 'HCPC2019' AND hcpcs = 'A0021'",
      ),
    ).toEqual([{ position: 1, type_of_service: 'D' }]);
  });

  it('joins the 17 records of G0503 into one long description', async () => {
    const [g0503] = await rows(
      db,
      "SELECT description_records, long_description FROM hcpcs_code WHERE release_id = 'HCPC2019' AND hcpcs = 'G0503'",
    );
    expect(g0503?.description_records).toBe(17);
    expect(String(g0503?.long_description)).toMatch(
      /^Subsequent psychiatric collaborative care management, first 60 minutes .* prepared for discharge from active treatment$/,
    );
  });

  it('keeps several TOS codes of a code as bridge rows: 8,544 rows for 6,440 codes', async () => {
    expect(
      await rows(
        db,
        "SELECT count(*) AS n, count(DISTINCT hcpcs) AS codes FROM hcpcs_tos WHERE release_id = 'HCPC2019'",
      ),
    ).toEqual([{ n: '8544', codes: '6440' }]);
    expect(await value("SELECT max(position) FROM hcpcs_tos WHERE release_id = 'HCPC2019'")).toBe(
      3,
    );
  });

  it('agrees with the XLSX variant of the same release', async () => {
    expect(
      await rows(
        db,
        "SELECT passed, failing_rows FROM check_result WHERE check_name = 'the XLSX variant gives the same codes and fields'",
      ),
    ).toEqual([{ passed: true, failing_rows: '0' }]);
  });
});

describe('OPPS Addendum B January 2023 (XLSX, header on row 4)', () => {
  it('has 17,559 codes with the SI distribution of the file', async () => {
    const distribution = await rows(
      db,
      'SELECT status_indicator AS si, count(*) AS n FROM opps_addendum_b GROUP BY 1 ORDER BY 1',
    );
    expect(Object.fromEntries(distribution.map((r) => [r.si, Number(r.n)]))).toEqual({
      A: 1764,
      B: 1201,
      C: 1723,
      E1: 1232,
      E2: 94,
      F: 1,
      G: 96,
      H: 12,
      J1: 3041,
      J2: 13,
      K: 391,
      L: 59,
      M: 1298,
      N: 2017,
      P: 4,
      Q1: 668,
      Q2: 171,
      Q3: 182,
      Q4: 1226,
      R: 40,
      S: 696,
      T: 848,
      U: 17,
      V: 19,
      Y: 746,
    });
  });

  it('gives 38211 status S, APC 5241, rate 407.75, and "." copayment as no value (not zero)', async () => {
    const [row] = await rows(
      db,
      `SELECT status_indicator, apc, relative_weight, payment_rate, national_unadjusted_copayment,
              minimum_unadjusted_copayment, source_line
       FROM opps_addendum_b WHERE hcpcs = '38211'`,
    );
    expect(row).toEqual({
      status_indicator: 'S',
      apc: '5241',
      relative_weight: '4.7643',
      payment_rate: '407.750',
      national_unadjusted_copayment: null,
      minimum_unadjusted_copayment: '81.550',
      source_line: 4631,
    });
    // 0001A publishes a real zero copayment: it stays zero.
    expect(
      await value(
        "SELECT national_unadjusted_copayment FROM opps_addendum_b WHERE hcpcs = '0001A'",
      ),
    ).toBe('0.000');
  });

  it('writes every APC with four digits', async () => {
    expect(
      await value(
        'SELECT count(*) FROM opps_addendum_b WHERE apc IS NOT NULL AND length(apc) <> 4',
      ),
    ).toBe('0');
  });
});

describe('CCS services and procedures 2016 (ranges)', () => {
  it('keeps the 9,849 ranges as published, in 242 categories', async () => {
    expect(
      await rows(
        db,
        'SELECT count(*) AS n, count(DISTINCT ccs_category) AS categories FROM ccs_range',
      ),
    ).toEqual([{ n: '9849', categories: '242' }]);
    expect(
      await rows(
        db,
        'SELECT range_start, range_end, code_range FROM ccs_range WHERE source_line = 2',
      ),
    ).toEqual([{ range_start: '61000', range_end: '61055', code_range: "'61000-61055'" }]);
  });

  it.each([
    ['38211', '64'], // inside '38205-38215'
    ['38205', '64'], // first code of the range
    ['38215', '64'], // last code of the range
    ['38216', null], // just after it: no range holds it
    ['99213', '227'],
    ['80053', '233'],
    ['36415', '231'],
    ['J1100', '240'], // alphanumeric codes match alphanumeric ranges
    ['G0008', '228'],
    ['A0425', '239'],
    ['0283F', null], // sorts inside '0282T-0284T' as text, but has another shape
    ['0001F', null],
  ])('resolves %s to category %s', async (code, category) => {
    expect(await value(`SELECT ccs_category_of('${code}', '2016')`)).toBe(category);
  });
});

describe('NCCI MUE (documented-shape fixtures)', () => {
  it('loads the three service-type files into one table with their own lines', async () => {
    expect(
      await rows(db, 'SELECT service_type, count(*) AS n FROM mue GROUP BY 1 ORDER BY 1'),
    ).toEqual([
      { service_type: 'dme_supplier', n: '3' },
      { service_type: 'outpatient_hospital', n: '4' },
      { service_type: 'practitioner', n: '8' },
    ]);
    // 4 lines of quoted copyright notice and a 2-line header come first.
    expect(
      await rows(
        db,
        "SELECT mue_value, adjudication_indicator, adjudication_indicator_text, rationale, source_line FROM mue WHERE hcpcs = 'A4253'",
      ),
    ).toEqual([
      {
        mue_value: 4,
        adjudication_indicator: '3',
        adjudication_indicator_text: '3 Date of Service Edit: Clinical',
        rationale: 'Nature of Equipment',
        source_line: 7,
      },
    ]);
  });
});
