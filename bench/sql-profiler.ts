/**
 * Times every SQL statement the process sends to DuckDB, by wrapping the @duckdb/node-api
 * prototypes (a bench-only instrument; src/ is not touched). Nested calls (run with values goes
 * through a prepared statement) are counted once, at the outermost call of their connection:
 * statements running at once on different connections (the refresh uses several) each count.
 * Their times then add up to more than the wall time they spanned.
 */
import { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

export interface SqlTiming {
  sql: string;
  ms: number;
}

type Method = (this: unknown, ...args: unknown[]) => Promise<unknown>;

export function installSqlProfiler(): { timings: SqlTiming[]; uninstall(): void } {
  const timings: SqlTiming[] = [];
  const sqlOf = new WeakMap<object, string>();
  /** The connection a prepared statement belongs to. */
  const connectionOf = new WeakMap<object, object>();
  const connection = DuckDBConnection.prototype as unknown as Record<string, Method>;
  const prepared = DuckDBPreparedStatement.prototype as unknown as Record<string, Method>;
  const original = {
    run: connection.run as Method,
    createPrepared: connection.createPrepared as Method,
    preparedRun: prepared.run as Method,
  };
  const busy = new WeakSet<object>();
  async function timed<T>(owner: object, sql: string, call: () => Promise<T>): Promise<T> {
    if (busy.has(owner)) return call();
    busy.add(owner);
    const started = performance.now();
    try {
      return await call();
    } finally {
      busy.delete(owner);
      timings.push({ sql, ms: performance.now() - started });
    }
  }
  connection.run = function (this: unknown, ...args: unknown[]) {
    return timed(this as object, String(args[0]), () => original.run.apply(this, args));
  };
  connection.createPrepared = async function (this: unknown, ...args: unknown[]) {
    const statement = await timed(this as object, String(args[0]), () =>
      original.createPrepared.apply(this, args),
    );
    if (typeof statement === 'object' && statement !== null) {
      sqlOf.set(statement, String(args[0]));
      connectionOf.set(statement, this as object);
    }
    return statement;
  };
  prepared.run = function (this: unknown, ...args: unknown[]) {
    const owner = connectionOf.get(this as object) ?? (this as object);
    return timed(owner, sqlOf.get(this as object) ?? '(prepared statement)', () =>
      original.preparedRun.apply(this, args),
    );
  };
  return {
    timings,
    uninstall() {
      connection.run = original.run;
      connection.createPrepared = original.createPrepared;
      prepared.run = original.preparedRun;
    },
  };
}

/**
 * Rough stage of a statement, by its text; anything unrecognised is "other SQL". The shapes are
 * the run's: a source's checks are one statement of CTEs failures_0, failures_1, ...; a SQL file
 * (a model or mart) runs as one transaction starting with its comment.
 */
export function classifySql(sql: string): string {
  const s = sql
    .replace(/--[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (/indicator_(system|code)/i.test(s) && /read_csv/i.test(s)) return 'code tables';
  if (/^COPY\b/i.test(s)) return 'parquet export (COPY)';
  if (/^CHECKPOINT/i.test(s)) return 'checkpoint';
  if (/read_csv/i.test(s)) return 'read files (read_csv)';
  if (/^WITH failures(_\d+)? AS/i.test(s) || /INSERT INTO check_result/i.test(s)) return 'checks';
  if (/_history\b|_history__next|\brelease_diff\b|\bcode_history\b/i.test(s)) {
    return 'histories and changes';
  }
  if (/^INSERT INTO "?stg_/i.test(s)) return 'staging insert';
  if (/INSERT INTO rejected_row/i.test(s) && /UNION ALL/i.test(s)) return 'validation';
  if (/_suspect_rows|_failing_codes/i.test(s)) return 'validation';
  if (/^CREATE (TABLE|VIEW)/i.test(s) && /\bINSERT INTO\b/i.test(s)) return 'fact models (SQL)';
  if (/^CREATE (TABLE|VIEW|MACRO)/i.test(s) && /COMMENT ON/i.test(s)) return 'schema and views';
  if (/^BEGIN TRANSACTION;/i.test(s)) return 'models and marts (SQL files)';
  if (/rejected_row|_reject|_gaps|_csv_|_fw_|^UPDATE "?stg_/i.test(s)) return 'reader bookkeeping';
  if (/INSERT INTO (release|source_file|run)\b/i.test(s) || /UPDATE release/i.test(s))
    return 'release and file rows';
  return 'other SQL';
}

export interface SqlSummary {
  category: string;
  seconds: number;
  statements: number;
}

export function summariseSql(timings: readonly SqlTiming[]): SqlSummary[] {
  const byCategory = new Map<string, SqlSummary>();
  for (const t of timings) {
    const category = classifySql(t.sql);
    const entry = byCategory.get(category) ?? { category, seconds: 0, statements: 0 };
    entry.seconds += t.ms / 1000;
    entry.statements++;
    byCategory.set(category, entry);
  }
  return [...byCategory.values()].sort((a, b) => b.seconds - a.seconds);
}

/** The statements taking the most time in total, grouped by their first 90 characters. */
export function topStatements(
  timings: readonly SqlTiming[],
  limit = 8,
): { sql: string; seconds: number; count: number }[] {
  const groups = new Map<string, { sql: string; seconds: number; count: number }>();
  for (const t of timings) {
    const sql = t.sql.replace(/\s+/g, ' ').trim().slice(0, 90);
    const entry = groups.get(sql) ?? { sql, seconds: 0, count: 0 };
    entry.seconds += t.ms / 1000;
    entry.count++;
    groups.set(sql, entry);
  }
  return [...groups.values()].sort((a, b) => b.seconds - a.seconds).slice(0, limit);
}
