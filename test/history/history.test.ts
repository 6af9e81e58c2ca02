import { readdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINES } from '../../pipelines/index.js';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import type { DuckDBHandle } from '../../src/db/open-duckdb.js';
import { literal } from '../../src/db/sql.js';
import { type DiffResult, diffReleases } from '../../src/query/diff.js';
import { diffSql } from '../../src/transform/history/diff-sql.js';
import { describeHistory } from '../../src/transform/history/spec.js';
import { counts, openOutDatabase, rowsJson, scalar, tableFingerprints } from '../helpers/duckdb.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { type RefreshSummary, refresh } from '../helpers/refresh.js';
import { runFse } from './fse.js';
import { EDITS, sharedHistoryBuild } from './releases.js';

// Five PFS releases side by side: the real RVU25D and four made from it (see releases.ts).
let rawDir: string;
let outDir: string;
let summary: RefreshSummary;
let db: DuckDBHandle;

beforeAll(async () => {
  ({ rawDir, outDir, summary } = await sharedHistoryBuild());
  db = await openOutDatabase(outDir);
});

afterAll(async () => {
  db?.close();
  await removeTempDirs();
});

const q = (sql: string) => rowsJson(db.connection, sql);

/**
 * The diff must answer in under a second on an idle machine. Other suites and processes share
 * the cores, so the budget grows with the load average per core; the best of three runs counts.
 */
function diffBudgetMs(): number {
  return 1000 * Math.max(1, (loadavg()[0] ?? 0) / availableParallelism());
}

const fse = (...args: string[]) => runFse(outDir, ...args);

describe('releases side by side', () => {
  it('loads five releases with inclusive effective_to ending each the day before the next', async () => {
    expect(
      await q(`SELECT release_id, CAST(effective_from AS VARCHAR) AS f, CAST(effective_to AS VARCHAR) AS t, is_full
               FROM release WHERE source = 'pfs-rvu' ORDER BY effective_from`),
    ).toEqual([
      { release_id: 'RVU25D', f: '2025-10-01', t: '2025-12-31', is_full: true },
      { release_id: 'RVU26A', f: '2026-01-01', t: '2026-02-14', is_full: true },
      { release_id: 'RVU26AR', f: '2026-02-15', t: '2026-03-31', is_full: true },
      { release_id: 'RVU26B', f: '2026-04-01', t: '2026-06-30', is_full: false },
      { release_id: 'RVU26C', f: '2026-07-01', t: null, is_full: true },
    ]);
    expect(summary.releases.map((r) => [r.release, r.rowsLoaded])).toEqual([
      ['RVU25D', 19090],
      ['RVU26A', 19089],
      ['RVU26AR', 19089],
      ['RVU26B', 17180],
      ['RVU26C', 19089],
    ]);
  });

  it('picks the release in force on each boundary day of the correction release', async () => {
    const inForce = async (day: string) =>
      q(`SELECT release_id FROM release WHERE source = 'pfs-rvu'
           AND effective_from <= DATE ${literal(day)}
           AND (effective_to IS NULL OR DATE ${literal(day)} <= effective_to)`);
    expect(await inForce('2025-12-31')).toEqual([{ release_id: 'RVU25D' }]);
    expect(await inForce('2026-02-14')).toEqual([{ release_id: 'RVU26A' }]);
    expect(await inForce('2026-02-15')).toEqual([{ release_id: 'RVU26AR' }]);
    expect(await inForce('2026-07-01')).toEqual([{ release_id: 'RVU26C' }]);
  });

  it('passes every history check', async () => {
    const rows = await q(
      `SELECT check_name, severity, failing_rows::INTEGER AS failing FROM check_result
       WHERE source = 'pfs-rvu' AND (table_name = 'pfs_rvu_history' OR table_name = 'release')
       ORDER BY check_name`,
    );
    expect(rows.map((r) => r.check_name)).toEqual([
      'a history interval ends only where a release changes the row or a full release leaves it out',
      'every release has an effective date (releases without one are left out of the history)',
      'history collapses unchanged releases (touching intervals of a key differ)',
      'history has no gaps: every loaded row lies in exactly one interval with its values',
      'history intervals are well-formed (valid_from < valid_to, first release listed)',
      'history intervals of a key do not overlap',
      'releases of a source start on different days',
    ]);
    for (const row of rows) expect(row.failing).toBe(0);
  });
});

