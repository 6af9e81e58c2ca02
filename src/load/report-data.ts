import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, literal } from '../db/sql.js';
import type { ChartRow, ReportChart } from './report-chart.js';

/** A source as the report needs it: its main fact table and the chart it asks for. */
export interface ReportSource {
  source: string;
  cadence: string;
  /** The main fact table (rows loaded are counted there); null for a source with none. */
  table: string | null;
  chart: ReportChart | null;
}

export interface ReleaseRow {
  source: string;
  release_id: string;
  effective_from: string;
  kind: string;
  files: number;
  rows_read: number;
  rows_loaded: number;
  lines_rejected: number;
  lines_skipped: number;
  /** Whether this run read it (else it was taken over from the published run). */
  read_now: boolean;
}

export interface SourceChange {
  source: string;
  from_release: string;
  to_release: string;
  added: number;
  ended: number;
  changed: number;
  /** The codes (or keys) with the most changed columns: what changed, old → new. */
  top: { key: string; columns: number; detail: string }[];
}

async function query<T>(connection: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as unknown as T[];
}

const numbers = <T extends object>(row: T, keys: (keyof T)[]): T => {
  for (const key of keys) (row as Record<keyof T, unknown>)[key] = Number(row[key] ?? 0);
  return row;
};

export async function readRun(
  connection: DuckDBConnection,
): Promise<{ run_id: string; started_at: string; pipeline_version: string; raw_dir: string }> {
  const [run] = await query<{
    run_id: string;
    started_at: string;
    pipeline_version: string;
    raw_dir: string;
  }>(
    connection,
    // Stored in UTC: printed with its zone.
    `SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') || ' UTC' AS started_at,
            pipeline_version, raw_dir FROM run`,
  );
  if (!run) throw new Error('the run table is empty');
  return run;
}

/** Every release loaded: rows read from its primary files against rows in its fact table. */
export async function readReleases(
  connection: DuckDBConnection,
  sources: readonly ReportSource[],
  readNow: ReadonlySet<string>,
): Promise<ReleaseRow[]> {
  const loaded = sources
    .filter((s) => s.table !== null)
    .map(
      (s) =>
        `SELECT ${literal(s.source)} AS source, release_id, count(*) AS n FROM ${identifier(s.table as string)} GROUP BY ALL`,
    );
  const rows = await query<ReleaseRow>(
    connection,
    `WITH loaded AS (${loaded.length > 0 ? loaded.join(' UNION ALL ') : 'SELECT NULL AS source, NULL AS release_id, 0 AS n'})
     SELECT r.source, r.release_id, coalesce(r.effective_from::VARCHAR, '') AS effective_from,
            CASE WHEN r.is_full THEN 'full' ELSE 'partial' END AS kind,
            count(f.source_file) AS files,
            coalesce(sum(f.rows_staged) FILTER (WHERE f.role = 'primary'), 0)::BIGINT AS rows_read,
            coalesce(any_value(l.n), 0)::BIGINT AS rows_loaded,
            coalesce(sum(f.lines_rejected), 0)::BIGINT AS lines_rejected,
            coalesce(sum(f.lines_skipped), 0)::BIGINT AS lines_skipped
     FROM release r LEFT JOIN source_file f USING (source, release_id)
     LEFT JOIN loaded l USING (source, release_id)
     GROUP BY ALL ORDER BY r.source, effective_from`,
  );
  return rows.map((r) => ({
    ...numbers(r, ['files', 'rows_read', 'rows_loaded', 'lines_rejected', 'lines_skipped']),
    read_now: readNow.has(`${r.source}/${r.release_id}`),
  }));
}

