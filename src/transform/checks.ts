import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import { RELEASES_READ } from '../extract/raw-releases.js';
import { variantTable } from '../extract/readers/staging.js';
import type { DeclaredCheck, FactTable, PipelineDefinition } from '../pipeline-definition.js';
import { CODE_OUT_OF_DATE, TRUNCATED_FILE, UNKNOWN_CODE } from '../reject-rules.js';
import { historyChecks } from './history/history-checks.js';

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
const DEFAULT_MAX_REJECT_RATE = 0.005;
const DEFAULT_DRIFT = { warn: 0.15, block: 0.3 };

/** Row count of each release against the previous release of its source (by effective date). */
function driftChecks(
  table: string,
  source: string,
  drift: { warn: number; block: number },
): DeclaredCheck[] {
  // Pairs whose later release this run read: a run building on the published one counts the
  // rows of its new releases and of the one before each, not of every release (the others'
  // pairs passed when that run published them). A full build reads every release.
  const changes = (limit: number) => `
    WITH ordered AS (
      SELECT release_id, lag(release_id) OVER (ORDER BY effective_from, release_id) AS previous
      FROM release WHERE source = ${literal(source)}
    ),
    pairs AS (
      SELECT release_id, previous FROM ordered
      WHERE release_id IN (SELECT release_id FROM ${RELEASES_READ} WHERE source = ${literal(source)})
    ),
    counts AS (
      SELECT release_id, count(*) AS n FROM ${identifier(table)}
      WHERE release_id IN (SELECT release_id FROM pairs UNION SELECT previous FROM pairs)
      GROUP BY release_id
    )
    SELECT p.release_id || ': ' || coalesce(c.n, 0) || ' rows against ' || b.n || ' in ' ||
           p.previous || ' (' || round(100.0 * (coalesce(c.n, 0) - b.n) / b.n, 1) || ' %)'
    FROM pairs p JOIN counts b ON b.release_id = p.previous
    LEFT JOIN counts c ON c.release_id = p.release_id
    WHERE abs(coalesce(c.n, 0) - b.n) > ${limit} * b.n`;
  return [
    {
      name: `row count within ±${drift.block * 100} % of the previous release`,
      table,
      severity: 'blocking',
      failures: changes(drift.block),
    },
    {
      name: `row count within ±${drift.warn * 100} % of the previous release`,
      table,
      severity: 'warning',
      failures: changes(drift.warn),
    },
  ];
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

/**
 * A key repeated within a release: one failure per repeated row after the first, by file and
 * line. A grouping finds the repeated keys first: windows over every row cost seconds. The rows
 * are read twice rather than materialized: a stored copy of every column of a large release set
 * took most of the run's memory.
 */
function uniqueKeyCheck(
  name: string,
  table: string,
  rows: string,
  keyColumns: readonly string[],
): DeclaredCheck {
  const key = keyColumns.map(identifier).join(', ');
  const rowKey = keyColumns.map((c) => `r.${identifier(c)}`).join(', ');
  const sameKey = keyColumns
    .map((c) => `r.${identifier(c)} IS NOT DISTINCT FROM d.${identifier(c)}`)
    .join(' AND ');
  return {
    name,
    table,
    severity: 'blocking',
    failures: `
      WITH keyed AS NOT MATERIALIZED (SELECT release_id, ${key}, source_file, source_line FROM ${rows}),
      repeated AS (SELECT release_id, ${key} FROM keyed GROUP BY ALL HAVING count(*) > 1)
      SELECT source_file || ':' || source_line || ': ' || release_id || ' ' ||
             concat_ws(' ', ${key}) || ' appears ' || n || ' times (first on line ' || first_line || ')'
      FROM (
        SELECT r.release_id, ${rowKey}, r.source_file, r.source_line,
               count(*) OVER w AS n, min(r.source_line) OVER w AS first_line,
               row_number() OVER (w ORDER BY r.source_file, r.source_line) AS nth
        FROM keyed r
        SEMI JOIN repeated d ON r.release_id = d.release_id AND ${sameKey}
        WINDOW w AS (PARTITION BY r.release_id, ${rowKey})
      ) WHERE n > 1 AND nth > 1 ORDER BY source_file, source_line`,
  };
}

/** A fact table's key repeated within a release among `rows` (a relation of its columns). */
function factKeyCheck(fact: FactTable, rows: string): DeclaredCheck {
  return uniqueKeyCheck(
    `unique key (${fact.key.join(', ')}) per release`,
    fact.name,
    rows,
    fact.key,
  );
}

/**
 * The unique-key check of each fact table of the pipeline, run on other rows than the table's
 * (`rowsOf`: a relation with the table's columns), as the run's checks report it.
 */
export async function runFactKeyChecks(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
  rowsOf: (fact: FactTable) => string,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const fact of pipeline.factTables) {
    outcomes.push(await evaluate(connection, factKeyCheck(fact, rowsOf(fact)), pipeline));
  }
  return outcomes;
}

