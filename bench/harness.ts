/**
 * The benchmark harness: synthetic releases at several scales, then the ceiling (DuckDB's CSV
 * reader → table + Parquet), the pipeline's full refresh, a no-op refresh, an incremental
 * refresh (+1 release) and lookup latency; a terminal table, bench.json and bench.md.
 * With "mix" among the scales, the same for every source at CMS cadence (generate-mix.ts): full
 * refresh, +1 quarter and no-op against the ceiling of the same files (files-ceiling.ts).
 * Every full refresh also reports its stages' time and peak RSS (stage-memory.ts).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { PIPELINES } from '../pipelines/index.js';
import { openFeeSchedule } from '../src/db/fee-schedule.js';
import { openDuckDB } from '../src/db/open-duckdb.js';
import { lookupCode } from '../src/index.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { diffReleases } from '../src/query/diff.js';
import type { ChildJob, ChildResult, LogEvent } from './child.js';
import type { CeilingFile, CeilingGroup } from './files-ceiling.js';
import { DEFAULT_MIX_QUARTERS, generateMix, MIX_GENERATOR_VERSION } from './generate-mix.js';
import {
  DEFAULTS,
  GENERATOR_VERSION,
  type GeneratedRelease,
  generateReleases,
  REAL_RELEASE_FILE,
  releaseName,
} from './generate-releases.js';
import { quarter } from './mix/calendar.js';
import type { MixFile, MixRelease } from './mix/files.js';
import { createRng } from './prng.js';
import type { SqlSummary } from './sql-profiler.js';
import type { StageMemory } from './stage-memory.js';
import { median, percentile } from './stats.js';

// ---------------------------------------------------------------------------------------------
// Configuration

export interface BenchConfig {
  /** PFS-only scales (releases); may be empty when only the mix runs. */
  scales: number[];
  /** The mix of every source (BENCH_SCALES with "mix"), over this many quarters; null: not run. */
  mixQuarters: number | null;
  /** PFS-only releases carry the RVU package files too (BENCH_PACKAGE=1): the payment sources. */
  package: boolean;
  runs: number;
  seed: string;
  /** Rows per release (default: every row of the real file, 19,090). */
  rowsPerRelease?: number;
  /** Where generated releases and scratch outputs live (reused across runs). */
  benchDir: string;
  /** Reports go to <outDir>/bench/. */
  outDir: string;
  lookups: number;
  /** DuckDB memory_limit for the measured processes (BENCH_MEMORY_LIMIT); DuckDB's default if unset. */
  memoryLimit?: string;
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name}: "${text}" is not a positive whole number`);
  }
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv): BenchConfig {
  const entries = (env.BENCH_SCALES || '1,10,100').split(',').filter((s) => s.trim() !== '');
  const mix = entries.some((s) => s.trim().toLowerCase() === 'mix');
  const scales = entries
    .filter((s) => s.trim().toLowerCase() !== 'mix')
    .map((s) => positiveInteger('BENCH_SCALES', s));
  if (scales.length === 0 && !mix) throw new Error('BENCH_SCALES: no scale given');
  const pkg = env.BENCH_PACKAGE || '0';
  if (pkg !== '0' && pkg !== '1') throw new Error(`BENCH_PACKAGE: "${pkg}" is not 0 or 1`);
  return {
    scales: [...new Set(scales)].sort((a, b) => a - b),
    mixQuarters: mix
      ? positiveInteger(
          'BENCH_MIX_QUARTERS',
          env.BENCH_MIX_QUARTERS || String(DEFAULT_MIX_QUARTERS),
        )
      : null,
    package: pkg === '1',
    runs: positiveInteger('BENCH_RUNS', env.BENCH_RUNS || '5'),
    seed: env.BENCH_SEED || DEFAULTS.seed,
    ...(env.BENCH_ROWS ? { rowsPerRelease: positiveInteger('BENCH_ROWS', env.BENCH_ROWS) } : {}),
    benchDir: resolve(env.BENCH_DIR || join(tmpdir(), 'fse-bench')),
    outDir: resolve(env.OUT || 'out'),
    lookups: positiveInteger('BENCH_LOOKUPS', env.BENCH_LOOKUPS || '1000'),
    ...(env.BENCH_MEMORY_LIMIT ? { memoryLimit: env.BENCH_MEMORY_LIMIT } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Generated data, reused across runs

export interface Dataset {
  /** Holds raw/ and generated.json. */
  dir: string;
  rawDir: string;
  releases: GeneratedRelease[];
  rows: number;
  bytes: number;
  /** True when an earlier run's files were found intact and used as they are. */
  reused: boolean;
}

interface Stamp {
  generatorVersion: number;
  sourceSha256: string;
  seed: string;
  count: number;
  rowsPerRelease: number | null;
  /** With the RVU package files (absent in stamps written before they existed: false). */
  package?: boolean;
  /** For an incremental set: the dataset whose releases are linked in. */
  base: string | null;
  releases: GeneratedRelease[];
}

const STAMP_FILE = 'generated.json';

async function fileSha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

async function readStamp(dir: string): Promise<Stamp | null> {
  try {
    return JSON.parse(await readFile(join(dir, STAMP_FILE), 'utf8')) as Stamp;
  } catch {
    return null;
  }
}

async function intact(releases: readonly GeneratedRelease[]): Promise<boolean> {
  for (const r of releases) {
    try {
      if ((await stat(r.path)).size !== r.bytes) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function sameParams(stamp: Stamp | null, want: Omit<Stamp, 'releases'>): stamp is Stamp {
  return (
    stamp !== null &&
    stamp.generatorVersion === want.generatorVersion &&
    stamp.sourceSha256 === want.sourceSha256 &&
    stamp.seed === want.seed &&
    stamp.count === want.count &&
    stamp.rowsPerRelease === want.rowsPerRelease &&
    (stamp.package ?? false) === (want.package ?? false) &&
    stamp.base === want.base
  );
}

/** Rows are the PPRRVU rows; bytes include the package files, which the refresh reads too. */
function dataset(dir: string, releases: GeneratedRelease[], reused: boolean): Dataset {
  const packageBytes = (r: GeneratedRelease): number =>
    (r.packageFiles ?? []).reduce((n, f) => n + f.bytes, 0);
  return {
    dir,
    rawDir: join(dir, 'raw'),
    releases,
    rows: releases.reduce((n, r) => n + r.rows, 0),
    bytes: releases.reduce((n, r) => n + r.bytes + packageBytes(r), 0),
    reused,
  };
}

type GenerateParams = { seed: string; count: number; rowsPerRelease?: number; package?: boolean };

export function datasetDir(benchDir: string, params: GenerateParams): string {
  return join(
    benchDir,
    `pfs-seed${params.seed}-rows${params.rowsPerRelease ?? 'all'}-n${params.count}${params.package ? '-package' : ''}`,
  );
}

/** The releases of one scale: generated once, then reused while seed, scale and files match. */
export async function ensureGenerated(benchDir: string, params: GenerateParams): Promise<Dataset> {
  const dir = datasetDir(benchDir, params);
  const want = {
    generatorVersion: GENERATOR_VERSION,
    sourceSha256: await fileSha256(REAL_RELEASE_FILE),
    seed: params.seed,
    count: params.count,
    rowsPerRelease: params.rowsPerRelease ?? null,
    package: params.package ?? false,
    base: null,
  };
  const stamp = await readStamp(dir);
  if (sameParams(stamp, want) && (await intact(stamp.releases))) {
    return dataset(dir, stamp.releases, true);
  }
  await rm(dir, { recursive: true, force: true });
  const releases = await generateReleases({
    rawDir: join(dir, 'raw'),
    count: params.count,
    seed: params.seed,
    package: params.package ?? false,
    ...(params.rowsPerRelease ? { rowsPerRelease: params.rowsPerRelease } : {}),
  });
  await writeFile(join(dir, STAMP_FILE), `${JSON.stringify({ ...want, releases }, null, 2)}\n`);
  return dataset(dir, releases, false);
}

/**
 * The base dataset plus its next release: the base's release folders are linked in (no copy),
 * the new one is written. Refresh writes manifests into the linked folders, which is harmless:
 * they are the same manifests a refresh of the base writes.
 */
export async function ensureIncremental(
  base: Dataset,
  params: { seed: string; rowsPerRelease?: number; package?: boolean },
): Promise<Dataset> {
  const dir = `${base.dir}-plus1`;
  const count = base.releases.length + 1;
  const want = {
    generatorVersion: GENERATOR_VERSION,
    sourceSha256: await fileSha256(REAL_RELEASE_FILE),
    seed: params.seed,
    count,
    rowsPerRelease: params.rowsPerRelease ?? null,
    package: params.package ?? false,
    base: base.dir,
  };
  const stamp = await readStamp(dir);
  if (sameParams(stamp, want) && (await intact(stamp.releases))) {
    return dataset(dir, stamp.releases, true);
  }
  await rm(dir, { recursive: true, force: true });
  const sourceDir = join(dir, 'raw', 'pfs-rvu');
  await mkdir(sourceDir, { recursive: true });
  for (const r of base.releases) {
    await symlink(join(base.rawDir, 'pfs-rvu', r.id), join(sourceDir, r.id), 'dir');
  }
  const [added] = await generateReleases({
    rawDir: join(dir, 'raw'),
    count,
    from: count - 1,
    seed: params.seed,
    package: params.package ?? false,
    ...(params.rowsPerRelease ? { rowsPerRelease: params.rowsPerRelease } : {}),
  });
  if (!added) throw new Error(`release ${releaseName(count - 1).id} was not generated`);
  const linked = base.releases.map((r) => ({
    ...r,
    path: join(sourceDir, r.id, r.fileName),
    ...(r.packageFiles
      ? {
          packageFiles: r.packageFiles.map((f) => ({
            ...f,
            path: join(sourceDir, r.id, basename(f.path)),
          })),
        }
      : {}),
  }));
  const releases = [...linked, added];
  await writeFile(join(dir, STAMP_FILE), `${JSON.stringify({ ...want, releases }, null, 2)}\n`);
  return dataset(dir, releases, false);
}

// ---------------------------------------------------------------------------------------------
// The mix of every source, reused across runs

export interface MixDataset {
  dir: string;
  rawDir: string;
  quarters: number;
  releases: MixRelease[];
  files: MixFile[];
  rows: number;
  bytes: number;
  reused: boolean;
}

interface MixStamp {
  generatorVersion: number;
  seed: string;
  quarters: number;
  rowsPerRelease: number | null;
  base: string | null;
  releases: MixRelease[];
}

function mixDataset(
  dir: string,
  quarters: number,
  releases: MixRelease[],
  reused: boolean,
): MixDataset {
  const files = releases.flatMap((r) => r.files);
  return {
    dir,
    rawDir: join(dir, 'raw'),
    quarters,
    releases,
    files,
    rows: files.reduce((n, f) => n + f.rows, 0),
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    reused,
  };
}

async function readMixStamp(
  dir: string,
  want: Omit<MixStamp, 'releases'>,
): Promise<MixStamp | null> {
  let stamp: MixStamp;
  try {
    stamp = JSON.parse(await readFile(join(dir, STAMP_FILE), 'utf8')) as MixStamp;
  } catch {
    return null;
  }
  const same =
    stamp.generatorVersion === want.generatorVersion &&
    stamp.seed === want.seed &&
    stamp.quarters === want.quarters &&
    stamp.rowsPerRelease === want.rowsPerRelease &&
    stamp.base === want.base;
  if (!same) return null;
  for (const f of stamp.releases.flatMap((r) => r.files)) {
    try {
      if ((await stat(f.path)).size !== f.bytes) return null;
    } catch {
      return null;
    }
  }
  return stamp;
}

/** The mix over `quarters` quarters: generated once, then reused while its parameters match. */
export async function ensureMix(
  benchDir: string,
  params: { seed: string; quarters: number; rowsPerRelease?: number },
): Promise<MixDataset> {
  const dir = join(
    benchDir,
    `mix-seed${params.seed}-rows${params.rowsPerRelease ?? 'all'}-q${params.quarters}`,
  );
  const want = {
    generatorVersion: MIX_GENERATOR_VERSION,
    seed: params.seed,
    quarters: params.quarters,
    rowsPerRelease: params.rowsPerRelease ?? null,
    base: null,
  };
  const stamp = await readMixStamp(dir, want);
  if (stamp) return mixDataset(dir, params.quarters, stamp.releases, true);
  await rm(dir, { recursive: true, force: true });
  const releases = await generateMix({ rawDir: join(dir, 'raw'), ...params });
  await writeFile(join(dir, STAMP_FILE), `${JSON.stringify({ ...want, releases }, null, 2)}\n`);
  return mixDataset(dir, params.quarters, releases, false);
}

/**
 * The mix plus its next quarter (one release of every quarterly source, and of the yearly ones
 * when it is a January): the base's release folders are linked in, the new ones written.
 */
export async function ensureMixIncremental(
  base: MixDataset,
  params: { seed: string; rowsPerRelease?: number },
): Promise<{ data: MixDataset; added: MixRelease[] }> {
  const dir = `${base.dir}-plus1q`;
  const quarters = base.quarters + 1;
  const want = {
    generatorVersion: MIX_GENERATOR_VERSION,
    seed: params.seed,
    quarters,
    rowsPerRelease: params.rowsPerRelease ?? null,
    base: base.dir,
  };
  const addedOf = (releases: MixRelease[]) => releases.filter((r) => r.quarter === base.quarters);
  const stamp = await readMixStamp(dir, want);
  if (stamp)
    return {
      data: mixDataset(dir, quarters, stamp.releases, true),
      added: addedOf(stamp.releases),
    };
  await rm(dir, { recursive: true, force: true });
  for (const r of base.releases) {
    const folder = join(dir, 'raw', r.folderSource);
    await mkdir(folder, { recursive: true });
    await symlink(join(base.rawDir, r.folderSource, r.id), join(folder, r.id), 'dir');
  }
  const added = await generateMix({
    rawDir: join(dir, 'raw'),
    quarters,
    from: base.quarters,
    ...params,
  });
  const linked = base.releases.map((r) => ({
    ...r,
    files: r.files.map((f) => ({ ...f, path: join(dir, 'raw', f.relativePath) })),
  }));
  const releases = [...linked, ...added];
  await writeFile(join(dir, STAMP_FILE), `${JSON.stringify({ ...want, releases }, null, 2)}\n`);
  return { data: mixDataset(dir, quarters, releases, false), added };
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface RunMeasure {
  /** Measured inside the child (the job itself). */
  seconds: number;
  /** Spawn to exit, Node start-up included. */
  wallSeconds: number;
  /** CPU seconds of the job (user + system, all threads): less sensitive to a busy machine. */
  cpuSeconds: number;
  /** 1-minute load average when the run started. */
  load1: number;
  /** Peak resident set size of the child, MiB. */
  peakRssMib: number;
  rssSource: '/usr/bin/time' | 'process.resourceUsage';
  rows: number;
  result: ChildResult;
}

const TIME_BINARY = '/usr/bin/time';
const CHILD_SCRIPT = fileURLToPath(new URL('./child.js', import.meta.url));

/** Reads "Maximum resident set size (kbytes): N" from GNU time -v output; KiB, or null. */
export function parseTimeMaxRss(stderr: string): number | null {
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return match ? Number(match[1]) : null;
}

export async function runChild(job: ChildJob): Promise<RunMeasure> {
  const useTime = existsSync(TIME_BINARY);
  const command = useTime ? TIME_BINARY : process.execPath;
  // A long job (the mix's file list) goes through a file: one argument may hold only 128 KiB.
  let jobArg = JSON.stringify(job);
  if (jobArg.length > 32_000) {
    await writeFile(`${job.resultFile}.job.json`, jobArg);
    jobArg = `@${job.resultFile}.job.json`;
  }
  const args = [...(useTime ? ['-v', process.execPath] : []), CHILD_SCRIPT, jobArg];
  await rm(job.resultFile, { force: true });
  const load1 = loadavg()[0] ?? 0;
  const started = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>(
    (done, fail) => {
      const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        err += chunk;
      });
      child.on('error', fail);
      child.on('close', (exitCode) => done({ code: exitCode, stderr: err }));
    },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    // GNU time's report (which repeats the whole command line) follows the child's own error.
    const own = stderr.split(/\n\tCommand being timed:/)[0] ?? stderr;
    throw new Error(`bench child (${job.mode}) exited with ${code}:\n${own.slice(-4000)}`);
  }
  const result = JSON.parse(await readFile(job.resultFile, 'utf8')) as ChildResult;
  const timeRss = useTime ? parseTimeMaxRss(stderr) : null;
  return {
    seconds: result.seconds,
    wallSeconds,
    cpuSeconds: result.cpuSeconds,
    load1,
    peakRssMib: (timeRss ?? result.maxRssKib) / 1024,
    rssSource: timeRss === null ? 'process.resourceUsage' : '/usr/bin/time',
    rows: result.rows,
    result,
  };
}

// ---------------------------------------------------------------------------------------------
// Reports

export interface Series {
  /** Seconds of each run (inside the child). */
  runs: number[];
  median: number;
  wallMedian: number;
  /** CPU seconds of each run and their median. */
  cpuRuns: number[];
  cpuMedian: number;
  /** 1-minute load average at the start of each run (the machine may be shared). */
  load1: number[];
  /** Highest peak RSS over the runs, MiB. */
  peakRssMib: number;
}

function series(measures: readonly RunMeasure[]): Series {
  return {
    runs: measures.map((m) => m.seconds),
    median: median(measures.map((m) => m.seconds)),
    wallMedian: median(measures.map((m) => m.wallSeconds)),
    cpuRuns: measures.map((m) => m.cpuSeconds),
    cpuMedian: median(measures.map((m) => m.cpuSeconds)),
    load1: measures.map((m) => m.load1),
    peakRssMib: Math.max(...measures.map((m) => m.peakRssMib)),
  };
}

export interface LookupStats {
  lookups: number;
  codes: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
  /** Lookups that found no card (should be 0: codes are drawn from the table). */
  misses: number;
  /**
   * `fse lookup <code>` as a whole command, as a person runs it: a new process each time (start,
   * open the database, look up, print, exit), wall seconds.
   */
  command: { runs: number; medianS: number; p95S: number };
}

/** `diff` of the two newest releases, in-process (diffReleases, as `fse diff` runs it). */
export interface DiffStats {
  from: string;
  to: string;
  changes: number;
  runs: number;
  medianMs: number;
}

export interface StageBreakdown {
  /** Of the pipeline run nearest the median. */
  seconds: number;
  /** Time between consecutive log lines, grouped by the line that closes the segment. */
  logSegments: { until: string; seconds: number; count: number }[];
  sql: SqlSummary[];
  sqlSeconds: number;
  topSql: { sql: string; seconds: number; count: number }[];
  /** The refresh's stages with their time and peak RSS (same run). */
  stages: StageMemory[];
}

export interface ScaleReport {
  scale: number;
  rows: number;
  bytes: number;
  reusedData: boolean;
  ceiling: Series;
  pipeline: Series;
  noop: Series;
  lookup: LookupStats;
  diff: DiffStats | null;
  stages: StageBreakdown;
  /**
   * With the package, at the largest scale: full refreshes without the payment marts
   * (PAYMENT_MARTS), run in turn with the full refreshes: what the marts add is the difference.
   */
  withoutPaymentMarts?: Series;
}

/** The payment marts (issue 18's acceptance: at most 15 % added to the full refresh). */
export const PAYMENT_MARTS = ['pfs_payment.sql', 'pfs_payment_current.sql'] as const;

export interface IncrementalReport {
  baseScale: number;
  release: string;
  rows: number;
  bytes: number;
  series: Series;
  /** Median incremental / median full refresh at the base scale. */
  ofFull: number;
}

export interface MixReport {
  quarters: number;
  /** Releases per source folder (pfs-rvu's also hold the package sources' files). */
  releases: Record<string, number>;
  files: number;
  /** Data rows the generator wrote, and bytes of every file. */
  rows: number;
  bytes: number;
  reusedData: boolean;
  ceiling: Series;
  /** The ceiling's groups, from the run nearest its median. */
  ceilingGroups: CeilingGroup[];
  pipeline: Series;
  /** Rows loaded per source by the full refresh. */
  rowsBySource: Record<string, number>;
  noop: Series;
  /** +1 quarter: what it added, its series and its share of the full refresh. */
  incremental: {
    quarter: string;
    releases: string[];
    bytes: number;
    series: Series;
    ofFull: number;
  };
  lookup: LookupStats;
  stages: StageBreakdown;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
  note?: string;
}

export interface BenchReport {
  generatedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
    /** 1, 5 and 15-minute load averages before and after the bench: is the machine shared? */
    loadAvg: { start: number[]; end: number[] };
  };
  /** The code measured: HEAD and how many files under src/ and pipelines/ differ from it. */
  source: { commit: string | null; modifiedFiles: number | null };
  config: Omit<BenchConfig, 'outDir'>;
  rssSource: string;
  scales: ScaleReport[];
  incremental: IncrementalReport | null;
  mix: MixReport | null;
  targets: Target[];
}

/** "  pfs-rvu/RVU26A/PPRRVU2026_Jan.csv: 19090 rows read" → "  <path>: N rows read". */
export function normaliseLogLine(line: string): string {
  return line
    .replace(/[^\s:]*\/[^\s:]*/g, '<path>')
    .replace(/\d+(\.\d+)?/g, 'N')
    .trimEnd();
}

/** Time from the previous log line (or the start) to each line, summed per kind of line. */
export function logSegments(
  events: readonly LogEvent[],
  totalSeconds: number,
): StageBreakdown['logSegments'] {
  const groups = new Map<string, { until: string; seconds: number; count: number }>();
  let previous = 0;
  const add = (until: string, ms: number): void => {
    const entry = groups.get(until) ?? { until, seconds: 0, count: 0 };
    entry.seconds += ms / 1000;
    entry.count++;
    groups.set(until, entry);
  };
  for (const event of events) {
    add(normaliseLogLine(event.line), event.ms - previous);
    previous = event.ms;
  }
  add('(end of refresh)', totalSeconds * 1000 - previous);
  return [...groups.values()];
}

function stageBreakdown(measures: readonly RunMeasure[]): StageBreakdown {
  const mid = median(measures.map((m) => m.seconds));
  const nearest = [...measures].sort(
    (a, b) => Math.abs(a.seconds - mid) - Math.abs(b.seconds - mid),
  )[0] as RunMeasure;
  const r = nearest.result;
  return {
    seconds: r.seconds,
    logSegments: logSegments(r.log, r.seconds),
    sql: r.sql,
    sqlSeconds: r.sqlSeconds,
    topSql: r.topSql,
    stages: r.stages ?? [],
  };
}

/** Peak RSS goal of the second performance round (issue 22; the first round's was 1 GiB). */
const RSS_GOAL_MIB = 600;

export function evaluateTargets(
  scales: readonly ScaleReport[],
  incremental: IncrementalReport | null,
): Target[] {
  const largest = scales.at(-1);
  if (!largest) return [];
  const at100 = scales.find((s) => s.scale === 100);
  const ratioAt = at100 ?? largest;
  const ratio = ratioAt.pipeline.median / ratioAt.ceiling.median;
  const peak = Math.max(
    ...scales.flatMap((s) => [s.pipeline.peakRssMib, s.noop.peakRssMib]),
    incremental?.series.peakRssMib ?? 0,
  );
  const at = `at ${largest.scale} release${largest.scale === 1 ? '' : 's'}`;
  const at1 = scales.find((s) => s.scale === 1);
  const cpuRatio = ratioAt.pipeline.cpuMedian / ratioAt.ceiling.cpuMedian;
  return [
    {
      name: 'full refresh / ceiling',
      goal: '≤ 1.5 at 100 releases (wall and CPU)',
      measured: `${ratio.toFixed(2)} (CPU ${cpuRatio.toFixed(2)}) at ${ratioAt.scale} releases`,
      met: ratio <= 1.5 && cpuRatio <= 1.5,
      ...(at100 ? {} : { note: 'scale 100 not run: judged at the largest scale measured' }),
    },
    at1
      ? {
          name: 'full refresh / ceiling, one release',
          goal: '≤ 3.0',
          measured: (at1.pipeline.median / at1.ceiling.median).toFixed(2),
          met: at1.pipeline.median / at1.ceiling.median <= 3,
        }
      : {
          name: 'full refresh / ceiling, one release',
          goal: '≤ 3.0',
          measured: 'scale 1 not run',
          met: null,
        },
    {
      name: 'peak RSS (any refresh)',
      goal: `≤ ${RSS_GOAL_MIB} MiB`,
      measured: `${peak.toFixed(0)} MiB`,
      met: peak <= RSS_GOAL_MIB,
    },
    {
      name: 'no-op refresh',
      goal: '≤ 2 s',
      measured: `${largest.noop.median.toFixed(2)} s ${at}`,
      met: largest.noop.median <= 2,
    },
    incremental
      ? {
          name: 'incremental refresh (+1 release)',
          goal: '≤ 5 % of full',
          measured: `${(incremental.ofFull * 100).toFixed(0)} % (${incremental.series.median.toFixed(2)} s vs ${largest.pipeline.median.toFixed(2)} s) ${at}`,
          met: incremental.ofFull <= 0.05,
        }
      : {
          name: 'incremental refresh (+1 release)',
          goal: '≤ 5 % of full',
          measured: 'not measured',
          met: null,
        },
    {
      name: 'lookup p50',
      goal: '≤ 1 ms',
      measured: `${largest.lookup.p50Ms.toFixed(2)} ms ${at}`,
      met: largest.lookup.p50Ms <= 1,
    },
    {
      name: 'lookup p95',
      goal: '≤ 3 ms',
      measured: `${largest.lookup.p95Ms.toFixed(2)} ms ${at}`,
      met: largest.lookup.p95Ms <= 3,
    },
    {
      name: '`fse lookup <code>` as a command',
      goal: '≤ 0.4 s median',
      measured: `${largest.lookup.command.medianS.toFixed(3)} s (median of ${largest.lookup.command.runs}) ${at}`,
      met: largest.lookup.command.medianS <= 0.4,
    },
    ...paymentMartTarget(largest),
    largest.diff
      ? {
          name: 'diff of two releases',
          goal: '≤ 1 s',
          measured: `${largest.diff.medianMs.toFixed(0)} ms (${largest.diff.from} → ${largest.diff.to}, ${thousands(largest.diff.changes)} changes) ${at}`,
          met: largest.diff.medianMs <= 1000,
        }
      : { name: 'diff of two releases', goal: '≤ 1 s', measured: 'one release only', met: null },
  ];
}

/** What the payment marts add to the full refresh, when measured (BENCH_PACKAGE=1). */
function paymentMartTarget(largest: ScaleReport): Target[] {
  const without = largest.withoutPaymentMarts;
  if (!without) return [];
  const added = largest.pipeline.median / without.median - 1;
  const cpuAdded = largest.pipeline.cpuMedian / without.cpuMedian - 1;
  const percent = (n: number) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)} %`;
  return [
    {
      name: 'payment marts (pfs_payment, pfs_payment_current)',
      goal: '≤ +15 % of the full refresh',
      measured: `${percent(added)} (${largest.pipeline.median.toFixed(2)} s with, ${without.median.toFixed(2)} s without; CPU ${percent(cpuAdded)}) at ${largest.scale} releases`,
      met: added <= 0.15,
    },
  ];
}

