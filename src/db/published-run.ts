import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';

/** A published database pinned to the run folder it was in when resolved. */
export interface PinnedDatabase {
  /** The database file inside out/.runs/<run id>/: no symlink left to follow later. */
  database: string;
  /** The run folder: its parquet/, manifest.json and report.html belong to the same run. */
  runDir: string;
}

/**
 * Resolves out/fee_schedule.duckdb (a symlink through out/.current) once, to the run that is
 * published now. A refresh that publishes meanwhile swaps out/.current; a reader that resolved
 * first keeps reading one run's database and files, never half of each.
 */
export function pinPublishedDatabase(path: string): PinnedDatabase {
  const database = realpathSync(path);
  return { database, runDir: dirname(database) };
}
