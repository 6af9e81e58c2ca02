import { Kysely } from 'kysely';
import { DuckDBDialect } from './dialect/index.js';
import { openDuckDB } from './open-duckdb.js';
import type { Database } from './schema.js';

export interface FeeSchedule {
  db: Kysely<Database>;
  close(): Promise<void>;
}

/** Opens a published fee_schedule.duckdb read-only as a typed Kysely instance. */
export async function openFeeSchedule(path: string): Promise<FeeSchedule> {
  const handle = await openDuckDB(path, { readOnly: true });
  const db = new Kysely<Database>({
    dialect: new DuckDBDialect({ connection: handle.connection }),
  });
  return {
    db,
    async close() {
      await db.destroy();
      handle.close();
    },
  };
}
