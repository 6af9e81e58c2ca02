import type { DuckDBConnection } from '@duckdb/node-api';
import { type DuckDBHandle, openDuckDB } from '../db/open-duckdb.js';

/**
 * DuckDB's memory for a refresh (FSE_MEMORY_LIMIT, e.g. "2GB"): beyond it, it spills to disk.
 * Releases are staged a group at a time, so staging takes a bounded share of it; below about
 * 600MB DuckDB's CSV reader slowed down sharply. A run that needs more fails with DuckDB's
 * "Out of Memory" and publishes nothing.
 */
export function refreshMemoryLimit(): string {
  return process.env.FSE_MEMORY_LIMIT || '600MB';
}

/**
 * The database a run builds, with every DuckDB setting of a run in one place. `extending` is
 * true when the run builds on a copy of the published database.
 */
export async function openRunDatabase(path: string, extending: boolean): Promise<DuckDBHandle> {
  const db = await openDuckDB(path, { memoryLimit: refreshMemoryLimit() });
  const { connection } = db;
  try {
    // Releases are loaded a group at a time, each group's rows in row groups of their own. A
    // vacuum at checkpoint would merge the partly filled ones, rewriting every row group after
    // them for the sake of a few partly filled row groups.
    await connection.run('SET max_vacuum_tasks = 0');
    // DuckDB's common_subplan optimizer stores a subplan that a statement reads twice, even a
    // CTE marked NOT MATERIALIZED: for the checks, every loaded row of a source (a third of the
    // run's memory). Reading a table twice costs less than storing it.
    await connection.run("SET disabled_optimizers = 'common_subplan'");
    // Statements on small tables (the code tables, a release or two, tens of thousands of rows):
    // on one thread DuckDB spends less on per-thread buffers and scheduling than a second core
    // gains. Both cores still work where two connections do: the histories beside the marts,
    // the Parquet files two at a time. A fresh build that reads more gets every core back once
    // it knows (threadsForRun). The count is not lowered again during the run: DuckDB's threads
    // are the database's, and lowering them waits for every connection's running tasks and
    // hands DuckDB's freed memory back to the system, to be faulted in again.
    await connection.run('SET threads = 1');
    if (extending) {
      // Nor a checkpoint before the end, where it runs beside the export (which only reads): a
      // checkpoint on the way held up the other connections' commits. What a run adds to a
      // published database stays far below this.
      await connection.run("SET checkpoint_threshold = '1GB'");
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Bytes of new release files up to which a fresh build stays on one DuckDB thread per
 * connection. Such a run is mostly fixed cost, hundreds of statements over small tables (the
 * empty tables of sources with nothing to read, checks, cards, Parquet files): a second thread
 * cost more CPU than it saved (one release: CPU 8.5 s on two threads, 6.6 s on one).
 */
export const ONE_THREAD_BYTES = 64 * 1024 * 1024;

/**
 * DuckDB's threads for the rest of the run: every core for a fresh build that reads more than
 * ONE_THREAD_BYTES (DuckDB's CSV reader and the histories of many releases use them); one for
 * the others. A run building on the published run stays on one: its statements handle the
 * releases it adds.
 */
export async function threadsForRun(
  connection: DuckDBConnection,
  bytesToRead: number,
  extending: boolean,
): Promise<void> {
  if (!extending && bytesToRead > ONE_THREAD_BYTES) await connection.run('RESET threads');
}

/**
 * Runs `work` on `count` more connections of the database, closed once it has settled. `work`
 * must not return while a statement still runs on one of them.
 */
export async function withConnections<T>(
  db: DuckDBHandle,
  count: number,
  work: (connections: DuckDBConnection[]) => Promise<T>,
): Promise<T> {
  const connections: DuckDBConnection[] = [];
  try {
    for (let i = 0; i < count; i++) connections.push(await db.instance.connect());
    return await work(connections);
  } finally {
    for (const c of connections) c.closeSync();
  }
}
