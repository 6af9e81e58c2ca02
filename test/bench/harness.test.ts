import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCeiling } from '../../bench/ceiling.js';
import { releaseCsvFiles } from '../../bench/child.js';
import {
  configFromEnv,
  type Dataset,
  ensureGenerated,
  ensureIncremental,
  evaluateTargets,
  formatMarkdown,
  formatTable,
  logSegments,
  mainTableRows,
  measureLookupCommand,
  normaliseLogLine,
  parseTimeMaxRss,
  type ScaleReport,
  type Series,
} from '../../bench/harness.js';
import { createRng } from '../../bench/prng.js';
import { classifySql } from '../../bench/sql-profiler.js';
import { median, percentile } from '../../bench/stats.js';
import { openDuckDB } from '../../src/db/open-duckdb.js';
import { type FullRefresh, fullRefresh } from '../helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

const dirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `fse-bench-${prefix}-`));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('measureLookupCommand', () => {
  it('runs `fse lookup` as a new process each time and times it', async () => {
    const { outDir } = shared;
    const command = await measureLookupCommand(outDir, 3, '1');
    expect(command.runs).toBe(3);
    // A process start, a database opened, a card printed: more than a few ms, under a minute.
    expect(command.medianS).toBeGreaterThan(0.05);
    expect(command.medianS).toBeLessThan(60);
    expect(command.p95S).toBeGreaterThanOrEqual(command.medianS);
  });

  it('fails where the out dir holds no database', async () => {
    await expect(measureLookupCommand(await tempDir('fse-bench-nodb-'), 1, '1')).rejects.toThrow();
  });
});