/** The checks every pipeline gets, then the ones it declares. */
export function pipelineChecks(pipeline: PipelineDefinition): DeclaredCheck[] {
  const [main] = pipeline.factTables;
  if (!main) throw new Error(`${pipeline.source} declares no fact table`);
  const staging = identifier(pipeline.stagingTable);
  const variants = identifier(variantTable(pipeline));
  const source = literal(pipeline.source);
  const describe = `source_file || ':' || source_line || ': ' || rule || ': ' || coalesce(detail, '')`;
  const maxRate = pipeline.maxRejectRate ?? DEFAULT_MAX_REJECT_RATE;
  const drift = pipeline.rowCountDrift ?? DEFAULT_DRIFT;
  const checks: DeclaredCheck[] = [
    {
      name: 'no truncated file',
      table: main.name,
      severity: 'blocking',
      failures: `SELECT ${describe} FROM rejected_row
        WHERE source = ${source} AND rule = ${literal(TRUNCATED_FILE)} ORDER BY ALL`,
    },
    {
      name: 'every indicator value is in its code table',
      table: main.name,
      severity: pipeline.unknownCodes === 'warn' ? 'warning' : 'blocking',
      failures: `SELECT ${describe} FROM rejected_row
        WHERE source = ${source} AND rule = ${literal(UNKNOWN_CODE)} ORDER BY source_file, source_line`,
    },
    {
      name: 'indicator values are used within their code table dates',
      table: main.name,
      severity: 'warning',
      failures: `SELECT ${describe} FROM rejected_row
        WHERE source = ${source} AND rule = ${literal(CODE_OUT_OF_DATE)} ORDER BY source_file, source_line`,
    },
    {
      name: `rejected lines at most ${(maxRate * 100).toFixed(1)} % of each file`,
      table: main.name,
      severity: 'blocking',
      failures: `
        SELECT f.source_file || ': ' || r.lines || ' of ' || (f.rows_staged + f.lines_rejected) ||
               ' lines rejected (' || round(100 * r.lines / (f.rows_staged + f.lines_rejected), 2) || ' %)'
        FROM source_file f
        JOIN (SELECT source_file, count(DISTINCT source_line) AS lines FROM rejected_row
              WHERE source = ${source} AND NOT row_kept GROUP BY ALL) r USING (source_file)
        WHERE r.lines > ${maxRate} * greatest(f.rows_staged + f.lines_rejected, 1)`,
    },
    {
      name: 'rejected lines (below the threshold: loaded without them)',
      table: main.name,
      severity: 'warning',
      failures: `SELECT ${describe} FROM rejected_row WHERE source = ${source} AND NOT row_kept
        ORDER BY source_file, source_line`,
    },
    ...driftChecks(main.name, pipeline.source, drift),
    // Releases taken over from a published run passed this check when it published them.
    ...pipeline.factTables.map((fact) =>
      factKeyCheck(
        fact,
        `(SELECT * FROM ${identifier(fact.name)}
          WHERE release_id IN (SELECT release_id FROM ${RELEASES_READ} WHERE source = ${source}))`,
      ),
    ),
  ];
  if (pipeline.releasesOf) {
    // A file shipped in another source's releases may be missing from one: its release then has
    // none of this source's rows (and whatever is derived from them), which says nothing itself.
    const owner = literal(pipeline.releasesOf);
    checks.push({
      name: `every ${pipeline.releasesOf} release has this source's file`,
      table: main.name,
      severity: 'warning',
      failures: `
        SELECT r.release_id || ': no ' || ${source} || ' file in the release folder'
        FROM release r
        WHERE r.source = ${owner} AND NOT EXISTS (
          SELECT 1 FROM release m WHERE m.source = ${source} AND m.release_id = r.release_id)
        ORDER BY 1`,
    });
  }
  if (pipeline.stagedKey) {
    // Rejected lines are reported as such already (and left staging): a repeat among them adds
    // nothing.
    checks.push(
      uniqueKeyCheck(
        `unique key (${pipeline.stagedKey.join(', ')}) per release among the staged lines`,
        main.name,
        staging,
        pipeline.stagedKey,
      ),
    );
  }
  if (pipeline.rowPerStagedRow) {
    const lineageTables = pipeline.factTables.filter((f) => f === main || f.staged);
    const loaded = lineageTables
      .map((f) => `SELECT source_file, source_line, release_id FROM ${identifier(f.name)}`)
      .join(' UNION ALL ');
    checks.push({
      name: 'every staged row is loaded or rejected',
      table: main.name,
      severity: 'blocking',
      failures: `
        SELECT s.source_file || ':' || s.source_line || ': staged but neither loaded nor rejected'
        FROM ${staging} s
        -- The rejected lines kept out left staging before the models: the rest must be loaded.
        -- Only the staged releases' rows can match (a file belongs to one release): the join
        -- reads those, not every release loaded so far.
        ANTI JOIN (SELECT source_file, source_line FROM (${loaded})
                   WHERE release_id IN (SELECT DISTINCT release_id FROM ${staging})) f
          ON f.source_file = s.source_file AND f.source_line = s.source_line`,
    });
  }
  if (pipeline.variantComparison === 'staged-rows') {
    const comparable = comparableColumns(pipeline);
    // Describe a differing row by the fact key where staging has those columns, else its first.
    const staged = new Set(pipeline.columns.map((c) => c.name));
    const keyColumns = main.key.every((k) => staged.has(k))
      ? main.key
      : pipeline.columns.slice(0, 1).map((c) => c.name);
    const withVariant = `release_id IN (SELECT release_id FROM ${variants})`;
    const keyOf = (side: string) =>
      ['release_id', ...keyColumns].map((c) => `${side}.${identifier(c)}`).join(', ');
    const sameKey = (a: string, b: string) =>
      ['release_id', ...keyColumns]
        .map((c) => `${a}.${identifier(c)} IS NOT DISTINCT FROM ${b}.${identifier(c)}`)
        .join(' AND ');
    const described = (side: string) =>
      `${side}.release_id || ' ' || concat_ws(' ', ${keyColumns.map((c) => `${side}.${identifier(c)}`).join(', ')})`;
    // A key with one differing row on each side is one failure naming the columns that differ
    // and both values; any other difference is a row only in one of the files.
    const shown = (side: string, column: string) =>
      `coalesce('"' || CAST(${side}.${identifier(column)} AS VARCHAR) || '"', 'blank')`;
    const differences = pipeline.columns
      .filter((c) => !keyColumns.includes(c.name))
      .map(
        (c) =>
          `CASE WHEN p.${identifier(c.name)} IS DISTINCT FROM v.${identifier(c.name)} THEN ` +
          `${literal(`${c.name} `)} || ${shown('p', c.name)} || ' in the primary file, ' || ` +
          `${shown('v', c.name)} || ' in the variant file' END`,
      )
      .join(', ');
    checks.push({
      name: 'variant files give identical rows',
      table: main.name,
      severity: 'blocking',
      failures: `
        -- Each side's differing rows, computed once (few): every use below reads them.
        WITH p AS MATERIALIZED (SELECT release_id, ${comparable} FROM ${staging} WHERE ${withVariant}
                   EXCEPT ALL SELECT release_id, ${comparable} FROM ${variants}),
             v AS MATERIALIZED (SELECT release_id, ${comparable} FROM ${variants}
                   EXCEPT ALL SELECT release_id, ${comparable} FROM ${staging} WHERE ${withVariant}),
             paired AS (
               SELECT ${keyOf('p')}, concat_ws('; ', ${differences}) AS differing
               FROM p JOIN v ON ${sameKey('p', 'v')}
               QUALIFY count(*) OVER (PARTITION BY ${keyOf('p')}) = 1)
        SELECT failure FROM (
          SELECT 'differs: ' || ${described('d')} || ': ' || d.differing AS failure FROM paired d
          UNION ALL
          SELECT 'only in primary file: ' || ${described('p')} FROM p
          WHERE NOT EXISTS (SELECT 1 FROM paired d WHERE ${sameKey('d', 'p')})
          UNION ALL
          SELECT 'only in variant file: ' || ${described('v')} FROM v
          WHERE NOT EXISTS (SELECT 1 FROM paired d WHERE ${sameKey('d', 'v')})
        ) ORDER BY ALL`,
    });
  }
  return [...checks, ...(pipeline.checks ?? []), ...historyChecks(pipeline)];
}

