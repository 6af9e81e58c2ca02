import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PIPELINES } from '../pipelines/index.js';
import { openDuckDB } from './db/open-duckdb.js';
import { identifier } from './db/sql.js';
import { BlockedRunError } from './errors.js';
import type { RawFile, RawRelease } from './extract/raw-releases.js';
import {
  dropStagingTables,
  groupReleases,
  registerReleases,
  type StagedFile,
  type StagedRelease,
  stageReleases,
} from './extract/stage-source.js';
import {
  buildContract,
  type Contract,
  checkContract,
  readPublishedContract,
  writeContract,
} from './load/contract.js';
import { describeInputs, INPUTS_FILE, publishedInputs } from './load/inputs-fingerprint.js';
import { acquireLock } from './load/lock.js';
import { exportParquet, type ParquetTable, type ReleaseFiles } from './load/parquet-export.js';
import { buildDirFor, discardBuild, publishBuild, removeUnpublishedRuns } from './load/publish.js';
import { writeReport } from './load/report.js';
import { type PublishedRun, publishedRunToExtend } from './load/reuse-published.js';
import {
  CODE_TABLES_DIR,
  DATABASE_FILE_NAME,
  PARQUET_DIR_NAME,
  PIPELINES_DIR,
  PROJECT_ROOT,
} from './paths.js';
import type { PipelineDefinition } from './pipeline-definition.js';
import {
  type CheckOutcome,
  runChecks,
  runStagingChecks,
  variantTable,
} from './transform/checks.js';
import { loadCodePages } from './transform/code-pages/load-code-pages.js';
import { loadCodeTables } from './transform/code-tables.js';
import {
  buildHistory,
  createSharedHistoryTables,
  deriveChanges,
  historyParquetTables,
} from './transform/history/build-history.js';
import { inheritComments } from './transform/inherit-comments.js';
import { MARTS } from './transform/marts/index.js';
import { attachRawText } from './transform/reject-text.js';
import { validateStagedRows } from './transform/validate-rows.js';
import { PIPELINE_VERSION } from './version.js';

export interface RefreshOptions {
  rawDir: string;
  outDir: string;
  log?: (line: string) => void;
  pipelines?: readonly PipelineDefinition[];
  codeTablesDir?: string;
  /** Rebuild even when nothing changed since the published run. */
  force?: boolean;
  /** Bytes of release files staged at a time (default 64 MiB); a test sets it to group less. */
  stagingGroupBytes?: number;
}

export interface ReleaseSummary {
  source: string;
  release: string;
  effectiveFrom: string | null;
  files: StagedFile[];
  rowsLoaded: number;
}

export interface RefreshSummary {
  runId: string;
  databasePath: string;
  parquetDir: string;
  releases: ReleaseSummary[];
  checks: CheckOutcome[];
  seconds: number;
  /** True when nothing changed since the published run, which stays as it is. */
  unchanged: boolean;
  /** Per source, keys added, ended and changed by its newest release. */
  changes: ReleaseChanges[];
}

type BuildSummary = Pick<RefreshSummary, 'runId' | 'releases' | 'checks' | 'changes'> & {
  /** True when the run wrote or completed a release's manifest.json (files dropped in by hand). */
  manifestsWritten: boolean;
};

/** What the newest release of a source changed against the one before it. */
export interface ReleaseChanges {
  source: string;
  from: string;
  to: string;
  added: number;
  ended: number;
  changed: number;
}

const CORE_MODELS_DIR = join(PROJECT_ROOT, 'src', 'transform', 'models');
/** Views across sources, built once every source's tables exist. */
const MARTS_DIR = join(PROJECT_ROOT, 'src', 'transform', 'marts');
/** Keys of the datasets that are not fact tables, for the Parquet contract. */
const CORE_KEYS: Record<string, readonly string[]> = {
  run: ['run_id'],
  release: ['source', 'release_id'],
  source_file: ['source_file'],
  indicator_system: ['system'],
  indicator_code: ['system', 'code'],
};

function datasetKey(name: string, pipelines: readonly PipelineDefinition[]): readonly string[] {
  const fact = pipelines.flatMap((p) => p.factTables).find((f) => f.name === name);
  return fact?.key ?? CORE_KEYS[name] ?? [];
}

/**
 * Row order of the core tables' Parquet files where rows are appended: a run building on a
 * published one adds its releases' rows after the others, so their order in the table is not a
 * full rebuild's, and the files must be the same.
 */
