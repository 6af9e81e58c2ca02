import type { DuckDBConnection } from '@duckdb/node-api';

export interface DuckDBDialectConfig {
  /**
   * An already opened `@duckdb/node-api` connection, or a function that resolves to one (called
   * once, on first use). The caller owns it: destroying the Kysely instance releases it but never
   * closes it or its instance.
   */
  connection: DuckDBConnection | (() => Promise<DuckDBConnection>);
}
