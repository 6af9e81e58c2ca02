import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../../db/sql.js';
import type { PipelineDefinition } from '../../pipeline-definition.js';

/** Columns of a fact table that are not business columns: the release and the lineage. */
export const NON_BUSINESS_COLUMNS = ['release_id', 'source_file', 'source_line'] as const;

/**
 * The row hash of a fact row: DuckDB hash() (64-bit) of its business columns (every column but
 * release_id, source_file, source_line, in table order) as a struct, so NULL differs from any
 * value. Written with COLUMNS(*) so the checks recompute it without knowing the columns; use it
 * in a SELECT whose FROM holds the fact table alone. Stable within one DuckDB version: compare
 * hashes within one build, not across builds.
 */
export const ROW_HASH_SQL = `hash(struct_pack(*COLUMNS(* EXCLUDE (${NON_BUSINESS_COLUMNS.join(', ')}))))`;

export interface BusinessColumn {
  name: string;
  type: string;
  comment: string | null;
  /** NOT NULL in the fact table (and so in the history). */
  notNull: boolean;
  /** Code system decoding the value (the pipeline's column of that name), for text columns. */
  system: string | null;
}

/** What the history of one source is built from. */
export interface HistorySpec {
  source: string;
  /** The main fact table (factTables[0]). */
  fact: string;
  /** <fact>_history. */
  history: string;
  key: readonly string[];
  /** Every column of the fact table but release_id and the lineage, in table order (keys included). */
  columns: BusinessColumn[];
}

/** <fact>_history for a pipeline's main fact table. */
export function historyTableName(pipeline: PipelineDefinition): string {
  return `${mainFact(pipeline).name}_history`;
}

export function mainFact(pipeline: PipelineDefinition): PipelineDefinition['factTables'][number] {
  const [main] = pipeline.factTables;
  if (!main) throw new Error(`${pipeline.source} declares no fact table`);
  return main;
}

/** Reads the business columns of the pipeline's main fact table from the database. */
export async function describeHistory(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
): Promise<HistorySpec> {
  const fact = mainFact(pipeline);
  const reader = await connection.runAndReadAll(`
    SELECT column_name, data_type, comment, NOT is_nullable FROM duckdb_columns()
    WHERE schema_name = 'main' AND table_name = ${literal(fact.name)} ORDER BY column_index`);
  const rows = reader.getRowsJS() as [string, string, string | null, boolean][];
  if (rows.length === 0) throw new Error(`history: table ${fact.name} does not exist`);
  const systems = new Map(pipeline.columns.map((c) => [c.name, c.system ?? null]));
  const skip = new Set<string>(NON_BUSINESS_COLUMNS);
  const columns = rows
    .filter(([name]) => !skip.has(name))
    .map(([name, type, comment, notNull]) => ({
      name,
      type,
      comment: comment || null,
      notNull,
      system: type === 'VARCHAR' ? (systems.get(name) ?? null) : null,
    }));
  for (const k of fact.key) {
    if (!columns.some((c) => c.name === k)) {
      throw new Error(`history: key column ${k} is not a column of ${fact.name}`);
    }
  }
  return {
    source: pipeline.source,
    fact: fact.name,
    history: `${fact.name}_history`,
    key: fact.key,
    columns,
  };
}

/** The key of a row as text: "hcpcs=38211 modifier=" (NULL shown as nothing). */
export function keyTextSql(key: readonly string[], alias: string): string {
  const parts = key.map(
    (k) => `${literal(`${k}=`)} || coalesce(CAST(${alias}.${identifier(k)} AS VARCHAR), '')`,
  );
  return `concat_ws(' ', ${parts.join(', ')})`;
}

/** NULL-safe equality of the key columns of two aliases (a NULL modifier marks the global service). */
export function keyEqualsSql(key: readonly string[], left: string, right: string): string {
  return key
    .map((k) => `${left}.${identifier(k)} IS NOT DISTINCT FROM ${right}.${identifier(k)}`)
    .join(' AND ');
}

export function keyListSql(key: readonly string[], alias?: string): string {
  return key.map((k) => (alias ? `${alias}.${identifier(k)}` : identifier(k))).join(', ');
}

/** The key's hcpcs column when it has one (code_history, release_diff.hcpcs). */
export function hcpcsSql(key: readonly string[], alias: string): string {
  return key.includes('hcpcs') ? `CAST(${alias}.hcpcs AS VARCHAR)` : 'CAST(NULL AS VARCHAR)';
}
