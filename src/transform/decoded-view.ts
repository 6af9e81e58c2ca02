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
  const labels: { label: string; code: string; system: string; map: string }[] = [];
  const selected = view.columns.map((c) => {
    if (typeof c === 'string') return column(c);
    const system = pipeline.columns.find((s) => s.name === c.code)?.system;
    if (!system) throw new Error(`${name}: ${c.code} of ${pipeline.source} has no code table`);
    const label = c.label ?? `${c.code}_label`;
    const map = identifier(`labels_of_${c.code}`);
    labels.push({ code: c.code, label, system, map });
    return `${column(c.code)},\n  l.${map}[${column(c.code)}] AS ${identifier(label)}`;
  });
  // Labels as code_label() gives them (the code's label where it is valid on the day), looked up
  // in one map per code column and release: a release's rows share its effective date, so the
  // labels valid on it are a few hundred entries, built once per release. A join per code column
  // (twelve for the fee schedule's view) carried every column of every row through each join:
  // that view's export at 100 releases cost 18 s of CPU that way, 7 s with the maps.
  const systems = [...new Set(labels.map((l) => literal(l.system)))];
  const maps = labels.map(
    (l) =>
      `map_from_entries(list((c.code, c.label)) FILTER (WHERE c.system = ${literal(l.system)})) AS ${l.map}`,
  );
  const view_ = identifier(name);
  return [
    `CREATE VIEW IF NOT EXISTS ${view_} AS
SELECT
  f.release_id,
  l.effective_from,
  ${selected.join(',\n  ')}
FROM ${identifier(view.table)} f
JOIN (
  SELECT r.release_id, r.effective_from${maps.map((m) => `,\n    ${m}`).join('')}
  FROM release r
  ${
    systems.length > 0
      ? `LEFT JOIN indicator_code c ON c.system IN (${systems.join(', ')})
    AND code_valid_on(c.valid_from, c.valid_to, r.effective_from)`
      : ''
  }
  WHERE r.source = ${literal(pipeline.source)}
  GROUP BY r.release_id, r.effective_from
) l ON l.release_id = f.release_id`,
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
