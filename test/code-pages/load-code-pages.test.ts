import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCodePages } from '../../pipelines/code-pages/load-code-pages.js';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';
import { rowsJson } from '../helpers/duckdb.js';
import { type FullRefresh, fullRefresh } from '../helpers/full-refresh.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { fixture, MARKUPS, placeFixture } from './fixtures.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

const TABLES = ['code_page', 'code_page_history', 'code_page_refused', 'reconciliation'];
const SEED_PAGES = [
  'code-pages/2025-11-15/two-cell-rows/38211.html',
  'code-pages/2025-11-15/four-cell-rows/38211.html',
  'code-pages/2025-11-15/definition-list/38211.html',
];
const DISAGREEING = 'code-pages/2025-11-16/38211.html';
const OLD_PAGE = 'code-pages/2023-06-01/38211.html';
const UNKNOWN_CODE = 'code-pages/2025-11-17/99999.html';

let db: DuckDBHandle;
const logged: string[] = [];

/**
 * A writable copy of the shared full refresh's database (code_card built from every bundled
 * source and the MUE fixtures), loaded with code pages from a raw folder of fixtures.
 */
beforeAll(async () => {
  const dir = await makeTempDir('code-pages');
  const rawDir = join(dir, 'raw');
  await copyFile(join(shared.outDir, 'fee_schedule.duckdb'), join(dir, 'fee_schedule.duckdb'));
  for (const [i, name] of MARKUPS.entries())
    await placeFixture(rawDir, name, SEED_PAGES[i] as string);
  await placeFixture(rawDir, '38211-two-cell-rows.html', OLD_PAGE);
  await placeFixture(rawDir, 'view-quota.html', 'code-pages/2025-11-15/38210.html');
  await placeFixture(rawDir, 'login-wall.html', 'code-pages/2025-11-15/login/38211.html');
  const disagreeing = (await fixture('38211-two-cell-rows.html'))
    .replace('<td>Not Valid for Medicare Purposes</td>', '<td>Active Code</td>')
    .replace('<td>XXX - Global Concept Does Not Apply</td>', '<td>090 - Major surgery</td>')
    .replace(
      '<th>Bilateral Surgery (50)</th><td>9 - Concept does not apply.</td>',
      '<th>Bilateral Surgery (50)</th><td>Sometimes</td>',
    )
    .replace('<th>MUE</th><td>0</td>', '<th>MUE</th><td>3</td>');
  await mkdir(join(rawDir, 'code-pages', '2025-11-16'), { recursive: true });
  await writeFile(join(rawDir, DISAGREEING), disagreeing);
  // A code no loaded source lists.
  await mkdir(join(rawDir, 'code-pages', '2025-11-17'), { recursive: true });
  await writeFile(
    join(rawDir, UNKNOWN_CODE),
    (await fixture('38211-two-cell-rows.html')).replaceAll('38211', '99999'),
  );

  db = await openDuckDB(join(dir, 'fee_schedule.duckdb'));
  await loadCodePages(db.connection, rawDir, (line) => logged.push(line));
});
afterAll(async () => {
  db?.close();
  await removeTempDirs();
});

const query = (sql: string) => rowsJson(db.connection, sql);

