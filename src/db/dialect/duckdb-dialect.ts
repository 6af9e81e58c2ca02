import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresQueryCompiler,
  type QueryCompiler,
} from 'kysely';
import { DuckDBAdapter } from './duckdb-adapter.js';
import type { DuckDBDialectConfig } from './duckdb-dialect-config.js';
import { DuckDBDriver } from './duckdb-driver.js';
import { DuckDBIntrospector } from './duckdb-introspector.js';

/**
 * Kysely dialect for DuckDB through `@duckdb/node-api`.
 *
 * ```ts
 * const instance = await DuckDBInstance.create('fees.duckdb');
 * const connection = await instance.connect();
 * const db = new Kysely<Database>({ dialect: new DuckDBDialect({ connection }) });
 * ```
 *
 * Queries are compiled by Kysely's Postgres compiler (`$1` placeholders, double-quoted
 * identifiers). All queries of one Kysely instance share the one connection, one at a time.
 * `db.destroy()` releases the connection without closing it.
 */
export class DuckDBDialect implements Dialect {
  readonly #config: DuckDBDialectConfig;

  constructor(config: DuckDBDialectConfig) {
    this.#config = config;
  }

  createDriver(): Driver {
    return new DuckDBDriver(this.#config);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new DuckDBAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: matches the Dialect interface.
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new DuckDBIntrospector(db);
  }
}