/**
 * A check whose SQL names the staging tables reads staged rows: it runs on each group of
 * releases while they are staged (runStagingChecks), the others once every group is loaded.
 */
function readsStaging(check: DeclaredCheck, pipeline: PipelineDefinition): boolean {
  return check.failures.includes(pipeline.stagingTable);
}

/** The checks that read staged rows, on the group of releases staged now. */
export async function runStagingChecks(
  connection: DuckDBConnection,
  pipeline: PipelineDefinition,
): Promise<CheckOutcome[]> {
  return evaluateAll(
    connection,
    pipelineChecks(pipeline).filter((check) => readsStaging(check, pipeline)),
    pipeline,
  );
}

/**
 * Runs the pipeline's checks and records each outcome in check_result. Those that read staged
 * rows ran on each group of releases: their outcomes (`staged`, one list per group) add up here.
 */
export async function runChecks(
  connection: DuckDBConnection,
  runId: string,
  pipeline: PipelineDefinition,
  staged: readonly (readonly CheckOutcome[])[],
): Promise<CheckOutcome[]> {
  const checks = pipelineChecks(pipeline);
  const evaluated = await evaluateAll(
    connection,
    checks.filter((check) => !readsStaging(check, pipeline)),
    pipeline,
  );
  const outcomes = checks.map((check) =>
    readsStaging(check, pipeline)
      ? addUp(
          check,
          staged.flatMap((group) => group.filter((o) => sameCheck(o, check))),
        )
      : (evaluated.shift() as CheckOutcome),
  );
  // One appender for the run's outcomes: a prepared INSERT per check cost half a second.
  const appender = await connection.createAppender('check_result');
  for (const outcome of outcomes) {
    appender.appendVarchar(runId);
    appender.appendVarchar(pipeline.source);
    appender.appendVarchar(outcome.name);
    appender.appendVarchar(outcome.table);
    appender.appendVarchar(outcome.severity);
    appender.appendBoolean(outcome.failing === 0);
    appender.appendBigInt(BigInt(outcome.failing));
    const examples = outcome.examples.join('\n');
    if (examples) appender.appendVarchar(examples);
    else appender.appendNull();
    appender.endRow();
  }
  appender.closeSync();
  return outcomes;
}