const MB = 1e6;
const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

export function mainTableRows(scales: readonly ScaleReport[]): string[][] {
  const header = [
    'scale',
    'rows',
    'MB',
    'ceiling s',
    'pipeline s',
    'ratio',
    'rows/s',
    'MB/s',
    'peak RSS MiB',
  ];
  return [
    header,
    ...scales.map((s) => [
      String(s.scale),
      thousands(s.rows),
      fixed(s.bytes / MB, 1),
      fixed(s.ceiling.median, 2),
      fixed(s.pipeline.median, 2),
      fixed(s.pipeline.median / s.ceiling.median, 2),
      thousands(s.rows / s.pipeline.median),
      fixed(s.bytes / MB / s.pipeline.median, 1),
      fixed(s.pipeline.peakRssMib, 0),
    ]),
  ];
}

export function secondaryTableRows(
  scales: readonly ScaleReport[],
  incremental: IncrementalReport | null,
): string[][] {
  return [
    [
      'scale',
      'no-op s',
      'incremental s',
      'lookup p50 ms',
      'lookup p95 ms',
      'fse lookup s',
      'diff ms',
      'ceiling RSS MiB',
      'ceiling CPU s',
      'pipeline CPU s',
      'CPU ratio',
      'load avg',
    ],
    ...scales.map((s) => [
      String(s.scale),
      fixed(s.noop.median, 2),
      incremental && incremental.baseScale === s.scale ? fixed(incremental.series.median, 2) : '',
      fixed(s.lookup.p50Ms, 2),
      fixed(s.lookup.p95Ms, 2),
      fixed(s.lookup.command.medianS, 3),
      s.diff ? fixed(s.diff.medianMs, 0) : '',
      fixed(s.ceiling.peakRssMib, 0),
      fixed(s.ceiling.cpuMedian, 2),
      fixed(s.pipeline.cpuMedian, 2),
      fixed(s.pipeline.cpuMedian / s.ceiling.cpuMedian, 2),
      fixed(median([...s.ceiling.load1, ...s.pipeline.load1, ...s.noop.load1]), 1),
    ]),
  ];
}