const CORE_ORDER: Record<string, string> = {
  release: 'source, effective_from, release_id',
  source_file: 'source_file',
  rejected_row: 'source, source_file, source_line, rule, column_name',
};

const CORE_TABLES = [
  'code_page',
  'code_page_history',
  'code_page_refused',
  'reconciliation',
  'run',
  'release',
  'source_file',
  'indicator_system',
  'indicator_code',
  'rejected_row',
  'check_result',
];

/**
 * DuckDB's memory for a refresh (FSE_MEMORY_LIMIT, e.g. "2GB"): beyond it, it spills to disk.
 * With releases staged a group at a time, 600MB keeps a refresh of 100 PFS releases under 900
 * MiB of RSS; below about 600MB DuckDB's CSV reader ran at half speed on the bench machine. A
 * run that needs more fails with DuckDB's "Out of Memory" and publishes nothing.
 */
function refreshMemoryLimit(): string {
  return process.env.FSE_MEMORY_LIMIT || '600MB';
}

/** Runs of one process within a second (a script refreshing twice) get ids of their own. */
let runsStarted = 0;

function newRunId(): string {
  const second = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  runsStarted++;
  return `${second}-${process.pid}${runsStarted > 1 ? `-${runsStarted}` : ''}`;
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
  const paths = {
    databasePath: join(options.outDir, DATABASE_FILE_NAME),
    parquetDir: join(options.outDir, PARQUET_DIR_NAME),
  };
  try {
    const abandoned = await removeUnpublishedRuns(options.outDir);
    if (abandoned.length > 0) log(`removed unfinished runs: ${abandoned.join(', ')}`);
    // Nothing new in raw/ and the same code: the published run already is this run's result.
    const inputs = await describeInputs(options.rawDir, pipelines);
    const previous = await publishedInputs(options.outDir);
    if (!options.force && inputs.fingerprint === previous?.fingerprint) {
      log('nothing changed in raw/, the code tables or the pipeline since the published run');
      return {
        runId,
        releases: [],
        checks: [],
        changes: [],
        ...paths,
        seconds: (Date.now() - started) / 1000,
        unchanged: true,
      };
    }
    // Only releases added since the published run: build on it instead of from nothing.
    const base = options.force
      ? null
      : await publishedRunToExtend(options.outDir, previous, inputs);
    if (base) {
      log(`${base.folders.size} release(s) unchanged since the published run: taken over as built`);
    }
    await mkdir(buildDir, { recursive: true });
    const { manifestsWritten, ...summary } = await build(
      buildDir,
      runId,
      options,
      pipelines,
      log,
      base,
    );
    // Manifests written for files dropped in by hand are part of the inputs from now on.
    const saved = manifestsWritten ? await describeInputs(options.rawDir, pipelines) : inputs;
    await writeFile(join(buildDir, INPUTS_FILE), `${JSON.stringify(saved)}\n`);
    await publishBuild(buildDir, options.outDir, runId);
    log(
      `published ${join(options.outDir, DATABASE_FILE_NAME)} and ${join(options.outDir, PARQUET_DIR_NAME)}/`,
    );
    return { ...summary, ...paths, seconds: (Date.now() - started) / 1000, unchanged: false };
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
  base: PublishedRun | null,
): Promise<BuildSummary> {
  const databasePath = join(buildDir, DATABASE_FILE_NAME);
  // Building on the published run starts from a copy of its database (same code, same code
  // tables): its releases stay as loaded, and what this run derives is rebuilt.
  if (base) await copyFile(base.databasePath, databasePath);
  const db = await openDuckDB(databasePath, { memoryLimit: refreshMemoryLimit() });
  try {
    const { connection } = db;
    // Releases are loaded a group at a time, each group's rows in row groups of their own. A
    // vacuum at checkpoint would merge the partly filled ones, rewriting every row group after
    // them (three seconds at 100 releases) for the sake of a few partly filled row groups.
    await connection.run('SET max_vacuum_tasks = 0');
    if (base) {
      // Building on the published run, statements handle a release or two, tens of thousands of
      // rows: on one thread DuckDB spends less on per-thread buffers and scheduling than a
      // second core gains (+1 release at 100: about 5 % faster). Both cores still work where
      // two connections do: the histories beside the marts, the Parquet files two at a time.
      await connection.run('SET threads = 1');
      // Nor a checkpoint before the end, where it runs beside the export (which only reads): a
      // checkpoint on the way held up the other connections' commits. What a run adds to a
      // published database stays far below this.
      await connection.run("SET checkpoint_threshold = '1GB'");
    }
    if (base) {
      // check_result keeps the outcomes of sources with nothing new (see loadSource).
      await connection.run('DELETE FROM run');
    } else {
      await runSqlFiles(connection, CORE_MODELS_DIR);
    }
    const insertRun = await connection.prepare(
      'INSERT INTO run VALUES ($1, now()::TIMESTAMP, $2, $3)',
    );
    insertRun.bind([runId, options.rawDir, PIPELINE_VERSION]);
    await insertRun.run();
    if (base) {
      log('code tables: as in the published run');
    } else {
      const codes = await loadCodeTables(
        connection,
        options.codeTablesDir ?? CODE_TABLES_DIR,
        pipelines,
      );
      log(`code tables: ${codes.systems} systems, ${codes.codes} codes`);
    }
    const carried = base ? await loadedReleases(connection) : [];

    const releases: ReleaseSummary[] = [];
    const parquetReleases: ReleaseFiles[] = [];
    /** Effective dates of the releases this run read. */
    const addedDays: string[] = [];
    // Each source's new releases first: which sources load data decides when the marts can start.
    const toRead: RawRelease[][] = [];
    for (const pipeline of pipelines) {
      toRead.push(await registerReleases(connection, options.rawDir, pipeline, log, base?.folders));
    }
    // The marts (one card per code) read the loaded tables only: they start on a second
    // connection once the last source with data to load has run its models, and run beside
    // the rest (staging checks, histories, checks), which write other tables. Views read
    // release_diff and code_history: they exist first.
    await createSharedHistoryTables(connection);
    const lastLoading = base
      ? toRead.reduce((last, r, i) => (r.length > 0 ? i : last), -1)
      : pipelines.length - 1;
    const martsConnection = await db.instance.connect();
    // release_diff and code_history are derived on a third connection beside the checks.
    const changesConnection = await db.instance.connect();
    let marts: Promise<void> | null = null;
    const startMarts = () => {
      marts ??= buildMarts(martsConnection, new Set(pipelines.map((p) => p.source)), log);
    };
    let checks: CheckOutcome[];
    const loaded: LoadedSource[] = [];
    try {
      for (const [i, pipeline] of pipelines.entries()) {
        const source = await loadSource(
          connection,
          runId,
          options,
          pipeline,
          toRead[i] ?? [],
          log,
          base,
          i === lastLoading ? startMarts : null,
        );
        loaded.push(source);
        const rows = await rowsPerRelease(connection, pipeline);
        for (const { release, parquet } of carried.filter(
          (c) => c.release.source === pipeline.source,
        )) {
          releases.push({ ...release, rowsLoaded: rows.get(release.release) ?? 0 });
          parquetReleases.push(parquet);
        }
        for (const { raw, files } of source.staged) {
          if (raw.manifest.effective_from) addedDays.push(raw.manifest.effective_from);
          releases.push({
            source: pipeline.source,
            release: raw.release,
            effectiveFrom: raw.manifest.effective_from,
            files,
            rowsLoaded: rows.get(raw.release) ?? 0,
          });
          parquetReleases.push({
            source: pipeline.source,
            release: raw.release,
            sourceFiles: raw.primaries.map((f) => f.relativePath),
            sourceSha256s: raw.primaries.map((f) => f.profile.sha256),
          });
        }
      }
      startMarts();
      [checks] = await allOrFirstFailure([
        deriveSources(connection, changesConnection, runId, loaded, base),
        marts ?? Promise.resolve(),
      ]);
    } finally {
      // Never close a connection a statement still runs on: a failure above waits for the marts.
      await (marts as Promise<void> | null)?.catch(() => {});
      martsConnection.closeSync();
      changesConnection.closeSync();
    }
    // Unchanged code pages (a condition of building on the published run) are loaded already.
    if (base) log('code pages: as in the published run');
    else await loadCodePages(connection, options.rawDir, log);

    const failed = checks.filter((c) => c.severity === 'blocking' && c.failing > 0);
    if (failed.length > 0) {
      // Say which lines were rejected too, whatever check the rejects made fail.
      const rejected = checks.filter((c) => c.name.startsWith('rejected lines (') && c.failing > 0);
      throw new BlockedRunError(
        `refresh blocked: ${failed.length} blocking check(s) failed; nothing was published`,
        [...failed, ...rejected].flatMap((c) => [
          `${c.name} (${c.table}): ${c.failing} failing`,
          ...c.examples.map((e) => `  ${e}`),
          ...(c.failing > c.examples.length
            ? [`  … and ${c.failing - c.examples.length} more`]
            : []),
        ]),
      );
    }
    const tables: ParquetTable[] = [
      ...CORE_TABLES.map((name) => ({ name, orderBy: CORE_ORDER[name] })),
      ...pipelines.flatMap((p) => p.factTables.map((f) => ({ name: f.name, source: p.source }))),
      ...historyParquetTables(pipelines),
    ];
    // The export writes two files at once on two more connections, one per core, then the
    // contract reads the files back. Beside them, the checkpoint writes what the run changed to
    // the database file on the first connection (it lets them read), and the report reads the
    // tables on a fourth.
    const publishedContract = await readPublishedContract(options.outDir);
    const exporters = [await db.instance.connect(), await db.instance.connect()] as const;
    const reporter = await db.instance.connect();
    let contract: Contract;
    let changes: ReleaseChanges[];
    try {
      [, contract, changes] = await allOrFirstFailure([
        connection.run('CHECKPOINT'),
        exportParquet(
          exporters,
          join(buildDir, PARQUET_DIR_NAME),
          tables,
          parquetReleases,
          PIPELINE_VERSION,
          base
            ? {
                parquetDir: base.parquetDir,
                releases: new Set(carried.map((c) => `${c.release.source}/${c.release.release}`)),
                since: addedDays.sort()[0] ?? null,
              }
            : undefined,
        ).then(() =>
          buildContract(
            exporters[0],
            buildDir,
            join(buildDir, PARQUET_DIR_NAME),
            tables.map((t) => ({ ...t, key: datasetKey(t.name, pipelines) })),
            runId,
            PIPELINE_VERSION,
            base && publishedContract
              ? { contract: publishedContract, outputDir: dirname(base.databasePath) }
              : undefined,
          ),
        ),
        writeReport(reporter, buildDir).then(() => newestChanges(reporter)),
      ]);
    } finally {
      for (const c of [...exporters, reporter]) c.closeSync();
    }
    checkContract(publishedContract, contract);
    await writeContract(buildDir, contract);
    return {
      runId,
      releases,
      checks,
      changes,
      manifestsWritten: loaded.some((l) => l.staged.some((s) => s.raw.manifestWritten)),
    };
  } finally {
    db.close();
  }
}

/**
 * Bytes of release files staged at a time: the releases of a source are staged, validated and
 * loaded group by group, so that staging takes a bounded share of DuckDB's memory whatever the
 * number of releases (all 100 bench releases staged at once spilled to disk).
 */
const GROUP_BYTES = 64 * 1024 * 1024;

/** A source after its releases were loaded: what it staged, and its outcomes so far. */
interface LoadedSource {
  pipeline: PipelineDefinition;
  staged: StagedRelease[];
  /** Outcomes of the checks on staging, one list per group; empty when nothing was read. */
  stagedOutcomes: CheckOutcome[][];
  /** True when the source had no release to build, so its history and tables are as built. */
  loaded: boolean;
  /** A source carried over from the published run keeps its outcomes. */
  carriedOutcomes: CheckOutcome[] | null;
}

/**
 * Extract and transform for one source: its new releases staged, validated and loaded by its
 * models a group at a time. With a published run to build on, a source with nothing new keeps
 * its tables, history and check outcomes as they were built.
 */
async function loadSource(
  connection: DuckDBConnection,
  runId: string,
  options: RefreshOptions,
  pipeline: PipelineDefinition,
  releases: readonly RawRelease[],
  log: (line: string) => void,
  base: PublishedRun | null,
  /** Called once the source's models have run on its last group (before its staging checks). */
  modelsDone: (() => void) | null,
): Promise<LoadedSource> {
  if (base && releases.length === 0) {
    // Same code, code tables and rows as the published run: so are its check outcomes.
    const carriedOutcomes = await carryOverChecks(connection, runId, pipeline.source);
    return { pipeline, staged: [], stagedOutcomes: [], loaded: false, carriedOutcomes };
  }
  const groups = groupReleases(releases, options.stagingGroupBytes ?? GROUP_BYTES);
  // A fresh build runs the models even with no release: they create the source's tables.
  if (groups.length === 0 && !base) groups.push([]);
  const staged: StagedRelease[] = [];
  const stagedOutcomes: CheckOutcome[][] = [];
  for (const [i, group] of groups.entries()) {
    const stagedGroup = await stageReleases(connection, pipeline, group, log);
    await transformStaged(
      connection,
      pipeline,
      group.flatMap((r) => [...r.primaries, ...r.variants]),
      group.some((r) => r.variants.length > 0),
      log,
    );
    if (i === groups.length - 1) modelsDone?.();
    stagedOutcomes.push(await runStagingChecks(connection, pipeline));
    await dropStagingTables(connection, pipeline);
    staged.push(...stagedGroup);
  }
  return { pipeline, staged, stagedOutcomes, loaded: groups.length > 0, carriedOutcomes: null };
}

/**
 * What spans releases, per source in order: its history, then its changes between releases
 * (on `changesConnection`, in source order) beside its checks (on `connection`), which read
 * the history and not the changes. On a published run, what spans releases changes from the
 * earliest added release on.
 */
async function deriveSources(
  connection: DuckDBConnection,
  changesConnection: DuckDBConnection,
  runId: string,
  sources: readonly LoadedSource[],
  base: PublishedRun | null,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  let changes: Promise<void> = Promise.resolve();
  // Handled at once (awaited below): a failure while the checks run is not an unhandled rejection.
  changes.catch(() => {});
  try {
    for (const { pipeline, staged, stagedOutcomes, loaded, carriedOutcomes } of sources) {
      if (carriedOutcomes) {
        outcomes.push(...carriedOutcomes);
        continue;
      }
      if (loaded) {
        const days = staged.map((s) => s.raw.manifest.effective_from).filter((d) => d !== null);
        const since = days.sort()[0];
        const built = await buildHistory(
          connection,
          pipeline,
          base && since && days.length === staged.length
            ? { since, releases: staged.map((s) => s.raw.release) }
            : null,
        );
        changes = changes.then(() => deriveChanges(changesConnection, built));
        changes.catch(() => {});
      }
      const drop = await connection.prepare('DELETE FROM check_result WHERE source = $1');
      drop.bind([pipeline.source]);
      await drop.run();
      outcomes.push(...(await runChecks(connection, runId, pipeline, stagedOutcomes)));
    }
  } finally {
    // Never leave a statement running on the other connection: its caller closes it.
    await changes.catch(() => {});
  }
  await changes;
  return outcomes;
}

/** The views and tables across sources, then the comments their columns inherit. */
async function buildMarts(
  connection: DuckDBConnection,
  sources: ReadonlySet<string>,
  log: (line: string) => void,
): Promise<void> {
  for (const mart of MARTS) {
    if (mart.sources.every((source) => sources.has(source))) {
      await runSqlFiles(connection, MARTS_DIR, [mart.file]);
    } else {
      log(`${mart.file}: skipped, it needs the sources ${mart.sources.join(', ')}`);
    }
  }
  await inheritComments(connection);
}

/**
 * Waits for every task; throws the first failure once all have settled, so that no task is
 * still using a connection when its caller closes it.
 */
async function allOrFirstFailure<T extends readonly unknown[]>(
  tasks: {
    [K in keyof T]: Promise<T[K]>;
  },
): Promise<T> {
  const settled = await Promise.allSettled(tasks);
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** The published run's check outcomes of a source, now under this run's id. */
async function carryOverChecks(
  connection: DuckDBConnection,
  runId: string,
  source: string,
): Promise<CheckOutcome[]> {
  const update = await connection.prepare(
    'UPDATE check_result SET run_id = $1 WHERE source = $2 RETURNING check_name, table_name, severity, failing_rows, detail',
  );
  update.bind([runId, source]);
  const rows = (await update.runAndReadAll()).getRowsJS();
  return rows.map(([name, table, severity, failing, detail]) => ({
    name: String(name),
    table: String(table),
    severity: severity as CheckOutcome['severity'],
    failing: Number(failing),
    examples: detail === null ? [] : String(detail).split('\n'),
  }));
}

/**
 * Transform for staged rows: validate the text, drop the lines kept out, then load the rest with
 * the source's models.
 */
async function transformStaged(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  files: readonly RawFile[],
  hasVariants: boolean,
  log: (line: string) => void,
): Promise<void> {
  let invalid = 0;
  // The variant files' staging table is empty without variant files: nothing to validate.
  const tables = [pipeline.stagingTable, ...(hasVariants ? [variantTable(pipeline)] : [])];
  for (const table of tables) {
    invalid += await validateStagedRows(connection, pipeline, table);
  }
  if (invalid > 0) log(`${pipeline.source}: ${invalid} value(s) failed validation`);
  // A workbook's rows are quoted from what its reader kept; text files are read by line.
  const textFiles = files.filter((f) => f.rule.format !== 'xlsx');
  await attachRawText(connection, new Map(textFiles.map((f) => [f.relativePath, f.path])));
  // The lines kept out of the fact tables leave staging before the models read it. A model that
  // joined them away got a parallel INSERT that does not keep the rows' order (DuckDB keeps it,
  // with a BATCH_INSERT, through scans and filters only): now and then a release came out
  // rotated, in the table and in its Parquet file, from the same inputs.
  for (const table of tables) {
    await connection.run(`
      DELETE FROM ${identifier(table)} s USING kept_out_lines() k
      WHERE k.source_file = s.source_file AND k.source_line = s.source_line`);
  }
  await runSqlFiles(connection, join(PIPELINES_DIR, pipeline.source, 'models'), pipeline.models);
}

/** The releases in a copied published database, as the summary and the Parquet export need them. */
async function loadedReleases(
  connection: DuckDBConnection,
): Promise<{ release: Omit<ReleaseSummary, 'rowsLoaded'>; parquet: ReleaseFiles }[]> {
  const reader = await connection.runAndReadAll(`
    SELECT r.source, r.release_id, CAST(r.effective_from AS VARCHAR),
           list({file: f.source_file, role: f.role, rows: f.rows_staged, rejected: f.lines_rejected,
                 sha256: f.sha256} ORDER BY f.role, f.source_file)
    FROM release r JOIN source_file f ON f.source = r.source AND f.release_id = r.release_id
    GROUP BY r.source, r.release_id, r.effective_from ORDER BY r.source, r.effective_from, r.release_id`);
  return reader.getRowsJS().map(([source, release, effectiveFrom, files]) => {
    const list = files as {
      file: string;
      role: string;
      rows: bigint;
      rejected: bigint;
      sha256: string;
    }[];
    const primaries = list.filter((f) => f.role === 'primary');
    return {
      release: {
        source: String(source),
        release: String(release),
        effectiveFrom: effectiveFrom === null ? null : String(effectiveFrom),
        files: list.map((f) => ({
          file: f.file,
          role: f.role as StagedFile['role'],
          rows: Number(f.rows),
          rejected: Number(f.rejected),
        })),
      },
      parquet: {
        source: String(source),
        release: String(release),
        sourceFiles: primaries.map((f) => f.file),
        sourceSha256s: primaries.map((f) => f.sha256),
      },
    };
  });
}

async function rowsPerRelease(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
): Promise<Map<string, number>> {
  const [main] = pipeline.factTables;
  if (!main) return new Map();
  const reader = await connection.runAndReadAll(
    `SELECT release_id, count(*) FROM ${identifier(main.name)} GROUP BY ALL`,
  );
  return new Map(reader.getRowsJS().map(([release, count]) => [String(release), Number(count)]));
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
      // One commit per file: a commit per statement (a model's COMMENTs among them) cost more
      // than the statements.
      await connection.run(`BEGIN TRANSACTION;\n${sql}\n;COMMIT`);
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => {});
      throw new Error(`model ${join(dir, name)}: ${(error as Error).message}`);
    }
  }
}

/** Counts of keys added, ended and changed between each source's two newest releases. */
async function newestChanges(connection: DuckDBConnection): Promise<ReleaseChanges[]> {
  const reader = await connection.runAndReadAll(`
    WITH newest AS (
      SELECT source, arg_max(to_release, effective_from) AS to_release FROM release_diff GROUP BY source
    )
    SELECT d.source, any_value(d.from_release), d.to_release,
           count(DISTINCT d.key) FILTER (WHERE d.change = 'added'),
           count(DISTINCT d.key) FILTER (WHERE d.change = 'ended'),
           count(DISTINCT d.key) FILTER (WHERE d.change = 'changed')
    FROM release_diff d JOIN newest n USING (source, to_release)
    GROUP BY d.source, d.to_release ORDER BY d.source`);
  return reader.getRowsJS().map(([source, from, to, added, ended, changed]) => ({
    source: String(source),
    from: String(from),
    to: String(to),
    added: Number(added),
    ended: Number(ended),
    changed: Number(changed),
  }));
}
