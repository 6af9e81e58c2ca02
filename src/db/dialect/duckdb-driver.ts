import {
  AbortedTransactionError,
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type TransactionSettings,
} from 'kysely';
import { DuckDBDatabaseConnection } from './duckdb-connection.js';
import type { DuckDBDialectConfig } from './duckdb-dialect-config.js';

export class DuckDBDriver implements Driver {
  readonly #config: DuckDBDialectConfig;
  readonly #mutex = new ConnectionMutex();
  #connection: DuckDBDatabaseConnection | undefined;

  constructor(config: DuckDBDialectConfig) {
    this.#config = { ...config };
  }

  async init(): Promise<void> {
    const { connection } = this.#config;
    const duckdb = typeof connection === 'function' ? await connection() : connection;
    this.#connection = new DuckDBDatabaseConnection(duckdb);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // A DuckDB connection runs one statement at a time, and a transaction must own it from BEGIN
    // to COMMIT, so every Kysely query waits for the single connection.
    await this.#mutex.lock();
    if (!this.#connection) {
      this.#mutex.unlock();
      throw new Error('DuckDBDriver has already been destroyed');
    }
    return this.#connection;
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    if (settings.isolationLevel) {
      throw new Error(
        `DuckDB does not support setting an isolation level (got '${settings.isolationLevel}'); ` +
          'its transactions always use snapshot isolation',
      );
    }
    const sql = settings.accessMode
      ? `begin transaction ${settings.accessMode}`
      : 'begin transaction';
    await connection.executeQuery(CompiledQuery.raw(sql));
    asDuckDB(connection).setInTransaction(true);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const duckdb = asDuckDB(connection);
    const aborted = await duckdb.isTransactionAborted();
    try {
      // On an aborted transaction DuckDB's COMMIT rolls back (without an error).
      await connection.executeQuery(CompiledQuery.raw('commit'));
    } finally {
      duckdb.setInTransaction(false);
    }
    if (aborted) {
      throw new AbortedTransactionError();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } catch (err) {
      // A failed COMMIT has already ended the transaction; keep the commit error, not this one.
      if (!(err instanceof Error && err.message.includes('no transaction is active'))) {
        throw err;
      }
    } finally {
      asDuckDB(connection).setInTransaction(false);
    }
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    // The caller owns the DuckDB connection and its instance: free what we made, drop the rest.
    this.#connection?.close();
    this.#connection = undefined;
  }
}

function asDuckDB(connection: DatabaseConnection): DuckDBDatabaseConnection {
  if (!(connection instanceof DuckDBDatabaseConnection)) {
    throw new TypeError('DuckDBDriver was given a connection it did not create');
  }
  return connection;
}

/** FIFO lock: waiters get the connection in the order they asked for it. */
class ConnectionMutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  async lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    await new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
    });
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) {
      // Hand the lock straight to the next waiter so no newcomer can overtake it.
      next();
    } else {
      this.#locked = false;
    }
  }
}