const NUMERIC = /^[-–+]?[\d,.]+( %)?$|^–?$/;

/** A plain-text table: columns of numbers right-aligned, text left-aligned. */
export function formatTable(rows: readonly string[][]): string {
  const [header = [], ...body] = rows;
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const right = header.map((_, i) => body.every((r) => NUMERIC.test(r[i] ?? '')));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, i) => (right[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function markdownTable(rows: readonly string[][]): string {
  const [header, ...body] = rows;
  if (!header) return '';
  const right = header.map((_, i) => body.every((r) => NUMERIC.test(r[i] ?? '')));
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (right[i] ? '---:' : '---')).join(' | ')} |`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const mark = (t: Target): string => (t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED');

export function targetRows(targets: readonly Target[]): string[][] {
  return [
    ['target', 'goal', 'measured', 'status'],
    ...targets.map((t) => [t.name, t.goal, t.measured, mark(t)]),
  ];
}

function stageRows(stages: StageBreakdown): { log: string[][]; sql: string[][] } {
  const pct = (s: number): string => `${fixed((s / stages.seconds) * 100, 0)} %`;
  return {
    log: [
      ['segment ending at log line', 'times', 'seconds', 'share'],
      ...stages.logSegments.map((g) => [
        g.until.trim(),
        String(g.count),
        fixed(g.seconds, 2),
        pct(g.seconds),
      ]),
    ],
    sql: [
      ['SQL by stage (connections at once each counted)', 'statements', 'seconds', 'share'],
      ...stages.sql.map((g) => [
        g.category,
        String(g.statements),
        fixed(g.seconds, 2),
        pct(g.seconds),
      ]),
      // Statements that ran at once on different connections each count their whole time, so
      // SQL can add up to more than the wall time: then nothing is left outside it.
      ['(outside SQL: JS, file hashing, header scan, publish)', '', '', ''].map((c, i) =>
        i === 2
          ? fixed(Math.max(0, stages.seconds - stages.sqlSeconds), 2)
          : i === 3
            ? pct(Math.max(0, stages.seconds - stages.sqlSeconds))
            : c,
      ),
    ],
  };
}

/** The refresh's stages: seconds, share and peak RSS of each (the run nearest the median). */
export function stageMemoryRows(stages: StageBreakdown): string[][] {
  return [
    ['stage', 'seconds', 'share', 'peak RSS MiB', 'RSS at end MiB'],
    ...stages.stages.map((s) => [
      s.name,
      fixed(s.seconds, 2),
      `${fixed((s.seconds / stages.seconds) * 100, 0)} %`,
      fixed(s.peakRssMib, 0),
      fixed(s.endRssMib, 0),
    ]),
  ];
}

export function mixTableRows(mix: MixReport): string[][] {
  const row = (label: string, series: Series, vsCeiling: string): string[] => [
    label,
    fixed(series.median, 2),
    fixed(series.cpuMedian, 2),
    vsCeiling,
    fixed(series.peakRssMib, 0),
    fixed(median(series.load1), 1),
  ];
  const ratio = (series: Series): string => fixed(series.median / mix.ceiling.median, 2);
  const incremental = mix.incremental.series;
  return [
    ['mix', 'seconds', 'CPU s', 'vs ceiling', 'peak RSS MiB', 'load avg'],
    row('ceiling', mix.ceiling, '1.00'),
    row('full refresh', mix.pipeline, ratio(mix.pipeline)),
    row(
      `+1 quarter (${fixed(mix.incremental.ofFull * 100, 0)} % of full)`,
      incremental,
      ratio(incremental),
    ),
    row('no-op', mix.noop, ''),
  ];
}

export function ceilingGroupRows(groups: readonly CeilingGroup[]): string[][] {
  return [
    ['ceiling group', 'how it is read', 'files', 'rows', 'seconds'],
    ...groups.map((g) => [
      g.group,
      g.format === 'xlsx'
        ? "read-excel-file → appender (the pipeline's reader)"
        : g.format === 'fixed-width'
          ? 'read_csv, whole lines'
          : g.format === 'html'
            ? 'read_text'
            : 'read_csv',
      String(g.files),
      thousands(g.rows),
      fixed(g.seconds, 2),
    ]),
  ];
}

function mixSummary(mix: MixReport): string {
  return (
    `${mix.quarters} quarter(s): ${Object.entries(mix.releases)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')} release(s); ` +
    `${mix.files} files, ${thousands(mix.rows)} rows, ${fixed(mix.bytes / MB, 1)} MB. ` +
    `+1 quarter adds ${mix.incremental.releases.join(', ')} (${fixed(mix.incremental.bytes / MB, 1)} MB).`
  );
}

