import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PIPELINES } from '../pipelines/index.js';
import { openDuckDB } from './db/open-duckdb.js';
import { identifier } from './db/sql.js';
import { BlockedRunError } from './errors.js';
import { findRawReleases, type RawRelease } from './extract/raw-releases.js';
import { stageCsvFile } from './extract/readers/csv-reader.js';
import { stageFixedWidthFile } from './extract/readers/fixed-width-reader.js';
import {
  createStagingTable,
  type StageResult,
  type StagingTarget,
} from './extract/readers/staging.js';
import { acquireLock } from './load/lock.js';
import { exportParquet, type ParquetTable, type ReleaseFiles } from './load/parquet-export.js';
import { buildDirFor, discardBuild, publishBuild } from './load/publish.js';
import {
  CODE_TABLES_DIR,
  DATABASE_FILE_NAME,
  PARQUET_DIR_NAME,
  PIPELINES_DIR,
  PROJECT_ROOT,
} from './paths.js';
import type { PipelineDefinition } from './pipeline-definition.js';
import { type CheckOutcome, runChecks, variantTable } from './transform/checks.js';
import { loadCodeTables } from './transform/code-tables.js';
import { attachRawText } from './transform/reject-text.js';
import { validateStagedRows } from './transform/validate-rows.js';
import { PIPELINE_VERSION } from './version.js';

export interface RefreshOptions {
  rawDir: string;
  outDir: string;
  log?: (line: string) => void;
  pipelines?: readonly PipelineDefinition[];
  codeTablesDir?: string;
}

export interface ReleaseSummary {
  source: string;
  release: string;
  effectiveFrom: string | null;
  files: { file: string; role: string; rows: number; rejected: number }[];
  rowsLoaded: number;
}

export interface RefreshSummary {
  runId: string;
  databasePath: string;
  parquetDir: string;
  releases: ReleaseSummary[];
  checks: CheckOutcome[];
  seconds: number;
}

const CORE_MODELS_DIR = join(PROJECT_ROOT, 'src', 'transform', 'models');
const CORE_PARQUET_TABLES: ParquetTable[] = [
  'run',
  'release',
  'source_file',
  'indicator_system',
  'indicator_code',
  'rejected_row',
  'check_result',
].map((name) => ({ name, partitionByRelease: false }));