describe('pfs_rvu_history', () => {
  const intervals = (hcpcs: string, modifier: string | null) =>
    q(`SELECT CAST(valid_from AS VARCHAR) AS valid_from, CAST(valid_to AS VARCHAR) AS valid_to,
              first_release, last_release, status_code, CAST(work_rvu AS VARCHAR) AS work_rvu,
              CAST(conversion_factor AS VARCHAR) AS cf
       FROM pfs_rvu_history WHERE hcpcs = ${literal(hcpcs)}
         AND modifier IS NOT DISTINCT FROM ${modifier === null ? 'NULL' : literal(modifier)}
       ORDER BY valid_from`);

  it('has one row per key and run of unchanged releases: 38,185 intervals', async () => {
    // 19,090 keys of RVU25D; RVU26A opens 2 added + 2 changed; RVU26AR changes all 19,089;
    // RVU26B opens 99213 (changed) and 0001F (back); RVU26C only ends 71046-TC.
    expect(await scalar(db.connection, 'SELECT count(*) FROM pfs_rvu_history')).toBe(38185);
    expect(
      await scalar(db.connection, 'SELECT count(*) FROM pfs_rvu_history WHERE valid_to IS NULL'),
    ).toBe(19089);
  });

  it('gives 38211 an interval per change: status I → A in RVU26A, conversion factor in RVU26AR', async () => {
    expect(await intervals('38211', null)).toEqual([
      {
        valid_from: '2025-10-01',
        valid_to: '2026-01-01',
        first_release: 'RVU25D',
        last_release: 'RVU25D',
        status_code: 'I',
        work_rvu: '1.42',
        cf: '32.3465',
      },
      {
        valid_from: '2026-01-01',
        valid_to: '2026-02-15',
        first_release: 'RVU26A',
        last_release: 'RVU26A',
        status_code: 'A',
        work_rvu: '1.42',
        cf: '32.3465',
      },
      // Listed unchanged by the partial RVU26B and the full RVU26C: one open interval.
      {
        valid_from: '2026-02-15',
        valid_to: null,
        first_release: 'RVU26AR',
        last_release: 'RVU26C',
        status_code: 'A',
        work_rvu: '1.42',
        cf: '33.4009',
      },
    ]);
  });

  it('ends a removed code at the next full release and opens it again when it comes back', async () => {
    expect(await intervals('0005F', null)).toEqual([
      {
        valid_from: '2025-10-01',
        valid_to: '2026-01-01',
        first_release: 'RVU25D',
        last_release: 'RVU25D',
        status_code: 'I',
        work_rvu: '0.00',
        cf: '32.3465',
      },
    ]);
    expect(await intervals('0001F', null)).toEqual([
      {
        valid_from: '2025-10-01',
        valid_to: '2026-01-01',
        first_release: 'RVU25D',
        last_release: 'RVU25D',
        status_code: 'I',
        work_rvu: '0.00',
        cf: '32.3465',
      },
      {
        valid_from: '2026-04-01',
        valid_to: null,
        first_release: 'RVU26B',
        last_release: 'RVU26C',
        status_code: 'I',
        work_rvu: '0.00',
        cf: '33.4009',
      },
    ]);
  });

  it('lets a partial release end nothing: 71046 is not in RVU26B and only its TC row ends, at RVU26C', async () => {
    expect(await intervals('71046', 'TC')).toEqual([
      {
        valid_from: '2025-10-01',
        valid_to: '2026-02-15',
        first_release: 'RVU25D',
        last_release: 'RVU26A',
        status_code: 'A',
        work_rvu: '0.00',
        cf: '32.3465',
      },
      {
        valid_from: '2026-02-15',
        valid_to: '2026-07-01',
        first_release: 'RVU26AR',
        last_release: 'RVU26B',
        status_code: 'A',
        work_rvu: '0.00',
        cf: '33.4009',
      },
    ]);
    expect((await intervals('71046', null)).at(-1)).toEqual({
      valid_from: '2026-02-15',
      valid_to: null,
      first_release: 'RVU26AR',
      last_release: 'RVU26C',
      status_code: 'A',
      work_rvu: '0.22',
      cf: '33.4009',
    });
    // 1,909 keys are not in RVU26B; only the row it changed (99213) ends on its first day.
    expect(
      await q(`SELECT hcpcs, modifier FROM pfs_rvu_history WHERE valid_to = DATE '2026-04-01'`),
    ).toEqual([{ hcpcs: '99213', modifier: null }]);
  });

  it('keeps the intervals of every key apart (checked here without the run checks)', async () => {
    expect(
      await scalar(
        db.connection,
        `SELECT count(*) FROM pfs_rvu_history a JOIN pfs_rvu_history b
           ON a.hcpcs = b.hcpcs AND a.modifier IS NOT DISTINCT FROM b.modifier
          AND a.valid_from < b.valid_from AND (a.valid_to IS NULL OR a.valid_to > b.valid_from)`,
      ),
    ).toBe(0);
    expect(
      await scalar(
        db.connection,
        'SELECT count(*) FROM pfs_rvu_history WHERE valid_to <= valid_from',
      ),
    ).toBe(0);
  });
});