describe('loadCodePages', () => {
  it('describes every table and column with a COMMENT', async () => {
    const missing = await query(`
      SELECT table_name AS what FROM duckdb_tables()
      WHERE table_name IN ('${TABLES.join("','")}') AND (comment IS NULL OR comment = '')
      UNION ALL
      SELECT table_name || '.' || column_name FROM duckdb_columns()
      WHERE table_name IN ('${TABLES.join("','")}') AND (comment IS NULL OR comment = '')`);
    expect(missing).toEqual([]);
    const tables = await query(
      `SELECT table_name FROM duckdb_tables() WHERE table_name IN ('${TABLES.join("','")}') ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([...TABLES].sort());
  });

  it('loads one row per page and field, decoded, with the page date of its folder', async () => {
    const pages = await query(`
      SELECT file, hcpcs, strftime(page_date, '%Y-%m-%d') AS page_date, source, count(*) AS fields,
             count(*) FILTER (WHERE decode_status IN ('unmatched', 'ambiguous')) AS undecoded,
             any_value(copyright) AS copyright
      FROM code_page WHERE hcpcs = '38211' GROUP BY ALL ORDER BY file`);
    expect(pages).toEqual(
      [
        [OLD_PAGE, '2023-06-01', 0],
        [SEED_PAGES[2], '2025-11-15', 0],
        [SEED_PAGES[1], '2025-11-15', 0],
        [SEED_PAGES[0], '2025-11-15', 0],
        [DISAGREEING, '2025-11-16', 1],
      ].map(([file, date, undecoded]) => ({
        file,
        hcpcs: '38211',
        page_date: date,
        source: 'case2code.codingahead.com',
        fields: '18',
        undecoded: String(undecoded),
        copyright: '© Copyright 2025 American Medical Association. All rights reserved.',
      })),
    );
    const codes = await query(`
      SELECT field, code, decode_status FROM code_page WHERE file = '${SEED_PAGES[0]}' AND code IS NOT NULL
      ORDER BY position`);
    expect(codes.map((r) => `${r.field}=${r.code}`)).toEqual([
      'status_code=I',
      'global_days=XXX',
      'pctc_indicator=9',
      'multiple_procedure=9',
      'bilateral_surgery=9',
      'physician_supervision=09',
      'assistant_surgery=9',
      'co_surgeons=9',
      'team_surgery=9',
      'diagnostic_imaging_family=99',
      'apc_status_indicator=S',
      'type_of_service=5',
      'betos=T1G',
      'mue=0',
      'ccs_category=64',
    ]);
  });

  it('keeps an unmatched value as shown, flagged', async () => {
    const [row] = await query(
      `SELECT value, code, decode_status FROM code_page WHERE file = '${DISAGREEING}' AND field = 'bilateral_surgery'`,
    );
    expect(row).toEqual({ value: 'Sometimes', code: null, decode_status: 'unmatched' });
  });

  it('loads the history table', async () => {
    const history = await query(
      `SELECT file, hcpcs, strftime(date, '%Y-%m-%d') AS date, action, notes FROM code_page_history WHERE file = '${SEED_PAGES[0]}'`,
    );
    expect(history).toEqual([
      {
        file: SEED_PAGES[0],
        hcpcs: '38211',
        date: '2003-01-01',
        action: 'Added',
        notes: 'First appearance in code book in 2003.',
      },
    ]);
  });

  it('refuses the quota page and the login wall, naming file and rule', async () => {
    const refused = await query('SELECT file, rule FROM code_page_refused ORDER BY file');
    expect(refused).toEqual([
      { file: 'code-pages/2025-11-15/38210.html', rule: 'view-quota' },
      { file: 'code-pages/2025-11-15/login/38211.html', rule: 'login-wall' },
    ]);
    expect(logged.join('\n')).toContain('code-pages/2025-11-15/38210.html: refused');
  });
});

describe('reconciliation against the full refresh', () => {
  it('lists exactly BETOS (T1G against T1H of the BETOS file) and TOS (page only) for the seed page', async () => {
    for (const file of SEED_PAGES) {
      const rows = await query(`
        SELECT field, page_code, cms_value, cms_source, cms_release,
               strftime(card_as_of, '%Y-%m-%d') AS card_as_of, status, note
        FROM reconciliation WHERE file = '${file}' ORDER BY field`);
      const note =
        "hcpcs release HCPC2020 has no value for 38211 (CPT codes are not in the HCPCS Level II file: the page's value is a third-party assertion)";
      expect(rows, file).toEqual([
        {
          field: 'betos',
          page_code: 'T1G',
          cms_value: 'T1H',
          cms_source: 'betos',
          cms_release: '2014',
          card_as_of: '2025-10-01',
          status: 'differs',
          note: null,
        },
        {
          field: 'type_of_service',
          page_code: '5',
          cms_value: null,
          cms_source: 'hcpcs',
          cms_release: 'HCPC2020',
          card_as_of: '2025-10-01',
          status: 'cms_no_value',
          note,
        },
      ]);
    }
  });

  it('finds MUE 0 on the page and 0 in the MUE fixture in agreement', async () => {
    const [card] = await query(
      `SELECT mue_practitioner FROM code_card WHERE hcpcs = '38211' AND as_of = DATE '2025-10-01'`,
    );
    expect(card).toEqual({ mue_practitioner: 0 });
    const mue = await query(
      `SELECT * FROM reconciliation WHERE field = 'mue' AND file IN ('${SEED_PAGES.join("','")}')`,
    );
    expect(mue).toEqual([]);
  });

  it('lists each field where a page and the files differ, and an undecodable value', async () => {
    const rows = await query(`
      SELECT field, page_value, page_code, cms_value, cms_label, cms_source, cms_release, status
      FROM reconciliation WHERE file = '${DISAGREEING}' AND cms_source <> 'hcpcs' ORDER BY field`);
    expect(rows).toEqual([
      {
        field: 'betos',
        page_value: 'T1G - Lab tests - other (Medicare fee schedule)',
        page_code: 'T1G',
        cms_value: 'T1H',
        cms_label: 'Lab tests - other (non-Medicare fee schedule)',
        cms_source: 'betos',
        cms_release: '2014',
        status: 'differs',
      },
      {
        field: 'bilateral_surgery',
        page_value: 'Sometimes',
        page_code: null,
        cms_value: '9',
        cms_label: 'Concept does not apply.',
        cms_source: 'pfs-rvu',
        cms_release: 'RVU25D',
        status: 'page_unmatched',
      },
      {
        field: 'global_days',
        page_value: '090 - Major surgery',
        page_code: '090',
        cms_value: 'XXX',
        cms_label: 'The global concept does not apply to the code.',
        cms_source: 'pfs-rvu',
        cms_release: 'RVU25D',
        status: 'differs',
      },
      {
        field: 'mue',
        page_value: '3',
        page_code: '3',
        cms_value: '0',
        cms_label: null,
        cms_source: 'mue',
        cms_release: '2025-10',
        status: 'differs',
      },
      {
        field: 'status_code',
        page_value: 'Active Code',
        page_code: 'A',
        cms_value: 'I',
        cms_label: 'Not valid for Medicare purposes',
        cms_source: 'pfs-rvu',
        cms_release: 'RVU25D',
        status: 'differs',
      },
    ]);
  });

  it('compares a page with the card as of its date: no PFS or MUE release was in force in 2023, BETOS 2014 was', async () => {
    const rows = await query(`
      SELECT field, cms_source, strftime(card_as_of, '%Y-%m-%d') AS card_as_of, status, note
      FROM reconciliation WHERE file = '${OLD_PAGE}' ORDER BY field`);
    expect(rows.map((r) => r.field)).toEqual([
      'assistant_surgery',
      'betos',
      'bilateral_surgery',
      'co_surgeons',
      'diagnostic_imaging_family',
      'global_days',
      'mue',
      'multiple_procedure',
      'pctc_indicator',
      'physician_supervision',
      'status_code',
      'team_surgery',
      'type_of_service',
    ]);
    expect(new Set(rows.map((r) => r.card_as_of))).toEqual(new Set(['2023-01-01']));
    expect(new Set(rows.filter((r) => r.field !== 'betos').map((r) => r.status))).toEqual(
      new Set(['cms_no_value']),
    );
    expect(rows.find((r) => r.field === 'betos')).toMatchObject({
      cms_source: 'betos',
      status: 'differs',
    });
    expect(rows.find((r) => r.field === 'status_code')?.note).toBe(
      'no pfs-rvu release was in force on 2023-01-01',
    );
  });
});

describe('reconciliation of a code no CMS file lists', () => {
  it('lists every compared field with no CMS value and says why', async () => {
    const rows = await query(`
      SELECT hcpcs, cms_value, card_as_of, status, note, count(*) AS fields
      FROM reconciliation WHERE file = '${UNKNOWN_CODE}' GROUP BY ALL`);
    expect(rows).toEqual([
      {
        hcpcs: '99999',
        cms_value: null,
        card_as_of: null,
        status: 'cms_no_value',
        note: 'no loaded CMS source lists 99999',
        fields: '15',
      },
    ]);
  });
});

describe('loadCodePages without pages', () => {
  it('creates the tables empty when raw/code-pages/ is absent', async () => {
    const memory = await openDuckDB(':memory:');
    try {
      const lines: string[] = [];
      await loadCodePages(memory.connection, await makeTempDir('no-pages'), (l) => lines.push(l));
      for (const table of TABLES) {
        expect(await rowsJson(memory.connection, `SELECT count(*) AS n FROM ${table}`)).toEqual([
          { n: '0' },
        ]);
      }
      expect(lines).toEqual([expect.stringContaining('code pages: none under')]);
    } finally {
      memory.close();
    }
  });
});
