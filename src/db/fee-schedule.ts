import { Kysely } from 'kysely';
import { DuckDBDialect } from './dialect/index.js';
import { openDuckDB } from './open-duckdb.js';
import { pinPublishedDatabase } from './published-run.js';
import type { Database } from './schema.js';

export interface FeeSchedule {
  db: Kysely<Database>;
  /** The published run read, resolved once when opened (out/.runs/<run id>). */
  runDir: string;
  close(): Promise<void>;
}

/**
 * Opens a published fee_schedule.duckdb read-only as a typed Kysely instance, pinned to the run
 * published when it opens (see pinPublishedDatabase).
 */
export async function openFeeSchedule(path: string): Promise<FeeSchedule> {
  const { database, runDir } = pinPublishedDatabase(path);
  const handle = await openDuckDB(database, { readOnly: true });
  const db = new Kysely<Database>({
    dialect: new DuckDBDialect({ connection: handle.connection }),
  });
  return {
    db,
    runDir,
    async close() {
      await db.destroy();
      handle.close();
    },
  };
}