function newRunId(): string {
  return `${new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
}

/**
 * Rebuilds every output from raw/: read, validate, decode, check, export; then publish into
 * out/ only if every blocking check passed. A failed run leaves out/ as it was.
 */
export async function refresh(options: RefreshOptions): Promise<RefreshSummary> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const pipelines = options.pipelines ?? PIPELINES;
  const lock = await acquireLock(options.outDir, log);
  const runId = newRunId();
  const buildDir = buildDirFor(options.outDir, runId);
  try {
    await mkdir(buildDir, { recursive: true });
    const summary = await build(buildDir, runId, options, pipelines, log);
    await publishBuild(buildDir, options.outDir);
    log(
      `published ${join(options.outDir, DATABASE_FILE_NAME)} and ${join(options.outDir, PARQUET_DIR_NAME)}/`,
    );
    return {
      ...summary,
      databasePath: join(options.outDir, DATABASE_FILE_NAME),
      parquetDir: join(options.outDir, PARQUET_DIR_NAME),
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    await discardBuild(buildDir);
    throw error;
  } finally {
    await lock.release();
  }
}

async function build(
  buildDir: string,
  runId: string,
  options: RefreshOptions,
  pipelines: readonly PipelineDefinition[],
  log: (line: string) => void,
): Promise<Omit<RefreshSummary, 'databasePath' | 'parquetDir' | 'seconds'>> {
  const db = await openDuckDB(join(buildDir, DATABASE_FILE_NAME));
  try {
    const { connection } = db;
    await runSqlFiles(connection, CORE_MODELS_DIR);
    const insertRun = await connection.prepare(
      'INSERT INTO run VALUES ($1, now()::TIMESTAMP, $2, $3)',
    );
    insertRun.bind([runId, options.rawDir, PIPELINE_VERSION]);
    await insertRun.run();
    const codes = await loadCodeTables(
      connection,
      options.codeTablesDir ?? CODE_TABLES_DIR,
      pipelines,
    );
    log(`code tables: ${codes.systems} systems, ${codes.codes} codes`);

    const releases: ReleaseSummary[] = [];
    const parquetReleases: ReleaseFiles[] = [];
    const checks: CheckOutcome[] = [];
    const filesByLineageKey = new Map<string, string>();
    for (const pipeline of pipelines) {
      const raw = await findRawReleases(options.rawDir, pipeline);
      log(
        `${pipeline.source}: ${raw.length} release(s) in ${join(options.rawDir, pipeline.source)}`,
      );
      await createStagingTable(connection, pipeline.stagingTable, pipeline.columns);
      await createStagingTable(connection, variantTable(pipeline), pipeline.columns);
      for (const release of raw) {
        await insertRelease(connection, release);
        const files: ReleaseSummary['files'] = [];
        for (const file of [release.primary, ...release.variants]) {
          filesByLineageKey.set(file.relativePath, file.path);
          const table =
            file.rule.role === 'primary' ? pipeline.stagingTable : variantTable(pipeline);
          const target: StagingTarget = {
            table,
            releaseId: release.release,
            file,
            columns: pipeline.columns,
          };
          const result = await stageFile(connection, pipeline, target);
          await insertSourceFile(connection, release, target, result);
          files.push({
            file: file.relativePath,
            role: file.rule.role,
            rows: result.rowsStaged,
            rejected: result.linesRejected,
          });
          log(
            `  ${file.relativePath}: ${result.rowsStaged} rows read, ${result.linesRejected} lines unreadable`,
          );
        }
        for (const ignored of release.ignored)
          log(`  ${release.dir}/${ignored}: not a ${pipeline.source} file, ignored`);
        parquetReleases.push({
          release: release.release,
          sourceFile: release.primary.relativePath,
          sourceSha256: release.primary.profile.sha256,
        });
        releases.push({
          source: pipeline.source,
          release: release.release,
          effectiveFrom: release.manifest.effective_from,
          files,
          rowsLoaded: 0,
        });
      }
      await setEffectiveTo(connection);
      const invalid =
        (await validateStagedRows(connection, pipeline.stagingTable, pipeline.columns)) +
        (await validateStagedRows(connection, variantTable(pipeline), pipeline.columns));
      if (invalid > 0) log(`${pipeline.source}: ${invalid} value(s) failed validation`);
      await attachRawText(connection, filesByLineageKey);
      await runSqlFiles(
        connection,
        join(PIPELINES_DIR, pipeline.source, 'models'),
        pipeline.models,
      );
      checks.push(...(await runChecks(connection, runId, pipeline)));
      const loaded = await connection.runAndReadAll(
        `SELECT release_id, count(*) FROM ${identifier(pipeline.factTable)} GROUP BY ALL`,
      );
      for (const [releaseId, count] of loaded.getRowsJS()) {
        const summary = releases.find(
          (r) => r.source === pipeline.source && r.release === releaseId,
        );
        if (summary) summary.rowsLoaded = Number(count);
      }
    }

    const failed = checks.filter((c) => c.severity === 'blocking' && c.failing > 0);
    if (failed.length > 0) {
      throw new BlockedRunError(
        `refresh blocked: ${failed.length} blocking check(s) failed; nothing was published`,
        failed.flatMap((c) => [
          `${c.name} (${c.table}): ${c.failing} failing`,
          ...c.examples.map((e) => `  ${e}`),
          ...(c.failing > c.examples.length
            ? [`  … and ${c.failing - c.examples.length} more`]
            : []),
        ]),
      );
    }
    for (const pipeline of pipelines) {
      await connection.run(
        `DROP TABLE ${identifier(pipeline.stagingTable)}; DROP TABLE ${identifier(variantTable(pipeline))}`,
      );
    }
    await exportParquet(
      connection,
      join(buildDir, PARQUET_DIR_NAME),
      [
        ...CORE_PARQUET_TABLES,
        ...pipelines.map((p) => ({ name: p.factTable, partitionByRelease: true })),
      ],
      parquetReleases,
      PIPELINE_VERSION,
    );
    await connection.run('CHECKPOINT');
    return { runId, releases, checks };
  } finally {
    db.close();
  }
}

async function stageFile(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  target: StagingTarget,
): Promise<StageResult> {
  switch (target.file.rule.format) {
    case 'csv':
      return stageCsvFile(connection, target, pipeline.headerAnchor);
    case 'fixed-width':
      if (!pipeline.fixedWidth)
        throw new Error(`${pipeline.source} declares no fixed-width layout`);
      return stageFixedWidthFile(connection, target, pipeline.fixedWidth);
  }
}

/** Runs SQL model files: the listed ones in order, or every .sql file of the folder by name. */
async function runSqlFiles(
  connection: DuckDBConnection,
  dir: string,
  names?: readonly string[],
): Promise<void> {
  const files = names ?? (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  for (const name of files) {
    const sql = await readFile(join(dir, name), 'utf8');
    try {
      await connection.run(sql);
    } catch (error) {
      throw new Error(`model ${join(dir, name)}: ${(error as Error).message}`);
    }
  }
}

async function insertRelease(connection: DuckDBConnection, release: RawRelease): Promise<void> {
  const m = release.manifest;
  const insert = await connection.prepare(
    'INSERT INTO release VALUES ($1, $2, $3::DATE, $4::DATE, NULL, $5, $6, $7)',
  );
  insert.bind([m.release, m.source, m.published, m.effective_from, m.is_full, m.origin, m.license]);
  await insert.run();
}

async function insertSourceFile(
  connection: DuckDBConnection,
  release: RawRelease,
  target: StagingTarget,
  result: StageResult,
): Promise<void> {
  const { file } = target;
  const insert = await connection.prepare(
    'INSERT INTO source_file VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
  );
  insert.bind([
    file.relativePath,
    release.release,
    file.name,
    file.rule.format,
    file.rule.role,
    file.profile.sha256,
    file.profile.bytes,
    file.profile.lines,
    result.rowsStaged,
    result.linesRejected,
    file.origin,
  ]);
  await insert.run();
}

/** A release is in force until the day before the next release of its source starts. */
async function setEffectiveTo(connection: DuckDBConnection): Promise<void> {
  await connection.run(`
    UPDATE release SET effective_to = n.next_from - 1
    FROM (SELECT release_id, lead(effective_from) OVER (PARTITION BY source ORDER BY effective_from) AS next_from
          FROM release) n
    WHERE release.release_id = n.release_id AND n.next_from IS NOT NULL`);
}
