import {
  type DuckDBConnection,
  type DuckDBMaterializedResult,
  type DuckDBPreparedStatement,
  ResultReturnType,
  StatementType,
} from '@duckdb/node-api';
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { bindParameter, resultValueConverter } from './duckdb-value-conversion.js';

const DML_STATEMENTS: ReadonlySet<StatementType> = new Set([
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.MERGE_INTO,
]);

/** Prepared statements kept per connection, by SQL text (the least recently used go first). */
const PREPARED_CACHE_SIZE = 32;

/**
 * Kysely's view of one `@duckdb/node-api` connection. Not safe for concurrent use on its own:
 * `DuckDBDriver` hands it out behind a mutex.
 */
export class DuckDBDatabaseConnection implements DatabaseConnection {
  readonly #connection: DuckDBConnection;
  /**
   * A query run again with other parameters (a lookup per code) is planned once: planning a
   * 50-column select cost about a millisecond, a fifth of a lookup. DuckDB rebinds a prepared
   * statement itself when the catalog changed since it was prepared.
   */
  readonly #prepared = new Map<string, DuckDBPreparedStatement>();
  #inTransaction = false;
  #failedInTransaction = false;

  constructor(connection: DuckDBConnection) {
    this.#connection = connection;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#run(compiledQuery.sql, compiledQuery.parameters);
    return toQueryResult<R>(result);
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 1000,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new Error('chunkSize must be a positive integer');
    }
    const prepared = await this.#prepare(compiledQuery.sql, compiledQuery.parameters);
    let result: Awaited<ReturnType<typeof prepared.stream>>;
    try {
      result = await this.#track(prepared.stream());
    } finally {
      // The streaming result does not need its prepared statement once started.
      prepared.destroySync();
    }
    let rows: R[] = [];
    for await (const chunkRows of result.yieldConvertedRowObjects(resultValueConverter)) {
      for (const row of chunkRows) {
        rows.push(row as R);
        if (rows.length === chunkSize) {
          yield { rows };
          rows = [];
        }
      }
    }
    if (rows.length > 0) {
      yield { rows };
    }
  }

  /** Called by the driver around BEGIN / COMMIT / ROLLBACK. */
  setInTransaction(inTransaction: boolean): void {
    this.#inTransaction = inTransaction;
    this.#failedInTransaction = false;
  }

  /**
   * DuckDB turns COMMIT of an aborted transaction into a silent rollback, so before committing
   * check whether an earlier failure aborted it. Parser and binder errors do not abort a DuckDB
   * transaction, so a failure alone is not enough: probe the transaction state.
   */
  async isTransactionAborted(): Promise<boolean> {
    if (!this.#failedInTransaction) {
      return false;
    }
    try {
      await this.#connection.run('select 1');
      return false;
    } catch {
      return true;
    }
  }

  /** Frees the cached prepared statements; the DuckDB connection itself belongs to the caller. */
  close(): void {
    for (const prepared of this.#prepared.values()) prepared.destroySync();
    this.#prepared.clear();
  }

  /**
   * The result is materialized (every chunk in memory when the promise resolves): its chunks are
   * read synchronously, where `runAndReadAll` fetched each, and then the end, by another trip
   * through libuv's thread pool (two of a point read's three trips).
   */
  async #run(sql: string, parameters: readonly unknown[]): Promise<DuckDBMaterializedResult> {
    if (parameters.length === 0) {
      // Unprepared so that raw multi-statement scripts (e.g. in migrations) work.
      return this.#track(this.#connection.run(sql));
    }
    const prepared = await this.#cachedStatement(sql);
    prepared.clearBindings();
    parameters.forEach((value, i) => {
      bindParameter(prepared, i + 1, value);
    });
    return this.#track(prepared.run());
  }

  async #cachedStatement(sql: string): Promise<DuckDBPreparedStatement> {
    const cached = this.#prepared.get(sql);
    if (cached) {
      // Most recently used last.
      this.#prepared.delete(sql);
      this.#prepared.set(sql, cached);
      return cached;
    }
    const prepared = await this.#track(this.#connection.prepare(sql));
    this.#prepared.set(sql, prepared);
    if (this.#prepared.size > PREPARED_CACHE_SIZE) {
      const [oldest, statement] = this.#prepared.entries().next().value as [
        string,
        DuckDBPreparedStatement,
      ];
      this.#prepared.delete(oldest);
      statement.destroySync();
    }
    return prepared;
  }

  async #prepare(sql: string, parameters: readonly unknown[]) {
    const prepared = await this.#track(this.#connection.prepare(sql));
    try {
      parameters.forEach((value, i) => {
        bindParameter(prepared, i + 1, value);
      });
    } catch (err) {
      prepared.destroySync();
      throw err;
    }
    return prepared;
  }

  async #track<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (err) {
      if (this.#inTransaction) {
        this.#failedInTransaction = true;
      }
      throw err;
    }
  }
}

function toQueryResult<R>(result: DuckDBMaterializedResult): QueryResult<R> {
  const isDml = DML_STATEMENTS.has(result.statementType);
  if (result.returnType === ResultReturnType.QUERY_RESULT) {
    const rows = rowObjects(result) as R[];
    // DML with RETURNING yields one row per affected row; rowsChanged is 0 in that case.
    return isDml ? { rows, numAffectedRows: BigInt(rows.length) } : { rows };
  }
  if (isDml) {
    // Hide DuckDB's "Count" row: Kysely expects no rows from DML without RETURNING.
    return { rows: [], numAffectedRows: BigInt(result.rowsChanged) };
  }
  return { rows: [] };
}

/** The rows as objects by column name (a repeated name numbered, as DuckDBResultReader does). */
function rowObjects(result: DuckDBMaterializedResult): Record<string, unknown>[] {
  const names = result.deduplicatedColumnNames();
  const rows: Record<string, unknown>[] = [];
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    for (let r = 0; r < chunk.rowCount; r++) {
      const row: Record<string, unknown> = {};
      chunk.visitRowValues(r, (value, _row, column, type) => {
        row[names[column] as string] = resultValueConverter(value, type, resultValueConverter);
      });
      rows.push(row);
    }
  }
  return rows;
}
