import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import type { DecodedView, PipelineDefinition } from '../pipeline-definition.js';

/**
 * The statements that create a decoded view (if missing: a run building on the published
 * database, same code, keeps it) and comment it. Each label is the one code_label() gives for its code
 * as of the release's effective date; the other columns' comments are inherited from the table and
 * release (PipelineDefinition.commentsFrom).
 */
export function decodedViewSql(
  pipeline: PipelineDefinition,
  name: string,
  view: DecodedView,
): string {
  const column = (c: string) => `f.${identifier(c)}`;
  const labels: { label: string; code: string; system: string; alias: string }[] = [];
  const selected = view.columns.map((c) => {
    if (typeof c === 'string') return column(c);
    const system = pipeline.columns.find((s) => s.name === c.code)?.system;
    if (!system) throw new Error(`${name}: ${c.code} of ${pipeline.source} has no code table`);
    const label = c.label ?? `${c.code}_label`;
    const alias = identifier(`l_${c.code}`);
    labels.push({ code: c.code, label, system, alias });
    return `${column(c.code)},\n  CASE WHEN code_valid_on(${alias}.valid_from, ${alias}.valid_to, r.effective_from) THEN ${alias}.label END AS ${identifier(label)}`;
  });
  // Labels as code_label() gives them (the code's label where it is valid on the day), by joins:
  // indicator_code has one row per (system, code), so each join adds at most one row, and a hash
  // join costs a fraction of code_label's subquery per row (as in code_card.sql).
  const joins = labels.map(
    (l) =>
      `LEFT JOIN indicator_code ${l.alias}\n  ON ${l.alias}.system = ${literal(l.system)} AND ${l.alias}.code = ${column(l.code)}`,
  );
  const view_ = identifier(name);
  return [
    `CREATE VIEW IF NOT EXISTS ${view_} AS
SELECT
  f.release_id,
  r.effective_from,
  ${selected.join(',\n  ')}
FROM ${identifier(view.table)} f
JOIN release r ON r.source = ${literal(pipeline.source)} AND r.release_id = f.release_id
${joins.join('\n')}`,
    `COMMENT ON VIEW ${view_} IS ${literal(view.description)}`,
    ...labels.map(
      (l) =>
        `COMMENT ON COLUMN ${view_}.${identifier(l.label)} IS ${literal(`CMS label of ${l.code} from code table ${l.system}, valid on effective_from.`)}`,
    ),
  ].join(';\n');
}

/** Creates the source's decoded views, once its models have created the tables they show. */
export async function createDecodedViews(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
): Promise<void> {
  for (const view of pipeline.exportedViews ?? []) {
    if (!view.decodes) continue;
    const sql = decodedViewSql(pipeline, view.name, view.decodes);
    try {
      await connection.run(`BEGIN TRANSACTION;\n${sql};\nCOMMIT`);
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => {});
      throw new Error(
        `decoded view ${view.name} of ${pipeline.source}: ${(error as Error).message}`,
      );
    }
  }
}
