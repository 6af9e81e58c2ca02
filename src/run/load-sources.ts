import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runSqlFiles } from '../db/run-sql-files.js';
import { identifier } from '../db/sql.js';
import type { RawFile, RawRelease } from '../extract/raw-releases.js';
import { variantTable } from '../extract/readers/staging.js';
import {
  dropStagingTables,
  groupReleases,
  type StagedFile,
  type StagedRelease,
  stageReleases,
} from '../extract/stage-source.js';
import type { ReleaseFiles } from '../load/parquet-export.js';
import { PIPELINES_DIR } from '../paths.js';
import type { PipelineDefinition } from '../pipeline-definition.js';
import { type CheckOutcome, runStagingChecks } from '../transform/checks.js';
import { createDecodedViews } from '../transform/decoded-view.js';
import { attachRawText } from '../transform/reject-text.js';
import { validateStagedRows } from '../transform/validate-rows.js';
import { throwIfBlocked } from './blocked.js';
import { isDuplicateKeyError, repeatedFactKeys } from './repeated-keys.js';

/** A release of the run, as its summary reports it. */
export interface ReleaseSummary {
  source: string;
  release: string;
  effectiveFrom: string | null;
  files: StagedFile[];
  rowsLoaded: number;
  /**
   * Lines of its files kept out of the tables: those the reader could not read and those
   * validation rejected (rejected_row where not row_kept), each line once.
   */
  linesRejected: number;
}

/** A source after its releases were loaded: what it staged, and its outcomes so far. */
export interface LoadedSource {
  pipeline: PipelineDefinition;
  staged: StagedRelease[];
  /** Outcomes of the checks on staging, one list per group; empty when nothing was read. */
  stagedOutcomes: CheckOutcome[][];
  /** True when the source had no release to build, so its history and tables are as built. */
  loaded: boolean;
  /** A source carried over from the published run keeps its outcomes. */
  carriedOutcomes: CheckOutcome[] | null;
}

/** A release the database already held: a copied published one. */
export interface CarriedRelease {
  release: Omit<ReleaseSummary, 'rowsLoaded' | 'linesRejected'>;
  parquet: ReleaseFiles;
}

/**
 * Bytes of release files staged at a time: the releases of a source are staged, validated and
 * loaded group by group, so that staging takes a bounded share of DuckDB's memory whatever the
 * number of releases (all releases staged at once spilled to disk at the bench's scale).
 */
export const GROUP_BYTES = 64 * 1024 * 1024;

/**
 * Extract and transform for one source: its new releases staged, validated and loaded by its
 * models a group at a time. With a published run to build on (`extending`), a source with
 * nothing new keeps its tables, history and check outcomes as they were built.
 */
export async function loadSource(
  connection: DuckDBConnection,
  runId: string,
  pipeline: PipelineDefinition,
  releases: readonly RawRelease[],
  options: { extending: boolean; groupBytes: number },
  log: (line: string) => void,
  /** Called once the source's models have run on its last group (before its staging checks). */
  modelsDone: (() => void) | null,
): Promise<LoadedSource> {
  if (options.extending && releases.length === 0) {
    // Same code, code tables and rows as the published run: so are its check outcomes.
    const carriedOutcomes = await carryOverChecks(connection, runId, pipeline.source);
    return { pipeline, staged: [], stagedOutcomes: [], loaded: false, carriedOutcomes };
  }
  const groups = groupReleases(releases, options.groupBytes);
  // A fresh build runs the models even with no release: they create the source's tables.
  if (groups.length === 0 && !options.extending) groups.push([]);
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
  if (files.length > 0) await keepOutInvalidLines(connection, pipeline, files, hasVariants, log);
  const modelsDir = join(PIPELINES_DIR, pipeline.source, 'models');
  try {
    await runSqlFiles(connection, modelsDir, pipeline.models);
  } catch (error) {
    // Only a run building on the published database meets a fact table with its key (a full
    // build declares the keys once its checks passed): the repeated rows are then named as the
    // unique-key check of a full build names them.
    if (isDuplicateKeyError(error)) {
      throwIfBlocked(await repeatedFactKeys(connection, pipeline, modelsDir));
    }
    throw error;
  }
  await createDecodedViews(connection, pipeline);
}

/**
 * Validation of the staged rows, and the lines kept out of the fact tables taken out of staging.
 * A fresh build's source with no release to read has nothing staged: its models still run (they
 * create its tables), with nothing to validate.
 */
async function keepOutInvalidLines(
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

/** The releases in a copied published database, as the summary and the Parquet export need them. */
export async function carriedReleases(connection: DuckDBConnection): Promise<CarriedRelease[]> {
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

/** Rows of the source's main fact table per release. */
/** Lines kept out of the tables per source and release ("<source> <release>"), as in ReleaseSummary. */
export async function linesRejectedPerRelease(
  connection: DuckDBConnection,
): Promise<Map<string, number>> {
  const reader = await connection.runAndReadAll(
    `SELECT f.source || ' ' || f.release_id, count(DISTINCT (r.source_file, r.source_line))
     FROM rejected_row r JOIN source_file f USING (source_file)
     WHERE NOT r.row_kept GROUP BY ALL`,
  );
  return new Map(reader.getRowsJS().map(([key, count]) => [String(key), Number(count)]));
}

export async function rowsPerRelease(
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
