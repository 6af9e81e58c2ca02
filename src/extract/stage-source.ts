import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import { InputError, unreadableFile } from '../errors.js';
import type { PipelineDefinition, SourceColumn } from '../pipeline-definition.js';
import { findRawReleases, type RawFile, type RawRelease, RELEASES_READ } from './raw-releases.js';
import { looksTabDelimited } from './readers/csv-layout.js';
import { stageCsvFiles } from './readers/csv-reader.js';
import { stageFixedWidthFile } from './readers/fixed-width-reader.js';
import {
  createStagingTable,
  type StageResult,
  type StagingTarget,
  variantTable,
} from './readers/staging.js';
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
 * The release folders of a source to load: every folder in raw/<source>/ but those already
 * `loaded` ("<source>/<folder>"). Their release rows are written (with the day each ends) and
 * they are noted as read by this run, so that their files can be staged in any grouping.
 */
export async function registerReleases(
  connection: DuckDBConnection,
  rawDir: string,
  pipeline: PipelineDefinition,
  log: (line: string) => void,
  loaded: ReadonlySet<string> = new Set(),
  sharing: readonly PipelineDefinition[] = [],
): Promise<RawRelease[]> {
  const releases = await findRawReleases(rawDir, pipeline, loaded, sharing);
  log(`${pipeline.source}: ${releases.length} release(s) to read`);
  await connection.run(
    `CREATE TEMP TABLE IF NOT EXISTS ${RELEASES_READ} (source VARCHAR, release_id VARCHAR)`,
  );
  await insertRows(
    connection,
    RELEASES_READ,
    ['', ''],
    releases.map((r) => [r.source, r.release]),
  );
  await insertRows(
    connection,
    'release',
    ['', '', '::DATE', '::DATE', 'NULL', '', '', ''],
    releases.map(({ source, manifest: m }) => [
      source,
      m.release,
      m.published,
      m.effective_from,
      m.is_full,
      m.origin,
      m.license,
    ]),
  );
  await setEffectiveTo(connection, pipeline.source);
  return releases;
}

/**
 * Releases in groups of at most `maxBytes` of files (a larger release alone): the staging tables
 * hold one group at a time, so their memory stays flat however many releases there are.
 */