export function formatTerminal(report: BenchReport): string {
  const largest = report.scales.at(-1);
  const parts = [
    `fee-schedule-etl bench${report.config.memoryLimit ? ` (DuckDB memory_limit ${report.config.memoryLimit})` : ''} — ${report.machine.cpus} CPU, ${report.machine.memoryGiB.toFixed(0)} GiB, node ${report.machine.node}; median of ${report.config.runs} run(s); load avg ${report.machine.loadAvg.start[0]?.toFixed(1)} → ${report.machine.loadAvg.end[0]?.toFixed(1)}`,
    '',
    formatTable(mainTableRows(report.scales)),
    '',
    formatTable(secondaryTableRows(report.scales, report.incremental)),
    '',
    formatTable(targetRows(report.targets)),
  ];
  if (largest) {
    const rows = stageRows(largest.stages);
    parts.push(
      '',
      `where the full refresh's time goes at ${largest.scale} release(s) (run of ${largest.stages.seconds.toFixed(2)} s):`,
      formatTable(rows.log),
      '',
      formatTable(rows.sql),
      '',
      `where the full refresh's time and memory go, by stage, at ${largest.scale} release(s):`,
      formatTable(stageMemoryRows(largest.stages)),
    );
  }
  const mix = report.mix;
  if (mix) {
    parts.push(
      '',
      `mix of every source at CMS cadence: ${mixSummary(mix)}`,
      formatTable(mixTableRows(mix)),
      '',
      formatTable(ceilingGroupRows(mix.ceilingGroups)),
      '',
      `where the mix's full refresh's time and memory go, by stage (run of ${mix.stages.seconds.toFixed(2)} s):`,
      formatTable(stageMemoryRows(mix.stages)),
    );
  }
  return parts.join('\n');
}