describe('median and percentile', () => {
  it('median: middle value, mean of the two middle values, input left alone', () => {
    const input = [5, 1, 3];
    expect(median(input)).toBe(3);
    expect(input).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('percentile: nearest rank', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(thousand, 95)).toBe(950);
    expect(percentile(thousand, 99.9)).toBe(999);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([3, 1, 2], 95)).toBe(3);
    expect(percentile([42], 95)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('createRng', () => {
  it('repeats for a seed, differs across seeds, stays in range', () => {
    const a = createRng('x');
    const b = createRng('x');
    const c = createRng('y');
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    const sample = createRng('s').sample(50, 50);
    expect([...sample].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (let i = 0; i < 1000; i++) expect(a.int(7)).toBeLessThan(7);
  });
});

describe('configFromEnv', () => {
  it('reads BENCH_SCALES, BENCH_RUNS and OUT, with defaults', () => {
    const quick = configFromEnv({ BENCH_SCALES: '10,1', BENCH_RUNS: '3', OUT: '/tmp/o' });
    expect(quick).toMatchObject({ scales: [1, 10], runs: 3, outDir: '/tmp/o', lookups: 1000 });
    expect(configFromEnv({})).toMatchObject({ scales: [1, 10, 100], runs: 5, seed: '1' });
    expect(() => configFromEnv({ BENCH_SCALES: '1,x' })).toThrow(/BENCH_SCALES/);
    expect(() => configFromEnv({ BENCH_RUNS: '0' })).toThrow(/BENCH_RUNS/);
  });

  it('adds the mix with "mix" among the scales, and the RVU package with BENCH_PACKAGE=1', () => {
    expect(configFromEnv({})).toMatchObject({ mixQuarters: null, package: false });
    expect(configFromEnv({ BENCH_SCALES: 'mix' })).toMatchObject({ scales: [], mixQuarters: 40 });
    expect(
      configFromEnv({ BENCH_SCALES: '100,MIX,1', BENCH_MIX_QUARTERS: '4', BENCH_PACKAGE: '1' }),
    ).toMatchObject({ scales: [1, 100], mixQuarters: 4, package: true });
    expect(() => configFromEnv({ BENCH_SCALES: 'mix', BENCH_MIX_QUARTERS: '0' })).toThrow(
      /BENCH_MIX_QUARTERS/,
    );
    expect(() => configFromEnv({ BENCH_PACKAGE: 'yes' })).toThrow(/BENCH_PACKAGE/);
  });
});

describe('generated data sets and the ceiling', () => {
  let benchDir: string;
  let data: Dataset;

  beforeAll(async () => {
    benchDir = await tempDir('dir');
    data = await ensureGenerated(benchDir, { seed: '7', count: 2, rowsPerRelease: 300 });
  });

  it('generates once, then reuses while the files are intact', async () => {
    expect(data.reused).toBe(false);
    expect(data.releases.map((r) => r.id)).toEqual(['RVU25D', 'RVU26A']);
    const before = (await stat(data.releases[0]?.path as string)).mtimeMs;
    const again = await ensureGenerated(benchDir, { seed: '7', count: 2, rowsPerRelease: 300 });
    expect(again.reused).toBe(true);
    expect(again.rows).toBe(data.rows);
    expect((await stat(data.releases[0]?.path as string)).mtimeMs).toBe(before);
  });

  it('regenerates a damaged data set', async () => {
    const other = await ensureGenerated(benchDir, { seed: '8', count: 1, rowsPerRelease: 200 });
    await writeFile(other.releases[0]?.path as string, 'cut');
    const fixed = await ensureGenerated(benchDir, { seed: '8', count: 1, rowsPerRelease: 200 });
    expect(fixed.reused).toBe(false);
    expect((await stat(fixed.releases[0]?.path as string)).size).toBe(fixed.bytes);
  });

  it('builds the +1 set from links to the base releases and one new release', async () => {
    const plus = await ensureIncremental(data, { seed: '7', rowsPerRelease: 300 });
    expect(plus.releases.map((r) => r.id)).toEqual(['RVU25D', 'RVU26A', 'RVU26B']);
    expect(await readFile(plus.releases[1]?.path as string)).toEqual(
      await readFile(data.releases[1]?.path as string),
    );
    expect(await releaseCsvFiles(plus.rawDir)).toHaveLength(3);
    expect((await ensureIncremental(data, { seed: '7', rowsPerRelease: 300 })).reused).toBe(true);
  });

  it('ceiling: reads every generated row into a table and a Parquet file', async () => {
    const workDir = await tempDir('ceiling');
    const result = await runCeiling({ csvFiles: await releaseCsvFiles(data.rawDir), workDir });
    expect(result.rows).toBe(data.rows);
    const db = await openDuckDB(':memory:');
    try {
      const reader = await db.connection.runAndReadAll(
        `SELECT count(*)::INTEGER, count(DISTINCT f0)::INTEGER > 100, min(length(f0))::INTEGER
         FROM read_parquet('${result.parquetPath}')`,
      );
      expect(reader.getRowsJS()).toEqual([[data.rows, true, 5]]);
    } finally {
      db.close();
    }
  });
});

describe('report helpers', () => {
  const s = (median: number, peakRssMib = 300): Series => ({
    runs: [median],
    median,
    wallMedian: median + 0.3,
    cpuRuns: [median * 1.5],
    cpuMedian: median * 1.5,
    load1: [0.5],
    peakRssMib,
  });
  const scale = (n: number, ceiling: number, pipeline: number): ScaleReport => ({
    scale: n,
    rows: 19090 * n,
    bytes: 2547226 * n,
    reusedData: true,
    ceiling: s(ceiling),
    pipeline: s(pipeline, 900),
    noop: s(pipeline),
    lookup: {
      lookups: 1000,
      codes: 1,
      p50Ms: 0.8,
      p95Ms: 25,
      maxMs: 30,
      meanMs: 4,
      misses: 0,
      command: { runs: 21, medianS: 0.35, p95S: 0.5 },
    },
    diff: { from: 'RVU28A', to: 'RVU28B', changes: 643, runs: 3, medianMs: 1200 },
    stages: {
      seconds: pipeline,
      logSegments: [],
      sql: [{ category: 'validation', seconds: pipeline / 2, statements: 1 }],
      sqlSeconds: pipeline / 2,
      topSql: [],
      stages: [
        {
          name: 'load pfs-rvu',
          startMs: 100,
          seconds: pipeline / 4,
          peakRssMib: 512.4,
          endRssMib: 300,
        },
      ],
    },
  });

  it('marks targets met and missed', () => {
    const targets = evaluateTargets([scale(1, 0.5, 2), scale(10, 2, 3)], {
      baseScale: 10,
      release: 'RVU28B',
      rows: 19090,
      bytes: 2547226,
      series: s(3.3),
      ofFull: 1.1,
    });
    const status = Object.fromEntries(targets.map((t) => [t.name, t.met]));
    expect(status).toEqual({
      'full refresh / ceiling': true,
      'full refresh / ceiling, one release': false,
      'peak RSS (any refresh)': false,
      'no-op refresh': false,
      'incremental refresh (+1 release)': false,
      'lookup p50': true,
      'lookup p95': false,
      '`fse lookup <code>` as a command': true,
      'diff of two releases': false,
    });
    // Wall and CPU ratio both count: 3 / 2 and 4.5 / 3.
    expect(targets[0]?.measured).toBe('1.50 (CPU 1.50) at 10 releases');
    expect(targets[0]?.note).toMatch(/scale 100 not run/);
    expect(targets[1]?.measured).toBe('4.00');
    expect(targets[2]?.measured).toBe('900 MiB');
    expect(evaluateTargets([scale(100, 10, 30)], null)[0]).toMatchObject({ met: false });
    expect(
      evaluateTargets([scale(100, 10, 30)], null).find((t) => t.name.endsWith('one release')),
    ).toMatchObject({ measured: 'scale 1 not run', met: null });
  });

  it('judges the payment marts by full refreshes with and without them', () => {
    const payment = (without: number) =>
      evaluateTargets([{ ...scale(100, 10, 46), withoutPaymentMarts: s(without) }], null).find(
        (t) => t.name.startsWith('payment marts'),
      );
    expect(payment(40)).toMatchObject({
      met: true,
      measured: '+15.0 % (46.00 s with, 40.00 s without; CPU +15.0 %) at 100 releases',
    });
    expect(payment(39.9)?.met).toBe(false);
    // Not measured (no package): no such target.
    expect(
      evaluateTargets([scale(100, 10, 46)], null).some((t) => t.name.startsWith('payment')),
    ).toBe(false);
  });

  it('formats the main table with throughput and ratio', () => {
    const rows = mainTableRows([scale(10, 2, 4)]);
    expect(rows[0]).toEqual([
      'scale',
      'rows',
      'MB',
      'ceiling s',
      'pipeline s',
      'ratio',
      'rows/s',
      'MB/s',
      'peak RSS MiB',
    ]);
    expect(rows[1]).toEqual([
      '10',
      '190,900',
      '25.5',
      '2.00',
      '4.00',
      '2.00',
      '47,725',
      '6.4',
      '900',
    ]);
    expect(formatTable(rows).split('\n')).toHaveLength(3);
    const md = formatMarkdown({
      generatedAt: 'now',
      machine: {
        cpus: 2,
        cpuModel: 'cpu',
        memoryGiB: 8,
        node: '20',
        platform: 'linux-x64',
        loadAvg: { start: [0.1, 0.2, 0.3], end: [1, 1, 1] },
      },
      source: { commit: 'abc', modifiedFiles: 0 },
      config: {
        scales: [10],
        mixQuarters: null,
        package: false,
        runs: 1,
        seed: '1',
        benchDir: '/tmp',
        lookups: 1000,
      },
      rssSource: '/usr/bin/time',
      scales: [scale(10, 2, 4)],
      incremental: null,
      mix: null,
      targets: evaluateTargets([scale(10, 2, 4)], null),
    });
    expect(md).toContain('| 10 | 190,900 | 25.5 | 2.00 | 4.00 | 2.00 | 47,725 | 6.4 | 900 |');
    expect(md).toContain('| incremental refresh (+1 release) | ≤ 5 % of full | not measured |');
    // Each stage of the refresh with its share of the run and its peak RSS.
    expect(md).toContain('| load pfs-rvu | 1.00 | 25 % | 512 | 300 |');
    expect(md).not.toContain('The mix');
  });

  it('splits a run into segments between log lines', () => {
    const segments = logSegments(
      [
        { ms: 100, line: 'code tables: 14 systems, 91 codes' },
        { ms: 300, line: '  pfs-rvu/RVU25D/PPRRVU2025_Oct.csv: 19090 rows read' },
        { ms: 600, line: '  pfs-rvu/RVU26A/PPRRVU2026_Jan.csv: 19092 rows read' },
      ],
      1,
    );
    expect(segments).toEqual([
      { until: 'code tables: N systems, N codes', seconds: 0.1, count: 1 },
      { until: '  <path>: N rows read', seconds: expect.closeTo(0.5, 9), count: 2 },
      { until: '(end of refresh)', seconds: 0.4, count: 1 },
    ]);
    expect(normaliseLogLine('published /a/b.duckdb and /a/parquet/')).toBe(
      'published <path> and <path>',
    );
  });

  it('reads peak RSS from /usr/bin/time -v and classifies SQL', () => {
    expect(parseTimeMaxRss('\tMaximum resident set size (kbytes): 307848\n')).toBe(307848);
    expect(parseTimeMaxRss('nothing')).toBeNull();
    expect(classifySql("COPY (SELECT 1) TO 'x' (FORMAT parquet)")).toBe('parquet export (COPY)');
    expect(
      classifySql('-- model\nCREATE TABLE pfs_rvu (a INT);\nINSERT INTO pfs_rvu SELECT 1'),
    ).toBe('fact models (SQL)');
    expect(classifySql('INSERT INTO rejected_row SELECT 1 UNION ALL SELECT 2')).toBe('validation');
    // A source's checks, one statement (they read rejected_row: not the readers' bookkeeping).
    expect(
      classifySql(
        'WITH failures_0 AS (SELECT 1 FROM rejected_row), failures_1 AS (SELECT 2) SELECT 1',
      ),
    ).toBe('checks');
    expect(
      classifySql(
        'BEGIN TRANSACTION; CREATE OR REPLACE TABLE "pfs_rvu_history" AS SELECT 1; COMMIT',
      ),
    ).toBe('histories and changes');
    expect(
      classifySql(
        'BEGIN TRANSACTION;\n-- pfs_rvu: the relative value file\nINSERT INTO pfs_rvu SELECT 1; COMMIT',
      ),
    ).toBe('models and marts (SQL files)');
  });
});