describe('release_diff', () => {
  it('counts every change of every consecutive pair', async () => {
    expect(
      await counts(
        db.connection,
        `SELECT from_release || '→' || to_release || ' ' || change || coalesce(' ' || column_name, ''), count(*)
         FROM release_diff WHERE source = 'pfs-rvu' GROUP BY 1 ORDER BY 1`,
      ),
    ).toEqual({
      'RVU25D→RVU26A added': 2,
      'RVU25D→RVU26A ended': 3,
      'RVU25D→RVU26A changed status_code': 1,
      'RVU25D→RVU26A changed work_rvu': 1,
      'RVU26A→RVU26AR changed conversion_factor': 19089,
      'RVU26AR→RVU26B added': 1,
      'RVU26AR→RVU26B changed work_rvu': 1,
      'RVU26B→RVU26C ended': 1,
    });
  });

  it('names each edit of RVU26A with key, values and code labels', async () => {
    expect(
      await q(`SELECT change, key, hcpcs, column_name, old_value, new_value, old_label, new_label,
                      CAST(effective_from AS VARCHAR) AS effective_from
               FROM release_diff WHERE to_release = 'RVU26A' ORDER BY change, key`),
    ).toEqual([
      ...Object.keys(EDITS.addedInA).map((code) => ({
        change: 'added',
        key: `hcpcs=${code} modifier=`,
        hcpcs: code,
        column_name: null,
        old_value: null,
        new_value: null,
        old_label: null,
        new_label: null,
        effective_from: '2026-01-01',
      })),
      {
        change: 'changed',
        key: 'hcpcs=38211 modifier=',
        hcpcs: '38211',
        column_name: 'status_code',
        old_value: 'I',
        new_value: 'A',
        old_label: 'Not valid for Medicare purposes',
        new_label: 'Active Code',
        effective_from: '2026-01-01',
      },
      {
        change: 'changed',
        key: 'hcpcs=99213 modifier=',
        hcpcs: '99213',
        column_name: 'work_rvu',
        old_value: '1.30',
        new_value: '1.40',
        old_label: null,
        new_label: null,
        effective_from: '2026-01-01',
      },
      ...EDITS.removedInA.map((code) => ({
        change: 'ended',
        key: `hcpcs=${code} modifier=`,
        hcpcs: code,
        column_name: null,
        old_value: null,
        new_value: null,
        old_label: null,
        new_label: null,
        effective_from: '2026-01-01',
      })),
    ]);
  });

  it('reports the conversion factor of the correction release on every row', async () => {
    expect(
      await q(`SELECT old_value, new_value, count(*)::INTEGER AS n, count(DISTINCT key)::INTEGER AS keys
               FROM release_diff WHERE to_release = 'RVU26AR' GROUP BY ALL`),
    ).toEqual([
      {
        old_value: EDITS.oldConversionFactor,
        new_value: EDITS.newConversionFactor,
        n: 19089,
        keys: 19089,
      },
    ]);
  });

  it('equals the on-the-fly diff of the same pairs', async () => {
    const spec = await describeHistory(db.connection, pfsRvuPipeline);
    const pairs = `SELECT row_number() OVER () AS pair_id, 'pfs-rvu' AS source, a.release_id AS from_release,
                          a.effective_from AS from_day, b.release_id AS to_release, b.effective_from AS to_day
                   FROM release a JOIN release b ON b.source = a.source AND b.effective_from = a.effective_to + 1
                   WHERE a.source = 'pfs-rvu'`;
    const fly = diffSql(spec, pairs, false);
    const stored = `SELECT * FROM release_diff WHERE source = 'pfs-rvu'`;
    expect(
      await scalar(db.connection, `SELECT count(*) FROM ((${fly}) EXCEPT ALL (${stored}))`),
    ).toBe(0);
    expect(
      await scalar(db.connection, `SELECT count(*) FROM ((${stored}) EXCEPT ALL (${fly}))`),
    ).toBe(0);
  });
});

