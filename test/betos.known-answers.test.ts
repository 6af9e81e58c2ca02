import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { fse } from './helpers/cli.js';
import { openFullRefresh, rows } from './helpers/database.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

let db: DuckDBHandle;
beforeAll(async () => {
  db = await openFullRefresh();
});
afterAll(() => db.close());

describe('BETOS public-use files 2013 and 2014 (17-character records, and 8/9 when stripped)', () => {
  it('loads every record of both files: 16,406 and 16,048, of which 927 and 946 terminated', async () => {
    expect(
      await rows(
        db,
        `SELECT release_id, count(*) AS records, count(termination_date) AS terminated,
                count(DISTINCT hcpcs) AS codes
         FROM betos_code GROUP BY ALL ORDER BY release_id`,
      ),
    ).toEqual([
      { release_id: '2013', records: '16406', terminated: '927', codes: '16406' },
      { release_id: '2014', records: '16048', terminated: '946', codes: '16048' },
    ]);
    expect(await rows(db, "SELECT count(*) AS n FROM rejected_row WHERE source = 'betos'")).toEqual(
      [{ n: '0' }],
    );
  });

  it('gives 38211 the BETOS T1H in both releases', async () => {
    expect(
      await rows(
        db,
        "SELECT release_id, betos, termination_date FROM betos_code WHERE hcpcs = '38211' ORDER BY 1",
      ),
    ).toEqual([
      { release_id: '2013', betos: 'T1H', termination_date: null },
      { release_id: '2014', betos: 'T1H', termination_date: null },
    ]);
  });

  it('reads a stripped record (8 characters: a two-character BETOS) and a dated one', async () => {
    // betpuf14.txt: "99201 M1A" is 9 characters, "0001F Z2" 8; terminated records keep all 17.
    const [stripped] = await rows(
      db,
      "SELECT betos, termination_date FROM betos_code WHERE release_id = '2014' AND hcpcs = '0001F'",
    );
    expect(stripped).toEqual({ betos: 'Z2', termination_date: null });
    const [dated] = await rows(
      db,
      `SELECT hcpcs, betos, CAST(termination_date AS VARCHAR) AS termination_date
       FROM betos_code WHERE release_id = '2014' AND termination_date IS NOT NULL
       ORDER BY source_line LIMIT 1`,
    );
    expect(dated?.termination_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('lookup 38211 --json: BETOS T1H from the BETOS file 2014, decoded', async () => {
    const { outDir } = shared;
    const result = await fse('lookup', '38211', '--json', '--out', outDir);
    expect(result.code).toBe(0);
    const [card] = JSON.parse(result.stdout) as {
      indicators: Record<string, { source: string; release: string; code: string; label: string }>;
    }[];
    expect(card?.indicators.betos).toEqual({
      name: 'HCPCS Berenson-Eggers Type Of Service Code',
      source: 'betos',
      release: '2014',
      code: 'T1H',
      label: 'Lab tests - other (non-Medicare fee schedule)',
    });
  });

  it('a Level II code takes its BETOS from the HCPCS file, saying so', async () => {
    expect(
      await rows(
        db,
        `SELECT betos, betos_source, betos_release FROM code_card_current
         WHERE hcpcs = 'A0021' AND modifier IS NULL`,
      ),
    ).toEqual([{ betos: 'O1A', betos_source: 'hcpcs', betos_release: 'HCPC2020' }]);
  });

  it('shows where the two CMS sources of BETOS disagree on a Level II code, both values', async () => {
    expect(
      await rows(
        db,
        `SELECT file, hcpcs, page_value, cms_value, cms_source, cms_release, status
         FROM reconciliation WHERE file LIKE 'betos/%'`,
      ),
    ).toEqual([
      {
        file: 'betos/2014/betpuf14.txt',
        hcpcs: 'B4088',
        page_value: 'O1E',
        cms_value: 'O1C',
        cms_source: 'hcpcs',
        cms_release: 'HCPC2020',
        status: 'differs',
      },
    ]);
  });
});

describe('HCPCS Level II 2020 (new file name, cp1252 preamble, continuation records cut at 91)', () => {
  it('loads 12,359 records: 6,710 procedures and 369 modifiers, the rest continuations', async () => {
    expect(
      await rows(
        db,
        `SELECT record_kind, count(*) AS n FROM hcpcs_code WHERE release_id = 'HCPC2020'
         GROUP BY ALL ORDER BY 1`,
      ),
    ).toEqual([
      { record_kind: 'modifier', n: '369' },
      { record_kind: 'procedure', n: '6710' },
    ]);
    expect(
      await rows(
        db,
        `SELECT rows_staged, lines_rejected FROM source_file
         WHERE source_file = 'hcpcs/HCPC2020/HCPC2020_ANWEB_w_disclaimer.txt'`,
      ),
    ).toEqual([{ rows_staged: '12359', lines_rejected: '0' }]);
  });

  it('joins a continuation record that ends at column 91 into the long description', async () => {
    const [a4226] = await rows(
      db,
      "SELECT long_description FROM hcpcs_code WHERE release_id = 'HCPC2020' AND hcpcs = 'A4226'",
    );
    expect(a4226?.long_description).toBe(
      'Supplies for maintenance of insulin infusion pump with dosage rate adjustment using therapeutic continuous glucose sensing, per week',
    );
  });

  it('keeps G9949 with the type of service B CMS still gives it in 2020, with a warning', async () => {
    expect(
      await rows(
        db,
        `SELECT source_file, source_line, rule, column_name, value, row_kept FROM rejected_row
         WHERE source = 'hcpcs'`,
      ),
    ).toEqual([
      {
        source_file: 'hcpcs/HCPC2020/HCPC2020_ANWEB_w_disclaimer.txt',
        source_line: '7227',
        rule: 'code used outside its dates',
        column_name: 'type_of_service_1',
        value: 'B',
        row_kept: true,
      },
    ]);
    expect(
      await rows(
        db,
        "SELECT type_of_service FROM hcpcs_tos WHERE release_id = 'HCPC2020' AND hcpcs = 'G9949'",
      ),
    ).toEqual([{ type_of_service: 'B' }]);
  });

  it('diff HCPC2019 → HCPC2020: the annual change, checked by hand in the two files', async () => {
    const changed = await rows(
      db,
      `SELECT hcpcs, column_name, old_value, new_value FROM release_diff
       WHERE source = 'hcpcs' AND to_release = 'HCPC2020' AND hcpcs IN ('B4105', 'B4185')
         AND change = 'changed' ORDER BY hcpcs, column_name`,
    );
    expect(changed).toEqual([
      { hcpcs: 'B4105', column_name: 'action_code', old_value: 'A', new_value: 'N' },
      { hcpcs: 'B4105', column_name: 'coverage_code', old_value: 'D', new_value: 'C' },
      { hcpcs: 'B4105', column_name: 'multiple_pricing_indicator', old_value: '9', new_value: 'A' },
      { hcpcs: 'B4105', column_name: 'pricing_indicator_1', old_value: '00', new_value: '39' },
      { hcpcs: 'B4105', column_name: 'processing_note', old_value: '0217', new_value: null },
      { hcpcs: 'B4185', column_name: 'action_code', old_value: 'N', new_value: 'C' },
      {
        hcpcs: 'B4185',
        column_name: 'action_effective_date',
        old_value: '2006-01-01',
        new_value: '2020-01-01',
      },
      {
        hcpcs: 'B4185',
        column_name: 'long_description',
        old_value: 'Parenteral nutrition solution, per 10 grams lipids',
        new_value: 'Parenteral nutrition solution, not otherwise specified, 10 grams lipids',
      },
      {
        hcpcs: 'B4185',
        column_name: 'short_description',
        old_value: 'Parenteral sol 10 gm lipids',
        new_value: 'Pn soln nos 10 grams lipids',
      },
    ]);
    // A4226 is not in the 2019 file and is in the 2020 one.
    expect(
      await rows(
        db,
        `SELECT change, from_release FROM release_diff
         WHERE source = 'hcpcs' AND hcpcs = 'A4226'`,
      ),
    ).toEqual([{ change: 'added', from_release: 'HCPC2019' }]);
    expect(
      await rows(
        db,
        `SELECT count(DISTINCT key) FILTER (WHERE change = 'added') AS added,
                count(DISTINCT key) FILTER (WHERE change = 'ended') AS ended,
                count(DISTINCT key) FILTER (WHERE change = 'changed') AS changed
         FROM release_diff WHERE source = 'hcpcs' AND to_release = 'HCPC2020'`,
      ),
    ).toEqual([{ added: '279', ended: '0', changed: '654' }]);
  });
});

describe('the bundled code page of 38211 (raw/code-pages/2025-11-01/38211.html)', () => {
  it('disagrees with CMS on BETOS only; its TOS is a value only the page carries', async () => {
    // MUE agrees here: the shared refresh adds the MUE fixtures (no real MUE table ships), where
    // 38211 has 0 as on the page; a plain `make refresh` of raw/ lists MUE as page-only too.
    expect(
      await rows(
        db,
        `SELECT field, page_code, cms_value, cms_source, cms_release, status FROM reconciliation
         WHERE file = 'code-pages/2025-11-01/38211.html' ORDER BY field`,
      ),
    ).toEqual([
      {
        field: 'betos',
        page_code: 'T1G',
        cms_value: 'T1H',
        cms_source: 'betos',
        cms_release: '2014',
        status: 'differs',
      },
      {
        field: 'type_of_service',
        page_code: '5',
        cms_value: null,
        cms_source: 'hcpcs',
        cms_release: 'HCPC2020',
        status: 'cms_no_value',
      },
    ]);
  });
});
