import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export interface DuckDBHandle {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  close(): void;
}

/**
 * Opens a DuckDB database with extension auto-install and auto-load off: the machines are
 * offline and only the bundled parquet, json and icu extensions exist.
 */
export async function openDuckDB(
  path: string,
  options: { readOnly?: boolean; memoryLimit?: string } = {},
): Promise<DuckDBHandle> {
  const instance = await DuckDBInstance.create(path, {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
    ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
  });
  const connection = await instance.connect();
  return {
    instance,
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