describe('code_history', () => {
  const events = (hcpcs: string) =>
    q(`SELECT CAST(date AS VARCHAR) AS date, release_id, action, notes FROM code_history
       WHERE source = 'pfs-rvu' AND hcpcs = ${literal(hcpcs)} ORDER BY date, action`);

  it('tells the story of a code that ended and came back', async () => {
    expect(await events('0001F')).toEqual([
      {
        date: '2025-10-01',
        release_id: 'RVU25D',
        action: 'added',
        notes: 'listed in RVU25D, the first loaded pfs-rvu release',
      },
      {
        date: '2026-01-01',
        release_id: 'RVU26A',
        action: 'ended',
        notes: 'not in RVU26A, a full release',
      },
      {
        date: '2026-04-01',
        release_id: 'RVU26B',
        action: 'returned',
        notes: 'listed again in RVU26B after it ended on 2026-01-01',
      },
    ]);
  });

  it('names the columns that changed, and rows of a code that ended while the code stayed', async () => {
    expect(await events('38211')).toEqual([
      {
        date: '2025-10-01',
        release_id: 'RVU25D',
        action: 'added',
        notes: 'listed in RVU25D, the first loaded pfs-rvu release',
      },
      { date: '2026-01-01', release_id: 'RVU26A', action: 'changed', notes: 'status_code I → A' },
      {
        date: '2026-02-15',
        release_id: 'RVU26AR',
        action: 'changed',
        notes: 'conversion_factor 32.3465 → 33.4009',
      },
    ]);
    expect((await events('71046')).slice(1)).toEqual([
      {
        date: '2026-02-15',
        release_id: 'RVU26AR',
        action: 'changed',
        notes:
          'conversion_factor 32.3465 → 33.4009; modifier=26: conversion_factor 32.3465 → 33.4009; modifier=TC: conversion_factor 32.3465 → 33.4009',
      },
      {
        date: '2026-07-01',
        release_id: 'RVU26C',
        action: 'changed',
        notes: 'row ended: hcpcs=71046 modifier=TC',
      },
    ]);
    expect((await events('ZZ001'))[0]).toEqual({
      date: '2026-01-01',
      release_id: 'RVU26A',
      action: 'added',
      notes: 'first appearance, in RVU26A',
    });
  });
});

describe('fse diff', () => {
  it('summarises consecutive releases first, then lists every change', async () => {
    const result = await fse('diff', 'RVU25D', 'RVU26A');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 9)).toEqual([
      'pfs-rvu RVU25D (effective 2025-10-01) → RVU26A (effective 2026-01-01), consecutive releases',
      '',
      '  added    2 row(s)',
      '  ended    3 row(s)',
      '  changed  2 row(s), 2 value(s)',
      '    status_code  1',
      '    work_rvu     1',
      '  codes    2 added, 2 changed, 3 ended (code_history)',
      '',
    ]);
    expect(result.stdout).toContain(
      '  hcpcs=38211 modifier=  status_code: I → A  (Not valid for Medicare purposes → Active Code)',
    );
    expect(result.stdout).toContain('  hcpcs=99213 modifier=  work_rvu: 1.30 → 1.40');
  });

  it('gives JSON with 19,089 conversion factor changes for the correction release, in under a second', async () => {
    let started = performance.now();
    const result = await fse('diff', 'RVU26A', 'RVU26AR', '--json');
    const commandMs = performance.now() - started;
    // --json keys are snake_case (changed_values), as every --json output's.
    const diff = JSON.parse(result.stdout) as {
      consecutive: boolean;
      summary: Record<string, unknown>;
      changes: unknown[];
    };
    expect(diff.consecutive).toBe(true);
    expect(diff.summary).toMatchObject({
      added: 0,
      ended: 0,
      changed: 19089,
      changed_values: 19089,
      columns: { conversion_factor: 19089 },
    });
    expect(diff.changes).toHaveLength(19089);
    // The diff itself, best of three.
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      started = performance.now();
      await diffReleases(db.connection, { from: 'RVU26A', to: 'RVU26AR', pipelines: PIPELINES });
      runs.push(performance.now() - started);
    }
    console.log(
      `diff RVU26A RVU26AR (19,089 changes, from release_diff): fse diff --json in process ${commandMs.toFixed(0)} ms; diffReleases ${runs.map((ms) => ms.toFixed(0)).join(', ')} ms (budget ${diffBudgetMs().toFixed(0)} ms)`,
    );
    expect(Math.min(...runs)).toBeLessThan(diffBudgetMs());
  });

  it('computes a non-consecutive pair on the fly, as a partial release carries rows forward', async () => {
    // Codes changed in RVU26A (38211, 99213), every code of RVU26A (the conversion factor in
    // RVU26AR), 99213 in RVU26B, 71046 (its TC row ended) in RVU26C.
    const changedCodes =
      Number(
        await scalar(
          db.connection,
          `SELECT count(DISTINCT hcpcs) FROM pfs_rvu WHERE release_id = 'RVU26A'`,
        ),
      ) + 4;
    const runs: number[] = [];
    let diff = undefined as unknown as DiffResult;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      diff = await diffReleases(db.connection, {
        from: 'RVU25D',
        to: 'RVU26C',
        pipelines: PIPELINES,
      });
      runs.push(performance.now() - started);
    }
    expect(diff.consecutive).toBe(false);
    expect(diff.summary).toEqual({
      added: 2,
      ended: 3,
      // Every key in both; 0001F ended and came back with the new conversion factor.
      changed: 19087,
      changedValues: 19089,
      columns: { conversion_factor: 19087, status_code: 1, work_rvu: 1 },
      codes: { added: 2, returned: 1, changed: changedCodes, ended: 3 },
    });
    expect(diff.changes.filter((c) => c.change === 'ended').map((c) => c.key)).toEqual([
      'hcpcs=0005F modifier=',
      'hcpcs=71046 modifier=TC',
      'hcpcs=A2001 modifier=',
    ]);
    expect(diff.changes.find((c) => c.hcpcs === '99213')).toMatchObject({
      column_name: 'conversion_factor',
    });
    expect(
      diff.changes
        .filter((c) => c.hcpcs === '99213')
        .map((c) => [c.column_name, c.old_value, c.new_value]),
    ).toEqual([
      ['conversion_factor', '32.3465', '33.4009'],
      ['work_rvu', '1.30', '1.50'],
    ]);
    console.log(
      `diffReleases RVU25D RVU26C (19,094 changes, on the fly): ${runs.map((ms) => ms.toFixed(0)).join(', ')} ms (budget ${diffBudgetMs().toFixed(0)} ms)`,
    );
    expect(Math.min(...runs)).toBeLessThan(diffBudgetMs());
  });

  it('infers the source, and refuses unknown or mismatched releases', async () => {
    expect(
      (await diffReleases(db.connection, { from: 'RVU26B', to: 'RVU26A', pipelines: PIPELINES }))
        .source,
    ).toBe('pfs-rvu');
    await expect(
      diffReleases(db.connection, { from: 'RVU25D', to: 'RVU99A', pipelines: PIPELINES }),
    ).rejects.toThrow(/^no release RVU99A is loaded; loaded releases:\n {2}pfs-rvu: RVU25D, /);
    await expect(
      diffReleases(db.connection, {
        from: 'RVU25D',
        to: 'RVU26A',
        source: 'hcpcs',
        pipelines: PIPELINES,
      }),
    ).rejects.toThrow(/hcpcs has no release RVU25D/);
    await expect(fse('diff', 'RVU25D', 'NOPE')).rejects.toThrow(/no release NOPE is loaded/);
  });
});

