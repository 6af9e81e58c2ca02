import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

/** Runs SQL model files of a folder in the order given, each in one transaction. */
export async function runSqlFiles(
  connection: DuckDBConnection,
  dir: string,
  names: readonly string[],
): Promise<void> {
  for (const name of names) {
    const sql = await readFile(join(dir, name), 'utf8');
    try {
      // One commit per file: a commit per statement (a model's COMMENTs among them) cost more
      // than the statements.
      await connection.run(`BEGIN TRANSACTION;\n${sql}\n;COMMIT`);
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => {});
      throw new Error(`model ${join(dir, name)}: ${(error as Error).message}`);
    }
  }
}
