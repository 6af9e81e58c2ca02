export { DuckDBAdapter } from './duckdb-adapter.js';
export { DuckDBDatabaseConnection } from './duckdb-connection.js';
export { DuckDBDialect } from './duckdb-dialect.js';
export type { DuckDBDialectConfig } from './duckdb-dialect-config.js';
export { DuckDBDriver } from './duckdb-driver.js';
export { DuckDBIntrospector } from './duckdb-introspector.js';
export { bindParameter, resultValueConverter } from './duckdb-value-conversion.js';