describe('Parquet', () => {
  it('writes the history tables one file per year of their date, open intervals apart', async () => {
    const parquet = join(outDir, 'parquet');
    const expected: Record<string, { files: string[]; date: string }> = {
      pfs_rvu_history: {
        files: ['pfs_rvu_history-2026.parquet', 'pfs_rvu_history-open.parquet'],
        date: 'valid_to',
      },
      release_diff: { files: ['release_diff-2026.parquet'], date: 'effective_from' },
      code_history: {
        files: ['code_history-2025.parquet', 'code_history-2026.parquet'],
        date: 'date',
      },
    };
    for (const [table, { files, date }] of Object.entries(expected)) {
      expect((await readdir(join(parquet, table))).sort()).toEqual(files);
      for (const file of files) {
        const segment = file.slice(table.length + 1, -'.parquet'.length);
        const inTable = `SELECT count(*) FROM ${table} WHERE ${
          segment === 'open' ? `${date} IS NULL` : `year(${date}) = ${segment}`
        }`;
        const inFile = `SELECT count(*) FROM read_parquet(${literal(join(parquet, table, file))})`;
        const count = await scalar(db.connection, inTable);
        expect(count, file).toBeGreaterThan(0);
        expect(await scalar(db.connection, inFile), file).toBe(count);
      }
    }
  });
});

describe('idempotency', () => {
  it('gives identical tables when the same raw files are refreshed again', async () => {
    const first = await tableFingerprints(db.connection);
    const again = await makeTempDir('history-out-again');
    await refresh({ rawDir, outDir: again, pipelines: [pfsRvuPipeline] });
    const second = await openOutDatabase(again);
    try {
      expect(await tableFingerprints(second.connection)).toEqual(first);
      expect(Object.keys(first)).toEqual(
        expect.arrayContaining(['pfs_rvu_history', 'release_diff', 'code_history', 'pfs_rvu']),
      );
    } finally {
      second.close();
    }
  });
});