export function formatMarkdown(report: BenchReport): string {
  const m = report.machine;
  const c = report.config;
  const parts = [
    '# fee-schedule-etl benchmark',
    '',
    `${report.generatedAt} · ${m.cpus} × ${m.cpuModel} · ${m.memoryGiB.toFixed(0)} GiB · Node ${m.node} · ${m.platform}`,
    '',
    `Code: ${report.source.commit?.slice(0, 12) ?? 'unknown commit'}` +
      (report.source.modifiedFiles
        ? ` with ${report.source.modifiedFiles} uncommitted file(s) under src/ and pipelines/`
        : '') +
      `. Load average (1/5/15 min) ${m.loadAvg.start.map((l) => l.toFixed(1)).join('/')} at the start, ${m.loadAvg.end.map((l) => l.toFixed(1)).join('/')} at the end` +
      ` on ${m.cpus} CPUs: above ${m.cpus} the machine was shared and wall times are inflated; CPU seconds are less affected.`,
    '',
    (c.scales.length > 0
      ? `PFS-only scales ${c.scales.join(', ')} release(s) of ${c.rowsPerRelease ?? 'all 19,090'} rows`
      : 'No PFS-only scale') +
      `${c.mixQuarters !== null ? `; the mix over ${c.mixQuarters} quarter(s)` : ''} (seed ${c.seed}), median of ${c.runs} run(s) each. ` +
      'Seconds are measured inside a child process (Node start-up excluded); peak RSS is the ' +
      `child's (${report.rssSource}). MB = 10^6 bytes of CSV; MiB = 2^20 bytes.` +
      (c.memoryLimit
        ? ` DuckDB memory_limit was capped at ${c.memoryLimit} (BENCH_MEMORY_LIMIT) to protect a shared machine: peak RSS is bounded by it and times include any spilling.`
        : ''),
    '',
    '- **ceiling**: DuckDB `read_csv` of the same files (31 VARCHAR columns, 10 header lines skipped) into a table of a database file, then `COPY` to one ZSTD Parquet file.',
    ...(c.package
      ? [
          '- **package** (BENCH_PACKAGE=1): every PFS release folder also holds the GPCI, locality, anesthesia and OPPS cap files of the RVU zip, so the refresh loads the payment sources and builds `pfs_payment`; the ceiling then reads those files too (one `read_csv` per kind of file).',
        ]
      : []),
    '- **pipeline**: `refresh()` into a fresh out dir (read, validate, decode, check, export, publish).',
    '- **no-op**: `refresh()` again with nothing new in raw/. **incremental**: one more release added to raw/ of the largest scale, `refresh()` into a copy of its out dir.',
    `- **lookup**: \`lookupCode\` on ${c.lookups} codes drawn at random from \`pfs_rvu\`, in-process, after 20 warm-up lookups; and \`fse lookup <code>\` (dist/src/cli.js) as a new process ${LOOKUP_COMMAND_RUNS} times, median wall time.`,
    '- **diff**: `diffReleases` (what `fse diff` runs) of the two newest releases, in-process, median of at least 3.',
    '',
    '## Results',
    '',
    markdownTable(mainTableRows(report.scales)),
    '',
    markdownTable(secondaryTableRows(report.scales, report.incremental)),
    '',
    '## Targets',
    '',
    markdownTable(targetRows(report.targets)),
    ...report.targets.filter((t) => t.note).map((t) => `\n_${t.name}: ${t.note}._`),
  ];
  for (const s of report.scales) {
    const rows = stageRows(s.stages);
    parts.push(
      '',
      `## Where the time goes: ${s.scale} release(s)`,
      '',
      `Full refresh run of ${s.stages.seconds.toFixed(2)} s (the one nearest the median).`,
      '',
      markdownTable(rows.log),
      '',
      markdownTable(rows.sql),
      '',
      markdownTable(stageMemoryRows(s.stages)),
      '',
      markdownTable([
        ['slowest statements (first 90 characters)', 'times', 'seconds'],
        ...s.stages.topSql.map((t) => [
          `\`${t.sql.replace(/\|/g, '\\|')}\``,
          String(t.count),
          fixed(t.seconds, 2),
        ]),
      ]),
    );
  }
  const mix = report.mix;
  if (mix) {
    const rows = stageRows(mix.stages);
    parts.push(
      '',
      '## The mix: every source at CMS cadence',
      '',
      `${mixSummary(mix)} Generated by bench/generate-mix.ts from the real files in raw/ (MUE from the fixture's documented shape), cached in ${report.config.benchDir}.`,
      '',
      "- **ceiling**: DuckDB reading the same bytes into one table per group of like files, then `COPY` of each to a ZSTD Parquet file. CSV with `read_csv` (columns as VARCHAR); fixed-width files as whole lines; **workbooks (OPPS Addendum B XLSX): the time to read them with read-excel-file and append the rows to a table, as the pipeline's reader does** (DuckDB has no XLSX reader here); saved pages with `read_text`.",
      "- **full refresh**: `refresh()` into a fresh out dir. **+1 quarter**: the next quarter's releases added to raw/, `refresh()` into a copy of the full refresh's out dir. **no-op**: `refresh()` again with nothing new.",
      '',
      markdownTable(mixTableRows(mix)),
      '',
      markdownTable(ceilingGroupRows(mix.ceilingGroups)),
      '',
      markdownTable([
        ['source', 'rows loaded (full refresh)'],
        ...Object.entries(mix.rowsBySource).map(([source, n]) => [source, thousands(n)]),
      ]),
      '',
      `### Where the mix's time and memory go (full refresh run of ${mix.stages.seconds.toFixed(2)} s)`,
      '',
      markdownTable(stageMemoryRows(mix.stages)),
      '',
      markdownTable(rows.log),
      '',
      markdownTable(rows.sql),
    );
  }
  return `${parts.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Measurements

function gitSource(): BenchReport['source'] {
  const git = (...args: string[]): string | null => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return null;
    }
  };
  const commit = git('rev-parse', 'HEAD')?.trim() ?? null;
  const status = git('status', '--porcelain', '--', 'src', 'pipelines');
  return {
    commit,
    modifiedFiles: status === null ? null : status.split('\n').filter(Boolean).length,
  };
}

/** Lookups on the refreshed database of outDir, measured and their p50 and p95 printed. */
async function reportedLookups(
  outDir: string,
  config: Pick<BenchConfig, 'lookups' | 'seed'>,
  label: string,
  progress: (line: string) => void,
): Promise<LookupStats> {
  const inProcess = await measureLookups(
    join(outDir, 'fee_schedule.duckdb'),
    config.lookups,
    config.seed,
  );
  const command = await measureLookupCommand(outDir, LOOKUP_COMMAND_RUNS, config.seed);
  progress(
    `  ${label}: p50 ${fixed(inProcess.p50Ms, 2)} ms, p95 ${fixed(inProcess.p95Ms, 2)} ms over ${inProcess.lookups}; as a command ${fixed(command.medianS, 3)} s (median of ${command.runs})`,
  );
  return { ...inProcess, command };
}

const execFileAsync = promisify(execFile);

/** Runs of `fse lookup` as a command: each is a process start, so fewer than in-process. */
const LOOKUP_COMMAND_RUNS = 21;

/** The built CLI (make bench builds dist/ first), as `make refresh` and users run it. */
const CLI_SCRIPT = join(PROJECT_ROOT, 'dist', 'src', 'cli.js');

/** `fse lookup <code> --out <outDir>` run as a new process `runs` times, codes drawn at random. */
export async function measureLookupCommand(
  outDir: string,
  runs: number,
  seed: string,
): Promise<LookupStats['command']> {
  const db = await openDuckDB(join(outDir, 'fee_schedule.duckdb'), { readOnly: true });
  let codes: string[];
  try {
    // The current cards' codes: `fse lookup` answers for the newest release date, and a code the
    // newest releases dropped is not found (exit 1), which is no lookup to time.
    const reader = await db.connection.runAndReadAll(
      'SELECT DISTINCT hcpcs FROM code_card_current ORDER BY hcpcs',
    );
    codes = reader.getRowsJS().map(([code]) => String(code));
  } finally {
    db.close();
  }
  if (codes.length === 0) throw new Error(`${outDir}: code_card_current is empty`);
  const rng = createRng(`${seed}/lookup-command`);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const code = codes[rng.int(codes.length)] as string;
    const started = performance.now();
    await execFileAsync(process.execPath, [CLI_SCRIPT, 'lookup', code, '--out', outDir]);
    times.push((performance.now() - started) / 1000);
  }
  return { runs, medianS: percentile(times, 50), p95S: percentile(times, 95) };
}

export async function measureLookups(
  databasePath: string,
  count: number,
  seed: string,
): Promise<Omit<LookupStats, 'command'>> {
  const schedule = await openFeeSchedule(databasePath);
  try {
    const { rows } = await sql<{ hcpcs: string }>`
      SELECT DISTINCT hcpcs FROM pfs_rvu ORDER BY hcpcs`.execute(schedule.db);
    const codes = rows.map((r) => r.hcpcs);
    if (codes.length === 0) throw new Error(`${databasePath}: pfs_rvu is empty`);
    const rng = createRng(`${seed}/lookups`);
    for (let i = 0; i < 20; i++) await lookupCode(schedule, codes[rng.int(codes.length)] as string);
    const times: number[] = [];
    let misses = 0;
    for (let i = 0; i < count; i++) {
      const code = codes[rng.int(codes.length)] as string;
      const started = performance.now();
      const cards = await lookupCode(schedule, code);
      times.push(performance.now() - started);
      if (cards.length === 0) misses++;
    }
    return {
      lookups: count,
      codes: codes.length,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      maxMs: Math.max(...times),
      meanMs: times.reduce((a, b) => a + b, 0) / times.length,
      misses,
    };
  } finally {
    await schedule.close();
  }
}

/** Median time of diffReleases between the two newest releases; null with one release. */
export async function measureDiff(databasePath: string, runs: number): Promise<DiffStats | null> {
  const db = await openDuckDB(databasePath, { readOnly: true });
  try {
    const reader = await db.connection.runAndReadAll(
      "SELECT release_id FROM release WHERE source = 'pfs-rvu' ORDER BY effective_from DESC LIMIT 2",
    );
    const [to, from] = reader.getRowsJS().map(([id]) => String(id));
    if (!from || !to) return null;
    const times: number[] = [];
    let changes = 0;
    for (let i = 0; i < Math.max(runs, 3); i++) {
      const started = performance.now();
      const result = await diffReleases(db.connection, {
        from,
        to,
        source: 'pfs-rvu',
        pipelines: PIPELINES,
      });
      times.push(performance.now() - started);
      changes = result.changes.length;
    }
    return { from, to, changes, runs: times.length, medianMs: median(times) };
  } finally {
    db.close();
  }
}

/** A child job without the result file, which the harness adds. */
type JobSpec = {
  [M in ChildJob['mode']]: Omit<Extract<ChildJob, { mode: M }>, 'resultFile'>;
}[ChildJob['mode']];

/** PPRRVU rows a run read: what the PFS-only scale checks (package files come and go with BENCH_PACKAGE). */
function pprrvuRows(measure: RunMeasure): number {
  const r = measure.result;
  if (r.mode === 'refresh') return r.rowsBySource['pfs-rvu'] ?? 0;
  if (r.mode === 'files-ceiling') {
    return r.ceilingGroups
      .filter((g) => g.group.startsWith('pfs-rvu '))
      .reduce((n, g) => n + g.rows, 0);
  }
  return r.rows;
}

function checkRows(what: string, measure: RunMeasure, expected: number | null): void {
  if (expected === null) return;
  const rows = pprrvuRows(measure);
  if (rows !== expected) {
    throw new Error(`${what}: ${rows} PPRRVU rows loaded, the generated files hold ${expected}`);
  }
}

/** A PFS-only dataset's files as the files ceiling reads them: PPRRVU and package files. */
function pfsCeilingFiles(data: Dataset): CeilingFile[] {
  return data.releases.flatMap((r) => [
    {
      path: r.path,
      format: 'csv',
      group: 'pfs-rvu 31 fields',
      skip: 10,
      fields: 31,
      rows: r.rows,
    } as const,
    ...(r.packageFiles ?? []),
  ]);
}

/** The ceiling's groups whose row count is not the generator's: each is an error. */
function ceilingMismatches(groups: readonly CeilingGroup[]): string[] {
  // Titles and footnotes below the records are read as rows by DuckDB: only files that have
  // none must match exactly.
  const exact = new Set([
    'pfs-rvu 31 fields',
    'pfs-rvu 32 fields',
    'hcpcs',
    'opps-addendum-b',
    'mue',
    'betos',
    'ccs',
    'code-pages',
  ]);
  return groups
    .filter((g) => exact.has(g.group) && g.rows !== g.expectedRows)
    .map(
      (g) => `${g.group}: the ceiling read ${g.rows} rows, the generator wrote ${g.expectedRows}`,
    );
}

export async function runBench(
  config: BenchConfig,
  progress: (line: string) => void,
): Promise<BenchReport> {
  const loadAtStart = loadavg();
  const work = join(config.benchDir, 'work');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const resultFile = join(work, 'result.json');
  const limit = config.memoryLimit ? { memoryLimit: config.memoryLimit } : {};
  const scales: ScaleReport[] = [];
  let incremental: IncrementalReport | null = null;
  let rssSource = '';
  const runs = Array.from({ length: config.runs }, (_, i) => i);
  const params = {
    seed: config.seed,
    package: config.package,
    ...(config.rowsPerRelease ? { rowsPerRelease: config.rowsPerRelease } : {}),
  };
  /** One kind of run, config.runs times: prepare, run in a child, check the rows, report. */
  const measure = async (
    label: string,
    job: JobSpec,
    expectedRows: number | null,
    prepare: () => Promise<void> = async () => {},
  ): Promise<RunMeasure[]> => {
    const measures: RunMeasure[] = [];
    for (const i of runs) {
      await prepare();
      const m = await runChild({ ...job, resultFile, ...limit });
      checkRows(label, m, expectedRows);
      measures.push(m);
      progress(
        `  ${label} ${i + 1}/${config.runs}: ${fixed(m.seconds, 2)} s, ${fixed(m.peakRssMib, 0)} MiB`,
      );
    }
    return measures;
  };

  /** Two kinds of run in turn, config.runs times each: both see the machine as it is then. */
  const measureInTurn = async (
    kinds: readonly (readonly [label: string, job: JobSpec])[],
    expectedRows: number | null,
    prepare: () => Promise<void>,
  ): Promise<RunMeasure[][]> => {
    const measures = kinds.map((): RunMeasure[] => []);
    for (const i of runs) {
      for (const [k, [label, job]] of kinds.entries()) {
        await prepare();
        const m = await runChild({ ...job, resultFile, ...limit });
        checkRows(label, m, expectedRows);
        measures[k]?.push(m);
        progress(
          `  ${label} ${i + 1}/${config.runs}: ${fixed(m.seconds, 2)} s, ${fixed(m.peakRssMib, 0)} MiB`,
        );
      }
    }
    return measures;
  };

  for (const scale of config.scales) {
    const started = performance.now();
    const data = await ensureGenerated(config.benchDir, { ...params, count: scale });
    progress(
      `scale ${scale}: ${data.releases.length} releases, ${thousands(data.rows)} rows, ` +
        `${fixed(data.bytes / MB, 1)} MB ${data.reused ? 'reused from' : `generated in ${fixed((performance.now() - started) / 1000, 1)} s into`} ${data.rawDir}`,
    );

    const workDir = join(work, 'ceiling');
    const ceiling = await measure(
      'ceiling',
      config.package
        ? { mode: 'files-ceiling', files: pfsCeilingFiles(data), workDir }
        : { mode: 'ceiling', rawDir: data.rawDir, workDir },
      data.rows,
      () => rm(workDir, { recursive: true, force: true }),
    );
    await rm(workDir, { recursive: true, force: true });

    const outDir = join(work, `out-${scale}`);
    const refreshJob = { mode: 'refresh', rawDir: data.rawDir, outDir } as const;
    const clean = () => rm(outDir, { recursive: true, force: true });
    let withoutPaymentMarts: RunMeasure[] | null = null;
    let full: RunMeasure[];
    if (config.package && scale === config.scales.at(-1)) {
      [full = [], withoutPaymentMarts = []] = await measureInTurn(
        [
          ['full refresh', refreshJob],
          [
            'full refresh without the payment marts',
            { ...refreshJob, withoutMarts: [...PAYMENT_MARTS] },
          ],
        ],
        data.rows,
        clean,
      );
    } else {
      full = await measure('full refresh', refreshJob, data.rows, clean);
    }
    rssSource = full[0]?.rssSource ?? rssSource;
    // A no-op refresh loads nothing: it finds the published run current and leaves it.
    const noop = await measure('no-op refresh', refreshJob, 0);

    const lookup = await reportedLookups(outDir, config, 'lookup', progress);
    const diff = await measureDiff(join(outDir, 'fee_schedule.duckdb'), config.runs);
    if (diff) {
      progress(
        `  diff ${diff.from} → ${diff.to}: ${fixed(diff.medianMs, 0)} ms (${diff.changes} changes)`,
      );
    }

    const report: ScaleReport = {
      scale,
      rows: data.rows,
      bytes: data.bytes,
      reusedData: data.reused,
      ceiling: series(ceiling),
      pipeline: series(full),
      noop: series(noop),
      lookup,
      diff,
      stages: stageBreakdown(full),
      ...(withoutPaymentMarts ? { withoutPaymentMarts: series(withoutPaymentMarts) } : {}),
    };
    scales.push(report);

    if (scale === config.scales.at(-1)) {
      const plus = await ensureIncremental(data, params);
      const added = plus.releases.at(-1) as GeneratedRelease;
      const incOut = join(work, `out-${scale}-plus1`);
      const inc = await measure(
        `incremental refresh (+${added.id})`,
        { mode: 'refresh', rawDir: plus.rawDir, outDir: incOut },
        plus.rows,
        async () => {
          await rm(incOut, { recursive: true, force: true });
          await cp(outDir, incOut, { recursive: true, verbatimSymlinks: true });
        },
      );
      const incSeries = series(inc);
      incremental = {
        baseScale: scale,
        release: added.id,
        rows: added.rows,
        bytes: added.bytes,
        series: incSeries,
        ofFull: incSeries.median / report.pipeline.median,
      };
      await rm(incOut, { recursive: true, force: true });
    }
    await rm(outDir, { recursive: true, force: true });
    // A partial report after each scale, so a long run that fails later still leaves figures.
    await writeReports(
      assemble(config, scales, incremental, rssSource, loadAtStart),
      config.outDir,
    );
  }

  let mix: MixReport | null = null;
  if (config.mixQuarters !== null) {
    mix = await measureMix(config, config.mixQuarters, work, measure, progress);
    rssSource ||= existsSync(TIME_BINARY) ? TIME_BINARY : 'process.resourceUsage';
  }
  return assemble(config, scales, incremental, rssSource, loadAtStart, mix);
}

type Measure = (
  label: string,
  job: JobSpec,
  expectedRows: number | null,
  prepare?: () => Promise<void>,
) => Promise<RunMeasure[]>;

function nearestMedian(measures: readonly RunMeasure[]): RunMeasure {
  const mid = median(measures.map((m) => m.seconds));
  return [...measures].sort(
    (a, b) => Math.abs(a.seconds - mid) - Math.abs(b.seconds - mid),
  )[0] as RunMeasure;
}

/** The mix: ceiling, full refresh, no-op, +1 quarter and lookups. */
async function measureMix(
  config: BenchConfig,
  quarters: number,
  work: string,
  measure: Measure,
  progress: (line: string) => void,
): Promise<MixReport> {
  const params = {
    seed: config.seed,
    ...(config.rowsPerRelease ? { rowsPerRelease: config.rowsPerRelease } : {}),
  };
  const started = performance.now();
  const data = await ensureMix(config.benchDir, { ...params, quarters });
  const releases: Record<string, number> = {};
  for (const r of data.releases) releases[r.folderSource] = (releases[r.folderSource] ?? 0) + 1;
  progress(
    `mix of ${quarters} quarter(s): ${Object.entries(releases)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')}; ` +
      `${data.files.length} files, ${thousands(data.rows)} rows, ${fixed(data.bytes / MB, 1)} MB ` +
      `${data.reused ? 'reused from' : `generated in ${fixed((performance.now() - started) / 1000, 1)} s into`} ${data.rawDir}`,
  );

  const workDir = join(work, 'mix-ceiling');
  const ceiling = await measure(
    'mix ceiling',
    { mode: 'files-ceiling', files: data.files, workDir },
    null,
    () => rm(workDir, { recursive: true, force: true }),
  );
  await rm(workDir, { recursive: true, force: true });
  const ceilingGroups = nearestMedian(ceiling).result.ceilingGroups;
  const mismatches = ceilingMismatches(ceilingGroups);
  if (mismatches.length > 0) throw new Error(`mix ceiling:\n${mismatches.join('\n')}`);

  const outDir = join(work, 'out-mix');
  const refreshJob = { mode: 'refresh', rawDir: data.rawDir, outDir } as const;
  const full = await measure('mix full refresh', refreshJob, null, () =>
    rm(outDir, { recursive: true, force: true }),
  );
  // Every source of the mix must have loaded rows: a source refused or skipped is a generator bug.
  const loaded = nearestMedian(full).result.rowsBySource;
  const missing = PIPELINES.filter((p) => !(loaded[p.source] ?? 0)).map((p) => p.source);
  if (missing.length > 0)
    throw new Error(`mix full refresh: no rows loaded for ${missing.join(', ')}`);
  const noop = await measure('mix no-op refresh', refreshJob, 0);
  const lookup = await reportedLookups(outDir, config, 'mix lookup', progress);

  const plus = await ensureMixIncremental(data, params);
  const incOut = join(work, 'out-mix-plus1q');
  const inc = await measure(
    `mix +1 quarter (${plus.added.map((r) => `${r.folderSource}/${r.id}`).join(', ')})`,
    { mode: 'refresh', rawDir: plus.data.rawDir, outDir: incOut },
    null,
    async () => {
      await rm(incOut, { recursive: true, force: true });
      await cp(outDir, incOut, { recursive: true, verbatimSymlinks: true });
    },
  );
  await rm(incOut, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
  const pipeline = series(full);
  const incSeries = series(inc);
  return {
    quarters,
    releases,
    files: data.files.length,
    rows: data.rows,
    bytes: data.bytes,
    reusedData: data.reused,
    ceiling: series(ceiling),
    ceilingGroups,
    pipeline,
    rowsBySource: nearestMedian(full).result.rowsBySource,
    noop: series(noop),
    incremental: {
      quarter: quarter(quarters).yyyymm,
      releases: plus.added.map((r) => `${r.folderSource}/${r.id}`),
      bytes: plus.added.flatMap((r) => r.files).reduce((n, f) => n + f.bytes, 0),
      series: incSeries,
      ofFull: incSeries.median / pipeline.median,
    },
    lookup,
    stages: stageBreakdown(full),
  };
}

function assemble(
  config: BenchConfig,
  scales: ScaleReport[],
  incremental: IncrementalReport | null,
  rssSource: string,
  loadAtStart: number[],
  mix: MixReport | null = null,
): BenchReport {
  const cpuList = cpus();
  return {
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
      memoryGiB: totalmem() / 2 ** 30,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      loadAvg: { start: loadAtStart, end: loadavg() },
    },
    source: gitSource(),
    config: {
      scales: config.scales,
      mixQuarters: config.mixQuarters,
      package: config.package,
      runs: config.runs,
      seed: config.seed,
      ...(config.rowsPerRelease ? { rowsPerRelease: config.rowsPerRelease } : {}),
      benchDir: config.benchDir,
      lookups: config.lookups,
      ...(config.memoryLimit ? { memoryLimit: config.memoryLimit } : {}),
    },
    rssSource,
    scales,
    incremental,
    mix,
    targets: evaluateTargets(scales, incremental),
  };
}

export async function writeReports(report: BenchReport, outDir: string): Promise<string[]> {
  const dir = join(outDir, 'bench');
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'bench.json');
  const md = join(dir, 'bench.md');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(md, formatMarkdown(report));
  return [json, md];
}
