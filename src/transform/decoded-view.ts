import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import type { ReleaseRows } from '../load/parquet-export.js';
import type { DecodedView, PipelineDefinition } from '../pipeline-definition.js';

/**
 * A decoded view's parts: the SELECT list after release_id (effective_from, the columns, each
 * code's label), with `labels` naming the release's label maps, and the query of every
 * release's maps. Each label is the one code_label() gives for its code as of the release's
 * effective date.
 */
function decodedParts(
  pipeline: PipelineDefinition,
  name: string,
  view: DecodedView,
  labels: string,
): {
  columns: string[];
  labelMaps: string;
  labelled: { label: string; system: string; code: string }[];
} {
  const column = (c: string) => `f.${identifier(c)}`;
  const labelled: { label: string; code: string; system: string; map: string }[] = [];
  const selected = view.columns.map((c) => {
    if (typeof c === 'string') return column(c);
    const system = pipeline.columns.find((s) => s.name === c.code)?.system;
    if (!system) throw new Error(`${name}: ${c.code} of ${pipeline.source} has no code table`);
    const label = c.label ?? `${c.code}_label`;
    const map = identifier(`labels_of_${c.code}`);
    labelled.push({ code: c.code, label, system, map });
    return `${column(c.code)},
  ${labels}.${map}[${column(c.code)}] AS ${identifier(label)}`;
  });
  // Labels as code_label() gives them (the code's label where it is valid on the day), looked up
  // in one map per code column and release: a release's rows share its effective date, so the
  // labels valid on it are a few hundred entries, built once per release. A join per code column
  // (twelve for the fee schedule's view) carried every column of every row through each join:
  // that view's export at 100 releases cost 18 s of CPU that way, 7 s with the maps.
  const systems = [...new Set(labelled.map((l) => literal(l.system)))];
  const maps = labelled.map(
    (l) =>
      `map_from_entries(list((c.code, c.label)) FILTER (WHERE c.system = ${literal(l.system)})) AS ${l.map}`,
  );
  const labelMaps = `
  SELECT r.release_id, r.effective_from${maps.map((m) => `,\n    ${m}`).join('')}
  FROM release r
  ${
    systems.length > 0
      ? `LEFT JOIN indicator_code c ON c.system IN (${systems.join(', ')})
    AND code_valid_on(c.valid_from, c.valid_to, r.effective_from)`
      : ''
  }
  WHERE r.source = ${literal(pipeline.source)}
  GROUP BY r.release_id, r.effective_from`;
  return {
    columns: [`${labels}.effective_from`, ...selected],
    labelMaps,
    labelled,
  };
}

/**
 * The statements that create a decoded view (if missing: a run building on the published
 * database, same code, keeps it) and comment it. The other columns' comments are inherited from
 * the table and release (PipelineDefinition.commentsFrom).
 */
export function decodedViewSql(
  pipeline: PipelineDefinition,
  name: string,
  view: DecodedView,
): string {
  const { columns, labelMaps, labelled } = decodedParts(pipeline, name, view, 'l');
  const view_ = identifier(name);
  return [
    `CREATE VIEW IF NOT EXISTS ${view_} AS
SELECT
  f.release_id,
  ${columns.join(',\n  ')}
FROM ${identifier(view.table)} f
JOIN (${labelMaps}
) l ON l.release_id = f.release_id`,
    `COMMENT ON VIEW ${view_} IS ${literal(view.description)}`,
    ...labelled.map(
      (l) =>
        `COMMENT ON COLUMN ${view_}.${identifier(l.label)} IS ${literal(`CMS label of ${l.code} from code table ${l.system}, valid on effective_from.`)}`,
    ),
  ].join(';\n');
}

/** The session variable holding one release's label maps while its rows are read. */
const RELEASE_LABELS = 'decoded_release_labels';

/**
 * A decoded view's rows release by release, as its Parquet files are written, without the view's
 * join (parquet-export's ReleaseRows).
 *
 * Every release's label maps are built once per connection (`setup`, into a temp table): built
 * per release, the aggregate cost about 20 ms each time, two seconds of the export at 100
 * releases. A release's maps are then set as a session variable (`prepare`), a constant to the
 * SELECT, which reads the table's rows of the release and adds labels to them (the view's
 * columns, in its order, without release_id). Through the view, the join copied the release's
 * twelve maps into every row before the lookups: twice the time per release file (19,000 rows:
 * 180-225 ms against 100-110 ms).
 */
export function decodedReleaseRows(
  pipeline: PipelineDefinition,
  name: string,
  view: DecodedView,
): ReleaseRows {
  const { columns, labelMaps } = decodedParts(
    pipeline,
    name,
    view,
    `getvariable(${literal(RELEASE_LABELS)})`,
  );
  const labels = identifier(`_${name}_labels`);
  const table = identifier(view.table);
  return {
    setup: `CREATE OR REPLACE TEMP TABLE ${labels} AS ${labelMaps}`,
    cleanup: `DROP TABLE IF EXISTS temp.${labels}; RESET VARIABLE ${RELEASE_LABELS}`,
    release: (release) => ({
      prepare: `SET VARIABLE ${RELEASE_LABELS} = (
      SELECT l FROM ${labels} l WHERE l.release_id = ${literal(release)})`,
      // Named as the view names it (a struct field's name is not the column's).
      select: `SELECT ${[`${columns[0]} AS effective_from`, ...columns.slice(1)].join(',\n  ')}
FROM ${table} f WHERE f.release_id = ${literal(release)}`,
      inOrder: (orderBy) => storedInOrderSql(table, release, orderBy),
    }),
  };
}

/**
 * True when a release's rows, as the table stores them (the order a SELECT without ORDER BY
 * gives them in), are already in `orderBy` order, ties in stored order. `orderBy` names the
 * table's columns: a decoded view's key columns are its table's.
 */
function storedInOrderSql(table: string, release: string, orderBy: string): string {
  return `SELECT coalesce(bool_and(stored = ordered), true) FROM (
    SELECT row_number() OVER (ORDER BY rowid) AS stored,
           row_number() OVER (ORDER BY ${orderBy}, rowid) AS ordered
    FROM ${table} WHERE release_id = ${literal(release)})`;
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
