import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PIPELINES } from '../../pipelines/index.js';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { type DuckDBHandle, openDuckDB } from '../../src/db/open-duckdb.js';
import { runSqlFiles } from '../../src/db/run-sql-files.js';
import { profileFile } from '../../src/extract/file-profile.js';
import type { RawFile } from '../../src/extract/raw-releases.js';
import { stageCsvFiles } from '../../src/extract/readers/csv-reader.js';
import { stageFixedWidthFile } from '../../src/extract/readers/fixed-width-reader.js';
import {
  createStagingTable,
  type StageResult,
  type StagingTarget,
} from '../../src/extract/readers/staging.js';
import { CORE_MODELS } from '../../src/models/tables.js';
import { CODE_TABLES_DIR, MODELS_DIR } from '../../src/paths.js';
import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { loadCodeTables } from '../../src/transform/code-tables.js';

/**
 * An in-memory DuckDB with the core models run (src/models/, as a refresh runs them) and the
 * code tables loaded: what the readers need to stage a file outside a refresh.
 */
export async function openStagingDatabase(): Promise<DuckDBHandle> {
  const handle = await openDuckDB(':memory:');
  try {
    await runSqlFiles(handle.connection, MODELS_DIR, CORE_MODELS);
    await loadCodeTables(handle.connection, CODE_TABLES_DIR, PIPELINES);
    return handle;
  } catch (error) {
    handle.close();
    throw error;
  }
}

/** Describes a file of the RVU25D release the way findRawReleases() would. */
export async function pfsRawFile(path: string, relativePath: string): Promise<RawFile> {
  const name = basename(path);
  const rule = pfsRvuPipeline.files.find((r) => r.pattern.test(name));
  if (!rule) throw new Error(`${name} matches no pfs-rvu file rule`);
  return { path, relativePath, name, rule, profile: await profileFile(path), origin: 'local' };
}

/** Stages one PFS file into its own staging table with the reader its format calls for. */
export async function stagePfsFile(
  connection: DuckDBConnection,
  table: string,
  file: RawFile,
  releaseId = 'RVU25D',
): Promise<StageResult> {
  const { columns } = pfsRvuPipeline;
  await createStagingTable(connection, table, columns);
  const target: StagingTarget = { source: pfsRvuPipeline.source, table, releaseId, file, columns };
  if (file.rule.format === 'csv') {
    if (!pfsRvuPipeline.csv) throw new Error('pfs-rvu declares no CSV layout');
    const [result] = await stageCsvFiles(connection, [target], pfsRvuPipeline.csv);
    return result as StageResult;
  }
  if (!pfsRvuPipeline.fixedWidth) throw new Error('pfs-rvu declares no fixed-width layout');
  return stageFixedWidthFile(connection, target, pfsRvuPipeline.fixedWidth);
}

/** The staged columns as comparable values: decimals cast, so "0.10" (CSV) equals ".10" (TXT). */
export function comparableColumns(): string {
  return pfsRvuPipeline.columns
    .map((c) =>
      c.decimal
        ? `CAST("${c.name}" AS DECIMAL(${c.decimal.precision}, ${c.decimal.scale})) AS "${c.name}"`
        : `"${c.name}"`,
    )
    .join(', ');
}

/**
 * Stages a file of any pipeline into that pipeline's staging table (created here) with the reader
 * its file rule calls for, as a refresh would: the file's name must match one of the rules.
 */
export async function stageFileOf(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  path: string,
  relativePath: string,
  releaseId: string,
): Promise<StageResult> {
  const name = basename(path);
  const rule = pipeline.files.find((r) => r.pattern.test(name));
  if (!rule) throw new Error(`${name} matches no ${pipeline.source} file rule`);
  const file: RawFile = {
    path,
    relativePath,
    name,
    rule,
    profile: await profileFile(path),
    origin: 'local',
  };
  const table = pipeline.stagingTable as string;
  const { columns } = pipeline;
  await createStagingTable(connection, table, columns);
  const target: StagingTarget = { source: pipeline.source, table, releaseId, file, columns };
  if (rule.format === 'csv' && pipeline.csv) {
    const [result] = await stageCsvFiles(connection, [target], pipeline.csv);
    return result as StageResult;
  }
  if (rule.format === 'fixed-width' && pipeline.fixedWidth) {
    return stageFixedWidthFile(connection, target, pipeline.fixedWidth);
  }
  throw new Error(`${name}: ${pipeline.source} declares no ${rule.format} layout`);
}
