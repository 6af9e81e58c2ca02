import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinPublishedDatabase } from '../src/db/published-run.js';
import { fseWith } from './helpers/cli.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';
import { makeTempDir, removeTempDirs } from './helpers/raw.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

/** Offsets of TIMESTAMP WITH TIME ZONE are shown in the process's zone: fixed for the test. */
const env = { TZ: 'UTC' };
const sql = (input: string | undefined, ...args: string[]) =>
  fseWith(
    { env, ...(input === undefined ? {} : { input }) },
    'sql',
    ...args,
    '--out',
    shared.outDir,
  );

/** A day, a DECIMAL(8,2), a column's own scale, a zoned timestamp, NULL, '' and text to quote. */
const VALUES = `SELECT DATE '2025-10-01' AS day, 1.50::DECIMAL(8,2) AS amount, work_rvu,
  TIMESTAMPTZ '2025-10-01 12:30:00+00' AS stamped, NULL::VARCHAR AS nothing, '' AS empty,
  'a,"b"' AS quoted, 'two' || chr(10) || 'lines' AS multiline
FROM pfs_rvu WHERE hcpcs = '99213' AND modifier IS NULL`;

describe('fse sql shows each value as its DuckDB type writes it', () => {
  it('table: the day, both decimal places, the zone, NULL as NULL, numbers to the right', async () => {
    const run = await sql(undefined, VALUES.replace(/,\s*'two'.*AS multiline/s, ''));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'day        │ amount │ work_rvu │ stamped                │ nothing │ empty │ quoted',
        '───────────┼────────┼──────────┼────────────────────────┼─────────┼───────┼───────',
        '2025-10-01 │   1.50 │     1.30 │ 2025-10-01 12:30:00+00 │ NULL    │       │ a,"b"',
        '(1 row)',
        '',
      ].join('\n'),
    );
  });

  it('csv: RFC 4180 quoting, NULL an empty field, the empty string ""', async () => {
    const run = await sql(undefined, VALUES, '--format', 'csv');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'day,amount,work_rvu,stamped,nothing,empty,quoted,multiline\n' +
        '2025-10-01,1.50,1.30,2025-10-01 12:30:00+00,,"","a,""b""","two\nlines"\n',
    );
  });

  it('json: null for NULL, exact strings for decimals, days and timestamps', async () => {
    const run = await sql(undefined, VALUES, '--format', 'json');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `${JSON.stringify(
        [
          {
            day: '2025-10-01',
            amount: '1.50',
            work_rvu: '1.30',
            stamped: '2025-10-01 12:30:00+00',
            nothing: null,
            empty: '',
            quoted: 'a,"b"',
            multiline: 'two\nlines',
          },
        ],
        null,
        2,
      )}\n`,
    );
  });
});

describe('fse sql runs whole scripts and keeps errors out of the output', () => {
  it('every statement of a script prints its result', async () => {
    const table = await sql(undefined, 'SELECT 1 AS a; SELECT 2 AS b');
    expect(table.stdout).toBe('a\n─\n1\n(1 row)\n\nb\n─\n2\n(1 row)\n');
    const csv = await sql(undefined, 'SELECT 1 AS a; SELECT 2 AS b', '--format', 'csv');
    expect(csv.stdout).toBe('a\n1\n\nb\n2\n');
    const json = await sql(undefined, 'SELECT 1 AS a; SELECT 2 AS b', '--format', 'json');
    expect(json.stdout).toBe('[\n  {\n    "a": 1\n  }\n]\n[\n  {\n    "b": 2\n  }\n]\n');
  });

  it('a SQL error goes to stderr with exit 1, after the results before it, never into the CSV', async () => {
    const run = await sql(
      undefined,
      'SELECT 1 AS a; SELECT nope; SELECT 3 AS c',
      '--format',
      'csv',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('a\n1\n');
    expect(run.stderr).toMatch(/^error: Binder Error: .*"nope"/);
  });

  it('a syntax error is exit 1 with nothing on stdout', async () => {
    const run = await sql(undefined, 'SELEC 1', '--format', 'csv');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: Parser Error');
  });

  it('stdin without a final ";" still runs, each statement shown', async () => {
    const run = await sql('SELECT 1 AS a;\nSELECT 2 AS b', '--format', 'csv');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('a\n1\n\nb\n2\n');
  });

  it('--max-rows caps each result and says on stderr how many rows it left out', async () => {
    const run = await sql(
      undefined,
      'SELECT * FROM range(5) r(n)',
      '--max-rows',
      '2',
      '--format',
      'csv',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('n\n0\n1\n');
    expect(run.stderr).toBe('… 3 more rows; --max-rows 0 for all\n');
  });

  it('piped output is not capped unless asked; --max-rows must be a whole number', async () => {
    const run = await sql(undefined, 'SELECT * FROM range(2500)', '--format', 'csv');
    expect(run.stdout.split('\n')).toHaveLength(2502);
    expect(run.stderr).toBe('');
    const bad = await sql(undefined, 'SELECT 1', '--max-rows', 'ten');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-rows ten: expected a whole number');
  });
});

afterAll(removeTempDirs);

describe('fse sql reads and writes relative paths in the working directory', () => {
  it('read_csv and COPY … TO with a relative path: the folder fse runs in, not the run folder', async () => {
    const outDir = shared.outDir;
    const cwd = await makeTempDir('sql-cwd');
    await writeFile(join(cwd, 'codes.csv'), 'hcpcs\n99213\n');
    const { runDir } = pinPublishedDatabase(join(outDir, 'fee_schedule.duckdb'));
    const runFiles = await readdir(runDir);
    const run = await fseWith(
      { env, cwd },
      'sql',
      '--allow-writes',
      '--format',
      'csv',
      '--out',
      outDir,
      `SELECT p.hcpcs, p.work_rvu FROM read_csv('codes.csv', all_varchar = true) c JOIN pfs_rvu p USING (hcpcs)
       WHERE p.modifier IS NULL;
       COPY (SELECT hcpcs FROM read_csv('codes.csv')) TO 'copied.csv' (HEADER false);`,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('99213,1.30');
    expect(await readFile(join(cwd, 'copied.csv'), 'utf8')).toBe('99213\n');
    expect(existsSync(join(runDir, 'copied.csv'))).toBe(false);
    expect(await readdir(runDir)).toEqual(runFiles);
  });
});