function sameCheck(outcome: CheckOutcome, check: DeclaredCheck): boolean {
  return outcome.name === check.name && outcome.table === check.table;
}

/** One outcome from a check's outcomes on each group: failures summed, the first examples. */
function addUp(check: DeclaredCheck, outcomes: readonly CheckOutcome[]): CheckOutcome {
  return {
    name: check.name,
    table: check.table,
    severity: check.severity,
    failing: outcomes.reduce((sum, o) => sum + o.failing, 0),
    examples: outcomes.flatMap((o) => o.examples).slice(0, EXAMPLES),
  };
}

/**
 * The checks' outcomes, in order, from one statement: one statement per check cost a few
 * milliseconds each to plan and run, most of a check on the small tables of a release or two
 * (and of the empty ones of a source with nothing to load). When that statement fails, the
 * checks run one by one, so that the error names the check.
 */
async function evaluateAll(
  connection: DuckDBConnection,
  checks: readonly DeclaredCheck[],
  pipeline: PipelineDefinition,
): Promise<CheckOutcome[]> {
  if (checks.length < 2) {
    return checks[0] ? [await evaluate(connection, checks[0], pipeline)] : [];
  }
  let rows: unknown[][];
  try {
    const reader = await connection.runAndReadAll(
      `WITH ${checks.map((check, i) => `failures_${i} AS (${check.failures})`).join(',\n')}
      ${checks
        .map(
          (_, i) => `SELECT ${i} AS i, (SELECT count(*) FROM failures_${i}),
             (SELECT list(f) FROM (SELECT * FROM failures_${i} LIMIT ${EXAMPLES}) t(f))`,
        )
        .join('\nUNION ALL\n')}
      ORDER BY i`,
    );
    rows = reader.getRowsJS();
  } catch {
    const outcomes: CheckOutcome[] = [];
    for (const check of checks) outcomes.push(await evaluate(connection, check, pipeline));
    return outcomes;
  }
  return checks.map((check, i) => {
    const [, count, examples] = rows[i] as [number, bigint | number, string[] | null];
    return outcome(check, count, examples);
  });
}

function outcome(
  check: DeclaredCheck,
  count: bigint | number,
  examples: string[] | null,
): CheckOutcome {
  return {
    name: check.name,
    table: check.table,
    severity: check.severity,
    failing: Number(count),
    examples: examples ?? [],
  };
}

async function evaluate(
  connection: DuckDBConnection,
  check: DeclaredCheck,
  pipeline: PipelineDefinition,
): Promise<CheckOutcome> {
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
  return outcome(check, count, examples);
}
