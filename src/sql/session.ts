import { type DuckDBConnection, type DuckDBValue, ResultReturnType } from '@duckdb/node-api';
import {
  EXPORT_DATABASE,
  GUARDED_STATEMENTS,
  GuardedStatementError,
} from './guarded-statements.js';
import type { StatementResult } from './statement-result.js';

/** DuckDB refused or failed a statement: its message, for stderr (exit 1). */
export class SqlStatementError extends Error {}

export interface SessionOptions {
  allowWrites: boolean;
}

/** Runs scripts on one connection, so SET and temporary tables carry from one to the next. */
export class SqlSession {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly options: SessionOptions,
  ) {}

  /**
   * Runs each statement of a script in turn (a last statement without ";" included), yielding
   * the result of each that returns rows as soon as it is read; stops at the first error.
   * `maxRows` keeps that many rows of each result and counts the rest (undefined: all).
   */
  async *run(script: string, maxRows?: number): AsyncGenerator<StatementResult> {
    if (!this.options.allowWrites && EXPORT_DATABASE.test(script)) {
      throw new GuardedStatementError('EXPORT');
    }
    const statements = await this.duckdb(() => this.connection.extractStatements(script));
    for (let i = 0; i < statements.count; i++) {
      const prepared = await this.duckdb(() => statements.prepare(i));
      const guarded = GUARDED_STATEMENTS.get(prepared.statementType);
      if (guarded && !this.options.allowWrites) throw new GuardedStatementError(guarded);
      const result = await this.duckdb(() => prepared.stream());
      if (result.returnType !== ResultReturnType.QUERY_RESULT) {
        // SET, PRAGMA assignments and the like: nothing to show, but run to the end.
        await this.duckdb(() => result.fetchAllChunks());
        continue;
      }
      const rows: DuckDBValue[][] = [];
      let rowsLeftOut = 0;
      const keep = maxRows ?? Number.POSITIVE_INFINITY;
      let chunk = await this.duckdb(() => result.fetchChunk());
      while (chunk && chunk.rowCount > 0) {
        const room = keep - rows.length;
        if (room >= chunk.rowCount) rows.push(...chunk.getRows());
        else {
          if (room > 0) rows.push(...chunk.getRows().slice(0, room));
          rowsLeftOut += chunk.rowCount - Math.max(room, 0);
        }
        chunk = await this.duckdb(() => result.fetchChunk());
      }
      yield { columns: result.columnNames(), types: result.columnTypes(), rows, rowsLeftOut };
    }
  }

  /** Stops the statement running, if any: it fails with "INTERRUPT Error". */
  interrupt(): void {
    this.connection.interrupt();
  }

  /** A DuckDB call whose failure is an error of the SQL, told apart from the program's own. */
  private async duckdb<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // The client's wrapper words add nothing to DuckDB's own "Parser Error: …".
      throw new SqlStatementError(
        (error as Error).message.replace(/^Failed to extract statements: /, ''),
      );
    }
  }
}
