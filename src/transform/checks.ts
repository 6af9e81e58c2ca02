import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import type { PipelineDefinition } from '../pipeline-definition.js';

export type Severity = 'blocking' | 'warning';

export interface CheckOutcome {
  name: string;
  table: string;
  severity: Severity;
  failing: number;
  /** Up to ten failing rows, in words. */
  examples: string[];
}

interface CheckQuery {
  name: string;
  table: string;
  severity: Severity;
  /** Returns one row per failure: a single text column describing it. */
  failures: string;
}

const EXAMPLES = 10;

/** Staging table holding the variant files (other formats of the same release). */
export function variantTable(pipeline: PipelineDefinition): string {
  return `${pipeline.stagingTable}__variant`;
}

function pipelineChecks(pipeline: PipelineDefinition): CheckQuery[] {
  const fact = identifier(pipeline.factTable);
  const staging = identifier(pipeline.stagingTable);
  const variants = identifier(variantTable(pipeline));
  const source = literal(pipeline.source);
  const key = pipeline.naturalKey.map(identifier);
  // Variant and primary rows compare as typed values: "0.10" in CSV equals ".10" in TXT.
  const comparable = pipeline.columns
    .map((c) =>
      c.decimal
        ? `TRY_CAST(${identifier(c.name)} AS DECIMAL(${c.decimal.precision}, ${c.decimal.scale})) AS ${identifier(c.name)}`
        : identifier(c.name),
    )
    .join(', ');
  const withVariant = `release_id IN (SELECT release_id FROM ${variants})`;
  return [
    {
      name: 'no rejected rows',
      table: pipeline.factTable,
      severity: 'blocking',
      failures: `
        SELECT j.source_file || ':' || j.source_line || ': ' || j.rule || ': ' || coalesce(j.detail, '')
        FROM rejected_row j JOIN release r USING (release_id)
        WHERE r.source = ${source} ORDER BY j.source_file, j.source_line`,
    },
    {
      name: `unique key (${pipeline.naturalKey.join(', ')}) per release`,
      table: pipeline.factTable,
      severity: 'blocking',
      failures: `
        SELECT release_id || ' ' || concat_ws(' ', ${key.join(', ')}) || ' appears ' || count(*) || ' times (lines ' ||
               string_agg(source_line::VARCHAR, ', ' ORDER BY source_line) || ')'
        FROM ${fact} GROUP BY release_id, ${key.join(', ')} HAVING count(*) > 1`,
    },
    {
      name: 'every staged row is loaded or rejected',
      table: pipeline.factTable,
      severity: 'blocking',
      failures: `
        SELECT s.source_file || ':' || s.source_line || ': staged but neither loaded nor rejected'
        FROM ${staging} s
        WHERE NOT EXISTS (SELECT 1 FROM ${fact} f WHERE f.source_file = s.source_file AND f.source_line = s.source_line)
          AND NOT EXISTS (SELECT 1 FROM rejected_row j WHERE j.source_file = s.source_file AND j.source_line = s.source_line)`,
    },
    {
      name: 'variant files give identical rows',
      table: pipeline.factTable,
      severity: 'blocking',
      failures: `
        SELECT 'only in ' || side || ': ' || release_id || ' ' || concat_ws(' ', ${key.join(', ')})
        FROM (
          (SELECT 'primary file' AS side, release_id, ${comparable} FROM ${staging} WHERE ${withVariant}
           EXCEPT ALL SELECT 'primary file', release_id, ${comparable} FROM ${variants})
          UNION ALL
          (SELECT 'variant file' AS side, release_id, ${comparable} FROM ${variants}
           EXCEPT ALL SELECT 'variant file', release_id, ${comparable} FROM ${staging} WHERE ${withVariant})
        ) ORDER BY ALL`,
    },
  ];
}

/** Runs the pipeline's declared checks and records each outcome in check_result. */
export async function runChecks(
  connection: DuckDBConnection,
  runId: string,
  pipeline: PipelineDefinition,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of pipelineChecks(pipeline)) {
    const reader = await connection.runAndReadAll(`
      WITH failures AS (${check.failures})
      SELECT (SELECT count(*) FROM failures), (SELECT list(f) FROM (SELECT * FROM failures LIMIT ${EXAMPLES}) t(f))`);
    const [count, examples] = reader.getRowsJS()[0] as [bigint | number, string[] | null];
    const outcome: CheckOutcome = {
      name: check.name,
      table: check.table,
      severity: check.severity,
      failing: Number(count),
      examples: examples ?? [],
    };
    outcomes.push(outcome);
    const insert = await connection.prepare(
      'INSERT INTO check_result VALUES ($1, $2, $3, $4, $5, $6, $7)',
    );
    insert.bind([
      runId,
      outcome.name,
      outcome.table,
      outcome.severity,
      outcome.failing === 0,
      outcome.failing,
      outcome.examples.join('\n') || null,
    ]);
    await insert.run();
  }
  return outcomes;
}
