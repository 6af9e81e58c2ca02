/**
 * One measured job in its own process, so that its peak RSS is its own:
 *   node dist-bench/bench/child.js '<json ChildJob>'   (or @<file holding it>, for long jobs)
 * Writes a ChildResult as JSON to job.resultFile.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCeiling } from './ceiling.js';
import { type CeilingFile, type CeilingGroup, runFilesCeiling } from './files-ceiling.js';
import {
  installSqlProfiler,
  type SqlSummary,
  summariseSql,
  topStatements,
} from './sql-profiler.js';
import { recordStages, type StageMemory } from './stage-memory.js';

export type ChildJob = (
  | {
      mode: 'refresh';
      rawDir: string;
      outDir: string;
      resultFile: string;
      /** Marts (their files) left out of the catalog: what a mart costs is the difference. */
      withoutMarts?: string[];
    }
  | { mode: 'ceiling'; rawDir: string; workDir: string; resultFile: string }
  | { mode: 'files-ceiling'; files: CeilingFile[]; workDir: string; resultFile: string }
) & {
  /** DuckDB memory_limit for every database the job opens (e.g. "6GB"); DuckDB's default if unset. */
  memoryLimit?: string;
};

export interface LogEvent {
  /** Milliseconds since the job started. */
  ms: number;
  line: string;
}

export interface ChildResult {
  mode: ChildJob['mode'];
  /** Time of the job itself, measured inside the process (no Node start-up). */
  seconds: number;
  /** CPU time of the job, user + system, every thread of the process (DuckDB's included). */
  cpuSeconds: number;
  rows: number;
  /** process.resourceUsage().maxRSS at the end, in KiB. */
  maxRssKib: number;
  log: LogEvent[];
  sql: SqlSummary[];
  sqlSeconds: number;
  topSql: { sql: string; seconds: number; count: number }[];
  /** A refresh's stages: when each ran and its peak RSS. */
  stages: StageMemory[];
  /** A refresh's rows loaded per source (releases carried over from the published run included). */
  rowsBySource: Record<string, number>;
  /** A files ceiling's groups. */
  ceilingGroups: CeilingGroup[];
}

/** Every PPRRVU CSV of raw/pfs-rvu/<release>/, in release order. */
export async function releaseCsvFiles(rawDir: string): Promise<string[]> {
  const sourceDir = join(rawDir, 'pfs-rvu');
  const files: string[] = [];
  for (const release of (await readdir(sourceDir)).sort()) {
    if (release.startsWith('.')) continue;
    for (const name of (await readdir(join(sourceDir, release))).sort()) {
      if (/^pprrvu.*\.csv$/i.test(name)) files.push(join(sourceDir, release, name));
    }
  }
  return files;
}

/**
 * Makes every DuckDBInstance.create of this process use the given memory_limit unless the caller
 * sets one: a guard for shared machines (DuckDB's default is 80 % of RAM), not a tuning.
 */
export function limitDuckDBMemory(memoryLimit: string): void {
  const original = DuckDBInstance.create.bind(DuckDBInstance);
  DuckDBInstance.create = (path?: string, options?: Record<string, string>) =>
    original(path, { memory_limit: memoryLimit, ...options });
}

export async function runJob(job: ChildJob): Promise<ChildResult> {
  if (job.memoryLimit) limitDuckDBMemory(job.memoryLimit);
  const profiler = installSqlProfiler();
  const log: LogEvent[] = [];
  const cpuBefore = process.cpuUsage();
  let seconds: number;
  let rows: number;
  let stages: StageMemory[] = [];
  let ceilingGroups: CeilingGroup[] = [];
  const rowsBySource: Record<string, number> = {};
  try {
    if (job.mode === 'files-ceiling') {
      const result = await runFilesCeiling({ files: job.files, workDir: job.workDir });
      seconds = result.seconds;
      rows = result.rows;
      ceilingGroups = result.groups;
    } else if (job.mode === 'ceiling') {
      const result = await runCeiling({
        csvFiles: await releaseCsvFiles(job.rawDir),
        workDir: job.workDir,
      });
      seconds = result.seconds;
      rows = result.rows;
    } else {
      // Imported here so that the ceiling never loads the pipeline's modules.
      const { CATALOG } = await import('../src/index.js');
      const { refresh } = await import('../src/run/refresh.js');
      const without = new Set(job.withoutMarts ?? []);
      const catalog = { ...CATALOG, marts: CATALOG.marts.filter((m) => !without.has(m.file)) };
      const started = performance.now();
      const recorder = recordStages(started);
      recorder.stage('(start: lock and open)');
      const summary = await refresh({
        catalog,
        rawDir: job.rawDir,
        outDir: job.outDir,
        log: (line) => log.push({ ms: performance.now() - started, line }),
        stage: (name) => recorder.stage(name),
      });
      seconds = (performance.now() - started) / 1000;
      stages = recorder.finish();
      rows = summary.releases.reduce((n, r) => n + r.rowsLoaded, 0);
      for (const r of summary.releases) {
        rowsBySource[r.source] = (rowsBySource[r.source] ?? 0) + r.rowsLoaded;
      }
    }
  } finally {
    profiler.uninstall();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    mode: job.mode,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rows,
    maxRssKib: process.resourceUsage().maxRSS,
    log,
    sql: summariseSql(profiler.timings),
    sqlSeconds: profiler.timings.reduce((s, t) => s + t.ms, 0) / 1000,
    topSql: topStatements(profiler.timings),
    stages,
    rowsBySource,
    ceilingGroups,
  };
}

async function main(): Promise<void> {
  const arg = process.argv[2] ?? '';
  const job = JSON.parse(
    arg.startsWith('@') ? await readFile(arg.slice(1), 'utf8') : arg,
  ) as ChildJob;
  const result = await runJob(job);
  await writeFile(job.resultFile, JSON.stringify(result));
}

if (process.argv[1]?.endsWith('child.js')) {
  await main();
}