/** Per source, what each release this run read changed against the release before it. */
export async function readChanges(
  connection: DuckDBConnection,
  readNow: ReadonlySet<string>,
): Promise<SourceChange[]> {
  const counts = await query<Omit<SourceChange, 'top'>>(
    connection,
    `SELECT source, any_value(from_release) AS from_release, to_release,
            count(DISTINCT key) FILTER (WHERE change = 'added') AS added,
            count(DISTINCT key) FILTER (WHERE change = 'ended') AS ended,
            count(DISTINCT key) FILTER (WHERE change = 'changed') AS changed
     FROM release_diff GROUP BY source, to_release ORDER BY source, any_value(effective_from)`,
  );
  const read = counts.filter((c) => readNow.has(`${c.source}/${c.to_release}`));
  if (read.length === 0) return [];
  // The five rows most changed of every release read, in one statement: one per release read
  // each scanned release_diff again (248 statements, 5 s, at 100 releases of every file of the
  // fee schedule's package). Only the releases read: a run adding one release ranked every
  // release's rows again (1.5 s). Rows are ranked by their count of changed columns before
  // their changes are spelt out, for the five only: spelling out every changed row first took
  // 500 MB at 100 releases.
  const pairs = read.map((c) => `(${literal(c.source)}, ${literal(c.to_release)})`).join(', ');
  const top = await query<{
    source: string;
    to_release: string;
    key: string;
    columns: number;
    detail: string;
  }>(
    connection,
    // Codes, not labels: short enough to read in a line (fse diff gives the labels).
    `WITH counted AS (
       SELECT source, to_release, coalesce(hcpcs, key) AS key, count(*) AS columns
       FROM release_diff
       WHERE change = 'changed' AND (source, to_release) IN (VALUES ${pairs})
       GROUP BY ALL),
     top AS (
       SELECT * FROM counted
       QUALIFY row_number() OVER (PARTITION BY source, to_release ORDER BY columns DESC, key) <= 5)
     SELECT t.source, t.to_release, t.key, t.columns,
            string_agg(d.column_name || ' ' || coalesce(left(d.old_value, 24), '∅') || ' → ' ||
                       coalesce(left(d.new_value, 24), '∅'), '; ' ORDER BY d.column_name) AS detail
     FROM top t
     JOIN release_diff d ON d.source = t.source AND d.to_release = t.to_release
      AND coalesce(d.hcpcs, d.key) = t.key AND d.change = 'changed'
     GROUP BY t.source, t.to_release, t.key, t.columns
     ORDER BY t.source, t.to_release, t.columns DESC, t.key`,
  );
  const changes: SourceChange[] = [];
  for (const c of read) {
    changes.push({
      ...numbers(c, ['added', 'ended', 'changed']),
      top: top
        .filter((t) => t.source === c.source && t.to_release === c.to_release)
        .map(({ key, columns, detail }) => ({ key, columns: Number(columns), detail })),
    });
  }
  return changes;
}

/** Rows per value of the chart's column in each release, releases in date order. */
export async function readChart(
  connection: DuckDBConnection,
  chart: ReportChart,
): Promise<{ releases: string[]; rows: ChartRow[]; labels: Map<string, string> }> {
  const exists = await query(
    connection,
    `SELECT 1 FROM duckdb_tables() WHERE table_name = ${literal(chart.table)}`,
  );
  if (exists.length === 0) return { releases: [], rows: [], labels: new Map() };
  const releases = await query<{ release_id: string }>(
    connection,
    `SELECT DISTINCT r.release_id, r.effective_from FROM release r
     JOIN (SELECT DISTINCT release_id FROM ${identifier(chart.table)}) p USING (release_id)
     WHERE r.source = ${literal(chart.source)} ORDER BY r.effective_from, r.release_id`,
  );
  const rows = await query<ChartRow>(
    connection,
    `SELECT release_id, ${identifier(chart.column)}::VARCHAR AS value, count(*)::INTEGER AS n
     FROM ${identifier(chart.table)} GROUP BY ALL`,
  );
  const labels = chart.system
    ? await query<{ code: string; label: string }>(
        connection,
        `SELECT code, label FROM indicator_code WHERE system = ${literal(chart.system)}`,
      )
    : [];
  return {
    releases: releases.map((r) => r.release_id),
    rows: rows.map((r) => ({ ...r, n: Number(r.n) })),
    labels: new Map(labels.map((l) => [l.code, l.label])),
  };
}

export async function readChecks(connection: DuckDBConnection) {
  const perSource = await query<{
    source: string;
    severity: string;
    passed: number;
    failed: number;
  }>(
    connection,
    `SELECT source, severity, count(*) FILTER (WHERE passed) AS passed,
            count(*) FILTER (WHERE NOT passed) AS failed
     FROM check_result GROUP BY ALL ORDER BY source, severity`,
  );
  const failing = await query<{
    source: string;
    severity: string;
    check_name: string;
    failing_rows: number;
  }>(
    connection,
    `SELECT source, severity, check_name, failing_rows FROM check_result WHERE NOT passed ORDER BY ALL`,
  );
  const rejects = await query<{ source: string; rule: string; lines: number }>(
    connection,
    `SELECT source, rule, count(*) AS lines FROM rejected_row GROUP BY ALL ORDER BY source, rule`,
  );
  return {
    perSource: perSource.map((r) => numbers(r, ['passed', 'failed'])),
    failing: failing.map((r) => numbers(r, ['failing_rows'])),
    rejects: rejects.map((r) => numbers(r, ['lines'])),
  };
}
