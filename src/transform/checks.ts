import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import type { DeclaredCheck, PipelineDefinition } from '../pipeline-definition.js';

export type Severity = 'blocking' | 'warning';

export interface CheckOutcome {
  name: string;
  table: string;
  severity: Severity;
  failing: number;
  /** Up to ten failing rows, in words. */
  examples: string[];
}

const EXAMPLES = 10;

/** Staging table holding the variant files (other formats of the same release). */
export function variantTable(pipeline: PipelineDefinition): string {
  return `${pipeline.stagingTable}__variant`;
}

/** Comparable staged values: decimals cast, so "0.10" in CSV equals ".10" in TXT. */
function comparableColumns(pipeline: PipelineDefinition): string {
  return pipeline.columns
    .map((c) =>
      c.decimal
        ? `TRY_CAST(clean_number(${identifier(c.name)}) AS DECIMAL(${c.decimal.precision}, ${c.decimal.scale})) AS ${identifier(c.name)}`
        : identifier(c.name),
    )
    .join(', ');
}

/** The checks every pipeline gets, then the ones it declares. */
export function pipelineChecks(pipeline: PipelineDefinition): DeclaredCheck[] {
  const [main] = pipeline.factTables;
  if (!main) throw new Error(`${pipeline.source} declares no fact table`);
  const staging = identifier(pipeline.stagingTable);
  const variants = identifier(variantTable(pipeline));
  const checks: DeclaredCheck[] = [
    {
      name: 'no rejected rows',
      table: main.name,
      severity: 'blocking',
      failures: `
        SELECT source_file || ':' || source_line || ': ' || rule || ': ' || coalesce(detail, '')
        FROM rejected_row WHERE source = ${literal(pipeline.source)} ORDER BY source_file, source_line`,
    },
    ...pipeline.factTables.map((fact): DeclaredCheck => {
      const key = fact.key.map(identifier).join(', ');
      return {
        name: `unique key (${fact.key.join(', ')}) per release`,
        table: fact.name,
        severity: 'blocking',
        failures: `
          SELECT release_id || ' ' || concat_ws(' ', ${key}) || ' appears ' || count(*) || ' times'
          FROM ${identifier(fact.name)} GROUP BY release_id, ${key} HAVING count(*) > 1`,
      };
    }),
  ];
  if (pipeline.rowPerStagedRow) {
    const fact = identifier(main.name);
    checks.push({
      name: 'every staged row is loaded or rejected',
      table: main.name,
      severity: 'blocking',
      failures: `
        SELECT s.source_file || ':' || s.source_line || ': staged but neither loaded nor rejected'
        FROM ${staging} s
        WHERE NOT EXISTS (SELECT 1 FROM ${fact} f WHERE f.source_file = s.source_file AND f.source_line = s.source_line)
          AND NOT EXISTS (SELECT 1 FROM rejected_row j WHERE j.source_file = s.source_file AND j.source_line = s.source_line)`,
    });
  }
  if (pipeline.variantComparison === 'staged-rows') {
    const comparable = comparableColumns(pipeline);
    // Describe a differing row by the fact key where staging has those columns, else its first.
    const staged = new Set(pipeline.columns.map((c) => c.name));
    const keyColumns = main.key.every((k) => staged.has(k))
      ? main.key
      : pipeline.columns.slice(0, 1).map((c) => c.name);
    const key = keyColumns.map(identifier).join(', ');
    const withVariant = `release_id IN (SELECT release_id FROM ${variants})`;
    checks.push({
      name: 'variant files give identical rows',
      table: main.name,
      severity: 'blocking',
      failures: `
        SELECT 'only in ' || side || ': ' || release_id || ' ' || concat_ws(' ', ${key})
        FROM (
          (SELECT 'primary file' AS side, release_id, ${comparable} FROM ${staging} WHERE ${withVariant}
           EXCEPT ALL SELECT 'primary file', release_id, ${comparable} FROM ${variants})
          UNION ALL
          (SELECT 'variant file' AS side, release_id, ${comparable} FROM ${variants}
           EXCEPT ALL SELECT 'variant file', release_id, ${comparable} FROM ${staging} WHERE ${withVariant})
        ) ORDER BY ALL`,
    });
  }
  return [...checks, ...(pipeline.checks ?? [])];
}

/** Runs the pipeline's checks and records each outcome in check_result. */
export async function runChecks(
  connection: DuckDBConnection,
  runId: string,
  pipeline: PipelineDefinition,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of pipelineChecks(pipeline)) {
    let reader: Awaited<ReturnType<DuckDBConnection['runAndReadAll']>>;
    try {
      reader = await connection.runAndReadAll(`
        WITH failures AS (${check.failures})
        SELECT (SELECT count(*) FROM failures),
               (SELECT list(f) FROM (SELECT * FROM failures LIMIT ${EXAMPLES}) t(f))`);
    } catch (error) {
      throw new Error(`check "${check.name}" of ${pipeline.source}: ${(error as Error).message}`);
    }
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
      'INSERT INTO check_result VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    );
    insert.bind([
      runId,
      pipeline.source,
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
