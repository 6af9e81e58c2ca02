import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors.js';
import type { PipelineDefinition } from '../pipeline-definition.js';
import { variantTable } from '../transform/checks.js';
import { findRawReleases, type RawRelease } from './raw-releases.js';
import { stageCsvFile } from './readers/csv-reader.js';
import { stageFixedWidthFile } from './readers/fixed-width-reader.js';
import { createStagingTable, type StageResult, type StagingTarget } from './readers/staging.js';
import { stageXlsxFile } from './readers/xlsx-reader.js';

export interface StagedFile {
  file: string;
  role: 'primary' | 'variant';
  rows: number;
  rejected: number;
}

export interface StagedRelease {
  raw: RawRelease;
  files: StagedFile[];
}

/**
 * Extract for one source: every release folder in raw/<source>/, each file read into the
 * staging table (primary) or the variant staging table, with release and source_file rows.
 */
export async function stageSource(
  connection: DuckDBConnection,
  rawDir: string,
  pipeline: PipelineDefinition,
  log: (line: string) => void,
): Promise<StagedRelease[]> {
  const releases = await findRawReleases(rawDir, pipeline);
  log(`${pipeline.source}: ${releases.length} release(s)`);
  await createStagingTable(connection, pipeline.stagingTable, pipeline.columns);
  await createStagingTable(connection, variantTable(pipeline), pipeline.columns);
  const staged: StagedRelease[] = [];
  for (const release of releases) {
    await insertRelease(connection, release);
    const files: StagedFile[] = [];
    for (const file of [...release.primaries, ...release.variants]) {
      const role = release.primaries.includes(file) ? 'primary' : 'variant';
      const target: StagingTarget = {
        source: pipeline.source,
        table: role === 'primary' ? pipeline.stagingTable : variantTable(pipeline),
        releaseId: release.release,
        file,
        columns: pipeline.columns,
      };
      const result = await stageFile(connection, pipeline, target);
      await insertSourceFile(connection, release, target, role, result);
      files.push({
        file: file.relativePath,
        role,
        rows: result.rowsStaged,
        rejected: result.linesRejected,
      });
      log(
        `  ${file.relativePath}: ${result.rowsStaged} rows read, ${result.linesRejected} lines unreadable`,
      );
    }
    for (const ignored of release.ignored) {
      log(`  ${release.dir}/${ignored}: no ${pipeline.source} rule reads this file; ignored`);
    }
    staged.push({ raw: release, files });
  }
  await setEffectiveTo(connection, pipeline.source);
  return staged;
}

/** The most of a reader's error message an InputError repeats. */
const MESSAGE_MAX_CHARS = 2_000;

/** Reads one file with the reader its format calls for; any failure names the file. */
async function stageFile(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  target: StagingTarget,
): Promise<StageResult> {
  const { file } = target;
  if (file.profile.looksLikeHtml) {
    throw new InputError(
      file.relativePath,
      1,
      'HTML instead of data',
      'the file is a web page (an error or login page saved under a data file name)',
    );
  }
  if (file.profile.bytes === 0) {
    throw new InputError(file.relativePath, null, 'empty file', 'the file has no bytes');
  }
  try {
    return await readWithLayout(connection, pipeline, target);
  } catch (error) {
    if (error instanceof InputError) throw error;
    // DuckDB may quote the offending line in its message; a 10 MB line is no use in an error.
    const message = (error as Error).message;
    throw new InputError(
      file.relativePath,
      null,
      'unreadable file',
      message.length > MESSAGE_MAX_CHARS
        ? `${message.slice(0, MESSAGE_MAX_CHARS)}… (${message.length} characters)`
        : message,
    );
  }
}

function readWithLayout(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  target: StagingTarget,
): Promise<StageResult> {
  const { format } = target.file.rule;
  if (format === 'csv' && pipeline.csv) return stageCsvFile(connection, target, pipeline.csv);
  if (format === 'fixed-width' && pipeline.fixedWidth) {
    return stageFixedWidthFile(connection, target, pipeline.fixedWidth);
  }
  if (format === 'xlsx' && pipeline.xlsx) return stageXlsxFile(connection, target, pipeline.xlsx);
  throw new Error(
    `${pipeline.source} declares no ${format} layout for ${target.file.relativePath}`,
  );
}

async function insertRelease(connection: DuckDBConnection, release: RawRelease): Promise<void> {
  const m = release.manifest;
  const insert = await connection.prepare(
    'INSERT INTO release VALUES ($1, $2, $3::DATE, $4::DATE, NULL, $5, $6, $7)',
  );
  insert.bind([m.source, m.release, m.published, m.effective_from, m.is_full, m.origin, m.license]);
  await insert.run();
}

async function insertSourceFile(
  connection: DuckDBConnection,
  release: RawRelease,
  target: StagingTarget,
  role: 'primary' | 'variant',
  result: StageResult,
): Promise<void> {
  const { file } = target;
  const insert = await connection.prepare(
    'INSERT INTO source_file VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
  );
  insert.bind([
    file.relativePath,
    release.source,
    release.release,
    file.name,
    file.rule.format,
    role,
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
async function setEffectiveTo(connection: DuckDBConnection, source: string): Promise<void> {
  const update = await connection.prepare(`
    UPDATE release SET effective_to = n.next_from - 1
    FROM (SELECT source, release_id,
                 lead(effective_from) OVER (PARTITION BY source ORDER BY effective_from) AS next_from
          FROM release WHERE source = $1) n
    WHERE release.source = n.source AND release.release_id = n.release_id AND n.next_from IS NOT NULL`);
  update.bind([source]);
  await update.run();
}