export function groupReleases(releases: readonly RawRelease[], maxBytes: number): RawRelease[][] {
  const groups: RawRelease[][] = [];
  let group: RawRelease[] = [];
  let bytes = 0;
  for (const release of releases) {
    const size = [...release.primaries, ...release.variants].reduce(
      (sum, f) => sum + f.profile.bytes,
      0,
    );
    if (group.length > 0 && bytes + size > maxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(release);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Extract for a group of releases: each file read into the (new, empty) staging table (primary)
 * or the variant staging table, with its source_file row.
 */
export async function stageReleases(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  releases: readonly RawRelease[],
  log: (line: string) => void,
): Promise<StagedRelease[]> {
  await createStagingTable(connection, pipeline.stagingTable, pipeline.columns);
  await createStagingTable(connection, variantTable(pipeline), pipeline.columns);
  const targets: { release: RawRelease; target: StagingTarget; role: 'primary' | 'variant' }[] = [];
  for (const release of releases) {
    for (const file of [...release.primaries, ...release.variants]) {
      const role = release.primaries.includes(file) ? 'primary' : 'variant';
      refuseUnreadable(file);
      targets.push({
        release,
        role,
        target: {
          source: pipeline.source,
          table: role === 'primary' ? pipeline.stagingTable : variantTable(pipeline),
          releaseId: release.release,
          file,
          columns: pipeline.columns,
        },
      });
    }
  }
  const results = await stageFiles(
    connection,
    pipeline,
    targets.map((t) => t.target),
  );
  const skipped = await removeNonRecords(connection, pipeline);

  await insertRows(
    connection,
    'source_file',
    Array(13).fill(''),
    targets.map(({ release, target: { file }, role }, i) => {
      const result = results[i] as StageResult;
      const linesSkipped = skipped.get(file.relativePath) ?? 0;
      return [
        file.relativePath,
        release.source,
        release.release,
        file.name,
        result.readAs ?? file.rule.format,
        role,
        file.profile.sha256,
        file.profile.bytes,
        file.profile.lines,
        result.rowsStaged - linesSkipped,
        result.linesRejected,
        linesSkipped,
        file.origin,
      ];
    }),
  );

  const staged: StagedRelease[] = [];
  for (const release of releases) {
    const files: StagedFile[] = [];
    for (const [i, { target, role }] of targets.entries()) {
      if (targets[i]?.release !== release) continue;
      const result = results[i] as StageResult;
      const linesSkipped = skipped.get(target.file.relativePath) ?? 0;
      files.push({
        file: target.file.relativePath,
        role,
        rows: result.rowsStaged - linesSkipped,
        rejected: result.linesRejected,
      });
      log(
        `  ${target.file.relativePath}: ${result.rowsStaged - linesSkipped} rows read, ${result.linesRejected} lines unreadable` +
          (linesSkipped ? `, ${linesSkipped} spacer or note lines skipped` : ''),
      );
    }
    for (const ignored of release.ignored) {
      log(`  ${release.dir}/${ignored}: no ${pipeline.source} rule reads this file; ignored`);
    }
    staged.push({ raw: release, files });
  }
  return staged;
}

/**
 * Takes the lines the pipeline declares not records (blank spacers, notes) out of both staging
 * tables; returns how many per file, for source_file.lines_skipped.
 */
export async function removeNonRecords(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
): Promise<Map<string, number>> {
  const skipped = new Map<string, number>();
  const declared = pipeline.nonRecords;
  const [first, ...rest] = pipeline.columns;
  if (!declared || !first) return skipped;
  const blank = (columns: readonly SourceColumn[]) =>
    columns.map((c) => `${identifier(c.name)} IS NULL`).join(' AND ') || 'true';
  const when = [
    declared.blank ? `(${blank(pipeline.columns)})` : null,
    declared.notes
      ? `(regexp_matches(${identifier(first.name)}, ${literal(declared.notes)}) AND ${blank(rest)})`
      : null,
  ].filter((w) => w !== null);
  if (when.length === 0) return skipped;
  for (const table of [pipeline.stagingTable, variantTable(pipeline)]) {
    const reader = await connection.runAndReadAll(`
      DELETE FROM ${identifier(table)} WHERE ${when.join(' OR ')} RETURNING source_file`);
    for (const [file] of reader.getRowsJS()) {
      skipped.set(String(file), (skipped.get(String(file)) ?? 0) + 1);
    }
  }
  return skipped;
}

/** Empties the staging tables (dropped: their memory is given back at once). */
export async function dropStagingTables(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
): Promise<void> {
  await connection.run(
    `DROP TABLE IF EXISTS ${identifier(pipeline.stagingTable)}; ` +
      `DROP TABLE IF EXISTS ${identifier(variantTable(pipeline))}`,
  );
}

/** Files that are not data at all are refused before any reader sees them. */
function refuseUnreadable(file: RawFile): void {
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
}

/**
 * Reads every file with the reader its format calls for, results in the order of the targets.
 * CSVs go to the CSV reader together (it reads files of one layout in one call); any failure
 * names the file.
 */
async function stageFiles(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  targets: readonly StagingTarget[],
): Promise<StageResult[]> {
  const results = new Map<StagingTarget, StageResult>();
  const csvTargets = targets.filter((t) => t.file.rule.format === 'csv');
  if (csvTargets.length > 0) {
    if (!pipeline.csv) throw noLayout(pipeline, csvTargets[0] as StagingTarget);
    const csvResults = await stageCsvFiles(connection, csvTargets, pipeline.csv);
    for (const [i, target] of csvTargets.entries()) {
      results.set(target, csvResults[i] as StageResult);
    }
  }
  // A text file the source lays out by position may come saved tab-delimited instead (Excel's
  // "Text (Tab delimited)"): with a CSV layout to find its header by, it is read by column name.
  const tabbed: StagingTarget[] = [];
  for (const target of targets) {
    if (
      target.file.rule.format === 'fixed-width' &&
      pipeline.csv &&
      (await looksTabDelimited(target.file.path))
    ) {
      tabbed.push(target);
    }
  }
  if (tabbed.length > 0 && pipeline.csv) {
    const tabResults = await stageCsvFiles(connection, tabbed, {
      ...pipeline.csv,
      delimiter: '\t',
    });
    for (const [i, target] of tabbed.entries()) {
      results.set(target, { ...(tabResults[i] as StageResult), readAs: 'tab-delimited' });
    }
  }
  for (const target of targets) {
    if (target.file.rule.format === 'csv' || tabbed.includes(target)) continue;
    try {
      results.set(target, await readWithLayout(connection, pipeline, target));
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw unreadableFile(target.file.relativePath, error);
    }
  }
  return targets.map((t) => results.get(t) as StageResult);
}

function readWithLayout(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  target: StagingTarget,
): Promise<StageResult> {
  const { format } = target.file.rule;
  if (format === 'fixed-width' && pipeline.fixedWidth) {
    return stageFixedWidthFile(connection, target, pipeline.fixedWidth);
  }
  if (format === 'xlsx' && pipeline.xlsx) return stageXlsxFile(connection, target, pipeline.xlsx);
  throw noLayout(pipeline, target);
}

function noLayout(pipeline: PipelineDefinition, target: StagingTarget): Error {
  return new Error(
    `${pipeline.source} declares no ${target.file.rule.format} layout for ${target.file.relativePath}`,
  );
}

/**
 * Inserts rows with one statement (one commit: a statement per row commits once a row, which
 * adds up over many releases). Each column is a parameter followed by its cast, or the literal NULL.
 */
async function insertRows(
  connection: DuckDBConnection,
  table: string,
  columns: readonly string[],
  rows: readonly (string | number | boolean | null)[][],
): Promise<void> {
  if (rows.length === 0) return;
  let n = 0;
  const tuple = () =>
    `(${columns.map((cast) => (cast === 'NULL' ? 'NULL' : `$${++n}${cast}`)).join(', ')})`;
  const insert = await connection.prepare(
    `INSERT INTO ${identifier(table)} VALUES ${rows.map(tuple).join(', ')}`,
  );
  insert.bind(rows.flat());
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
